import { describe, expect, it } from "vitest";
import { configSchema } from "#config/schema.ts";
import { RateLimitedError } from "#gateway/openai/errors.ts";
import type { ForwardResult } from "#gateway/pipeline/types.ts";
import { createFailoverBucketStore } from "#gateway/ratelimit/failover-store.ts";
import { createRateLimitLayer } from "#gateway/ratelimit/layer.ts";
import { createMemoryBucketStore } from "#gateway/ratelimit/memory-store.ts";
import { createRateLimitMetrics } from "#gateway/ratelimit/metrics.ts";
import type { BucketStore } from "#gateway/ratelimit/store.ts";
import {
  chatAnswer,
  chatRequest,
  chatStream,
  collect,
  fakeNext,
  fromArray,
  json,
  newRegistry,
  silent,
  stream,
} from "#test/unit/gateway/cache/fixtures.ts";

const limits = (perKey: Record<string, number>) =>
  configSchema.parse({ rateLimit: { perKey, defaultMaxTokens: 100 } }).rateLimit;

function setup(
  perKey: Record<string, number>,
  answer = () => json(chatAnswer()),
  store: BucketStore = createMemoryBucketStore(),
) {
  const metrics = createRateLimitMetrics(newRegistry());
  const next = fakeNext(answer);
  const forward = createRateLimitLayer({ config: limits(perKey), store, metrics })(next);
  return { forward, next, store, metrics };
}

/** The key bucket's token level, read without spending anything. */
async function tokensLeft(store: BucketStore, perKey: Record<string, number>): Promise<number> {
  const outcome = await store.take(
    [{ id: "key/acme/ci", requestsPerMinute: 0, tokensPerMinute: perKey.tokensPerMinute! }],
    0,
    0,
  );
  return outcome.levels[0]!.tokens;
}

// "hi" + framing: 1 + 4 + 3 prompt tokens; max_tokens defaults to 100 here.
const reservation = 108;

describe("rate-limit layer", () => {
  it("admits a bucket's worth, then refuses with OpenAI's 429, Retry-After and rate-limit headers", async () => {
    const { forward, next, metrics } = setup({ requestsPerMinute: 2, tokensPerMinute: 10_000 });
    const first = await forward(chatRequest());
    expect(first.headers).toMatchObject({
      "x-ratelimit-limit-requests": "2",
      "x-ratelimit-remaining-requests": "1",
      "x-ratelimit-reset-requests": "30s",
      "x-ratelimit-limit-tokens": "10000",
      "x-ratelimit-remaining-tokens": String(10_000 - reservation),
    });
    await forward(chatRequest());
    const refused = await forward(chatRequest()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitedError);
    const error = refused as RateLimitedError;
    expect(error.status).toBe(429);
    expect(error.toBody().error).toMatchObject({ code: "rate_limit_exceeded", type: "requests" });
    expect(error.message).toMatch(/^Rate limit reached for requests per min \(key\/acme\/ci\): Limit 2, Remaining 0/);
    expect(Number(error.headers["retry-after"])).toBeGreaterThanOrEqual(29);
    expect(error.headers["x-ratelimit-remaining-requests"]).toBe("0");
    expect(next.calls).toHaveLength(2);
    const decisions = (await metrics.decisions.get()).values;
    expect(decisions.map((v) => [v.labels.result, v.value])).toEqual([
      ["allowed", 2],
      ["limited", 1],
    ]);
  });

  it("refunds the reservation down to the JSON usage", async () => {
    const perKey = { requestsPerMinute: 100, tokensPerMinute: 10_000 };
    const { forward, store } = setup(perKey);
    await forward(chatRequest());
    expect(await tokensLeft(store, perKey)).toBe(10_000 - 5);
  });

  it("refuses on tokens when the reservation does not fit", async () => {
    const { forward } = setup({ requestsPerMinute: 100, tokensPerMinute: 1000 });
    await forward(chatRequest({ body: { max_tokens: 900 } }));
    // The first request used only 5 tokens; the refund restores the bucket for the next big one.
    await forward(chatRequest({ body: { max_tokens: 900 } }));
    const { forward: strict } = setup({ requestsPerMinute: 100, tokensPerMinute: 1000 }, () =>
      json(chatAnswer("x", { prompt_tokens: 8, completion_tokens: 900, total_tokens: 908 })),
    );
    await strict(chatRequest({ body: { max_tokens: 900 } }));
    const refused = (await strict(chatRequest({ body: { max_tokens: 900 } })).catch(
      (e: unknown) => e,
    )) as RateLimitedError;
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect(refused.message).toMatch(/^Rate limit reached for tokens per min/);
  });

  it("asks the node for stream usage, hides that chunk from a client that did not ask, and settles on it", async () => {
    const perKey = { requestsPerMinute: 100, tokensPerMinute: 10_000 };
    const usage = { prompt_tokens: 3, completion_tokens: 40, total_tokens: 43 };
    const { forward, next, store } = setup(perKey, () => stream(fromArray(chatStream(["a", "b"], usage))));
    const result = (await forward(chatRequest({ body: { stream: true } }))) as Extract<
      ForwardResult,
      { kind: "stream" }
    >;
    expect(next.calls[0]!.body.stream_options).toEqual({ include_usage: true });
    const events = await collect(result.events);
    expect(events.some((e) => e.includes('"usage"'))).toBe(false);
    expect(events.at(-1)).toBe("[DONE]");
    expect(await tokensLeft(store, perKey)).toBe(10_000 - 43);

    const asked = (await forward(
      chatRequest({ body: { stream: true, stream_options: { include_usage: true } } }),
    )) as Extract<ForwardResult, { kind: "stream" }>;
    expect((await collect(asked.events)).some((e) => e.includes('"usage":{'))).toBe(true);
  });

  it("charges a stream without usage by its chunks, and refunds failures and cache hits", async () => {
    const perKey = { requestsPerMinute: 100, tokensPerMinute: 10_000 };
    const { forward, store } = setup(perKey, () => stream(fromArray(chatStream(["a", "b", "c"], null))));
    await collect(
      ((await forward(chatRequest({ body: { stream: true } }))) as Extract<ForwardResult, { kind: "stream" }>).events,
    );
    expect(await tokensLeft(store, perKey)).toBe(10_000 - (8 + 5)); // prompt estimate + 5 data chunks

    const failing = setup(perKey, () => {
      throw new Error("node down");
    });
    await expect(failing.forward(chatRequest())).rejects.toThrow("node down");
    expect(await tokensLeft(failing.store, perKey)).toBe(10_000);

    const hit = setup(perKey, () => ({ ...json(chatAnswer()), headers: { "x-switchyard-cache": "hit" } }));
    await hit.forward(chatRequest());
    expect(await tokensLeft(hit.store, perKey)).toBe(10_000);
  });

  it("passes requests through untouched when no limit applies", async () => {
    const { forward } = setup({});
    expect((await forward(chatRequest())).headers).toEqual({});
  });

  it("falls back to in-memory buckets when Redis fails (open) or answers 503 (closed)", async () => {
    const broken: BucketStore = {
      take: async () => {
        throw new Error("redis down");
      },
    };
    const metrics = createRateLimitMetrics(newRegistry());
    const open = createFailoverBucketStore({
      primary: broken,
      fallback: createMemoryBucketStore(),
      failMode: "open",
      metrics,
      logger: silent,
    });
    const { forward } = setup({ requestsPerMinute: 1 }, undefined, open);
    expect((await forward(chatRequest())).headers["x-ratelimit-remaining-requests"]).toBe("0");
    await expect(forward(chatRequest())).rejects.toBeInstanceOf(RateLimitedError);
    expect((await metrics.fallbackDecisions.get()).values[0]?.value).toBe(2);
    expect((await metrics.storeErrors.get()).values[0]?.value).toBe(2);

    const closed = createFailoverBucketStore({
      primary: broken,
      fallback: createMemoryBucketStore(),
      failMode: "closed",
      metrics,
      logger: silent,
    });
    await expect(setup({ requestsPerMinute: 1 }, undefined, closed).forward(chatRequest())).rejects.toMatchObject({
      status: 503,
      code: "rate_limit_unavailable",
    });
  });
});
