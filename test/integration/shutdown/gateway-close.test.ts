// The gateway's graceful close: it stops accepting at once, lets responses in flight finish, and cuts what is
// left when server.shutdownGraceMs (or the grace passed to close) runs out, so shutdown is bounded.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningModelNode } from "#backends/node.ts";
import type { RunningGateway } from "#gateway/server.ts";
import { authHeaders, startTestGateway } from "#test/support/gateway.ts";
import { longCompletion, openStream, startDemoNode } from "./support.ts";

let node: RunningModelNode;

beforeAll(async () => {
  // One running sequence at a time, so a few long streams take far longer than a short grace.
  node = await startDemoNode({ decoderBatching: { maxRunningSequences: 1 } });
});
afterAll(async () => {
  await node?.close({ graceMs: 0 });
});

function startGateway(shutdownGraceMs: number): Promise<RunningGateway> {
  return startTestGateway({
    server: { shutdownGraceMs },
    nodes: [{ id: "node", url: node.url, models: ["demo-gpt"] }],
    cache: { store: "off" },
  });
}

describe("gateway close", () => {
  it("finishes streams in flight, refuses new connections, and resolves once they are done", async () => {
    const gateway = await startGateway(60_000);
    const streams = Array.from({ length: 2 }, () =>
      openStream(`${gateway.url}/v1/completions`, longCompletion(300), authHeaders()),
    );
    await Promise.all(streams.map((s) => s.first));
    const startedAt = performance.now();
    let closed = false;
    const closing = gateway.close().then(() => {
      closed = true;
    });
    await expect(fetch(`${gateway.url}/v1/models`, { headers: authHeaders() })).rejects.toThrow();
    expect(closed).toBe(false);
    for (const outcome of await Promise.all(streams.map((s) => s.outcome)))
      expect(outcome).toMatchObject({ status: 200, done: true });
    await closing;
    expect(performance.now() - startedAt).toBeLessThan(15_000);
  });

  it("cuts what is left at server.shutdownGraceMs and still resolves", async () => {
    const graceMs = 100;
    const gateway = await startGateway(graceMs);
    const streams = Array.from({ length: 6 }, () =>
      openStream(`${gateway.url}/v1/completions`, longCompletion(480), authHeaders()),
    );
    await streams[0]!.first;
    const startedAt = performance.now();
    await gateway.close();
    const elapsed = performance.now() - startedAt;
    expect(elapsed).toBeGreaterThanOrEqual(graceMs - 5);
    expect(elapsed).toBeLessThan(graceMs + 5_000);
    const outcomes = await Promise.all(streams.map((s) => s.outcome));
    expect(outcomes.some((o) => !o.done)).toBe(true);
    // The node sees its streams cancelled and goes idle again, ready for the next test or shutdown.
    await expect
      .poll(() => node.registry.load().reduce((n, l) => n + l.running + l.queueDepth, 0), { timeout: 10_000 })
      .toBe(0);
  });
});
