import { describe, expect, it } from "vitest";
import { exceedsDepth } from "#gateway/middleware/json-body.ts";

const nested = (depth: number, inner = "1") => "[".repeat(depth) + inner + "]".repeat(depth);

describe("exceedsDepth", () => {
  it("finds nesting one level past the limit, and not at it", () => {
    expect(exceedsDepth(nested(5), 4)).toBe(true);
    expect(exceedsDepth(nested(4), 4)).toBe(false);
    expect(exceedsDepth(JSON.stringify({ a: { b: { c: [1] } } }), 3)).toBe(true);
    expect(exceedsDepth(nested(5000), 64)).toBe(true);
  });

  it("ignores brackets inside strings, escaped quotes included", () => {
    const text = JSON.stringify({ content: `${"[".repeat(200)} say \\"{{{{\\" ${"{".repeat(200)}` });
    expect(exceedsDepth(text, 2)).toBe(false);
    // An escaped backslash ends right before the closing quote: the brackets after it count again.
    expect(exceedsDepth(`{"a":"x\\\\",${"[".repeat(10)}${"]".repeat(10)}}`, 5)).toBe(true);
    expect(exceedsDepth(`{"a":"x\\"${"[".repeat(10)}${"]".repeat(10)}"}`, 5)).toBe(false);
  });

  it("counts siblings as the same level", () => {
    const siblings = JSON.stringify({ messages: Array.from({ length: 500 }, () => ({ role: "user", content: [] })) });
    // { messages: [ { content: [ — four levels, however many messages.
    expect(exceedsDepth(siblings, 4)).toBe(false);
    expect(exceedsDepth(siblings, 3)).toBe(true);
  });

  it("leaves unterminated strings to JSON.parse", () => {
    expect(exceedsDepth(`{"a":"${"[".repeat(100)}`, 3)).toBe(false);
  });
});
