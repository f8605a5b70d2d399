import { describe, expect, it } from "vitest";
import { rememberCaller, rememberedCaller, sameText } from "#gateway/auth/connection-keys.ts";
import { buildKeyIndex } from "#gateway/auth/key-index.ts";

const auth = { keys: [{ key: "sk-a-0001", tenant: "a" }], allowAnonymous: false } as never;

describe("connection-keys", () => {
  it("answers for the same connection, header and key index only", () => {
    const keys = buildKeyIndex(auth);
    const caller = keys.find("sk-a-0001")!;
    const connection = {};
    expect(rememberedCaller(connection, keys, "Bearer sk-a-0001")).toBeUndefined();
    rememberCaller(connection, keys, "Bearer sk-a-0001", caller);
    expect(rememberedCaller(connection, keys, "Bearer sk-a-0001")).toBe(caller);
    expect(rememberedCaller(connection, keys, "Bearer sk-a-0002")).toBeUndefined();
    expect(rememberedCaller({}, keys, "Bearer sk-a-0001")).toBeUndefined();
    // A reload builds a new index: what was remembered under the old one no longer counts.
    expect(rememberedCaller(connection, buildKeyIndex(auth), "Bearer sk-a-0001")).toBeUndefined();
    expect(rememberedCaller(undefined, keys, "Bearer sk-a-0001")).toBeUndefined();
  });

  it("compares texts exactly", () => {
    expect(sameText("abc", "abc")).toBe(true);
    expect(sameText("abc", "abd")).toBe(false);
    expect(sameText("abc", "ab")).toBe(false);
    expect(sameText("", "")).toBe(true);
  });
});
