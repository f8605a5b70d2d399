// The gateway's OpenAI surface over real HTTP against a fake node: JSON and streaming chat, completions,
// embeddings, models, request ids and client-disconnect propagation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "#gateway/server.ts";
import { type FakeNode, startFakeNode } from "#test/support/fake-node.ts";
import { authHeaders, startTestGateway } from "#test/support/gateway.ts";
import { waitFor } from "#test/support/wait.ts";

let node: FakeNode;
let gateway: RunningGateway;

beforeAll(async () => {
  node = await startFakeNode("n1");
  gateway = await startTestGateway({ nodes: [{ id: "n1", url: node.url, models: ["m1", "embed-1"] }] });
});
afterAll(async () => {
  await gateway.close();
  await node.close();
});

const post = (path: string, body: unknown, headers = authHeaders()) =>
  fetch(gateway.url + path, { method: "POST", headers, body: JSON.stringify(body) });

describe("model endpoints", () => {
  it("relays a JSON chat completion with a request id", async () => {
    const res = await post("/v1/chat/completions", { model: "m1", messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    const body = (await res.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]!.message.content).toBe("hello from n1");
    expect(node.calls.at(-1)!.headers["x-request-id"]).toBe(res.headers.get("x-request-id"));
  });

  it("forwards the client's JSON as sent, and re-serializes only a body a layer changed", async () => {
    // Unknown (vendor) fields, odd spacing and key order survive: the node gets the client's own bytes.
    const sent = '{ "messages":[{"role":"user","content":"hi"}],\n  "model": "m1", "top_k": 40 }';
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: authHeaders(),
      body: sent,
    });
    expect(res.status).toBe(200);
    expect(node.calls.at(-1)!.text).toBe(sent);
    // A stream without include_usage: the rate limiter asks the node for usage, adding the field to the client's
    // own text.
    const streamedText =
      '{ "model": "m1", "stream": true, "top_k": 40,\n "messages": [{"role":"user","content":"hi"}] }\n';
    const streamed = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: authHeaders(),
      body: streamedText,
    });
    await streamed.text();
    expect(node.calls.at(-1)!.text).toBe(
      '{ "model": "m1", "stream": true, "top_k": 40,\n "messages": [{"role":"user","content":"hi"}] ,"stream_options":{"include_usage":true}}\n',
    );
    // A client's own stream_options are merged: that body is a new one, serialized.
    const merged = await post("/v1/chat/completions", {
      model: "m1",
      stream: true,
      stream_options: { include_usage: false },
      messages: [{ role: "user", content: "hi" }],
    });
    await merged.text();
    expect(node.calls.at(-1)!.body).toMatchObject({ stream_options: { include_usage: true } });
  });

  it("passes the client's W3C trace context on to the node, and a malformed one not at all", async () => {
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const chat = { model: "m1", messages: [{ role: "user", content: "hi" }] };
    const res = await post("/v1/chat/completions", chat, {
      ...authHeaders(),
      traceparent,
      tracestate: "congo=t61rcWkgMzE",
    });
    expect(res.status).toBe(200);
    expect(node.calls.at(-1)!.headers).toMatchObject({ traceparent, tracestate: "congo=t61rcWkgMzE" });

    const streamed = await post("/v1/chat/completions", { ...chat, stream: true }, { ...authHeaders(), traceparent });
    await streamed.text();
    expect(node.calls.at(-1)!.headers.traceparent).toBe(traceparent);

    const malformed = await post("/v1/chat/completions", chat, {
      ...authHeaders(),
      traceparent: "00-not-a-trace-01",
      tracestate: "congo=t61rcWkgMzE",
    });
    expect(malformed.status).toBe(200);
    expect(node.calls.at(-1)!.headers.traceparent).toBeUndefined();
    expect(node.calls.at(-1)!.headers.tracestate).toBeUndefined();
  });

  it("keeps a client-supplied request id", async () => {
    const res = await post(
      "/v1/chat/completions",
      { model: "m1", messages: [{ role: "user", content: "hi" }] },
      { ...authHeaders(), "x-request-id": "client-42" },
    );
    expect(res.headers.get("x-request-id")).toBe("client-42");
  });

  it("streams chat chunk by chunk, ending with [DONE]", async () => {
    let release!: () => void;
    node.behaviour.holdAfterFirstChunk = new Promise((r) => {
      release = r;
    });
    const res = await post("/v1/chat/completions", {
      model: "m1",
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    // The node holds back everything after its first chunk: if the gateway buffered, this read would never return.
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("n1-0");
    release();
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += new TextDecoder().decode(chunk.value);
    expect(rest).toContain("n1-2");
    expect(rest.trim().endsWith("data: [DONE]")).toBe(true);
    delete node.behaviour.holdAfterFirstChunk;
  });

  it("relays text completions and embeddings", async () => {
    const completion = await post("/v1/completions", { model: "m1", prompt: "once upon" });
    expect(((await completion.json()) as { object: string }).object).toBe("text_completion");
    const embeddings = await post("/v1/embeddings", { model: "embed-1", input: ["a", "b"] });
    const body = (await embeddings.json()) as { data: unknown[] };
    expect(body.data).toHaveLength(2);
  });

  it("lists the union of node models and describes one", async () => {
    const list = (await (await fetch(`${gateway.url}/v1/models`, { headers: authHeaders() })).json()) as {
      data: Array<{ id: string }>;
    };
    expect(list.data.map((m) => m.id)).toEqual(["embed-1", "m1"]);
    const one = await fetch(`${gateway.url}/v1/models/m1`, { headers: authHeaders() });
    expect(((await one.json()) as { id: string }).id).toBe("m1");
  });

  it("aborts the upstream request when the client disconnects", async () => {
    node.behaviour.delayMs = 5_000;
    const controller = new AbortController();
    const fetchPromise = fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: authHeaders(),
      body: JSON.stringify({ model: "m1", messages: [{ role: "user", content: "bye" }] }),
      signal: controller.signal,
    }).catch((e: Error) => e);
    await waitFor(
      () => node.calls.some((c) => JSON.stringify(c.body).includes("bye")),
      "the node to receive the request",
    );
    controller.abort();
    expect(await fetchPromise).toBeInstanceOf(Error);
    const metrics = async () => await (await fetch(`${gateway.url}/metrics`)).text();
    await waitFor(
      async () => /switchyard_http_requests_total\{[^}]*status="499"/.test(await metrics()),
      "a 499 in the metrics",
    );
    node.behaviour.delayMs = 0;
  });

  it("does not mint a metric series for a model name it does not serve", async () => {
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: authHeaders(),
      body: JSON.stringify({ model: "made-up-model-7f3a", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(404);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/switchyard_http_requests_total\{[^}]*status="404"/);
    expect(metrics).not.toContain("made-up-model-7f3a");
  });
});
