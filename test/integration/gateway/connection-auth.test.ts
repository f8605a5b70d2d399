// Keys are remembered per connection (gateway/auth/connection-keys.ts): over one keep-alive connection a wrong
// key is still refused after a right one, and a key dropped by a config reload stops working on the connection
// that was using it.
import { Client } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "#config/load.ts";
import type { RunningGateway } from "#gateway/server.ts";
import { type FakeNode, startFakeNode } from "#test/support/fake-node.ts";
import { startTestGateway, testKey } from "#test/support/gateway.ts";

const otherKey = "sk-other-0123456789";
let node: FakeNode;
let gateway: RunningGateway;
let client: Client;

const configInput = (keys: { key: string; tenant: string }[]) => ({
  auth: { keys },
  nodes: [{ id: "n1", url: node.url, models: ["m1"] }],
});

beforeAll(async () => {
  node = await startFakeNode("n1");
  gateway = await startTestGateway(
    configInput([
      { key: testKey, tenant: "team-a" },
      { key: otherKey, tenant: "team-b" },
    ]),
  );
  // One connection for every request below, so each is judged on a connection that already authenticated.
  client = new Client(gateway.url, { pipelining: 1, connections: 1 } as never);
});
afterAll(async () => {
  await client?.close();
  await gateway?.close();
  await node?.close();
});

const listModels = async (key: string) => {
  const res = await client.request({ method: "GET", path: "/v1/models", headers: { authorization: `Bearer ${key}` } });
  await res.body.text();
  return res.statusCode;
};

describe("keys remembered per connection", () => {
  it("refuses a wrong key after a right one, and accepts the right one again", async () => {
    expect(await listModels(testKey)).toBe(200);
    expect(await listModels(testKey)).toBe(200);
    expect(await listModels(`${testKey.slice(0, -1)}X`)).toBe(401);
    expect(await listModels(otherKey)).toBe(200);
    expect(await listModels(testKey)).toBe(200);
  });

  it("shuts a connection out once a reload drops the key it was using", async () => {
    expect(await listModels(otherKey)).toBe(200);
    gateway.runtime.reload(parseConfig(configInput([{ key: testKey, tenant: "team-a" }]), "test", {}));
    expect(await listModels(otherKey)).toBe(401);
    expect(await listModels(testKey)).toBe(200);
  });
});
