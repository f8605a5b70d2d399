import { describe, expect, it } from "vitest";
import { type ForwardResult, withHeaders } from "#gateway/pipeline/types.ts";

describe("withHeaders", () => {
  it("adds a layer's headers to a copy, keeping those the result already carries", () => {
    const result: ForwardResult = {
      kind: "json",
      status: 200,
      body: { ok: true },
      text: '{"ok":true}',
      headers: { "x-switchyard-cache": "hit" },
    };
    const added = withHeaders(result, { "x-switchyard-cache": "bypass", "x-ratelimit-limit-requests": "60" });
    expect(added).toEqual({ ...result, headers: { "x-switchyard-cache": "hit", "x-ratelimit-limit-requests": "60" } });
    // Results may be shared (coalescing): the original is untouched.
    expect(result.headers).toEqual({ "x-switchyard-cache": "hit" });
    expect(added.headers).not.toBe(result.headers);
  });
});
