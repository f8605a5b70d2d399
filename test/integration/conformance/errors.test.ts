// Error answers checked against the spec's ErrorResponse ({ error: { message, type, param, code } }, all four
// required, param and code nullable): the gateway's own refusals and a model node's, each with its HTTP status.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectConforms,
  gatewayBodyLimit,
  get,
  post,
  type Stack,
  specMissing,
  startStack,
  suiteTitle,
  type Target,
  tinyKey,
} from "./harness.ts";

const messages = [{ role: "user", content: "Hi" }];

async function expectError(response: Promise<Response>, status: number, code?: string): Promise<void> {
  const res = await response;
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await res.json()) as { error: { code: unknown } };
  expectConforms("ErrorResponse", body);
  if (code !== undefined) expect(body.error.code).toBe(code);
}

describe.skipIf(specMissing)(suiteTitle("error bodies conform to the OpenAI OpenAPI spec"), () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  describe("gateway", () => {
    const gateway = () => stack.gateway;
    const withKey = (key: string | null): Target => {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (key) headers.authorization = `Bearer ${key}`;
      return { ...gateway(), headers };
    };

    it("400 for malformed JSON and for max_tokens 0", async () => {
      await expectError(post(gateway(), "/v1/chat/completions", "{not json"), 400, "invalid_json");
      await expectError(post(gateway(), "/v1/chat/completions", { model: "demo-gpt", messages, max_tokens: 0 }), 400);
    });

    it("401 without a key and with a wrong one", async () => {
      await expectError(post(withKey(null), "/v1/chat/completions", { model: "demo-gpt", messages }), 401);
      await expectError(get(withKey("sk-wrong-0123456789"), "/v1/models"), 401);
    });

    it("404 for an unknown model and an unknown URL", async () => {
      await expectError(post(gateway(), "/v1/chat/completions", { model: "nope", messages }), 404, "model_not_found");
      await expectError(post(gateway(), "/v1/nothing-here", { model: "demo-gpt" }), 404);
    });

    it("413 for a body over the size limit", async () => {
      const prompt = "x".repeat(gatewayBodyLimit + 1);
      await expectError(post(gateway(), "/v1/completions", { model: "demo-gpt", prompt }), 413);
    });

    it("429 once a key's request budget is spent", async () => {
      const request = { model: "demo-embed", input: "one request a minute" };
      expect((await post(withKey(tinyKey), "/v1/embeddings", request)).status).toBe(200);
      await expectError(post(withKey(tinyKey), "/v1/embeddings", request), 429, "rate_limit_exceeded");
    });

    it("a node's 400 relayed (context too long)", async () => {
      const prompt = "word ".repeat(2000);
      await expectError(
        post(gateway(), "/v1/completions", { model: "demo-gpt", prompt, max_tokens: 2 }),
        400,
        "context_length_exceeded",
      );
    });
  });

  describe("node", () => {
    const node = () => stack.node;

    it("404 for an unknown model", async () => {
      await expectError(post(node(), "/v1/chat/completions", { model: "nope", messages }), 404, "model_not_found");
    });

    it("400 for a prompt longer than the context", async () => {
      const prompt = "word ".repeat(2000);
      await expectError(
        post(node(), "/v1/completions", { model: "demo-gpt", prompt, max_tokens: 2 }),
        400,
        "context_length_exceeded",
      );
    });

    it("400 for max_tokens 0 and for malformed JSON", async () => {
      await expectError(post(node(), "/v1/chat/completions", { model: "demo-gpt", messages, max_tokens: 0 }), 400);
      await expectError(post(node(), "/v1/chat/completions", "{not json"), 400);
    });
  });
});
