import { describe, expect, it } from "vitest";
import { cacheKey, canonicalBody, stableJson } from "#gateway/cache/canonical.ts";
import { chatRequest } from "./fixtures.ts";

describe("canonical cache key", () => {
  it("ignores key order, stream flags, user and explicit defaults", () => {
    const plain = chatRequest({ body: { messages: [{ role: "user", content: "hi" }], temperature: 0 } });
    const noisy = chatRequest({
      body: {
        temperature: 0,
        stream: true,
        stream_options: { include_usage: true },
        user: "u-42",
        n: 1,
        top_p: 1,
        presence_penalty: 0,
        frequency_penalty: null,
        seed: null,
        messages: [{ content: "hi", role: "user" }],
      },
    });
    expect(cacheKey(noisy)).toBe(cacheKey(plain));
  });

  it("treats max_completion_tokens and max_tokens as one field in chat", () => {
    const a = chatRequest({ body: { max_tokens: 10 } });
    const b = chatRequest({ body: { max_completion_tokens: 10 } });
    expect(cacheKey(a)).toBe(cacheKey(b));
    expect(cacheKey(a)).not.toBe(cacheKey(chatRequest({ body: { max_tokens: 11 } })));
  });

  it("changes with anything that changes the answer", () => {
    const base = cacheKey(chatRequest());
    expect(cacheKey(chatRequest({ body: { messages: [{ role: "user", content: "hi!" }] } }))).not.toBe(base);
    expect(cacheKey(chatRequest({ body: { seed: 1 } }))).not.toBe(base);
    expect(cacheKey(chatRequest({ body: { tools: [{ type: "function", function: { name: "f" } }] } }))).not.toBe(base);
    expect(cacheKey(chatRequest({ endpoint: "completions" }))).not.toBe(base);
  });

  it("is scoped by tenant and model, and names them in the key", () => {
    const key = cacheKey(chatRequest());
    expect(key.startsWith("acme/m/chat.completions/")).toBe(true);
    expect(cacheKey(chatRequest({ caller: { tenant: "other", keyName: "ci" } }))).not.toBe(key);
    expect(cacheKey(chatRequest({ model: "m2" }))).not.toBe(key);
    // An API key of the same tenant shares the tenant's cache.
    expect(cacheKey(chatRequest({ caller: { tenant: "acme", keyName: "prod" } }))).toBe(key);
  });

  it("encodes scope parts so separators in names cannot collide", () => {
    const a = cacheKey(chatRequest({ caller: { tenant: "a/b", keyName: "k" }, model: "c" }));
    const b = cacheKey(chatRequest({ caller: { tenant: "a", keyName: "k" }, model: "b/c" }));
    expect(a).not.toBe(b);
  });

  it("fills embedding defaults", () => {
    expect(canonicalBody("embeddings", { input: "x" })).toEqual({ input: "x", encoding_format: "float" });
    expect(stableJson({ b: [1, { d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[1,{"c":2,"d":1}]}');
  });
});
