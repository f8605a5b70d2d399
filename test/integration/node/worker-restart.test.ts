// A model worker thread that dies (an uncaught error inside it, injected between onnxruntime runs) fails what it
// held with a retryable 503 at once, shows `restarting` on /health, and is replaced by a fresh worker on its own.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningModelNode } from "#backends/node.ts";
import { demoModel, eventually, health, metricValue, post, readSse, startTestNode } from "./support.ts";

type ModelHealth = { id: string; status: string; failure: string | null };
type ErrorBody = { error: { code: string; type: string; message: string } };

// Long enough that the restarting window is observable without racing the replacement.
const workerRestartBackoff = { initialMs: 400, maxMs: 2_000 };
const longStream = { model: "demo-gpt", prompt: "Once upon a time", max_tokens: 480, ignore_eos: true };

let node: RunningModelNode;

beforeAll(async () => {
  node = await startTestNode({
    tier: "cpu",
    cpuThreads: 1,
    workerRestartBackoff,
    models: [{ path: demoModel("demo-gpt") }, { path: demoModel("demo-embed") }],
  });
});
afterAll(async () => {
  await node?.close();
});

const worker = (target: RunningModelNode, id: string) => target.registry.get(id)!.workers[0]!;

async function modelHealth(target: RunningModelNode, id: string): Promise<ModelHealth> {
  const body = (await health(target)) as unknown as { models: ModelHealth[] };
  return body.models.find((m) => m.id === id)!;
}

async function expectUnavailable(response: Response): Promise<void> {
  expect(response.status).toBe(503);
  expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(((await response.json()) as ErrorBody).error.code).toBe("model_unavailable");
}

describe("model worker restart", () => {
  it("fails in-flight work with a retryable 503, reports restarting, then serves again", async () => {
    const restartsBefore = await metricValue(node, "switchyard_node_worker_restarts_total", { model: "demo-gpt" });
    const whole = post(node, "/v1/completions", longStream);
    const stream = await post(node, "/v1/completions", { ...longStream, stream: true });
    expect(stream.status).toBe(200);
    await eventually(async () => {
      const h = await health(node);
      expect(h.runningSequences + h.queueDepth).toBe(2);
    });

    const crashedAt = performance.now();
    worker(node, "demo-gpt").injectCrash();
    const frames = await readSse(stream);
    const last = JSON.parse(frames.at(-1)!) as ErrorBody;
    expect(last.error.code).toBe("model_unavailable");
    await expectUnavailable(await whole);
    expect(performance.now() - crashedAt).toBeLessThan(2_000);

    const during = await fetch(`${node.url}/health`);
    expect(during.status).toBe(503);
    expect(((await during.json()) as { status: string }).status).toBe("degraded");
    expect(await modelHealth(node, "demo-gpt")).toMatchObject({ status: "restarting", failure: expect.any(String) });
    await expectUnavailable(await post(node, "/v1/completions", { ...longStream, max_tokens: 2 }));
    expect((await modelHealth(node, "demo-embed")).status).toBe("ok");

    await eventually(async () => expect((await health(node)).status).toBe("ok"));
    const after = await post(node, "/v1/completions", { ...longStream, max_tokens: 4 });
    expect(after.status).toBe(200);
    expect(((await after.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens).toBe(4);
    const restarts = await metricValue(node, "switchyard_node_worker_restarts_total", { model: "demo-gpt" });
    expect(restarts).toBe(restartsBefore + 1);
  });

  it("restarts an encoder worker the same way", async () => {
    worker(node, "demo-embed").injectCrash();
    await eventually(async () => expect((await modelHealth(node, "demo-embed")).status).toBe("restarting"));
    await expectUnavailable(await post(node, "/v1/embeddings", { model: "demo-embed", input: "the yard" }));
    await eventually(async () => expect((await health(node)).status).toBe("ok"));
    const after = await post(node, "/v1/embeddings", { model: "demo-embed", input: "the yard" });
    expect(after.status).toBe(200);
    expect(await metricValue(node, "switchyard_node_worker_restarts_total", { model: "demo-embed" })).toBe(1);
  });

  it("closes cleanly while a replacement worker is loading, without starting another", async () => {
    const short = await startTestNode({
      tier: "cpu",
      cpuThreads: 1,
      workerRestartBackoff: { initialMs: 1, maxMs: 1 },
      models: [{ path: demoModel("demo-gpt") }],
    });
    const supervised = worker(short, "demo-gpt");
    supervised.injectCrash();
    await eventually(async () =>
      expect(await metricValue(short, "switchyard_node_worker_restarts_total", { model: "demo-gpt" })).toBe(1),
    );
    await expect(short.close()).resolves.toBeUndefined();
    expect(supervised.ready).toBe(false);
  });
});
