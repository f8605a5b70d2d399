// Usage parsing and the `usage: null` stripper: only the real field goes, never text inside a value.
import { describe, expect, it } from "vitest";
import { chunkUsage, usageTokens, withoutNullUsage } from "#gateway/openai/usage.ts";

describe("withoutNullUsage", () => {
  it("removes the field wherever it stands, compact or spaced", () => {
    expect(withoutNullUsage('{"id":"a","usage":null,"choices":[]}')).toBe('{"id":"a","choices":[]}');
    expect(withoutNullUsage('{"id":"a","choices":[],"usage":null}')).toBe('{"id":"a","choices":[]}');
    expect(withoutNullUsage('{"id": "a", "choices": [], "usage": null}')).toBe('{"id": "a", "choices": []}');
    expect(JSON.parse(withoutNullUsage('{"usage": null, "id": "a"}'))).toEqual({ id: "a" });
  });

  it("leaves real usage and look-alike text inside strings alone", () => {
    const real = '{"choices":[],"usage":{"total_tokens":3}}';
    expect(withoutNullUsage(real)).toBe(real);
    const lookalike = JSON.stringify({ choices: [{ delta: { content: '"usage":null,' } }] });
    expect(withoutNullUsage(lookalike)).toBe(lookalike);
    const both = JSON.stringify({ choices: [{ delta: { content: 'say "usage":null' } }], usage: null });
    expect(JSON.parse(withoutNullUsage(both))).toEqual({ choices: [{ delta: { content: 'say "usage":null' } }] });
  });
});

describe("usage parsing", () => {
  it("reads totals from usage objects and usage-only chunks", () => {
    expect(usageTokens({ prompt_tokens: 2, completion_tokens: 3 })).toBe(5);
    expect(chunkUsage('{"choices":[],"usage":{"total_tokens":7}}')).toEqual({
      usage: { total_tokens: 7 },
      usageOnly: true,
    });
    expect(chunkUsage('{"choices":[{}],"usage":null}')).toBeUndefined();
  });
});
