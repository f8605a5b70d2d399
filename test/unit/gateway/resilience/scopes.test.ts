import { describe, expect, it } from "vitest";
import { ClientClosedError, UpstreamTimeoutError } from "#gateway/openai/errors.ts";
import { requestBudget } from "#gateway/pipeline/deadline.ts";
import { AttemptTimeoutError } from "#gateway/resilience/errors.ts";
import { AttemptScope, RequestScope } from "#gateway/resilience/scopes.ts";

const aborted = (signal: AbortSignal) =>
  new Promise<unknown>((resolve) => signal.addEventListener("abort", () => resolve(signal.reason), { once: true }));

describe("RequestScope", () => {
  it("aborts at the deadline with a timeout", async () => {
    const scope = new RequestScope({ signal: new AbortController().signal, deadline: Date.now() + 20 });
    expect(await aborted(scope.signal)).toBeInstanceOf(UpstreamTimeoutError);
    expect(scope.stopReason()).toBeInstanceOf(UpstreamTimeoutError);
    scope.dispose();
  });

  it("aborts when the client goes away, and says so", () => {
    const client = new AbortController();
    const scope = new RequestScope({ signal: client.signal, deadline: Date.now() + 10_000 });
    client.abort(new ClientClosedError());
    expect(scope.signal.aborted).toBe(true);
    expect(scope.stopReason()).toBeInstanceOf(ClientClosedError);
    scope.dispose();
  });

  it("stops listening to the client once disposed", () => {
    const client = new AbortController();
    const scope = new RequestScope({ signal: client.signal, deadline: Date.now() + 10_000 });
    scope.dispose();
    client.abort(new ClientClosedError());
    expect(scope.signal.aborted).toBe(false);
  });
});

describe("RequestScope over the route's budget", () => {
  it("reuses the budget's signal and follows the budget through its CancelSource", () => {
    let leave!: () => void;
    const budget = requestBudget(
      { header: "x", defaultMs: 10_000, maxMs: 10_000, firstTokenMs: 1, interTokenMs: 1 },
      undefined,
      (gone) => {
        leave = gone;
        return () => {};
      },
    );
    const scope = new RequestScope({ signal: budget.signal, deadline: budget.deadline, budget });
    expect(scope.signal).toBe(budget.signal);
    expect(scope.source).toBe(budget);
    const attempt = new AttemptScope(scope.source);
    leave();
    expect(attempt.aborted).toBe(true);
    expect(attempt.reason).toBeInstanceOf(ClientClosedError);
    expect(scope.stopReason()).toBeInstanceOf(ClientClosedError);
    scope.dispose();
    budget.dispose();
  });
});

describe("AttemptScope", () => {
  it("makes its AbortSignal only when asked, already aborted if the attempt is", () => {
    const attempt = new AttemptScope(new AbortController().signal);
    const heard: unknown[] = [];
    attempt.onAbort(() => heard.push(attempt.reason));
    const reason = new ClientClosedError();
    attempt.cancel(reason);
    expect(heard).toEqual([reason]);
    expect(attempt.signal.aborted).toBe(true);
    expect(attempt.signal.reason).toBe(reason);
  });

  it("passes an abort to a signal made before it, and to nobody once closed without a reason", () => {
    const request = new AbortController();
    const early = new AttemptScope(request.signal);
    const signal = early.signal;
    const closed = new AttemptScope(request.signal);
    const heard: string[] = [];
    closed.onAbort(() => heard.push("closed"));
    closed.close();
    request.abort(new UpstreamTimeoutError());
    expect(signal.reason).toBeInstanceOf(UpstreamTimeoutError);
    expect(closed.aborted).toBe(false);
    expect(heard).toEqual([]);
  });

  it("starts aborted under a parent that already is", () => {
    const request = new AbortController();
    request.abort(new ClientClosedError());
    const attempt = new AttemptScope(request.signal);
    expect(attempt.aborted).toBe(true);
    expect(attempt.reason).toBeInstanceOf(ClientClosedError);
  });

  it("follows its request but can be cancelled alone", () => {
    const request = new AbortController();
    const a = new AttemptScope(request.signal);
    const b = new AttemptScope(request.signal);
    a.cancel(new ClientClosedError());
    expect(a.signal.aborted).toBe(true);
    expect(b.signal.aborted).toBe(false);
    request.abort(new UpstreamTimeoutError());
    expect(b.signal.reason).toBeInstanceOf(UpstreamTimeoutError);
  });

  it("aborts with the watchdog's error after waiting longer than the limit", async () => {
    const attempt = new AttemptScope(new AbortController().signal);
    const started = performance.now();
    attempt.watch(30, () => new AttemptTimeoutError("n", "stalled"));
    expect(await aborted(attempt.signal)).toBeInstanceOf(AttemptTimeoutError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(29);
    attempt.close(new ClientClosedError());
  });

  it("does not count time spent not waiting on the node", async () => {
    const attempt = new AttemptScope(new AbortController().signal);
    attempt.watch(20, () => new AttemptTimeoutError("n", "stalled"));
    attempt.waiting(false); // e.g. the consumer is slow to pull the next event
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(attempt.signal.aborted).toBe(false);
    attempt.waiting(true);
    expect(await aborted(attempt.signal)).toBeInstanceOf(AttemptTimeoutError);
    attempt.close(new ClientClosedError());
  });

  it("re-targets a running watchdog to a shorter limit", async () => {
    const attempt = new AttemptScope(new AbortController().signal);
    attempt.watch(60_000, () => new AttemptTimeoutError("n", "first token"));
    attempt.watch(20, () => new AttemptTimeoutError("n", "inter token"));
    expect(((await aborted(attempt.signal)) as Error).message).toBe("inter token");
    attempt.close(new ClientClosedError());
  });
});
