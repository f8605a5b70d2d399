// The encoder batcher: cross-request batches up to maxBatchSize, the queue-delay window, bounded queue,
// disabled mode (one request per batch), concurrency and abandonment.
import { describe, expect, it } from "vitest";
import { DynamicBatcher, type DynamicBatcherOptions } from "#backends/batching/dynamic-batcher.ts";

type Gate = { promise: Promise<void>; open: () => void };
const gate = (): Gate => {
  let open = () => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
};

function batcher(options: Partial<DynamicBatcherOptions<number, number>> = {}, hold?: Gate) {
  const batches: number[][] = [];
  const b = new DynamicBatcher<number, number>({
    enabled: true,
    maxBatchSize: 4,
    maxQueueDelayMs: 0,
    maxQueueLength: 100,
    concurrency: 1,
    queueFull: () => new Error("full"),
    run: async (items) => {
      batches.push(items);
      await hold?.promise;
      return items.map((i) => i * 10);
    },
    ...options,
  });
  return { b, batches };
}

describe("dynamic batcher", () => {
  it("batches items of requests that arrive while the runner is busy, up to maxBatchSize", async () => {
    const hold = gate();
    const { b, batches } = batcher({}, hold);
    const first = b.submit([1]);
    const rest = [b.submit([2, 3]), b.submit([4]), b.submit([5, 6, 7])];
    expect(b.queueDepth).toBe(6);
    expect(b.inFlight).toBe(1);
    hold.open();
    expect(await first).toEqual([10]);
    expect(await Promise.all(rest)).toEqual([[20, 30], [40], [50, 60, 70]]);
    expect(batches).toEqual([[1], [2, 3, 4, 5], [6, 7]]);
  });

  it("waits up to maxQueueDelayMs for more items before running a partial batch", async () => {
    const { b, batches } = batcher({ maxQueueDelayMs: 30 });
    const started = performance.now();
    const results = await Promise.all([b.submit([1]), b.submit([2])]);
    expect(results).toEqual([[10], [20]]);
    expect(batches).toEqual([[1, 2]]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it("runs a full batch at once without waiting for the delay", async () => {
    const { b, batches } = batcher({ maxQueueDelayMs: 10_000 });
    await b.submit([1, 2, 3, 4]);
    expect(batches).toEqual([[1, 2, 3, 4]]);
  });

  it("refuses a request that does not fit the queue, all or nothing", async () => {
    const hold = gate();
    const { b } = batcher({ maxQueueLength: 3 }, hold);
    const running = b.submit([1]);
    const queued = b.submit([2, 3]);
    await expect(b.submit([4, 5])).rejects.toThrow("full");
    expect(b.queueDepth).toBe(2);
    hold.open();
    await Promise.all([running, queued]);
  });

  it("disabled, never mixes requests in one batch", async () => {
    const hold = gate();
    const { b, batches } = batcher({ enabled: false }, hold);
    const all = [b.submit([1]), b.submit([2, 3]), b.submit([4])];
    hold.open();
    await Promise.all(all);
    expect(batches).toEqual([[1], [2, 3], [4]]);
  });

  it("runs as many batches at once as it has runners", async () => {
    const hold = gate();
    const { b, batches } = batcher({ concurrency: 2, maxBatchSize: 1 }, hold);
    const all = [b.submit([1]), b.submit([2]), b.submit([3])];
    expect(batches).toEqual([[1], [2]]);
    hold.open();
    await Promise.all(all);
    expect(batches).toEqual([[1], [2], [3]]);
  });

  it("drops the queued items of an aborted request and rejects it", async () => {
    const hold = gate();
    const { b, batches } = batcher({}, hold);
    const running = b.submit([1]);
    const controller = new AbortController();
    const abandoned = b.submit([2, 3], controller.signal);
    const kept = b.submit([4]);
    controller.abort(new Error("client went away"));
    await expect(abandoned).rejects.toThrow("client went away");
    hold.open();
    await Promise.all([running, kept]);
    expect(batches).toEqual([[1], [4]]);
  });

  it("rejects every request in a batch whose run fails, and keeps serving", async () => {
    let fail = true;
    const b = new DynamicBatcher<number, number>({
      enabled: true,
      maxBatchSize: 4,
      maxQueueDelayMs: 5,
      maxQueueLength: 10,
      concurrency: 1,
      queueFull: () => new Error("full"),
      run: async (items) => {
        if (fail) throw new Error("model broke");
        return items;
      },
    });
    const failed = [b.submit([1]), b.submit([2])];
    for (const p of failed) await expect(p).rejects.toThrow("model broke");
    fail = false;
    expect(await b.submit([3])).toEqual([3]);
  });
});
