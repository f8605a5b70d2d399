// The whole system as `npm start` runs it: the real gateway in front of two real model nodes (gpu and cpu
// tier) on the generated demo models, driven by the official openai SDK.
import { join } from "node:path";
import OpenAI from "openai";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MODELS_DIR } from "#backends/demo-models/generate-all.ts";
import { type RunningModelNode, startModelNode } from "#backends/node.ts";
import type { RunningGateway } from "#gateway/server.ts";
import { authHeaders, startTestGateway, testKey } from "#test/support/gateway.ts";

let nodes: RunningModelNode[];
let gateway: RunningGateway;
let client: OpenAI;
const silent = pino({ level: "silent" });

beforeAll(async () => {
  const models = (ids: string[]) => ids.map((id) => ({ id, path: join(DEFAULT_MODELS_DIR, id) }));
  nodes = await Promise.all([
    startModelNode(
      { listen: { host: "127.0.0.1", port: 0 }, tier: "gpu", models: models(["demo-gpt", "demo-embed"]) },
      silent,
    ),
    startModelNode(
      { listen: { host: "127.0.0.1", port: 0 }, tier: "cpu", models: models(["demo-gpt", "demo-embed"]) },
      silent,
    ),
  ]);
  gateway = await startTestGateway({
    nodes: [
      { id: "gpu-node", url: nodes[0]!.url, tier: "gpu", models: ["demo-gpt", "demo-embed"] },
      { id: "cpu-node", url: nodes[1]!.url, tier: "cpu", models: ["demo-gpt", "demo-embed"] },
    ],
  });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: testKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await Promise.all((nodes ?? []).map((n) => n.close()));
});

describe("gateway + model nodes", () => {
  it("answers a chat completion with real token counts", async () => {
    const reply = await client.chat.completions.create({
      model: "demo-gpt",
      messages: [{ role: "user", content: "Hello there" }],
      max_tokens: 8,
      temperature: 0,
    });
    expect(reply.object).toBe("chat.completion");
    expect(reply.usage!.completion_tokens).toBeGreaterThan(0);
    expect(reply.usage!.completion_tokens).toBeLessThanOrEqual(8);
    expect(reply.usage!.total_tokens).toBe(reply.usage!.prompt_tokens + reply.usage!.completion_tokens);
  });

  it("streams the same text the JSON answer has (greedy decoding)", async () => {
    const request = {
      model: "demo-gpt",
      messages: [{ role: "user" as const, content: "Tell me a story" }],
      max_tokens: 6,
      temperature: 0,
    };
    const json = await client.chat.completions.create(request, { headers: { "x-switchyard-cache": "bypass" } });
    const stream = await client.chat.completions.create(
      { ...request, stream: true, stream_options: { include_usage: true } },
      { headers: { "x-switchyard-cache": "bypass" } },
    );
    let text = "";
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(json.choices[0]!.message.content);
    expect(usage?.completion_tokens).toBe(json.usage!.completion_tokens);
  });

  it("returns unit-length embeddings for a batch of inputs", async () => {
    const result = await client.embeddings.create({
      model: "demo-embed",
      input: ["the cat sat", "on the mat", "quantum chromodynamics"],
    });
    expect(result.data).toHaveLength(3);
    for (const item of result.data) {
      const norm = Math.hypot(...item.embedding);
      expect(norm).toBeCloseTo(1, 4);
    }
  });

  it("lists the union of the nodes' models and reports ready", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(["demo-embed", "demo-gpt"]);
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);
  });

  it("relays a node's own 4xx (prompt longer than the context) in OpenAI's shape", async () => {
    const res = await fetch(`${gateway.url}/v1/completions`, {
      method: "POST",
      headers: authHeaders(),
      body: JSON.stringify({ model: "demo-gpt", prompt: "word ".repeat(2000), max_tokens: 4 }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string | null; message: string } };
    expect(body.error.message).toMatch(/context|tokens/i);
  });
});
