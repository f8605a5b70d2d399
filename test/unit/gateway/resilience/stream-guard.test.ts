import { describe, expect, it, vi } from "vitest";
import { ClientClosedError, GatewayError, UpstreamError } from "#gateway/openai/errors.ts";
import type { StreamResult } from "#gateway/pipeline/types.ts";
import { AttemptTimeoutError } from "#gateway/resilience/errors.ts";
import { AttemptScope } from "#gateway/resilience/scopes.ts";
import { holdFirstEvent, nextOrAbort, type StreamEnd } from "#gateway/resilience/stream-guard.ts";

/** A stream whose events the test pushes one by one (or breaks). */
function pushStream() {
  const queue: Array<{ value?: string; error?: Error; done?: boolean }> = [];
  let wake = () => {};
  let returned = false;
  async function* events(): AsyncGenerator<string> {
    try {
      for (;;) {
        while (!queue.length) await new Promise<void>((resolve) => (wake = resolve));
        const item = queue.shift()!;
        if (item.error) throw item.error;
        if (item.done) return;
        yield item.value as string;
      }
    } finally {
      returned = true;
    }
  }
  const push = (item: { value?: string; error?: Error; done?: boolean }) => {
    queue.push(item);
    wake();
  };
  const result: StreamResult = { kind: "stream", status: 200, headers: {}, events: events() };
  return { result, push, wasClosed: () => returned };
}

function guard(attempt: AttemptScope, ends: StreamEnd[], interTokenMs = 10_000) {
  return {
    attempt,
    nodeId: "n",
    interTokenMs,
    explain: (error: unknown) => (error instanceof GatewayError ? error : new UpstreamError(String(error))),
    onEnd: (end: StreamEnd) => ends.push(end),
  };
}

async function drain(result: StreamResult): Promise<string[]> {
  const seen: string[] = [];
  for await (const data of result.events) seen.push(data);
  return seen;
}

describe("holdFirstEvent", () => {
  it("resolves only once the first event is in hand, then relays everything in order", async () => {
    const { result, push } = pushStream();
    const ends: StreamEnd[] = [];
    let resolved = false;
    const held = holdFirstEvent(result, guard(new AttemptScope(new AbortController().signal), ends)).then((r) => {
      resolved = true;
      return r;
    });
    await Promise.resolve();
    expect(resolved).toBe(false);
    push({ value: "a" });
    const relayed = await held;
    push({ value: "b" });
    push({ done: true });
    expect(await drain(relayed)).toEqual(["a", "b"]);
    expect(ends).toEqual([{ outcome: "complete" }]);
  });

  it("fails (so the attempt can be retried) when the stream breaks or ends before its first event", async () => {
    const broken = pushStream();
    broken.push({ error: new UpstreamError("died") });
    await expect(
      holdFirstEvent(broken.result, guard(new AttemptScope(new AbortController().signal), [])),
    ).rejects.toThrow("died");
    const empty = pushStream();
    empty.push({ done: true });
    await expect(
      holdFirstEvent(empty.result, guard(new AttemptScope(new AbortController().signal), [])),
    ).rejects.toThrow(/before its first event/);
  });

  it("throws from `events` when the stream breaks after its first event", async () => {
    const { result, push } = pushStream();
    const ends: StreamEnd[] = [];
    push({ value: "a" });
    const relayed = await holdFirstEvent(result, guard(new AttemptScope(new AbortController().signal), ends));
    push({ error: new UpstreamError("mid-stream") });
    await expect(drain(relayed)).rejects.toThrow("mid-stream");
    expect(ends[0]?.outcome).toBe("failed");
  });

  it("ends a stream that stalls longer than interTokenMs with a timeout", async () => {
    const { result, push } = pushStream();
    const ends: StreamEnd[] = [];
    push({ value: "a" });
    const attempt = new AttemptScope(new AbortController().signal);
    const relayed = await holdFirstEvent(result, guard(attempt, ends, 20));
    await expect(drain(relayed)).rejects.toBeInstanceOf(AttemptTimeoutError);
    attempt.close(new ClientClosedError());
  });

  it("reports an abandoned stream and closes the upstream when the consumer stops early", async () => {
    const { result, push, wasClosed } = pushStream();
    const ends: StreamEnd[] = [];
    push({ value: "a" });
    push({ value: "b" });
    const relayed = await holdFirstEvent(result, guard(new AttemptScope(new AbortController().signal), ends));
    for await (const _ of relayed.events) break;
    expect(ends).toEqual([{ outcome: "abandoned" }]);
    await vi.waitFor(() => expect(wasClosed()).toBe(true));
  });

  it("releases a result nobody iterates once its request is aborted", async () => {
    const { result, push } = pushStream();
    const ends: StreamEnd[] = [];
    push({ value: "a" });
    const request = new AbortController();
    await holdFirstEvent(result, guard(new AttemptScope(request.signal), ends));
    request.abort(new ClientClosedError());
    expect(ends).toEqual([{ outcome: "abandoned" }]);
  });

  it("closes the upstream of a result given up before its first event was taken, and yields nothing after", async () => {
    const { result, push, wasClosed } = pushStream();
    const ends: StreamEnd[] = [];
    push({ value: "a" });
    const relayed = await holdFirstEvent(result, guard(new AttemptScope(new AbortController().signal), ends));
    const iterator = relayed.events[Symbol.asyncIterator]();
    await iterator.return?.();
    expect(ends).toEqual([{ outcome: "abandoned" }]);
    await vi.waitFor(() => expect(wasClosed()).toBe(true));
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it("rejects the wait in progress with the abort's reason when the request ends mid-stream", async () => {
    const { result, push } = pushStream();
    const ends: StreamEnd[] = [];
    push({ value: "a" });
    const request = new AbortController();
    const relayed = await holdFirstEvent(result, guard(new AttemptScope(request.signal), ends));
    const iterator = relayed.events[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: "a" });
    const waiting = iterator.next();
    request.abort(new ClientClosedError());
    await expect(waiting).rejects.toBeInstanceOf(ClientClosedError);
    expect(ends.map((end) => end.outcome)).toEqual(["failed"]);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it("relays every event in order and reports completion once", async () => {
    const { result, push } = pushStream();
    const ends: StreamEnd[] = [];
    push({ value: "a" });
    const relayed = await holdFirstEvent(result, guard(new AttemptScope(new AbortController().signal), ends));
    for (const value of ["b", "c", "d"]) push({ value });
    push({ done: true });
    expect(await drain(relayed)).toEqual(["a", "b", "c", "d"]);
    expect(ends).toEqual([{ outcome: "complete" }]);
  });
});

describe("nextOrAbort", () => {
  it("rejects with the signal's reason when it aborts first", async () => {
    const never: AsyncIterator<string> = { next: () => new Promise(() => {}) };
    const controller = new AbortController();
    const pending = nextOrAbort(never, controller.signal);
    controller.abort(new ClientClosedError());
    await expect(pending).rejects.toBeInstanceOf(ClientClosedError);
  });
});
