// Cancellation scopes: a request scope (client signal + deadline) and, inside it, one scope per attempt with
// its own AbortController, so a timeout or a lost hedge stops exactly that attempt's upstream request.
import { ClientClosedError, type GatewayError, UpstreamTimeoutError } from "#gateway/openai/errors.ts";
import { enforcesDeadline } from "#gateway/pipeline/deadline.ts";
import type { ForwardRequest } from "#gateway/pipeline/types.ts";

const noop = () => {};

function link(parent: AbortSignal, child: AbortController): () => void {
  if (parent.aborted) {
    child.abort(parent.reason);
    return noop;
  }
  const onAbort = () => child.abort(parent.reason);
  parent.addEventListener("abort", onAbort, { once: true });
  return () => parent.removeEventListener("abort", onAbort);
}

export class RequestScope {
  readonly deadline: number;
  readonly signal: AbortSignal;
  readonly #unlink: () => void;
  readonly #timer: NodeJS.Timeout | undefined;

  constructor(req: Pick<ForwardRequest, "signal" | "deadline" | "budget">) {
    this.deadline = req.deadline;
    if (enforcesDeadline(req)) {
      // The route's budget signal already aborts at this deadline (and when the client leaves): reuse it.
      this.signal = req.signal;
      this.#unlink = noop;
      return;
    }
    // Any other signal (a coalesced flight's, a test's): enforce the deadline here so this layer is correct alone.
    const controller = new AbortController();
    this.signal = controller.signal;
    this.#unlink = link(req.signal, controller);
    this.#timer = setTimeout(
      () => controller.abort(new UpstreamTimeoutError("The request exceeded its deadline.")),
      Math.max(0, req.deadline - Date.now()),
    );
  }

  remainingMs(now = Date.now()): number {
    return this.deadline - now;
  }

  /** Why the request stopped: the client left, or time ran out. */
  stopReason(): GatewayError {
    const reason: unknown = this.signal.reason;
    if (reason instanceof ClientClosedError) return reason;
    return reason instanceof UpstreamTimeoutError
      ? reason
      : new UpstreamTimeoutError("The request exceeded its deadline.");
  }

  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#unlink();
  }
}

/**
 * One attempt's cancellation, plus a watchdog for streams: while the attempt waits for the node (first token,
 * next token) longer than the armed limit, it is aborted with the error the caller supplied.
 */
export class AttemptScope {
  readonly #controller = new AbortController();
  readonly #unlink: () => void;
  #timer: NodeJS.Timeout | undefined;
  #limitMs = 0;
  #waitingSince: number | undefined;
  #onStall: () => GatewayError = () => new UpstreamTimeoutError();

  constructor(parent: AbortSignal) {
    this.#unlink = link(parent, this.#controller);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Starts (or re-targets) the watchdog; the attempt counts as waiting from now. */
  watch(limitMs: number, onStall: () => GatewayError): void {
    this.#limitMs = limitMs;
    this.#onStall = onStall;
    this.#waitingSince = performance.now();
    clearTimeout(this.#timer);
    this.#schedule(limitMs);
  }

  /** Marks the start and end of a wait on the node; time spent waiting on our own consumer does not count. */
  waiting(waiting: boolean): void {
    this.#waitingSince = waiting ? performance.now() : undefined;
  }

  cancel(reason: GatewayError): void {
    this.#controller.abort(reason);
  }

  /**
   * Ends the attempt: stops the watchdog, unlinks from the request and, given a reason, aborts whatever is still
   * running. Without one (a JSON answer fully read) nothing runs any more, and an abort would only cost an event.
   */
  close(reason?: GatewayError): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#unlink();
    if (reason && !this.#controller.signal.aborted) this.#controller.abort(reason);
  }

  #schedule(ms: number): void {
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        if (this.#controller.signal.aborted) return;
        const since = this.#waitingSince;
        const waited = since === undefined ? 0 : performance.now() - since;
        if (since !== undefined && waited >= this.#limitMs) this.#controller.abort(this.#onStall());
        else this.#schedule(this.#limitMs - waited);
      },
      Math.max(1, ms),
    );
  }
}
