// Bad requests get OpenAI-shaped 4xx answers (never a 5xx, never a crash), and the node keeps serving after them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningModelNode } from "#backends/node.ts";
import { demoModel, health, post, startTestNode } from "./support.ts";

let node: RunningModelNode;
beforeAll(async () => {
  node = await startTestNode({
    cpuThreads: 1,
    maxBodyBytes: 64 * 1024,
    models: [{ path: demoModel("demo-gpt") }, { path: demoModel("demo-embed") }],
  });
});
afterAll(async () => {
  await node?.close();
});

type ErrorBody = { error: { message: string; type: string; param: string | null; code: string | null } };

async function expectError(
  response: Response,
  status: number,
  code?: string | null,
  param?: string | null,
): Promise<ErrorBody> {
  expect(response.status).toBe(status);
  expect(response.headers.get("x-queue-depth")).not.toBeNull();
  const body = (await response.json()) as ErrorBody;
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(body.error.message.length).toBeGreaterThan(0);
  if (code !== undefined) expect(body.error.code).toBe(code);
  if (param !== undefined) expect(body.error.param).toBe(param);
  return body;
}

const chat = (body: Record<string, unknown>) =>
  post(node, "/v1/chat/completions", { model: "demo-gpt", messages: [{ role: "user", content: "hi" }], ...body });

describe("model node bad input", () => {
  it("answers 404 model_not_found for unknown models on every endpoint", async () => {
    await expectError(await chat({ model: "no-such-model" }), 404, "model_not_found", "model");
    await expectError(
      await post(node, "/v1/completions", { model: "no-such-model", prompt: "x" }),
      404,
      "model_not_found",
    );
    await expectError(
      await post(node, "/v1/embeddings", { model: "no-such-model", input: "x" }),
      404,
      "model_not_found",
    );
    // A client-chosen model name must not mint metric series.
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    expect(metrics).toMatch(/switchyard_node_requests_total\{[^}]*outcome="client_error"/);
    expect(metrics).not.toContain("no-such-model");
  });

  it("answers 400 context_length_exceeded for prompts and budgets beyond the context window", async () => {
    const tooLong = Array.from({ length: 600 }, (_, i) => (i % 500) + 1);
    await expectError(
      await post(node, "/v1/completions", { model: "demo-gpt", prompt: tooLong }),
      400,
      "context_length_exceeded",
      "prompt",
    );
    await expectError(
      await chat({ messages: [{ role: "user", content: "word ".repeat(700) }] }),
      400,
      "context_length_exceeded",
      "messages",
    );
    await expectError(await chat({ max_tokens: 100_000 }), 400, "context_length_exceeded", "max_tokens");
    await expectError(
      await post(node, "/v1/embeddings", { model: "demo-embed", input: ["ok", "word ".repeat(700)] }),
      400,
      "context_length_exceeded",
      "input[1]",
    );
  });

  it("answers 400 for max_tokens ≤ 0, and refuses what it cannot honour (n > 1, echo, best_of, suffix)", async () => {
    await expectError(await chat({ max_tokens: 0 }), 400, undefined, "max_tokens");
    await expectError(await chat({ max_tokens: -5 }), 400, undefined, "max_tokens");
    await expectError(await chat({ max_completion_tokens: 0 }), 400, undefined, "max_completion_tokens");
    await expectError(await chat({ n: 2 }), 400, "unsupported_value", "n");
    const completion = (extra: Record<string, unknown>) =>
      post(node, "/v1/completions", { model: "demo-gpt", prompt: "x", max_tokens: 2, ...extra });
    for (const [param, value] of [
      ["echo", true],
      ["best_of", 3],
      ["suffix", "end"],
    ] as const)
      await expectError(await completion({ [param]: value }), 400, "unsupported_value", param);
    // Their neutral values change nothing and are accepted.
    expect((await completion({ echo: false, best_of: 1, suffix: "" })).status).toBe(200);
    // Chat: JSON mode, structured outputs and forced tool calls cannot be guaranteed; optional tools can be offered.
    await expectError(
      await chat({ response_format: { type: "json_object" } }),
      400,
      "unsupported_value",
      "response_format",
    );
    await expectError(await chat({ tool_choice: "required" }), 400, "unsupported_value", "tool_choice");
    const tools = [{ type: "function", function: { name: "f", parameters: { type: "object" } } }];
    await expectError(
      await chat({ tools, tool_choice: { type: "function", function: { name: "f" } } }),
      400,
      "unsupported_value",
      "tool_choice",
    );
    const offered = await chat({ tools, tool_choice: "auto", response_format: { type: "text" }, max_tokens: 2 });
    expect(offered.status).toBe(200);
  });

  it("answers 400 for malformed JSON, non-object bodies and wrong types", async () => {
    await expectError(await post(node, "/v1/chat/completions", "{not json"), 400, "invalid_json");
    await expectError(await post(node, "/v1/chat/completions", "[1, 2]"), 400, "invalid_json");
    await expectError(await post(node, "/v1/chat/completions", ""), 400);
    await expectError(await chat({ messages: "hello" }), 400, undefined, "messages");
    await expectError(await chat({ temperature: "hot" }), 400, undefined, "temperature");
    await expectError(await chat({ stream: "yes" }), 400, undefined, "stream");
    await expectError(await chat({ top_k: 1.5 }), 400, undefined, "top_k");
    await expectError(await post(node, "/v1/embeddings", { model: "demo-embed", input: 42 }), 400, undefined, "input");
    await expectError(
      await post(node, "/v1/embeddings", { model: "demo-embed", input: "x", encoding_format: "hex" }),
      400,
      undefined,
      "encoding_format",
    );
  });

  it("answers 400 when an endpoint does not fit the model, or token ids leave the vocabulary", async () => {
    await expectError(
      await post(node, "/v1/embeddings", { model: "demo-gpt", input: "x" }),
      400,
      "model_not_supported",
      "model",
    );
    await expectError(
      await post(node, "/v1/chat/completions", { model: "demo-embed", messages: [{ role: "user", content: "x" }] }),
      400,
      "model_not_supported",
    );
    await expectError(
      await post(node, "/v1/completions", { model: "demo-gpt", prompt: [1, 2, 99_999] }),
      400,
      "invalid_value",
      "prompt",
    );
    await expectError(await post(node, "/v1/completions", { model: "demo-gpt", prompt: [] }), 400, "invalid_value");
    await expectError(
      await post(node, "/v1/embeddings", { model: "demo-embed", input: [[101, 99_999]] }),
      400,
      "invalid_value",
      "input[0]",
    );
  });

  it("bounds the body size (413) and answers unknown routes with an OpenAI 404", async () => {
    await expectError(
      await chat({ messages: [{ role: "user", content: "x".repeat(100_000) }] }),
      413,
      "request_too_large",
    );
    await expectError(await fetch(`${node.url}/v1/nope`), 404, "unknown_url");
  });

  it("is still healthy and serving after all of that", async () => {
    expect((await health(node)).status).toBe("ok");
    const ok = await chat({ max_tokens: 2 });
    expect(ok.status).toBe(200);
  });
});
