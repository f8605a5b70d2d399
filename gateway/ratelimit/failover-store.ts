// Puts Redis first and the in-memory buckets behind it: when Redis fails, `open` decides locally (each
// replica then limits on its own) and `closed` refuses with 503. A decision settles on the store that made it.
import type { Logger } from "pino";
import { GatewayError } from "#gateway/openai/errors.ts";
import { outageLog } from "#gateway/redis/outage-log.ts";
import type { RateLimitMetrics } from "./metrics.ts";
import type { BucketStore } from "./store.ts";

export class RateLimitUnavailableError extends GatewayError {
  constructor() {
    super(503, "Rate limiting is temporarily unavailable. Please retry shortly.", {
      type: "server_error",
      code: "rate_limit_unavailable",
      headers: { "retry-after": "1" },
    });
  }
}

export type FailoverOptions = {
  primary: BucketStore;
  fallback: BucketStore;
  failMode: "open" | "closed";
  metrics: RateLimitMetrics;
  logger: Logger;
};

export function createFailoverBucketStore({
  primary,
  fallback,
  failMode,
  metrics,
  logger,
}: FailoverOptions): BucketStore {
  const outage = outageLog(logger, {
    failing: "rate limiter cannot reach Redis",
    recovered: "rate limiter back on Redis",
  });
  return {
    async take(buckets, requests, tokens) {
      try {
        const outcome = await primary.take(buckets, requests, tokens);
        outage.worked();
        return {
          ...outcome,
          settle: (charge) =>
            outcome.settle(charge)?.catch(() => {
              metrics.storeErrors.inc({ op: "settle" });
            }),
        };
      } catch (error) {
        metrics.storeErrors.inc({ op: "take" });
        outage.failed({ err: (error as Error).message, failMode });
        if (failMode === "closed") throw new RateLimitUnavailableError();
        metrics.fallbackDecisions.inc();
        return fallback.take(buckets, requests, tokens);
      }
    },
  };
}
