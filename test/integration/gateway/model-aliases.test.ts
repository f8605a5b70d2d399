// Model aliases over real HTTP: a client's model name is served as the model it stands for (the node is asked for
// that one, the cache is shared), /v1/models lists both, and unknown names still answer 404.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "#gateway/server.ts";
import { type FakeNode, startFakeNode } from "#test/support/fake-node.ts";
import { authHeaders, startTestGateway } from "#test/support/gateway.ts";

let node: FakeNode;
let gateway: RunningGateway;

beforeAll(async () => {
  node = await startFakeNode("n1");
  gateway = await startTestGateway({
    nodes: [{ id: "n1", url: node.url, models: ["m1", "embed-1"] }],
    routing: { aliases: { "gpt-4o-mini": "m1", "text-embedding-3-small": "embed-1" } },
    cache: { store: "memory" },
  });
});
afterAll(async () => {
  await gateway?.close();
  await node?.close();
});

const post = (path: string, body: unknown) =>
  fetch(gateway.url + path, { method: "POST", headers: authHeaders(), body: JSON.stringify(body) });
const chat = (model: string) => ({ model, temperature: 0, messages: [{ role: "user", content: "alias?" }] });

describe("model aliases", () => {
  it("sends an alias's request to the node as the served model, and shares the served model's cache", async () => {
    const viaAlias = await post("/v1/chat/completions", chat("gpt-4o-mini"));
    expect(viaAlias.status).toBe(200);
    expect(node.calls.at(-1)!.body.model).toBe("m1");
    expect(viaAlias.headers.get("x-switchyard-cache")).toBe("miss");
    const calls = node.calls.length;
    const direct = await post("/v1/chat/completions", chat("m1"));
    expect(direct.headers.get("x-switchyard-cache")).toBe("hit");
    expect(node.calls.length).toBe(calls);
  });

  it("serves embeddings through an alias too", async () => {
    const res = await post("/v1/embeddings", { model: "text-embedding-3-small", input: "x" });
    expect(res.status).toBe(200);
    expect(node.calls.at(-1)!.body.model).toBe("embed-1");
  });

  it("lists aliases beside the served models, and answers for each", async () => {
    const list = (await (await fetch(`${gateway.url}/v1/models`, { headers: authHeaders() })).json()) as {
      data: { id: string }[];
    };
    expect(list.data.map((m) => m.id)).toEqual(["embed-1", "gpt-4o-mini", "m1", "text-embedding-3-small"]);
    expect((await fetch(`${gateway.url}/v1/models/gpt-4o-mini`, { headers: authHeaders() })).status).toBe(200);
    const unknown = await post("/v1/chat/completions", chat("gpt-5"));
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe("model_not_found");
  });
});
