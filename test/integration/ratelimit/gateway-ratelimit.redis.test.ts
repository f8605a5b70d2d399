// Two gateway replicas sharing Redis token buckets under concurrent load: together they admit exactly the
// bucket's worth, by requests and by tokens, never more.
import { afterEach, describe, expect, it } from "vitest";
import type { ConfigInput } from "#config/schema.ts";
import type { RunningGateway } from "#gateway/server.ts";
import { type FakeNode, startFakeNode } from "#test/support/fake-node.ts";
import { authHeaders, startTestGateway } from "#test/support/gateway.ts";
import {
  connect,
  deletePrefix,
  redisAvailable,
  redisUrl,
  testRedisConfig,
  uniquePrefix,
} from "#test/support/redis-env.ts";

const available = await redisAvailable();

describe.skipIf(!available)("redis rate limits shared by two gateways", () => {
  let node: FakeNode;
  let replicas: RunningGateway[] = [];
  let keyPrefix = "";
  afterEach(async () => {
    await Promise.all(replicas.map((g) => g.close()));
    await node.close();
    const cleanup = await connect(testRedisConfig(keyPrefix));
    await deletePrefix(cleanup);
    await cleanup.close();
  });

  async function startReplicas(perKey: NonNullable<ConfigInput["rateLimit"]>["perKey"], delayMs = 0) {
    node = await startFakeNode("n1", { delayMs });
    keyPrefix = uniquePrefix("gateway-ratelimit");
    const config: ConfigInput = {
      nodes: [{ id: "n1", url: node.url, models: ["m1"] }],
      cache: { store: "off", coalesce: false },
      rateLimit: { store: "redis", perKey },
      redis: { url: redisUrl, keyPrefix, commandTimeoutMs: 1000 },
    };
    replicas = await Promise.all([startTestGateway(config), startTestGateway(config)]);
  }

  const burst = (count: number) =>
    Promise.all(
      Array.from({ length: count }, (_, i) =>
        fetch(`${replicas[i % 2]!.url}/v1/chat/completions`, {
          method: "POST",
          headers: authHeaders(),
          body: JSON.stringify({ model: "m1", max_tokens: 100, messages: [{ role: "user", content: "hi" }] }),
        }).then(async (res) => {
          await res.arrayBuffer();
          return res.status;
        }),
      ),
    );

  it("admits exactly the requests-per-minute bucket across both replicas", async () => {
    await startReplicas({ requestsPerMinute: 20, tokensPerMinute: 1_000_000 });
    const statuses = await burst(60);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    expect(node.calls).toHaveLength(20);
  });

  it("admits exactly the tokens-per-minute bucket across both replicas", async () => {
    // 108 tokens reserved per request; the node answers slowly so no refund lands before the burst is decided.
    await startReplicas({ requestsPerMinute: 10_000, tokensPerMinute: 1080 }, 1500);
    const statuses = await burst(30);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
  });
});
