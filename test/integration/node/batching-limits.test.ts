// Load behaviour of a real node: concurrent requests share decode steps, a client that disconnects frees its
// slot, and full queues answer 429 with Retry-After instead of queueing without bound.
import { afterEach, describe, expect, it } from "vitest";
import type { RunningModelNode } from "#backends/node.ts";
import { demoModel, eventually, health, metricValue, post, startTestNode } from "./support.ts";

let node: RunningModelNode | undefined;
afterEach(async () => {
  await node?.close();
  node = undefined;
});

const longStream = { model: "demo-gpt", prompt: "Once upon a time", max_tokens: 480, ignore_eos: true, stream: true };

/** Opens a stream and returns once its first chunk arrived (the sequence is then running). */
async function openStream(
  target: RunningModelNode,
  controller: AbortController,
): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const response = await post(target, "/v1/completions", longStream, { signal: controller.signal });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  await reader.read();
  return reader;
}

describe("continuous batching and limits", () => {
  it("runs concurrent requests in shared decode steps (batch size > 1 in /metrics)", async () => {
    node = await startTestNode({ cpuThreads: 1, models: [{ path: demoModel("demo-gpt") }] });
    const target = node;
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        post(target, "/v1/completions", {
          model: "demo-gpt",
          prompt: `Request ${i}`,
          max_tokens: 24,
          ignore_eos: true,
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(new Array(8).fill(200));
    const steps = await metricValue(target, "switchyard_node_batch_size_count", { phase: "decode" });
    const singleRowSteps = await metricValue(target, "switchyard_node_batch_size_bucket", { phase: "decode", le: "1" });
    expect(steps).toBeGreaterThan(0);
    expect(singleRowSteps).toBeLessThan(steps);
    // 8 × 24 tokens in far fewer steps than 8 × 23 one-row steps.
    expect(steps).toBeLessThan(8 * 23);
  });

  it("frees the slot when a streaming client disconnects", async () => {
    node = await startTestNode({ cpuThreads: 1, models: [{ path: demoModel("demo-gpt") }] });
    const controller = new AbortController();
    const reader = await openStream(node, controller);
    expect((await health(node)).runningSequences).toBe(1);
    controller.abort();
    await reader.cancel().catch(() => {});
    const target = node;
    await eventually(async () => expect((await health(target)).runningSequences).toBe(0));
    expect(await metricValue(target, "switchyard_node_generated_tokens_total")).toBeLessThan(480);
    await eventually(async () =>
      expect(await metricValue(target, "switchyard_node_requests_total", { outcome: "cancelled" })).toBe(1),
    );
  });

  it("answers 429 with Retry-After when the decoder queue is full, and serves again afterwards", async () => {
    node = await startTestNode({
      cpuThreads: 1,
      models: [{ path: demoModel("demo-gpt") }],
      decoderBatching: { maxRunningSequences: 1, maxQueueLength: 1 },
    });
    const target = node;
    const first = new AbortController();
    await openStream(target, first);
    const second = new AbortController();
    const queued = post(target, "/v1/completions", longStream, { signal: second.signal }).catch(() => null);
    await eventually(async () => expect((await health(target)).queueDepth).toBe(1));
    const rejected = await post(target, "/v1/completions", { model: "demo-gpt", prompt: "hi", max_tokens: 2 });
    expect(rejected.status).toBe(429);
    expect(rejected.headers.get("retry-after")).toBe("1");
    expect(((await rejected.json()) as { error: { code: string; type: string } }).error).toMatchObject({
      code: "queue_full",
    });
    // A stream is refused the same way, with a status rather than an error event after a 200.
    const rejectedStream = await post(target, "/v1/chat/completions", {
      model: "demo-gpt",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    expect(rejectedStream.status).toBe(429);
    expect(rejectedStream.headers.get("content-type")).toContain("application/json");
    first.abort();
    second.abort();
    await queued;
    await eventually(async () => expect(await health(target)).toMatchObject({ queueDepth: 0, runningSequences: 0 }));
    const after = await post(target, "/v1/completions", { model: "demo-gpt", prompt: "hi", max_tokens: 2 });
    expect(after.status).toBe(200);
  });

  it("answers 429 when the encoder queue is full, and serves everything it admitted", async () => {
    node = await startTestNode({
      cpuThreads: 1,
      models: [{ path: demoModel("demo-embed") }],
      encoderBatching: { maxBatchSize: 1, maxQueueLength: 2, maxQueueDelayMs: 0 },
    });
    const target = node;
    // One batch computes (hundreds of tokens: tens of ms) while sixteen requests arrive: two fit the queue, the rest must not.
    // "the" is one token in the real MiniLM vocabulary and in the generated fallback: 502 tokens, inside the context.
    const input = "the ".repeat(500);
    const responses = await Promise.all(
      Array.from({ length: 16 }, () => post(target, "/v1/embeddings", { model: "demo-embed", input })),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    for (const rejected of responses.filter((r) => r.status === 429)) {
      expect(rejected.headers.get("retry-after")).toBe("1");
      expect(((await rejected.json()) as { error: { code: string } }).error.code).toBe("queue_full");
    }
    expect(await metricValue(target, "switchyard_node_requests_total", { outcome: "overloaded" })).toBe(
      statuses.filter((s) => s === 429).length,
    );
  });
});
