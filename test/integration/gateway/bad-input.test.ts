// Bad input never reaches a node and never gets a 5xx: each case answers a 4xx in OpenAI's error shape,
// and the gateway keeps serving afterwards.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "#gateway/server.ts";
import { type FakeNode, startFakeNode } from "#test/support/fake-node.ts";
import { authHeaders, startTestGateway } from "#test/support/gateway.ts";

let node: FakeNode;
let gateway: RunningGateway;

beforeAll(async () => {
  node = await startFakeNode("n1");
  gateway = await startTestGateway({
    nodes: [{ id: "n1", url: node.url, models: ["m1"] }],
    server: { limits: { maxBodyBytes: 64 * 1024, maxMessages: 8, maxTokens: 1000 } },
  });
});
afterAll(async () => {
  await gateway.close();
  await node.close();
});

const chat = { model: "m1", messages: [{ role: "user", content: "hi" }] };
const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;

const cases: Array<{
  name: string;
  status: number;
  init: () => RequestInit;
  path?: string;
  code?: string | null;
  param?: string | null;
}> = [
  {
    name: "malformed JSON",
    status: 400,
    code: "invalid_json",
    init: () => ({ method: "POST", headers: authHeaders(), body: '{"model": "m1",' }),
  },
  { name: "empty body", status: 400, init: () => ({ method: "POST", headers: authHeaders(), body: "" }) },
  {
    name: "JSON that is not an object",
    status: 400,
    init: () => ({ method: "POST", headers: authHeaders(), body: "[1,2]" }),
  },
  {
    name: "wrong type for messages",
    status: 400,
    param: "messages",
    code: "invalid_type",
    init: () => ({ method: "POST", headers: authHeaders(), body: JSON.stringify({ model: "m1", messages: "hi" }) }),
  },
  {
    name: "missing model",
    status: 400,
    param: "model",
    code: "missing_required_parameter",
    init: () => ({ method: "POST", headers: authHeaders(), body: JSON.stringify({ messages: chat.messages }) }),
  },
  {
    name: "bad role",
    status: 400,
    param: "messages[0].role",
    init: () => ({
      method: "POST",
      headers: authHeaders(),
      body: JSON.stringify({ model: "m1", messages: [{ role: "robot", content: "x" }] }),
    }),
  },
  {
    name: "temperature out of range",
    status: 400,
    param: "temperature",
    code: "integer_above_max_value",
    init: () => ({ method: "POST", headers: authHeaders(), body: JSON.stringify({ ...chat, temperature: 7 }) }),
  },
  {
    name: "max_tokens over the limit",
    status: 400,
    param: "max_tokens",
    init: () => ({ method: "POST", headers: authHeaders(), body: JSON.stringify({ ...chat, max_tokens: 5000 }) }),
  },
  {
    name: "max_tokens zero",
    status: 400,
    param: "max_tokens",
    init: () => ({ method: "POST", headers: authHeaders(), body: JSON.stringify({ ...chat, max_tokens: 0 }) }),
  },
  {
    name: "too many messages",
    status: 400,
    param: "messages",
    init: () => ({
      method: "POST",
      headers: authHeaders(),
      body: JSON.stringify({ model: "m1", messages: Array.from({ length: 9 }, () => chat.messages[0]) }),
    }),
  },
  {
    name: "unknown model",
    status: 404,
    code: "model_not_found",
    init: () => ({ method: "POST", headers: authHeaders(), body: JSON.stringify({ ...chat, model: "nope" }) }),
  },
  {
    name: "oversized body",
    status: 413,
    init: () => ({
      method: "POST",
      headers: authHeaders(),
      body: JSON.stringify({ ...chat, messages: [{ role: "user", content: "x".repeat(100_000) }] }),
    }),
  },
  {
    name: "5,000-deep nesting",
    status: 400,
    code: "json_too_deep",
    init: () => ({ method: "POST", headers: authHeaders(), body: `{"model":"m1","messages":${deep(5000)}}` }),
  },
  {
    name: "missing API key",
    status: 401,
    init: () => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(chat) }),
  },
  {
    name: "wrong API key",
    status: 401,
    code: "invalid_api_key",
    init: () => ({ method: "POST", headers: authHeaders("sk-wrong-key-000000"), body: JSON.stringify(chat) }),
  },
  {
    name: "unknown URL",
    status: 404,
    code: "unknown_url",
    path: "/v1/nothing-here",
    init: () => ({ method: "POST", headers: authHeaders(), body: JSON.stringify(chat) }),
  },
  {
    name: "unknown API URL without a key (the key is checked first, as on every /v1 route)",
    status: 401,
    path: "/v1/nothing-here",
    init: () => ({ method: "POST", headers: { "content-type": "application/json" }, body: "{" }),
  },
  {
    name: "unknown URL outside the API",
    status: 404,
    code: "unknown_url",
    path: "/nothing-here",
    init: () => ({ headers: {} }),
  },
  {
    name: "unknown model on the models route",
    status: 404,
    path: "/v1/models/nope",
    code: "model_not_found",
    init: () => ({ headers: authHeaders() }),
  },
  {
    name: "empty embeddings input",
    status: 400,
    path: "/v1/embeddings",
    init: () => ({ method: "POST", headers: authHeaders(), body: JSON.stringify({ model: "m1", input: [] }) }),
  },
];

describe("bad input", () => {
  it.each(cases)("$name → $status in OpenAI's error shape", async ({ status, init, path, code, param }) => {
    const res = await fetch(gateway.url + (path ?? "/v1/chat/completions"), init());
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { message: string; type: string; param: unknown; code: unknown } };
    expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
    expect(body.error.message.length).toBeGreaterThan(5);
    if (code !== undefined) expect(body.error.code).toBe(code);
    if (param !== undefined) expect(body.error.param).toBe(param);
  });

  it("sent nothing to the node and keeps serving", async () => {
    expect(node.calls).toHaveLength(0);
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: authHeaders(),
      body: JSON.stringify(chat),
    });
    expect(res.status).toBe(200);
  });

  it("answers a liveness probe", async () => {
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  });
});
