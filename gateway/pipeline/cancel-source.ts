// A cheaper way to hear about a cancellation than an AbortSignal listener. Every request runs through a budget, a
// request scope, an attempt scope and an upstream call, each of which follows the one above it; linked through
// EventTarget listeners (and an AbortController per attempt) that cost about a microsecond per request. The budget
// and the scopes offer this instead, and still hand out a real AbortSignal to whoever asks for one.

/** Whether a cancellation happened, why, and a subscription to it. */
export type CancelSource = {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** Calls `listener` once, when (and only if) the source aborts after this; returns a function that unsubscribes. */
  onAbort(listener: () => void): () => void;
};

/** Plain listener list: fired once, in order of subscription. */
export class AbortListeners {
  #listeners: Array<() => void> | undefined;

  add(listener: () => void): () => void {
    if (this.#listeners === undefined) this.#listeners = [listener];
    else this.#listeners.push(listener);
    return () => {
      const listeners = this.#listeners;
      const at = listeners === undefined ? -1 : listeners.indexOf(listener);
      if (at >= 0) listeners!.splice(at, 1);
    };
  }

  fire(): void {
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }
}

/**
 * Makes `abort` follow `source`: called with its reason at once if it already aborted, else when it does. Returns
 * the function that stops following.
 */
export function follow(source: CancelSource, abort: (reason: unknown) => void): () => void {
  if (!source.aborted) return source.onAbort(() => abort(source.reason));
  abort(source.reason);
  return noop;
}

const noop = () => {};

/** A CancelSource over an AbortSignal (one from outside the request path: a coalesced flight's, a test's). */
export function signalSource(signal: AbortSignal): CancelSource {
  return new SignalSource(signal);
}

/** For what takes either: a CancelSource as it is, an AbortSignal through signalSource(). */
export function asCancelSource(cancel: CancelSource | AbortSignal): CancelSource {
  return cancel instanceof AbortSignal ? signalSource(cancel) : cancel;
}

// Classes rather than object literals with getters: V8 builds such a literal slowly, and each one anew.
class SignalSource implements CancelSource {
  readonly #signal: AbortSignal;

  constructor(signal: AbortSignal) {
    this.#signal = signal;
  }

  get aborted(): boolean {
    return this.#signal.aborted;
  }

  get reason(): unknown {
    return this.#signal.reason;
  }

  onAbort(listener: () => void): () => void {
    this.#signal.addEventListener("abort", listener, { once: true });
    return () => this.#signal.removeEventListener("abort", listener);
  }
}
