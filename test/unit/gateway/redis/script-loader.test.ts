import { describe, expect, it } from "vitest";
import { parseScriptName, readScripts } from "#gateway/redis/script-loader.ts";

describe("redis script loader", () => {
  it("derives the command name and key count from the file name", () => {
    expect(parseScriptName("token-buckets-3.lua")).toEqual({ command: "tokenBuckets", numberOfKeys: 3 });
    expect(parseScriptName("lock-1.lua")).toEqual({ command: "lock", numberOfKeys: 1 });
    expect(() => parseScriptName("tokenBuckets.lua")).toThrow(/<name>-<numKeys>\.lua/);
  });

  it("finds every script with a header documenting KEYS, ARGV and the return value", () => {
    const scripts = readScripts();
    expect(scripts.map((s) => s.command)).toContain("tokenBuckets");
    for (const script of scripts) {
      const header = script.lua.slice(0, script.lua.indexOf("]]"));
      expect(header).toMatch(/KEYS\[/);
      expect(header).toMatch(/ARGV\[/);
      expect(header).toMatch(/Returns/);
    }
  });
});
