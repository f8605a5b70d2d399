// Model aliases and per-key model access over real HTTP: a client's model name is served as the model it stands
// for (the node is asked for that one, the cache is shared), /v1/models lists both, unknown names answer 404, and a
// key limited to some models gets the same 404 for the others and sees only its own in the list.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "#gateway/server.ts";
import { type FakeNode, startFakeNode } from "#test/support/fake-node.ts";
import { authHeaders, startTestGateway, testKey } from "#test/support/gateway.ts";

const limitedKey = "sk-embeddings-only-0001";
let node: FakeNode;
let gateway: RunningGateway;

beforeAll(async () => {
  node = await startFakeNode("n1");
  gateway = await startTestGateway({
    auth: {
      keys: [
        { key: testKey, tenant: "team-a", name: "test" },
        { key: limitedKey, tenant: "team-b", name: "embeddings-only", models: ["embed-1"] },
      ],
    },
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

  it("gives a key limited to some models a 404 for the rest, and lists only its own (with their aliases)", async () => {
    const limited = authHeaders(limitedKey);
    const calls = node.calls.length;
    const refused = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: limited,
      body: JSON.stringify(chat("m1")),
    });
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("model_not_found");
    expect(node.calls.length).toBe(calls);
    const viaAlias = await fetch(`${gateway.url}/v1/embeddings`, {
      method: "POST",
      headers: limited,
      body: JSON.stringify({ model: "text-embedding-3-small", input: "y" }),
    });
    expect(viaAlias.status).toBe(200);
    const list = (await (await fetch(`${gateway.url}/v1/models`, { headers: limited })).json()) as {
      data: { id: string }[];
    };
    expect(list.data.map((m) => m.id)).toEqual(["embed-1", "text-embedding-3-small"]);
    expect((await fetch(`${gateway.url}/v1/models/m1`, { headers: limited })).status).toBe(404);
  });
});
