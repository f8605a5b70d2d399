// Two gateway replicas sharing one Redis cache: what one stored, the other serves (JSON and SSE replay).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "#gateway/server.ts";
import { type FakeNode, startFakeNode } from "#test/support/fake-node.ts";
import { authHeaders, readSse, startTestGateway } from "#test/support/gateway.ts";
import {
  connect,
  deletePrefix,
  redisAvailable,
  redisUrl,
  testRedisConfig,
  uniquePrefix,
} from "#test/support/redis-env.ts";

const available = await redisAvailable();

describe.skipIf(!available)("redis cache shared by two gateways", () => {
  const keyPrefix = uniquePrefix("gateway-cache");
  let node: FakeNode;
  let replicas: RunningGateway[];
  beforeAll(async () => {
    node = await startFakeNode("n1");
    const config = {
      nodes: [{ id: "n1", url: node.url, models: ["m1"] }],
      cache: { store: "redis" as const },
      rateLimit: { store: "off" as const },
      redis: { url: redisUrl, keyPrefix, commandTimeoutMs: 1000 },
    };
    replicas = await Promise.all([startTestGateway(config), startTestGateway(config)]);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((g) => g.close()));
    await node.close();
    const cleanup = await connect(testRedisConfig(keyPrefix));
    await deletePrefix(cleanup);
    await cleanup.close();
  });

  const post = (replica: RunningGateway, body: unknown) =>
    fetch(`${replica.url}/v1/chat/completions`, { method: "POST", headers: authHeaders(), body: JSON.stringify(body) });

  it("serves on one replica what the other stored", async () => {
    const body = { model: "m1", temperature: 0, messages: [{ role: "user", content: "shared json" }] };
    const first = await post(replicas[0]!, body);
    expect(first.headers.get("x-switchyard-cache")).toBe("miss");
    const second = await post(replicas[1]!, body);
    expect(second.headers.get("x-switchyard-cache")).toBe("hit");
    expect(await second.json()).toEqual(await first.json());
    expect(node.calls).toHaveLength(1);
  });

  it("replays on one replica the stream the other stored", async () => {
    const body = { model: "m1", temperature: 0, stream: true, messages: [{ role: "user", content: "shared stream" }] };
    const original = await readSse(await post(replicas[0]!, body));
    const replay = await post(replicas[1]!, body);
    expect(replay.headers.get("x-switchyard-cache")).toBe("hit");
    expect(await readSse(replay)).toEqual(original);
  });
});
