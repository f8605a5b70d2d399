import { describe, expect, it } from "vitest";
import { formatResetDuration, rateLimitHeaders } from "#gateway/ratelimit/headers.ts";

describe("rate-limit headers", () => {
  it("formats reset durations the way OpenAI does", () => {
    expect(formatResetDuration(0)).toBe("0s");
    expect(formatResetDuration(17.2)).toBe("18ms");
    expect(formatResetDuration(1000)).toBe("1s");
    expect(formatResetDuration(8640)).toBe("8.64s");
    expect(formatResetDuration(360_000)).toBe("6m0s");
    expect(formatResetDuration(90_500)).toBe("1m30.5s");
    expect(formatResetDuration(3_723_000)).toBe("1h2m3s");
  });

  it("reports the most constrained bucket per dimension, with time until it is full", () => {
    const headers = rateLimitHeaders(
      [
        { id: "key", requestsPerMinute: 60, tokensPerMinute: 1000 },
        { id: "tenant", requestsPerMinute: 600, tokensPerMinute: 0 },
      ],
      [
        { requests: 30, tokens: 900 },
        { requests: 40, tokens: -1 },
      ],
    );
    expect(headers).toEqual({
      "x-ratelimit-limit-requests": "60",
      "x-ratelimit-remaining-requests": "30",
      "x-ratelimit-reset-requests": "30s",
      "x-ratelimit-limit-tokens": "1000",
      "x-ratelimit-remaining-tokens": "900",
      "x-ratelimit-reset-tokens": "6s",
    });
  });

  it("shows debt as 0 remaining with the full time to recover, and omits unlimited dimensions", () => {
    const headers = rateLimitHeaders(
      [{ id: "key", requestsPerMinute: 0, tokensPerMinute: 600 }],
      [{ requests: -1, tokens: -300 }],
    );
    expect(headers).toEqual({
      "x-ratelimit-limit-tokens": "600",
      "x-ratelimit-remaining-tokens": "0",
      "x-ratelimit-reset-tokens": "1m30s",
    });
  });
});
