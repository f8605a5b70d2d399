// Cancellation scopes: a request scope (client signal + deadline) and, inside it, one scope per attempt, so a
// timeout or a lost hedge stops exactly that attempt's upstream request. Scopes follow each other through
// CancelSource subscriptions, and an attempt makes its AbortSignal only when something asks for one (streams do,
// a JSON call does not): on the request path these links are the cost, not the rare abort.
import { ClientClosedError, type GatewayError, UpstreamTimeoutError } from "#gateway/openai/errors.ts";
import {
  AbortListeners,
  asCancelSource,
  type CancelSource,
  follow,
  signalSource,
} from "#gateway/pipeline/cancel-source.ts";
import { enforcesDeadline } from "#gateway/pipeline/deadline.ts";
import type { ForwardRequest } from "#gateway/pipeline/types.ts";

const noop = () => {};

export class RequestScope {
  readonly deadline: number;
  readonly signal: AbortSignal;
  /** The same cancellation as `signal`, for the attempts to follow cheaply. */
  readonly source: CancelSource;
  readonly #unlink: () => void;
  readonly #timer: NodeJS.Timeout | undefined;

  constructor(req: Pick<ForwardRequest, "signal" | "deadline" | "budget">) {
    this.deadline = req.deadline;
    if (enforcesDeadline(req)) {
      // The route's budget already aborts at this deadline (and when the client leaves): reuse it.
      this.signal = req.signal;
      this.source = req.budget!;
      this.#unlink = noop;
      return;
    }
    // Any other signal (a coalesced flight's, a test's): enforce the deadline here so this layer is correct alone.
    const controller = new AbortController();
    this.signal = controller.signal;
    this.source = signalSource(controller.signal);
    this.#unlink = follow(signalSource(req.signal), (reason) => controller.abort(reason));
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
export class AttemptScope implements CancelSource {
  #aborted = false;
  #reason: unknown;
  #controller: AbortController | undefined;
  readonly #listeners = new AbortListeners();
  readonly #unlink: () => void;
  #timer: NodeJS.Timeout | undefined;
  #limitMs = 0;
  #waitingSince: number | undefined;
  #onStall: () => GatewayError = () => new UpstreamTimeoutError();

  /** Follows `parent`: the request scope's source, or any AbortSignal. */
  constructor(parent: CancelSource | AbortSignal) {
    this.#unlink = follow(asCancelSource(parent), (reason) => this.#abort(reason));
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  /** The attempt's AbortSignal, made on first use (already aborted if the attempt is). */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  onAbort(listener: () => void): () => void {
    return this.#listeners.add(listener);
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
    this.#abort(reason);
  }

  /**
   * Ends the attempt: stops the watchdog, unlinks from the request and, given a reason, aborts whatever is still
   * running. Without one (a JSON answer fully read) nothing runs any more, and an abort would only cost an event.
   */
  close(reason?: GatewayError): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#unlink();
    if (reason) this.#abort(reason);
  }

  #abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.#listeners.fire();
  }

  #schedule(ms: number): void {
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        if (this.#aborted) return;
        const since = this.#waitingSince;
        const waited = since === undefined ? 0 : performance.now() - since;
        if (since !== undefined && waited >= this.#limitMs) this.#abort(this.#onStall());
        else this.#schedule(this.#limitMs - waited);
      },
      Math.max(1, ms),
    );
  }
}
