// The quota ForwardLayer: refuses a caller whose daily or monthly token quota is spent (OpenAI's 429
// insufficient_quota, with Retry-After until the window turns), and adds each answer's real usage to the caller's
// counters once it is known: a JSON answer's usage, or a stream's usage chunk (asked for, and hidden again, when the
// client did not ask). Cached answers cost nothing. Answers carry x-switchyard-quota-remaining-tokens.
// A store that fails (Redis down) lets requests through uncounted: a quota is a budget, and a dead Redis must not
// stop traffic (rate limits are what protect the nodes). The outage is logged once, as the cache's and the rate
// limiter's are.
import type { Logger } from "pino";
import { cacheHeader } from "#gateway/cache/policy.ts";
import { QuotaExceededError } from "#gateway/openai/errors.ts";
import { trackStreamUsage, usageChunkNeeded, withUsageRequested } from "#gateway/openai/stream-usage.ts";
import { usageTokens } from "#gateway/openai/usage.ts";
import type { ForwardLayer, ForwardResult } from "#gateway/pipeline/types.ts";
import { withHeaders } from "#gateway/pipeline/types.ts";
import { outageLog } from "#gateway/redis/outage-log.ts";
import type { QuotaMetrics } from "./metrics.ts";
import type { QuotaStore } from "./store.ts";
import { type QuotaCounter, type QuotasConfig, quotaCounters } from "./windows.ts";

export const remainingHeader = "x-switchyard-quota-remaining-tokens";

export type QuotaLayerOptions = {
  config: QuotasConfig;
  store: QuotaStore;
  metrics: QuotaMetrics;
  logger: Logger;
  now?: () => number;
};

export function createQuotaLayer({ config, store, metrics, logger, now = Date.now }: QuotaLayerOptions): ForwardLayer {
  const outage = outageLog(logger, {
    failing: "quota store unavailable: requests pass uncounted",
    recovered: "quota store recovered",
  });
  const storeFailed = (error: unknown) => outage.failed({ err: (error as Error).message });

  return (next) =>
    async function quota(req) {
      const counters = quotaCounters(config, req.caller, now());
      if (!counters.length) return next(req);
      let used: number[];
      try {
        const read = store.used(counters);
        used = read instanceof Promise ? await read : read;
        outage.worked();
      } catch (error) {
        storeFailed(error);
        return next(req);
      }
      const spent = counters.findIndex((counter, i) => used[i]! >= counter.limit);
      if (spent >= 0) {
        const counter = counters[spent]!;
        metrics.refusals.inc({ tenant: req.caller.tenant, scope: counter.scope, window: counter.window });
        throw exceeded(counter, now());
      }
      const remaining = Math.min(...counters.map((counter, i) => counter.limit - used[i]!));
      const charge = (tokens: number | undefined) => {
        if (!tokens) return;
        Promise.resolve()
          .then(() => store.add(counters, tokens))
          .then(() => outage.worked(), storeFailed);
      };

      const stripUsage = usageChunkNeeded(req);
      const result: ForwardResult = await next(stripUsage ? withUsageRequested(req) : req);
      const answered = withHeaders(result, { [remainingHeader]: String(remaining) });
      if (result.status >= 400 || result.headers[cacheHeader] === "hit") return answered;
      if (answered.kind === "json") {
        charge(usageTokens((answered.body as { usage?: unknown } | null)?.usage));
        return answered;
      }
      const events = trackStreamUsage(answered.events, stripUsage, (seen) => charge(seen.totalTokens));
      return { ...answered, events };
    };
}

function exceeded(counter: QuotaCounter, now: number): QuotaExceededError {
  return new QuotaExceededError(
    `You exceeded your current quota: ${counter.describes} quota of ${counter.limit} tokens is spent. It renews at ${new Date(counter.endsAt).toISOString()}.`,
    (counter.endsAt - now) / 1000,
  );
}
