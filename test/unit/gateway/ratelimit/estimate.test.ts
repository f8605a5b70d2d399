import { describe, expect, it } from "vitest";
import { estimateTokens } from "#gateway/ratelimit/estimate.ts";

describe("token estimate", () => {
  it("reserves the prompt estimate plus max_tokens times n for chat", () => {
    const body = { messages: [{ role: "user", content: "x".repeat(400) }], max_tokens: 50, n: 2 };
    expect(estimateTokens({ endpoint: "chat.completions", body }, 1024)).toEqual({
      prompt: 100 + 4 + 3,
      completion: 100,
    });
  });

  it("prefers max_completion_tokens and falls back to the configured default", () => {
    const messages = [{ role: "user", content: [{ type: "text", text: "abcd" }] }];
    expect(
      estimateTokens(
        { endpoint: "chat.completions", body: { messages, max_completion_tokens: 7, max_tokens: 99 } },
        1024,
      ).completion,
    ).toBe(7);
    expect(estimateTokens({ endpoint: "chat.completions", body: { messages } }, 256)).toEqual({
      prompt: 1 + 4 + 3,
      completion: 256,
    });
  });

  it("counts token-array prompts exactly and embeddings need no completion budget", () => {
    expect(
      estimateTokens(
        {
          endpoint: "completions",
          body: {
            prompt: [
              [1, 2, 3],
              [4, 5],
            ],
            max_tokens: 5,
          },
        },
        1024,
      ),
    ).toEqual({ prompt: 5, completion: 5 });
    expect(estimateTokens({ endpoint: "embeddings", body: { input: ["abcdefgh", "ab"] } }, 1024)).toEqual({
      prompt: 3,
      completion: 0,
    });
  });
});
