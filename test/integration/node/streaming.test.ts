// Streams written straight to Node's response: a queued stream's headers go out before its sequence is admitted,
// each stream carries load headers and counts one outcome, and without a Node response (app.request()) the
// web-stream fallback sends the same chunks and frees the batch slot when its reader cancels.
import pino from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNodeMetrics } from "#backends/metrics.ts";
import type { RunningModelNode } from "#backends/node.ts";
import { createNodeApp } from "#backends/server/app.ts";
import { demoModel, eventually, health, metricValue, post, readSse, startTestNode } from "./support.ts";

let node: RunningModelNode;

beforeAll(async () => {
  node = await startTestNode({
    cpuThreads: 1,
    models: [{ path: demoModel("demo-gpt") }],
    decoderBatching: { maxRunningSequences: 1, maxQueueLength: 4 },
  });
});
afterAll(async () => {
  await node?.close();
});

const greedy = { model: "demo-gpt", prompt: "Once upon a time", max_tokens: 12, ignore_eos: true, temperature: 0 };
const long = { ...greedy, max_tokens: 480, stream: true };

/** Payloads with the per-request id and timestamp blanked, so two runs of one greedy request compare equal. */
const normalized = (payloads: string[]) =>
  payloads.map((p) => p.replace(/"id":"[^"]+"/, '"id":"x"').replace(/"created":\d+/, '"created":0'));

describe("streaming straight to the socket", () => {
  it("sends a queued stream's headers before its sequence is admitted", async () => {
    const running = new AbortController();
    const first = await post(node, "/v1/completions", long, { signal: running.signal });
    const reader = first.body!.getReader();
    await reader.read();
    const queued = await post(node, "/v1/completions", { ...greedy, stream: true });
    expect(queued.status).toBe(200);
    expect(queued.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(queued.headers.get("x-queue-depth")).toBe("1");
    expect((await health(node)).queueDepth).toBe(1);
    running.abort();
    await reader.cancel().catch(() => {});
    expect((await readSse(queued)).at(-1)).toBe("[DONE]");
    await eventually(async () => expect(await health(node)).toMatchObject({ queueDepth: 0, runningSequences: 0 }));
  });

  it("counts each finished stream once, as ok, and puts the load on its headers", async () => {
    const labels = { endpoint: "/v1/chat/completions", outcome: "ok" };
    const before = await metricValue(node, "switchyard_node_requests_total", labels);
    const response = await post(node, "/v1/chat/completions", {
      ...greedy,
      prompt: undefined,
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    expect(response.headers.get("x-running-sequences")).toMatch(/^\d+$/);
    expect((await readSse(response)).at(-1)).toBe("[DONE]");
    await eventually(async () =>
      expect(await metricValue(node, "switchyard_node_requests_total", labels)).toBe(before + 1),
    );
  });
});

describe("the app.request() fallback", () => {
  const metrics = createNodeMetrics(new Registry(), () => node.registry.load());
  const app = () =>
    createNodeApp({ registry: node.registry, metrics, config: node.config, startedAt: 0 }, pino({ level: "silent" }));
  const request = (body: unknown) =>
    app().request("/v1/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("streams the same chunks as the socket does", async () => {
    const body = { ...greedy, stream: true, stream_options: { include_usage: true } };
    const viaSocket = await readSse(await post(node, "/v1/completions", body));
    const fallback = await request(body);
    expect(fallback.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(fallback.headers.get("x-queue-depth")).toMatch(/^\d+$/);
    expect(normalized(await readSse(fallback))).toEqual(normalized(viaSocket));
  });

  it("frees the slot when the reader cancels, counting the stream as cancelled", async () => {
    const reader = (await request(long)).body!.getReader();
    await reader.read();
    expect((await health(node)).runningSequences).toBe(1);
    await reader.cancel();
    await eventually(async () => expect((await health(node)).runningSequences).toBe(0));
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/switchyard_node_requests_total\{[^}]*outcome="cancelled"[^}]*\} 1/);
  });
});
