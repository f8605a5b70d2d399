// Answers the gateway serves from its cache (`x-switchyard-cache: hit`) checked against the spec like live ones:
// a stored JSON answer replayed as a stream, a stored stream replayed as a stream and as JSON, chunk by chunk,
// with and without the usage chunk, for chat and text completions. Each case seeds its own cache entry.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectChatStreamConforms,
  expectCompletionStreamConforms,
  expectConforms,
  post,
  type Stack,
  specMissing,
  startStack,
  streamChunks,
  streamedText,
  suiteTitle,
} from "./harness.ts";

type Json = Record<string, unknown>;
type Endpoint = {
  path: string;
  request: (prompt: string) => Json;
  jsonSchema: string;
  expectStream: (chunks: Json[], includeUsage: boolean) => void;
  jsonText: (body: Json) => unknown;
};

const greedy = { model: "demo-gpt", max_tokens: 3, temperature: 0 };
const endpoints: Record<string, Endpoint> = {
  chat: {
    path: "/v1/chat/completions",
    request: (prompt) => ({ ...greedy, messages: [{ role: "user", content: prompt }] }),
    jsonSchema: "CreateChatCompletionResponse",
    expectStream: expectChatStreamConforms,
    jsonText: (body) => (body.choices as { message: { content: string } }[])[0]?.message.content,
  },
  completions: {
    path: "/v1/completions",
    request: (prompt) => ({ ...greedy, prompt }),
    jsonSchema: "CreateCompletionResponse",
    expectStream: expectCompletionStreamConforms,
    jsonText: (body) => (body.choices as { text: string }[])[0]?.text,
  },
};

const streamOf = (body: Json, includeUsage: boolean) => ({
  ...body,
  stream: true,
  ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
});

describe.skipIf(specMissing)(suiteTitle("cached replays conform to the OpenAI OpenAPI spec"), () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  describe.each(Object.entries(endpoints))("%s", (name, endpoint) => {
    async function send(body: Json, expectedCache: "hit" | "miss"): Promise<Response> {
      const res = await post(stack.gateway, endpoint.path, body);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-switchyard-cache")).toBe(expectedCache);
      return res;
    }
    /** Stores a JSON answer (a miss), checked as a live one. */
    async function storeJson(request: Json): Promise<Json> {
      const body = (await (await send(request, "miss")).json()) as Json;
      expectConforms(endpoint.jsonSchema, body);
      return body;
    }
    /** Stores a stream with its usage chunk (so it can also become JSON), checked as a live one. */
    async function storeStream(request: Json): Promise<Json[]> {
      const chunks = await streamChunks(await send(streamOf(request, true), "miss"));
      endpoint.expectStream(chunks, true);
      return chunks;
    }

    it.each([false, true])("a stored JSON answer replays as conforming chunks (include_usage %s)", async (usage) => {
      const request = endpoint.request(`${name} json then stream ${usage}`);
      const json = await storeJson(request);
      const chunks = await streamChunks(await send(streamOf(request, usage), "hit"));
      endpoint.expectStream(chunks, usage);
      expect(streamedText(chunks)).toBe(endpoint.jsonText(json));
      if (usage) expect(chunks.at(-1)!.usage).toEqual(json.usage);
    });

    it.each([false, true])("a stored stream replays as conforming chunks (include_usage %s)", async (usage) => {
      const request = endpoint.request(`${name} stream then stream ${usage}`);
      const live = await storeStream(request);
      const chunks = await streamChunks(await send(streamOf(request, usage), "hit"));
      endpoint.expectStream(chunks, usage);
      expect(streamedText(chunks)).toBe(streamedText(live));
    });

    it(`a stored stream replays as a conforming ${endpoint.jsonSchema}`, async () => {
      const request = endpoint.request(`${name} stream then json`);
      const live = await storeStream(request);
      const json = (await (await send(request, "hit")).json()) as Json;
      expectConforms(endpoint.jsonSchema, json);
      expect(endpoint.jsonText(json)).toBe(streamedText(live));
      expect(json.usage).toEqual(live.at(-1)!.usage);
    });
  });
});
