import { describe, expect, it } from "vitest";
import { redisKeys, segment } from "#gateway/redis/keys.ts";

describe("redis keys", () => {
  it("puts every key under the prefix, by kind", () => {
    const keys = redisKeys("sy:");
    expect(keys.cacheEntry("acme/m/embeddings/h")).toBe("sy:cache:acme/m/embeddings/h");
    expect(keys.rateBucket("key/acme/ci")).toBe("sy:rl:key/acme/ci");
  });

  it("escapes glob characters of the prefix in the cleanup pattern", () => {
    expect(redisKeys("a*b:").pattern()).toBe("a\\*b:*");
  });

  it("encodes name segments so separators cannot collide", () => {
    expect(segment("a/b:c")).toBe("a%2Fb%3Ac");
  });
});
