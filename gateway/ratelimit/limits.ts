// Which buckets a request draws from: always its API key's (limits from `rateLimit.keys` by key name, then
// by tenant, field by field over `perKey`), plus its tenant's and its model's when those are configured.
// Tenant buckets are shared by the tenant's keys; model buckets are shared by every caller of that model.
import { ownEntry } from "#config/records.ts";
import type { BucketLimits, SwitchyardConfig } from "#config/schema.ts";
import type { Caller } from "#gateway/pipeline/types.ts";
import { segment } from "#gateway/redis/keys.ts";
import type { BucketSpec } from "./store.ts";

export type RateLimitConfig = SwitchyardConfig["rateLimit"];

export function resolveBuckets(config: RateLimitConfig, caller: Caller, model: string): BucketSpec[] {
  const keyLimits = {
    ...config.perKey,
    ...(ownEntry(config.keys, caller.keyName) ?? ownEntry(config.keys, caller.tenant)),
  };
  const specs = [spec(`key/${segment(caller.tenant)}/${segment(caller.keyName)}`, keyLimits)];
  const tenant = ownEntry(config.tenants, caller.tenant);
  if (tenant) specs.push(spec(`tenant/${segment(caller.tenant)}`, tenant));
  const perModel = ownEntry(config.models, model);
  if (perModel) specs.push(spec(`model/${segment(model)}`, perModel));
  return specs.filter((s) => s.requestsPerMinute > 0 || s.tokensPerMinute > 0);
}

/**
 * resolveBuckets memoised for one config snapshot, by caller (the key index's own object, the same on every request
 * of that key) and model: no key text is built per request. Callers must not mutate the result.
 */
export function bucketResolver(config: RateLimitConfig): (caller: Caller, model: string) => BucketSpec[] {
  const resolved = new WeakMap<Caller, Map<string, BucketSpec[]>>();
  return (caller, model) => {
    let byModel = resolved.get(caller);
    if (!byModel) {
      byModel = new Map();
      resolved.set(caller, byModel);
    }
    let buckets = byModel.get(model);
    if (!buckets) {
      // Models come from the served ones (routes refuse others); the bound only guards against surprises.
      if (byModel.size >= 1024) byModel.clear();
      buckets = resolveBuckets(config, caller, model);
      byModel.set(model, buckets);
    }
    return buckets;
  };
}

function spec(id: string, limits: BucketLimits): BucketSpec {
  return { id, requestsPerMinute: limits.requestsPerMinute ?? 0, tokensPerMinute: limits.tokensPerMinute ?? 0 };
}

/** A reservation larger than a bucket could ever hold would never pass; cap it so a full bucket admits it. */
export function capToCapacity(tokens: number, buckets: BucketSpec[]): number {
  let capped = tokens;
  for (const bucket of buckets) if (bucket.tokensPerMinute > 0) capped = Math.min(capped, bucket.tokensPerMinute);
  return capped;
}
