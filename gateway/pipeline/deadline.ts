// The request's time budget: config default, optionally shortened (never lengthened past maxMs) by a client
// header, combined with the client's disconnect into the one signal every attempt inherits.
import type { SwitchyardConfig } from "#config/schema.ts";
import { ClientClosedError, UpstreamTimeoutError } from "#gateway/openai/errors.ts";
import { AbortListeners, type CancelSource } from "./cancel-source.ts";
import { armDeadline, Deadline, disarmDeadline } from "./deadline-timers.ts";
import type { ForwardRequest } from "./types.ts";

/** `signal` for anything that takes an AbortSignal; `onAbort` (CancelSource) for the request path's own scopes. */
export type RequestBudget = CancelSource & { signal: AbortSignal; deadline: number; dispose(): void };
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
  return new Budget(budgetMs, watchClient);
}

// A class, not an object literal with getters: V8 builds such literals slowly, and this runs on every request.
class Budget implements RequestBudget {
  readonly deadline: number;
  readonly #controller = new AbortController();
  readonly #listeners = new AbortListeners();
  readonly #timer: Deadline;
  readonly #unwatch: () => void;

  constructor(budgetMs: number, watchClient: ClientWatch) {
    this.deadline = Date.now() + budgetMs;
    this.#timer = new Deadline(() =>
      this.#abort(new UpstreamTimeoutError(`The request exceeded its deadline of ${budgetMs} ms.`)),
    );
    armDeadline(this.#timer, budgetMs);
    this.#unwatch = watchClient(() => this.#abort(new ClientClosedError()));
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#controller.signal.aborted;
  }

  get reason(): unknown {
    return this.#controller.signal.reason;
  }

  onAbort(listener: () => void): () => void {
    return this.#listeners.add(listener);
  }

  dispose(): void {
    disarmDeadline(this.#timer);
    this.#unwatch();
  }

  #abort(reason: Error): void {
    if (this.#controller.signal.aborted) return;
    this.#controller.abort(reason);
    this.#listeners.fire();
  }
}
