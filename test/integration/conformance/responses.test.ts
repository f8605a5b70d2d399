// Successful answers checked against the official OpenAI OpenAPI schemas, through the gateway and straight
// from a model node: chat (greedy and sampled, JSON and every stream chunk with and without the usage chunk),
// text completions (JSON and stream), embeddings (float and base64) and the model list.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectChatStreamConforms,
  expectCompletionStreamConforms,
  expectConforms,
  get,
  post,
  type Stack,
  specMissing,
  startStack,
  streamChunks,
  suiteTitle,
} from "./harness.ts";

const chat = (content: string, extra: Record<string, unknown> = {}) => ({
  model: "demo-gpt",
  messages: [{ role: "user", content }],
  max_tokens: 3,
  ...extra,
});

describe.skipIf(specMissing)(suiteTitle("successful responses conform to the OpenAI OpenAPI spec"), () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  describe.each(["gateway", "node"] as const)("%s", (name) => {
    const target = () => stack[name];

    it("CreateChatCompletionResponse, greedy and sampled", async () => {
      for (const extra of [{ temperature: 0 }, { temperature: 0.9, top_p: 0.95 }]) {
        const res = await post(target(), "/v1/chat/completions", chat(`Hello ${name}`, extra));
        expect(res.status).toBe(200);
        const body = (await res.json()) as { usage: { completion_tokens: number } };
        expectConforms("CreateChatCompletionResponse", body);
        // A sampled answer may be a lone end-of-sequence token (empty content), still one generated token.
        expect(body.usage.completion_tokens).toBeGreaterThan(0);
      }
    });

    it("CreateChatCompletionResponse and every stream chunk with logprobs and top_logprobs", async () => {
      const extra = { logprobs: true, top_logprobs: 2, max_tokens: 4, ignore_eos: true };
      const res = await post(target(), "/v1/chat/completions", chat(`Logprobs ${name}`, extra));
      expect(res.status).toBe(200);
      const body = (await res.json()) as { choices: { logprobs: { content: unknown[] } }[] };
      expectConforms("CreateChatCompletionResponse", body);
      expect(body.choices[0]!.logprobs.content).toHaveLength(4);
      const chunks = await streamChunks(
        await post(target(), "/v1/chat/completions", chat(`Logprobs ${name}`, { ...extra, stream: true })),
      );
      expectChatStreamConforms(chunks, false);
    });

    it("CreateCompletionResponse with logprobs, JSON and stream", async () => {
      const body = { model: "demo-gpt", prompt: `Logprobs ${name}`, max_tokens: 3, ignore_eos: true, logprobs: 2 };
      const res = await post(target(), "/v1/completions", body);
      expect(res.status).toBe(200);
      expectConforms("CreateCompletionResponse", await res.json());
      const chunks = await streamChunks(await post(target(), "/v1/completions", { ...body, stream: true }));
      expectCompletionStreamConforms(chunks, false);
    });

    it("CreateChatCompletionStreamResponse for every chunk, without the usage chunk", async () => {
      const chunks = await streamChunks(
        await post(target(), "/v1/chat/completions", chat(`Stream ${name}`, { stream: true })),
      );
      expectChatStreamConforms(chunks, false);
    });

    it("CreateChatCompletionStreamResponse for every chunk, with stream_options.include_usage", async () => {
      const body = chat(`Usage ${name}`, { stream: true, stream_options: { include_usage: true } });
      expectChatStreamConforms(await streamChunks(await post(target(), "/v1/chat/completions", body)), true);
    });

    it("CreateCompletionResponse, JSON", async () => {
      const res = await post(target(), "/v1/completions", { model: "demo-gpt", prompt: `Once ${name}`, max_tokens: 3 });
      expect(res.status).toBe(200);
      expectConforms("CreateCompletionResponse", await res.json());
    });

    it("CreateCompletionResponse for every stream chunk, with and without include_usage", async () => {
      for (const includeUsage of [false, true]) {
        const body = {
          model: "demo-gpt",
          prompt: `Twice ${name}`,
          max_tokens: 3,
          stream: true,
          ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
        };
        expectCompletionStreamConforms(await streamChunks(await post(target(), "/v1/completions", body)), includeUsage);
      }
    });

    it("CreateEmbeddingResponse as floats, and base64 decoding to the same floats", async () => {
      const request = { model: "demo-embed", input: [`the cat ${name}`, "sat on the mat"] };
      const floats = await post(target(), "/v1/embeddings", request);
      expect(floats.status).toBe(200);
      const floatBody = (await floats.json()) as { data: { embedding: number[] }[] };
      expectConforms("CreateEmbeddingResponse", floatBody);

      const encoded = await post(target(), "/v1/embeddings", { ...request, encoding_format: "base64" });
      expect(encoded.status).toBe(200);
      const base64Body = (await encoded.json()) as { data: { embedding: unknown }[] };
      // The spec's Embedding only describes float arrays, yet CreateEmbeddingRequest allows base64: the string
      // must be little-endian float32 bytes, and with it decoded the body must conform like the float one.
      const decoded = base64Body.data.map((item) => {
        expect(item.embedding).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
        const bytes = Buffer.from(item.embedding as string, "base64");
        expect(bytes.byteLength % 4).toBe(0);
        return { ...item, embedding: Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)) };
      });
      expectConforms("CreateEmbeddingResponse", { ...base64Body, data: decoded });
      expect(decoded.map((d) => d.embedding)).toEqual(floatBody.data.map((d) => d.embedding));
    });

    it("ListModelsResponse, each entry a Model", async () => {
      const res = await get(target(), "/v1/models");
      expect(res.status).toBe(200);
      const list = (await res.json()) as { data: unknown[] };
      expectConforms("ListModelsResponse", list);
      expect(list.data).toHaveLength(2);
      for (const model of list.data) expectConforms("Model", model);
    });
  });

  it("gateway: GET /v1/models/{model} answers a Model", async () => {
    const res = await get(stack.gateway, "/v1/models/demo-gpt");
    expect(res.status).toBe(200);
    const model = await res.json();
    expectConforms("Model", model);
    expect(model).toMatchObject({ id: "demo-gpt" });
  });
});
