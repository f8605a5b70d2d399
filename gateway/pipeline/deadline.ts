// The request's time budget: config default, optionally shortened (never lengthened past maxMs) by a client
// header, combined with the client's disconnect into the one signal every attempt inherits.
import type { SwitchyardConfig } from "#config/schema.ts";
import { ClientClosedError, UpstreamTimeoutError } from "#gateway/openai/errors.ts";
import type { ForwardRequest } from "./types.ts";

export type RequestBudget = { signal: AbortSignal; deadline: number; dispose(): void };
/** Calls `onGone` if the client leaves before its response is complete; returns a function that stops watching. */
export type ClientWatch = (onGone: () => void) => () => void;

/** True when the request's signal is its budget's, which aborts by itself once the request's deadline passes. */
export function enforcesDeadline(req: Pick<ForwardRequest, "signal" | "deadline" | "budget">): boolean {
  return req.budget !== undefined && req.budget.signal === req.signal && req.budget.deadline <= req.deadline;
}

export function requestBudget(
  deadlines: SwitchyardConfig["routing"]["deadlines"],
  headerValue: string | undefined,
  watchClient: ClientWatch,
): RequestBudget {
  const asked = Number(headerValue);
  const budgetMs = Number.isFinite(asked) && asked > 0 ? Math.min(asked, deadlines.maxMs) : deadlines.defaultMs;
  const deadline = Date.now() + budgetMs;
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new UpstreamTimeoutError(`The request exceeded its deadline of ${budgetMs} ms.`)),
    budgetMs,
  );
  const unwatch = watchClient(() => controller.abort(new ClientClosedError()));
  return {
    signal: controller.signal,
    deadline,
    dispose() {
      clearTimeout(timer);
      unwatch();
    },
  };
}
