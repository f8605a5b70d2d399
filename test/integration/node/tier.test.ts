// The gpu tier asks for CUDA and, where CUDA cannot load (this CPU-only onnxruntime build), falls back to the CPU
// provider with a logged warning and says so honestly in /health and /metrics.
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningModelNode, startModelNode } from "#backends/node.ts";
import { demoModel, health, metricValue } from "./support.ts";

let node: RunningModelNode;
const logs: { level: number; msg: string; reason?: string }[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(JSON.parse(String(chunk)));
      done();
    },
  });
  node = await startModelNode(
    { tier: "gpu", cpuThreads: 1, listen: { host: "127.0.0.1", port: 0 }, models: [{ path: demoModel("demo-gpt") }] },
    pino({ level: "info" }, sink),
  );
});
afterAll(async () => {
  await node?.close();
});

describe("gpu tier", () => {
  it("reports the provider it asked for and the one it really runs on, and still serves", async () => {
    const report = await health(node);
    expect(report.tier).toBe("gpu");
    expect(report.requestedExecutionProvider).toBe("cuda");
    expect(["cuda", "cpu"]).toContain(report.executionProvider);
    expect(
      await metricValue(node, "switchyard_node_execution_provider_info", {
        requested: "cuda",
        actual: report.executionProvider,
      }),
    ).toBe(1);
    if (report.executionProvider === "cpu") {
      expect(
        logs.some((l) => l.level === 40 && l.msg.includes("CUDA execution provider unavailable") && l.reason),
      ).toBe(true);
    }
    const response = await fetch(`${node.url}/v1/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "demo-gpt", prompt: "hi", max_tokens: 2 }),
    });
    expect(response.status).toBe(200);
  });
});
