import { describe, expect, it } from "vitest";
import { createMemoryBucketStore } from "#gateway/ratelimit/memory-store.ts";
import { bucketStoreSuite } from "./bucket-store-suite.ts";

let seq = 0;
bucketStoreSuite(
  "memory",
  () => createMemoryBucketStore(),
  (label) => `${label}-${seq++}`,
);

describe("memory bucket store clock", () => {
  it("refills exactly by elapsed time on its own clock", async () => {
    let now = 0;
    const store = createMemoryBucketStore(() => now);
    const b = [{ id: "k", requestsPerMinute: 60, tokensPerMinute: 600 }];
    await store.take(b, 60, 600);
    now += 10_000; // a sixth of a minute
    const outcome = await store.take(b, 1, 0);
    expect(outcome.levels[0]).toEqual({ requests: 9, tokens: 100 });
  });

  it("treats a bucket idle long enough to refill as full", async () => {
    let now = 0;
    const store = createMemoryBucketStore(() => now);
    const b = [{ id: "k", requestsPerMinute: 2, tokensPerMinute: 0 }];
    await store.take(b, 2, 0);
    now += 3_600_000;
    expect((await store.take(b, 2, 0)).admitted).toBe(true);
  });
});
