// Which quota counters a caller draws from, and the calendar window (UTC day or month) each counts in. A counter's
// id names its scope and window ("tenant/acme/day/2026-12-06"), so a new window starts from zero by itself and an
// old one only waits for its expiry.
import type { QuotaLimits, SwitchyardConfig } from "#config/schema.ts";
import type { Caller } from "#gateway/pipeline/types.ts";
import { segment } from "#gateway/redis/keys.ts";

export type QuotasConfig = SwitchyardConfig["quotas"];

export type QuotaCounter = {
  id: string;
  scope: "tenant" | "key";
  window: "day" | "month";
  /** For messages: "tenant acme's daily quota". */
  describes: string;
  limit: number;
  /** When the window ends (epoch ms): counters expire then, and a refused caller may retry. */
  endsAt: number;
};

export function quotaCounters(config: QuotasConfig, caller: Caller, now: number): QuotaCounter[] {
  const counters: QuotaCounter[] = [];
  const add = (scope: QuotaCounter["scope"], name: string, describes: string, limits: QuotaLimits | undefined) => {
    if (!limits) return;
    const date = new Date(now);
    if (limits.tokensPerDay) {
      const day = date.toISOString().slice(0, 10);
      const endsAt = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
      counters.push({
        id: `${scope}/${segment(name)}/day/${day}`,
        scope,
        window: "day",
        describes: `${describes} daily`,
        limit: limits.tokensPerDay,
        endsAt,
      });
    }
    if (limits.tokensPerMonth) {
      const month = date.toISOString().slice(0, 7);
      const endsAt = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
      counters.push({
        id: `${scope}/${segment(name)}/month/${month}`,
        scope,
        window: "month",
        describes: `${describes} monthly`,
        limit: limits.tokensPerMonth,
        endsAt,
      });
    }
  };
  add("tenant", caller.tenant, `tenant ${caller.tenant}'s`, config.tenants[caller.tenant]);
  add("key", caller.keyName, `API key ${caller.keyName}'s`, config.keys[caller.keyName]);
  return counters;
}
