// What the cache may do with a request: the client's control header, the model's TTL / size / enabled
// settings, and whether the answer is deterministic enough to reuse.
//
// Request header `x-switchyard-cache`:
//   bypass   – neither read nor write the cache (and do not join an identical in-flight request)
//   refresh  – skip the read, forward, and store the fresh answer
//   no-store – read (a hit is served), but never store this answer
// Without that header, standard `Cache-Control: no-store` means no-store and `no-cache` means refresh.
// Deterministic means temperature 0 and n = 1. A missing temperature counts as OpenAI's default of 1, so it is
// NOT cached unless `cache.cacheNonDeterministic` is on. Embeddings are always deterministic.
import { ownEntry } from "#config/records.ts";
import type { SwitchyardConfig } from "#config/schema.ts";
import type { ForwardRequest } from "#gateway/pipeline/types.ts";

export type CacheConfig = SwitchyardConfig["cache"];
export type CacheControl = "default" | "bypass" | "refresh" | "no-store";
export type ModelCachePolicy = { enabled: boolean; ttlMs: number; maxEntryBytes: number };

export const cacheHeader = "x-switchyard-cache";

export function readControl(headers: Record<string, string>): CacheControl {
  const value = headers[cacheHeader]?.trim().toLowerCase();
  if (value === "bypass" || value === "refresh" || value === "no-store") return value;
  const standard = headers["cache-control"]?.toLowerCase() ?? "";
  if (/(^|[\s,])no-store($|[\s,])/.test(standard)) return "no-store";
  if (/(^|[\s,])no-cache($|[\s,])/.test(standard)) return "refresh";
  return "default";
}

export function modelPolicy(config: CacheConfig, model: string): ModelCachePolicy {
  const override = ownEntry(config.models, model);
  return {
    enabled: override?.enabled ?? true,
    ttlMs: (override?.ttlSeconds ?? config.ttlSeconds) * 1000,
    maxEntryBytes: override?.maxEntryBytes ?? config.maxEntryBytes,
  };
}

export function isDeterministic(req: Pick<ForwardRequest, "endpoint" | "body">, config: CacheConfig): boolean {
  if (req.endpoint === "embeddings") return true;
  const n = req.body.n ?? 1;
  if (n !== 1) return false;
  const temperature = req.body.temperature ?? 1;
  return temperature === 0 || config.cacheNonDeterministic;
}
