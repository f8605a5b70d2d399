// The request path's cheap cancellation: following a source, listener lists, the budget as a CancelSource, and the
// AbortSignal bridge.
import { describe, expect, it, vi } from "vitest";
import { ClientClosedError, UpstreamTimeoutError } from "#gateway/openai/errors.ts";
import { AbortListeners, follow, signalSource } from "#gateway/pipeline/cancel-source.ts";
import { requestBudget } from "#gateway/pipeline/deadline.ts";

const deadlines = {
  header: "x-switchyard-deadline-ms",
  defaultMs: 30_000,
  maxMs: 60_000,
  firstTokenMs: 1,
  interTokenMs: 1,
};

describe("follow", () => {
  it("passes on a source's abort and its reason, once, and stops when told", () => {
    const controller = new AbortController();
    const abort = vi.fn();
    follow(signalSource(controller.signal), abort);
    controller.abort("gone");
    controller.abort("again");
    expect(abort).toHaveBeenCalledExactlyOnceWith("gone");

    const later = new AbortController();
    const unfollowed = vi.fn();
    follow(signalSource(later.signal), unfollowed)();
    later.abort("late");
    expect(unfollowed).not.toHaveBeenCalled();
  });

  it("aborts at once, with the reason, when the source already aborted", () => {
    const abort = vi.fn();
    const stop = follow(signalSource(AbortSignal.abort("earlier")), abort);
    expect(abort).toHaveBeenCalledExactlyOnceWith("earlier");
    stop();
  });
});

describe("AbortListeners", () => {
  it("fires each listener once, in order, and forgets them", () => {
    const listeners = new AbortListeners();
    const calls: string[] = [];
    listeners.add(() => calls.push("a"));
    listeners.add(() => calls.push("b"));
    listeners.fire();
    listeners.fire();
    expect(calls).toEqual(["a", "b"]);
  });

  it("does not call a listener that unsubscribed, and unsubscribing twice or after firing is harmless", () => {
    const listeners = new AbortListeners();
    const gone = vi.fn();
    const kept = vi.fn();
    const stop = listeners.add(gone);
    listeners.add(kept);
    stop();
    stop();
    listeners.fire();
    stop();
    expect(gone).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledOnce();
  });
});

describe("signalSource", () => {
  it("reports an AbortSignal's state and calls a subscriber on abort, not after it unsubscribed", () => {
    const controller = new AbortController();
    const source = signalSource(controller.signal);
    const heard = vi.fn();
    const unheard = vi.fn();
    source.onAbort(heard);
    source.onAbort(unheard)();
    expect(source.aborted).toBe(false);
    const reason = new Error("stop");
    controller.abort(reason);
    expect(source.aborted).toBe(true);
    expect(source.reason).toBe(reason);
    expect(heard).toHaveBeenCalledOnce();
    expect(unheard).not.toHaveBeenCalled();
  });
});

describe("requestBudget as a CancelSource", () => {
  it("tells its subscribers and its signal when the client leaves", () => {
    let leave!: () => void;
    const budget = requestBudget(deadlines, undefined, (onGone) => {
      leave = onGone;
      return () => {};
    });
    const heard = vi.fn();
    budget.onAbort(heard);
    leave();
    expect(budget.aborted).toBe(true);
    expect(budget.signal.aborted).toBe(true);
    expect(budget.reason).toBeInstanceOf(ClientClosedError);
    expect(heard).toHaveBeenCalledOnce();
    leave(); // a second notice changes nothing
    expect(heard).toHaveBeenCalledOnce();
    budget.dispose();
  });

  it("aborts with a timeout once the client's (shorter) deadline passes", async () => {
    const budget = requestBudget(deadlines, "20", () => () => {});
    const reason = await new Promise((resolve) => budget.onAbort(() => resolve(budget.reason)));
    expect(reason).toBeInstanceOf(UpstreamTimeoutError);
    expect(budget.signal.reason).toBe(reason);
  });

  it("stops its timer and its client watch on dispose", () => {
    vi.useFakeTimers();
    try {
      const unwatch = vi.fn();
      const budget = requestBudget(deadlines, "50", () => unwatch);
      budget.dispose();
      vi.advanceTimersByTime(100);
      expect(budget.aborted).toBe(false);
      expect(unwatch).toHaveBeenCalledOnce();
    } finally {
      vi.useRealTimers();
    }
  });
});
