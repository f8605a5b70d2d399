// The admin API over real HTTP: token checks, the redacted config, node state, reload from a request body
// (good, invalid, listen changes) and the reload metrics.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "#gateway/server.ts";
import { type FakeNode, startFakeNode } from "#test/support/fake-node.ts";
import { authHeaders, testKey } from "#test/support/gateway.ts";
import { adminConfig, adminFetch, adminToken, metricValue, startAdminGateway } from "./support.ts";

let a: FakeNode;
let b: FakeNode;
let gateway: RunningGateway & { admin: { url: string } };

const nodeApiKey = "node-secret-key-42";
const redisPassword = "redis-pass-s3cret";
const baseInput = () => ({
  nodes: [
    { id: "a", url: a.url, models: ["m1"], apiKey: nodeApiKey },
    { id: "b", url: b.url, models: ["m1"], tier: "gpu" as const },
  ],
  redis: { url: `redis://default:${redisPassword}@127.0.0.1:6379` },
});

beforeAll(async () => {
  a = await startFakeNode("a");
  b = await startFakeNode("b");
  gateway = await startAdminGateway(baseInput());
});
afterAll(async () => {
  await gateway.close();
  await Promise.all([a.close(), b.close()]);
});

const reload = (body: string) =>
  adminFetch(gateway, "/admin/reload", { method: "POST", body, headers: { "content-type": "application/yaml" } });
const chat = () =>
  fetch(`${gateway.url}/v1/chat/completions`, {
    method: "POST",
    headers: authHeaders(),
    body: JSON.stringify({ model: "m1", messages: [{ role: "user", content: "hi" }] }),
  });

describe("admin token", () => {
  it.each([
    ["no header", undefined],
    ["a wrong token of the same length", `Bearer ${"x".repeat(adminToken.length)}`],
    ["a shorter token", "Bearer short"],
    ["a much longer token", `Bearer ${adminToken.repeat(20)}`],
    ["the API key", `Bearer ${testKey}`],
    ["a non-bearer scheme", `Basic ${adminToken}`],
  ])("refuses %s with 401 and an OpenAI error body", async (_, authorization) => {
    const res = await fetch(`${gateway.admin.url}/admin/config`, { headers: authorization ? { authorization } : {} });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    const body = (await res.json()) as { error: { code: string; type: string } };
    expect(body.error).toMatchObject({ code: "invalid_admin_token", type: "invalid_request_error" });
  });

  it("guards unknown admin paths too, and is not served on the public port", async () => {
    expect((await fetch(`${gateway.admin.url}/admin/nope`)).status).toBe(401);
    expect((await adminFetch(gateway, "/admin/nope")).status).toBe(404);
    expect(
      (await fetch(`${gateway.url}/admin/config`, { headers: { authorization: `Bearer ${adminToken}` } })).status,
    ).toBe(404);
  });
});

describe("GET /admin/config", () => {
  it("shows the running config with every secret redacted", async () => {
    const res = await adminFetch(gateway, "/admin/config");
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const secret of [testKey, adminToken, nodeApiKey, redisPassword]) expect(text).not.toContain(secret);
    const body = JSON.parse(text) as {
      version: number;
      hash: string;
      config: { nodes: Array<{ id: string; apiKey?: string }>; redis: { url: string } };
    };
    expect(body.version).toBe(gateway.runtime.snapshot.version);
    expect(body.hash).toBe(gateway.runtime.snapshot.hash);
    expect(body.config.nodes.map((n) => n.id)).toEqual(["a", "b"]);
    expect(body.config.nodes[0]!.apiKey).toBe("[redacted]");
    expect(body.config.redis.url).toBe("redis://default:[redacted]@127.0.0.1:6379");
  });
});

describe("GET /admin/nodes", () => {
  it("lists every node with its tier and routing state", async () => {
    expect((await chat()).status).toBe(200);
    const body = (await (await adminFetch(gateway, "/admin/nodes")).json()) as {
      version: number;
      nodes: Array<{
        id: string;
        tier: string;
        weight: number;
        breaker: string;
        drained: boolean;
        inflight: number;
        latencyEwmaMs: number | null;
      }>;
    };
    expect(body.version).toBe(gateway.runtime.snapshot.version);
    expect(body.nodes.map((n) => [n.id, n.tier, n.weight])).toEqual([
      ["a", "cpu", 1],
      ["b", "gpu", 1],
    ]);
    for (const node of body.nodes) expect(node).toMatchObject({ breaker: "closed", drained: false, inflight: 0 });
    // The request above was measured on whichever node served it.
    expect(body.nodes.some((n) => typeof n.latencyEwmaMs === "number")).toBe(true);
  });
});

describe("POST /admin/reload with a config body", () => {
  it("applies a valid config atomically and counts it", async () => {
    const before = gateway.runtime.snapshot.version;
    const next = adminConfig({
      ...baseInput(),
      nodes: [...baseInput().nodes, { id: "c", url: b.url, models: ["m2"] }],
    });
    const res = await reload(JSON.stringify(next));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      outcome: "applied",
      trigger: "admin",
      version: before + 1,
      previousVersion: before,
      restartRequired: [],
    });
    const models = (await (await fetch(`${gateway.url}/v1/models`, { headers: authHeaders() })).json()) as {
      data: Array<{ id: string }>;
    };
    expect(models.data.map((m) => m.id)).toEqual(["m1", "m2"]);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metricValue(metrics, "switchyard_config_version")).toBe(before + 1);
    expect(metricValue(metrics, "switchyard_config_reloads_total", { outcome: "applied", trigger: "admin" })).toBe(1);
  });

  it("reports an identical config as unchanged without a new version", async () => {
    const before = gateway.runtime.snapshot.version;
    const same = adminConfig({
      ...baseInput(),
      nodes: [...baseInput().nodes, { id: "c", url: b.url, models: ["m2"] }],
    });
    const body = (await (await reload(JSON.stringify(same))).json()) as { outcome: string; version: number };
    expect(body).toMatchObject({ outcome: "unchanged", version: before });
  });

  it("rejects an invalid config naming the field, and changes nothing", async () => {
    const before = gateway.runtime.snapshot;
    const res = await reload(
      `nodes:\n  - { id: a, url: "not a url", models: [m1] }\n  - { id: a, url: "${b.url}", models: [] }\n`,
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: { message: string; code: string; param: string };
      reload: { outcome: string; issues: string[] };
    };
    expect(body.error.code).toBe("invalid_config");
    expect(body.error.param).toBe("nodes.0.url");
    expect(body.error.message).toContain("nodes.0.url");
    expect(body.error.message).toContain("nodes.1.models: a node must serve at least one model");
    expect(body.reload.outcome).toBe("rejected");
    expect(gateway.runtime.snapshot).toBe(before);
    expect((await chat()).status).toBe(200);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metricValue(metrics, "switchyard_config_reloads_total", { outcome: "rejected", trigger: "admin" })).toBe(1);
  });

  it("rejects YAML that does not parse", async () => {
    const res = await reload("nodes: [ { id: a");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("not valid YAML");
  });

  it("keeps listening where it is when the listen address changes, and says a restart is needed", async () => {
    const next = adminConfig({ ...baseInput(), admin: { token: adminToken } });
    const moved = { ...next, server: { listen: { host: "127.0.0.1", port: 1 } } };
    const body = (await (await reload(JSON.stringify(moved))).json()) as { outcome: string; restartRequired: string[] };
    expect(body.outcome).toBe("applied");
    expect(body.restartRequired).toEqual([
      expect.stringContaining("server.listen changed from 127.0.0.1:0 to 127.0.0.1:1: restart to apply"),
    ]);
    expect(gateway.runtime.snapshot.config.server.listen.port).toBe(0);
    expect((await chat()).status).toBe(200);
  });

  it("takes a new admin token at once", async () => {
    const newToken = "rotated-admin-token-abcdef0123";
    const res = await reload(JSON.stringify(adminConfig({ ...baseInput(), admin: { token: newToken } })));
    expect(res.status).toBe(200);
    expect((await adminFetch(gateway, "/admin/config")).status).toBe(401);
    expect((await adminFetch(gateway, "/admin/config", {}, newToken)).status).toBe(200);
    await adminFetch(
      gateway,
      "/admin/reload",
      { method: "POST", body: JSON.stringify(adminConfig(baseInput())) },
      newToken,
    );
    expect((await adminFetch(gateway, "/admin/config")).status).toBe(200);
  });

  it("asks for a body when the gateway has no config file to re-read", async () => {
    const res = await adminFetch(gateway, "/admin/reload", { method: "POST" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("no_config_file");
  });
});

describe("POST /admin/reload limits", () => {
  it("refuses a body over 1 MiB with 413 before parsing it", async () => {
    const before = gateway.runtime.snapshot.version;
    const res = await reload(`# ${"x".repeat(1_100_000)}\n`);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("request_too_large");
    expect(gateway.runtime.snapshot.version).toBe(before);
  });
});
