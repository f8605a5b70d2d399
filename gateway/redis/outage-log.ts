// One warning when a shared store (Redis behind the cache, rate limits or quotas) starts failing, and one line when
// it works again: an outage is told once, not once per request that meets it.
import type { Logger } from "pino";

export type OutageLog = {
  /** A store call failed; warns with `fields` only if the store was working until now. */
  failed(fields: Record<string, unknown>): void;
  /** A store call worked; says so only if the store was failing until now. */
  worked(): void;
};

export function outageLog(log: Logger, messages: { failing: string; recovered: string }): OutageLog {
  let failing = false;
  return {
    failed(fields) {
      if (!failing) log.warn(fields, messages.failing);
      failing = true;
    },
    worked() {
      if (failing) log.info(messages.recovered);
      failing = false;
    },
  };
}
