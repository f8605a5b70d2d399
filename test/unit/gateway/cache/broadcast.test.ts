import { describe, expect, it } from "vitest";
import { broadcast } from "#gateway/cache/broadcast.ts";
import type { SseData } from "#gateway/pipeline/types.ts";

/** A source the test feeds event by event, counting how often it was read. */
function feed() {
  const pending: Array<{ data?: SseData; error?: Error; end?: boolean }> = [];
  let wake = () => {};
  let reads = 0;
  async function* source(): AsyncGenerator<SseData> {
    reads++;
    for (;;) {
      while (!pending.length) await new Promise<void>((resolve) => (wake = resolve));
      const item = pending.shift()!;
      if (item.error) throw item.error;
      if (item.end) return;
      yield item.data!;
    }
  }
  const push = (item: { data?: SseData; error?: Error; end?: boolean }) => {
    pending.push(item);
    wake();
  };
  return { source: source(), push, reads: () => reads };
}

async function drain(events: AsyncIterable<SseData>): Promise<SseData[]> {
  const seen: SseData[] = [];
  for await (const data of events) seen.push(data);
  return seen;
}

describe("broadcast", () => {
  it("reads the source once and gives every reader the whole stream, a late one included", async () => {
    const { source, push, reads } = feed();
    let settled = 0;
    const shared = broadcast(source, () => settled++);
    const left: string[] = [];
    const early = drain(shared.subscribe(new AbortController().signal, () => left.push("early")));
    push({ data: "a" });
    push({ data: "b" });
    const late = shared.subscribe(new AbortController().signal, () => left.push("late"))[Symbol.asyncIterator]();
    expect(await late.next()).toEqual({ done: false, value: "a" });
    push({ data: "[DONE]" });
    push({ end: true });
    expect(await early).toEqual(["a", "b", "[DONE]"]);
    expect(await drain({ [Symbol.asyncIterator]: () => late })).toEqual(["b", "[DONE]"]);
    expect(reads()).toBe(1);
    expect(settled).toBe(1);
    expect(left.sort()).toEqual(["early", "late"]);
  });

  it("rejects a waiting reader with its signal's reason, and that reader leaves once", async () => {
    const { source, push } = feed();
    const shared = broadcast(source, () => {});
    const controller = new AbortController();
    let left = 0;
    const reader = shared.subscribe(controller.signal, () => left++)[Symbol.asyncIterator]();
    push({ data: "a" });
    expect(await reader.next()).toEqual({ done: false, value: "a" });
    const waiting = reader.next();
    const reason = new Error("client left");
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(await reader.next()).toEqual({ done: true, value: undefined });
    await reader.return?.();
    expect(left).toBe(1);
  });

  it("hands every reader the source's failure after the events before it", async () => {
    const { source, push } = feed();
    const shared = broadcast(source, () => {});
    const reading = drain(shared.subscribe(new AbortController().signal, () => {}));
    push({ data: "a" });
    push({ error: new Error("node broke") });
    await expect(reading).rejects.toThrow("node broke");
    const seen: SseData[] = [];
    await expect(async () => {
      for await (const data of shared.subscribe(new AbortController().signal, () => {})) seen.push(data);
    }).rejects.toThrow("node broke");
    expect(seen).toEqual(["a"]);
  });

  it("lets a reader that gives up before reading leave at once", async () => {
    const { source } = feed();
    const shared = broadcast(source, () => {});
    let left = 0;
    const reader = shared.subscribe(new AbortController().signal, () => left++)[Symbol.asyncIterator]();
    await reader.return?.();
    expect(left).toBe(1);
    expect(await reader.next()).toEqual({ done: true, value: undefined });
  });
});
