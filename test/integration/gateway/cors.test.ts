// CORS over real HTTP: off by default; with allowed origins, preflights are answered without a key and every
// answer to an allowed origin (JSON, stream, error) carries Access-Control-Allow-Origin; a reload turns it on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "#gateway/server.ts";
import { type FakeNode, startFakeNode } from "#test/support/fake-node.ts";
import { authHeaders, readSse, startTestGateway, testKey } from "#test/support/gateway.ts";

const app = "https://app.example";
let node: FakeNode;
let gateway: RunningGateway;

beforeAll(async () => {
  node = await startFakeNode("n1", { streamChunks: 3 });
  gateway = await startTestGateway({
    server: { cors: { allowOrigins: [app], maxAgeSeconds: 120 } },
    nodes: [{ id: "n1", url: node.url, models: ["m1"] }],
  });
});
afterAll(async () => {
  await gateway?.close();
  await node?.close();
});

const chat = { model: "m1", messages: [{ role: "user", content: "hi" }] };
const preflight = (origin: string, url = gateway.url) =>
  fetch(`${url}/v1/chat/completions`, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, content-type, x-stainless-os",
    },
  });

describe("CORS", () => {
  it("answers an allowed origin's preflight without a key, allowing the headers it asked for", async () => {
    const res = await preflight(app);
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(app);
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(res.headers.get("access-control-allow-headers")).toBe("authorization, content-type, x-stainless-os");
    expect(res.headers.get("access-control-max-age")).toBe("120");
    expect(res.headers.get("vary")).toContain("Origin");
  });

  it("gives another origin no CORS headers (the browser then refuses)", async () => {
    const res = await preflight("https://evil.example");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.status).toBeGreaterThanOrEqual(400);
    const post = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { ...authHeaders(), origin: "https://evil.example" },
      body: JSON.stringify(chat),
    });
    expect(post.status).toBe(200);
    expect(post.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("marks JSON answers, streams and errors to an allowed origin, exposing the request id and limits", async () => {
    const send = (body: unknown, key = testKey) =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: "POST",
        headers: { ...authHeaders(key), origin: app },
        body: JSON.stringify(body),
      });
    const json = await send(chat);
    expect(json.status).toBe(200);
    expect(json.headers.get("access-control-allow-origin")).toBe(app);
    expect(json.headers.get("access-control-expose-headers")).toContain("x-request-id");
    expect(json.headers.get("access-control-expose-headers")).toContain("x-ratelimit-remaining-requests");
    const stream = await send({ ...chat, stream: true });
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    expect(stream.headers.get("access-control-allow-origin")).toBe(app);
    expect((await readSse(stream)).at(-1)).toBe("[DONE]");
    // A page must be able to read why it was refused.
    const refused = await send(chat, "sk-wrong-key-000000");
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe(app);
  });

  it("is off by default, and a config reload turns it on", async () => {
    const plain = await startTestGateway({ nodes: [{ id: "n1", url: node.url, models: ["m1"] }] });
    try {
      const before = await preflight(app, plain.url);
      expect(before.status).toBe(401);
      expect(before.headers.get("access-control-allow-origin")).toBeNull();
      const config = {
        auth: { keys: [{ key: testKey, tenant: "team-a", name: "test" }] },
        server: { listen: { host: "127.0.0.1", port: 0 }, cors: { allowOrigins: ["*"] } },
        nodes: [{ id: "n1", url: node.url, models: ["m1"] }],
      };
      const result = await plain.reloader.reload({ trigger: "admin", text: JSON.stringify(config) });
      expect(result.outcome).toBe("applied");
      const after = await preflight(app, plain.url);
      expect(after.status).toBe(204);
      expect(after.headers.get("access-control-allow-origin")).toBe("*");
    } finally {
      await plain.close();
    }
  });
});
