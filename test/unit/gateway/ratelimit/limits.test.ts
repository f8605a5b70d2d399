import { describe, expect, it } from "vitest";
import { configSchema } from "#config/schema.ts";
import { capToCapacity, resolveBuckets } from "#gateway/ratelimit/limits.ts";

const rateLimit = (input: Record<string, unknown>) => configSchema.parse({ rateLimit: input }).rateLimit;

describe("bucket resolution", () => {
  it("gives every API key its own bucket with the perKey limits", () => {
    const config = rateLimit({ perKey: { requestsPerMinute: 10, tokensPerMinute: 100 } });
    expect(resolveBuckets(config, { tenant: "acme", keyName: "ci" }, "m")).toEqual([
      { id: "key/acme/ci", requestsPerMinute: 10, tokensPerMinute: 100 },
    ]);
  });

  it("overrides per key name first, then per tenant, field by field", () => {
    const config = rateLimit({
      perKey: { requestsPerMinute: 10, tokensPerMinute: 100 },
      keys: { ci: { requestsPerMinute: 1 }, acme: { tokensPerMinute: 5 } },
    });
    expect(resolveBuckets(config, { tenant: "acme", keyName: "ci" }, "m")[0]).toMatchObject({
      requestsPerMinute: 1,
      tokensPerMinute: 100,
    });
    expect(resolveBuckets(config, { tenant: "acme", keyName: "prod" }, "m")[0]).toMatchObject({
      requestsPerMinute: 10,
      tokensPerMinute: 5,
    });
  });

  it("adds tenant and model buckets when configured", () => {
    const config = rateLimit({
      tenants: { acme: { requestsPerMinute: 100 } },
      models: { "big/m": { tokensPerMinute: 1000 } },
    });
    const ids = resolveBuckets(config, { tenant: "acme", keyName: "ci" }, "big/m").map((b) => b.id);
    expect(ids).toEqual(["key/acme/ci", "tenant/acme", "model/big%2Fm"]);
  });

  it("caps a reservation at the smallest token capacity so a full bucket can admit it", () => {
    const buckets = [
      { id: "a", requestsPerMinute: 1, tokensPerMinute: 500 },
      { id: "b", requestsPerMinute: 1, tokensPerMinute: 0 },
    ];
    expect(capToCapacity(2000, buckets)).toBe(500);
    expect(capToCapacity(20, buckets)).toBe(20);
  });
});
