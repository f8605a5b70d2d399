// Reloads under continuous traffic: clients send JSON and streaming requests the whole time while the config
// is reloaded many times (nodes added, removed, re-weighted); not one request may fail, requests in flight
// finish on the snapshot they started with, and new requests follow the new config.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConfigInput } from "#config/schema.ts";
import type { RunningGateway } from "#gateway/server.ts";
import { type FakeNode, startFakeNode } from "#test/support/fake-node.ts";
import { authHeaders } from "#test/support/gateway.ts";
import { adminConfig, adminFetch, startAdminGateway, waitFor } from "./support.ts";

let nodes: Record<"a" | "b" | "c", FakeNode>;
let gateway: RunningGateway & { admin: { url: string } };

type NodeId = keyof typeof nodes;
const nodeList = (entries: Array<[NodeId, number]>): NonNullable<ConfigInput["nodes"]> =>
  entries.map(([id, weight]) => ({ id, url: nodes[id].url, models: ["m1"], weight }));

beforeAll(async () => {
  nodes = {
    a: await startFakeNode("a", { delayMs: 2 }),
    b: await startFakeNode("b", { delayMs: 2 }),
    c: await startFakeNode("c", { delayMs: 2 }),
  };
  gateway = await startAdminGateway({
    nodes: nodeList([
      ["a", 1],
      ["b", 1],
    ]),
    cache: { store: "off" },
    rateLimit: { store: "off" },
  });
});
afterAll(async () => {
  await gateway.close();
  await Promise.all(Object.values(nodes).map((n) => n.close()));
});

const reloadTo = async (entries: Array<[NodeId, number]>) => {
  const body = JSON.stringify(
    adminConfig({ nodes: nodeList(entries), cache: { store: "off" }, rateLimit: { store: "off" } }),
  );
  const res = await adminFetch(gateway, "/admin/reload", { method: "POST", body });
  expect(res.status).toBe(200);
  return (await res.json()) as { outcome: string; version: number };
};

/** One request, JSON or streamed; an error describes what went wrong, success returns the node that answered. */
async function oneRequest(stream: boolean, content = "hi"): Promise<string> {
  const res = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: "POST",
    headers: authHeaders(),
    body: JSON.stringify({ model: "m1", stream, messages: [{ role: "user", content }] }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`status ${res.status}: ${text}`);
  if (stream && !text.trimEnd().endsWith("data: [DONE]")) throw new Error(`stream did not finish: ${text}`);
  return /(?:hello from |chunk-)(\w)/.exec(text)?.[1] ?? "?";
}

describe("reload under load", () => {
  it("serves every request while the node set changes 40 times", async () => {
    const failures: string[] = [];
    let completed = 0;
    let running = true;
    const client = async (worker: number) => {
      for (let i = 0; running; i++) {
        await oneRequest((worker + i) % 3 === 0).then(
          () => completed++,
          (error: Error) => failures.push(error.message),
        );
      }
    };
    const clients = Array.from({ length: 8 }, (_, worker) => client(worker));

    const plans: Array<Array<[NodeId, number]>> = [
      [
        ["a", 1],
        ["b", 3],
      ],
      [
        ["b", 1],
        ["c", 1],
      ],
      [
        ["c", 2],
        ["a", 1],
      ],
      [
        ["a", 1],
        ["b", 1],
        ["c", 5],
      ],
      [["b", 1]],
    ];
    let version = gateway.runtime.snapshot.version;
    for (let i = 0; i < 40; i++) {
      // Paced by traffic, not by time: every reload lands among requests in flight.
      const mark = completed + 15;
      await waitFor(() => completed >= mark || failures.length > 0, "traffic between reloads");
      const result = await reloadTo(plans[i % plans.length]!);
      expect(result).toMatchObject({ outcome: "applied", version: version + 1 });
      version = result.version;
    }
    running = false;
    await Promise.all(clients);
    expect(failures).toEqual([]);
    expect(completed).toBeGreaterThanOrEqual(600);
  });

  it("lets a request in flight finish on the node a reload removes, and sends new ones to the new set", async () => {
    await reloadTo([["a", 1]]);
    nodes.a.behaviour.delayMs = 300;
    const slow = oneRequest(false, "slow one");
    await waitFor(
      () => nodes.a.calls.some((call) => JSON.stringify(call.body).includes("slow one")),
      "the slow request to reach a",
    );
    await reloadTo([["c", 1]]);
    const callsBefore = { a: nodes.a.calls.length, b: nodes.b.calls.length };
    const answers = await Promise.all(Array.from({ length: 10 }, () => oneRequest(false)));
    expect(answers).toEqual(Array(10).fill("c"));
    expect(await slow).toBe("a");
    expect({ a: nodes.a.calls.length, b: nodes.b.calls.length }).toEqual(callsBefore);
    nodes.a.behaviour.delayMs = 2;
  });
});
