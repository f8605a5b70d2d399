// Which quota counters a caller draws from, and the calendar window (UTC day or month) each counts in. A counter's
// id names its scope and window ("tenant/acme/day/2026-12-06"), so a new window starts from zero by itself and an
// old one only waits for its expiry.
import { ownEntry } from "#config/records.ts";
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

/**
 * Per window: its limit in the config, the length of its date in counter ids ("2026-12-06", "2026-12"), its
 * adjective in messages, and when the window holding `d` ends.
 */
const windows = {
  day: {
    limit: (limits: QuotaLimits) => limits.tokensPerDay,
    idLength: 10,
    adjective: "daily",
    endsAt: (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1),
  },
  month: {
    limit: (limits: QuotaLimits) => limits.tokensPerMonth,
    idLength: 7,
    adjective: "monthly",
    endsAt: (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1),
  },
} as const;

export function quotaCounters(config: QuotasConfig, caller: Caller, now: number): QuotaCounter[] {
  const date = new Date(now);
  const counters: QuotaCounter[] = [];
  const add = (scope: QuotaCounter["scope"], name: string, describes: string, limits: QuotaLimits | undefined) => {
    if (!limits) return;
    for (const window of ["day", "month"] as const) {
      const limit = windows[window].limit(limits);
      if (!limit) continue;
      const { idLength, adjective, endsAt } = windows[window];
      counters.push({
        id: `${scope}/${segment(name)}/${window}/${date.toISOString().slice(0, idLength)}`,
        scope,
        window,
        describes: `${describes} ${adjective}`,
        limit,
        endsAt: endsAt(date),
      });
    }
  };
  add("tenant", caller.tenant, `tenant ${caller.tenant}'s`, ownEntry(config.tenants, caller.tenant));
  add("key", caller.keyName, `API key ${caller.keyName}'s`, ownEntry(config.keys, caller.keyName));
  return counters;
}
