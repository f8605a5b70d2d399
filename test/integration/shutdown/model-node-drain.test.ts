// Draining a real model node: work admitted before close() finishes (streams end with [DONE], queued requests
// run), new work gets 503 + Retry-After in OpenAI's shape, /health reports draining as non-2xx, and close()
// resolves as soon as the work is done, or at the grace with whatever is left cut.
import { describe, expect, it } from "vitest";
import type { RunningModelNode } from "#backends/node.ts";
import { longCompletion, openStream, startDemoNode } from "./support.ts";

/** Waits until every request has reached the engine (running or queued), so none arrives after close(). */
async function admitted(node: RunningModelNode, count: number): Promise<void> {
  await expect
    .poll(() => node.registry.load().reduce((n, l) => n + l.running + l.queueDepth, 0), { timeout: 5_000, interval: 1 })
    .toBe(count);
}

describe("model node drain", () => {
  it("finishes running and queued streams, refuses new work and reports draining", async () => {
    // One running sequence at a time, so the second stream is still queued when close() starts.
    const node = await startDemoNode({ decoderBatching: { maxRunningSequences: 1 }, shutdownGraceMs: 60_000 });
    const running = openStream(`${node.url}/v1/completions`, longCompletion(400));
    await running.first;
    const queued = openStream(`${node.url}/v1/completions`, longCompletion(400));
    await expect.poll(() => node.registry.load()[0]?.queueDepth, { timeout: 5_000, interval: 1 }).toBe(1);

    const startedAt = performance.now();
    let closed = false;
    const closing = node.close().then(() => {
      closed = true;
    });
    expect(node.draining).toBe(true);

    const [refused, health] = await Promise.all([
      fetch(`${node.url}/v1/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: longCompletion(4, false),
      }),
      fetch(`${node.url}/health`),
    ]);
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const error = (await refused.json()) as { error: { type: string; code: string; message: string } };
    expect(error.error).toMatchObject({ type: "server_error", code: "node_draining" });
    expect(health.status).toBe(503);
    const body = (await health.json()) as { status: string; models: unknown[] };
    expect(body.status).toBe("draining");
    expect(body.models).toHaveLength(1);
    expect(closed).toBe(false);

    const outcomes = await Promise.all([running.outcome, queued.outcome]);
    for (const outcome of outcomes) expect(outcome).toMatchObject({ status: 200, done: true, cut: false });
    await closing;
    // Resolved on the work finishing, nowhere near the 60 s grace.
    expect(performance.now() - startedAt).toBeLessThan(15_000);
    await expect(fetch(`${node.url}/health`)).rejects.toThrow();
  });

  it("resolves at once when nothing is in flight", async () => {
    const node = await startDemoNode({ shutdownGraceMs: 60_000 });
    const startedAt = performance.now();
    await node.close();
    expect(performance.now() - startedAt).toBeLessThan(2_000);
  });

  it("cuts what is still running at the grace and still resolves", async () => {
    const node = await startDemoNode({ decoderBatching: { maxRunningSequences: 1 } });
    // Far more work than fits in the grace: eight long generations run one after another.
    const streams = Array.from({ length: 8 }, () => openStream(`${node.url}/v1/completions`, longCompletion(480)));
    await admitted(node, streams.length);
    const graceMs = 100;
    const startedAt = performance.now();
    await node.close({ graceMs });
    const elapsed = performance.now() - startedAt;
    expect(elapsed).toBeGreaterThanOrEqual(graceMs - 5);
    expect(elapsed).toBeLessThan(graceMs + 5_000);
    const outcomes = await Promise.all(streams.map((s) => s.outcome));
    // Admitted work is never refused; what did not finish within the grace was cut mid-stream.
    for (const outcome of outcomes) expect(outcome.status === 200 || outcome.status === 0).toBe(true);
    expect(outcomes.filter((o) => o.done).length).toBeLessThan(streams.length);
    expect(outcomes.some((o) => !o.done)).toBe(true);
  });

  it("a second close with a shorter grace cuts a long drain short", async () => {
    const node = await startDemoNode({ decoderBatching: { maxRunningSequences: 1 }, shutdownGraceMs: 60_000 });
    const streams = Array.from({ length: 8 }, () => openStream(`${node.url}/v1/completions`, longCompletion(480)));
    await admitted(node, streams.length);
    const startedAt = performance.now();
    const first = node.close();
    await node.close({ graceMs: 0 });
    await first;
    expect(performance.now() - startedAt).toBeLessThan(5_000);
    const outcomes = await Promise.all(streams.map((s) => s.outcome));
    expect(outcomes.some((o) => !o.done)).toBe(true);
  });
});
