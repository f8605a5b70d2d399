// Usage metering over real HTTP: tokens per tenant and model from JSON answers and from streams (whose usage
// chunk the gateway asks for and hides when the client did not), counted apart when the cache answered.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "#gateway/server.ts";
import { type FakeNode, startFakeNode } from "#test/support/fake-node.ts";
import { authHeaders, readSse, startTestGateway } from "#test/support/gateway.ts";

let node: FakeNode;
let gateway: RunningGateway;

beforeAll(async () => {
  node = await startFakeNode("n1", { streamChunks: 5 });
  gateway = await startTestGateway({
    nodes: [{ id: "n1", url: node.url, models: ["m1", "embed-1"] }],
    cache: { store: "memory" },
  });
});
afterAll(async () => {
  await gateway?.close();
  await node?.close();
});

const post = (path: string, body: unknown) =>
  fetch(gateway.url + path, { method: "POST", headers: authHeaders(), body: JSON.stringify(body) });

/** switchyard_tokens_total for one label set, 0 when absent. */
async function tokens(labels: { model: string; kind: string; source: string }): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  const series = `switchyard_tokens_total{tenant="team-a",model="${labels.model}",kind="${labels.kind}",source="${labels.source}"}`;
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe("token metering", () => {
  it("counts a JSON answer's prompt and completion tokens", async () => {
    const res = await post("/v1/chat/completions", {
      model: "m1",
      temperature: 1,
      messages: [{ role: "user", content: "a" }],
    });
    expect(res.status).toBe(200);
    expect(await tokens({ model: "m1", kind: "prompt", source: "node" })).toBe(3);
    expect(await tokens({ model: "m1", kind: "completion", source: "node" })).toBe(4);
  });

  it("counts a stream's tokens from a usage chunk the client did not ask for and does not see", async () => {
    const before = await tokens({ model: "m1", kind: "completion", source: "node" });
    const res = await post("/v1/chat/completions", {
      model: "m1",
      temperature: 1,
      stream: true,
      messages: [{ role: "user", content: "b" }],
    });
    const payloads = await readSse(res);
    expect(payloads.at(-1)).toBe("[DONE]");
    expect(payloads.some((p) => p.includes('"usage"'))).toBe(false);
    expect((node.calls.at(-1)!.body.stream_options as { include_usage?: boolean }).include_usage).toBe(true);
    expect(await tokens({ model: "m1", kind: "completion", source: "node" })).toBe(before + 5);
  });

  it("counts embeddings' prompt tokens, and a cached answer under source cache", async () => {
    const request = { model: "embed-1", input: ["x", "y"] };
    expect((await post("/v1/embeddings", request)).status).toBe(200);
    expect(await tokens({ model: "embed-1", kind: "prompt", source: "node" })).toBe(2);
    const again = await post("/v1/embeddings", request);
    expect(again.headers.get("x-switchyard-cache")).toBe("hit");
    expect(await tokens({ model: "embed-1", kind: "prompt", source: "cache" })).toBe(2);
    expect(await tokens({ model: "embed-1", kind: "prompt", source: "node" })).toBe(2);
  });

  it("counts nothing for a refused request", async () => {
    const before = await tokens({ model: "m1", kind: "prompt", source: "node" });
    node.behaviour.failStatus = 400;
    try {
      const res = await post("/v1/chat/completions", {
        model: "m1",
        temperature: 1,
        messages: [{ role: "user", content: "c" }],
      });
      expect(res.status).toBe(400);
    } finally {
      node.behaviour.failStatus = undefined;
    }
    expect(await tokens({ model: "m1", kind: "prompt", source: "node" })).toBe(before);
  });
});
