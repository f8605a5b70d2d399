// Streams: a node that dies before its first event is retried invisibly; one that dies or stalls after it
// ends the stream with an error; a node that never sends a first token is abandoned after firstTokenMs.
import { describe, expect, it } from "vitest";
import { UpstreamError, UpstreamTimeoutError } from "#gateway/openai/errors.ts";
import type { FakeNode } from "#test/support/fake-node.ts";
import { chat, consume, metricValue, type Routing, startFakeNode, startRouting, waitFor } from "./harness.ts";

describe("streaming fail-over", () => {
  let nodes: FakeNode[] = [];
  let routing: Routing | undefined;

  async function pool(behaviours: Parameters<typeof startFakeNode>[1][], routingInput = {}): Promise<Routing> {
    nodes = await Promise.all(behaviours.map((b, i) => startFakeNode(`n${i}`, b)));
    routing = startRouting(
      nodes.map((n, i) => ({ id: `n${i}`, url: n.url })),
      routingInput,
    );
    const r = routing;
    await waitFor(() => r.registry.readiness().models.m?.healthy === nodes.length, "nodes healthy");
    return r;
  }

  it("retries a stream whose node dies before the first event, and the client sees one whole stream", async () => {
    // Round robin makes the dying node the first choice for some requests deterministically.
    const r = await pool([{ dieAfterChunks: 0 }, { streamChunks: 3 }], { strategy: "round-robin" });
    for (let i = 0; i < 6; i++) {
      const events = await consume(await r.forward(chat({ stream: true })));
      expect(events.at(-1)).toBe("[DONE]");
      expect(events.filter((e) => String(e).includes("n1-"))).toHaveLength(3);
    }
    expect(nodes[0]?.calls.length).toBeGreaterThan(0);
    expect(await metricValue(r.metrics, "switchyard_routing_retries_total")).toBe(nodes[0]?.calls.length);
  });

  it("ends a stream that dies after its first event with an error from `events` (no retry)", async () => {
    let release = () => {};
    const r = await pool([
      { streamChunks: 5, dieAfterChunks: 1, holdAfterFirstChunk: new Promise<void>((resolve) => (release = resolve)) },
    ]);
    const result = await r.forward(chat({ stream: true }));
    expect(result.kind).toBe("stream");
    const seen: string[] = [];
    await expect(async () => {
      if (result.kind !== "stream") return;
      for await (const data of result.events) {
        seen.push(data);
        release(); // the node drops the connection only once the first event has reached the client
      }
    }).rejects.toBeInstanceOf(UpstreamError);
    expect(seen).toHaveLength(1);
    expect(nodes[0]?.calls).toHaveLength(1);
    expect(r.registry.get("n0")?.inflight).toBe(0);
    expect(await metricValue(r.metrics, "switchyard_routing_stream_failures_total")).toBe(1);
  });

  it("gives up on a node that sends no first token within firstTokenMs and retries elsewhere", async () => {
    const r = await pool([{ delayMs: 2000 }, {}], { deadlines: { firstTokenMs: 100 } });
    const started = Date.now();
    for (let i = 0; i < 4; i++) {
      const events = await consume(await r.forward(chat({ stream: true })));
      expect(events.at(-1)).toBe("[DONE]");
    }
    expect(Date.now() - started).toBeLessThan(1500);
    expect(await metricValue(r.metrics, "switchyard_routing_attempts_total", { node: "n0", outcome: "timeout" })).toBe(
      nodes[0]?.calls.length,
    );
  });

  it("answers 504 before the first byte when no node sends a first token in time", async () => {
    const r = await pool([{ delayMs: 2000 }], { deadlines: { firstTokenMs: 80 } });
    const error = await r.forward(chat({ stream: true })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect((error as UpstreamTimeoutError).status).toBe(504);
  });

  it("ends a stream that stalls between tokens with a timeout error after interTokenMs", async () => {
    const r = await pool([{ streamChunks: 3, holdAfterFirstChunk: new Promise(() => {}) }], {
      deadlines: { interTokenMs: 100 },
    });
    const result = await r.forward(chat({ stream: true }));
    const started = Date.now();
    const error = await consume(result).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(r.registry.get("n0")?.inflight).toBe(0);
  });
});
