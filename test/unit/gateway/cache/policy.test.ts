import { describe, expect, it } from "vitest";
import { configSchema } from "#config/schema.ts";
import { isDeterministic, modelPolicy, readControl } from "#gateway/cache/policy.ts";

const cache = (input: Record<string, unknown> = {}) => configSchema.parse({ cache: input }).cache;

describe("cache policy", () => {
  it("reads the control header case-insensitively and ignores unknown values", () => {
    expect(readControl({ "x-switchyard-cache": "BYPASS" })).toBe("bypass");
    expect(readControl({ "x-switchyard-cache": " refresh " })).toBe("refresh");
    expect(readControl({ "x-switchyard-cache": "no-store" })).toBe("no-store");
    expect(readControl({ "x-switchyard-cache": "please" })).toBe("default");
    expect(readControl({})).toBe("default");
  });

  it("falls back to standard Cache-Control directives", () => {
    expect(readControl({ "cache-control": "no-store" })).toBe("no-store");
    expect(readControl({ "cache-control": "max-age=0, No-Cache" })).toBe("refresh");
    expect(readControl({ "cache-control": "no-cache-please" })).toBe("default");
    expect(readControl({ "cache-control": "no-store", "x-switchyard-cache": "bypass" })).toBe("bypass");
  });

  it("counts only temperature 0 with n = 1 as deterministic; a missing temperature is OpenAI's default 1", () => {
    const config = cache();
    const chat = (body: Record<string, unknown>) => ({ endpoint: "chat.completions" as const, body });
    expect(isDeterministic(chat({ temperature: 0 }), config)).toBe(true);
    expect(isDeterministic(chat({ temperature: 0, n: null }), config)).toBe(true);
    expect(isDeterministic(chat({}), config)).toBe(false);
    expect(isDeterministic(chat({ temperature: 0.7 }), config)).toBe(false);
    expect(isDeterministic(chat({ temperature: 0, n: 2 }), config)).toBe(false);
    expect(isDeterministic({ endpoint: "embeddings", body: {} }, config)).toBe(true);
  });

  it("caches sampled requests only when cacheNonDeterministic is on, and never n > 1", () => {
    const config = cache({ cacheNonDeterministic: true });
    expect(isDeterministic({ endpoint: "completions", body: { temperature: 1 } }, config)).toBe(true);
    expect(isDeterministic({ endpoint: "completions", body: { temperature: 1, n: 3 } }, config)).toBe(false);
  });

  it("applies per-model TTL, size and enablement over the defaults", () => {
    const config = cache({
      ttlSeconds: 60,
      maxEntryBytes: 1000,
      models: { small: { ttlSeconds: 5 }, off: { enabled: false } },
    });
    expect(modelPolicy(config, "small")).toEqual({ enabled: true, ttlMs: 5000, maxEntryBytes: 1000 });
    expect(modelPolicy(config, "off").enabled).toBe(false);
    expect(modelPolicy(config, "other")).toEqual({ enabled: true, ttlMs: 60_000, maxEntryBytes: 1000 });
  });
});
