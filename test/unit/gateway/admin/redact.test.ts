// Secrets never reach `GET /admin/config`: every secret field of the schema is replaced, nothing else changes.
import { describe, expect, it } from "vitest";
import { parseConfig } from "#config/load.ts";
import { REDACTED, redactConfig, redactUrlPassword } from "#gateway/admin/redact.ts";

const secrets = [
  "sk-team-a-secret-1",
  "sk-batch-secret-22",
  "node-upstream-key",
  "admin-token-0123456789abcdef",
  "hunter2hunter2",
];

const config = parseConfig(
  {
    auth: {
      keys: [
        { key: secrets[0], tenant: "a", name: "team-a" },
        { key: secrets[1], tenant: "batch" },
      ],
    },
    nodes: [
      { id: "n1", url: "http://n1:8001", models: ["m"], apiKey: secrets[2] },
      { id: "n2", url: "http://n2:8001", models: ["m"] },
    ],
    admin: { enabled: true, token: secrets[3] },
    redis: { url: `rediss://default:${secrets[4]}@redis.internal:6380/0` },
  },
  "test",
  {},
);

describe("redactConfig", () => {
  it("removes every secret and keeps the names operators need", () => {
    const shown = redactConfig(config);
    const text = JSON.stringify(shown);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(shown.auth.keys).toEqual([
      { key: REDACTED, tenant: "a", name: "team-a" },
      { key: REDACTED, tenant: "batch" },
    ]);
    expect(shown.nodes.map((n) => n.apiKey)).toEqual([REDACTED, undefined]);
    expect(shown.admin.token).toBe(REDACTED);
    expect(shown.redis.url).toBe(`rediss://default:${REDACTED}@redis.internal:6380/0`);
  });

  it("changes nothing but the secrets, and leaves the frozen config alone", () => {
    const shown = redactConfig(config);
    expect({ ...shown, auth: config.auth, nodes: config.nodes, admin: config.admin, redis: config.redis }).toEqual(
      config,
    );
    expect(config.auth.keys[0]!.key).toBe(secrets[0]);
  });
});

describe("redactUrlPassword", () => {
  it.each([
    ["redis://127.0.0.1:6379", "redis://127.0.0.1:6379"],
    ["redis://:pw@host:6379", `redis://:${REDACTED}@host:6379`],
    ["redis://user:pw@host", `redis://user:${REDACTED}@host`],
    ["redis://lonepassword@host", `redis://${REDACTED}@host`],
    ["redis://u:p@ss@host/1", `redis://u:${REDACTED}@host/1`],
    ["redis://host:6379?password=pw&db=1", `redis://host:6379?password=${REDACTED}&db=1`],
  ])("%s", (url, expected) => {
    expect(redactUrlPassword(url)).toBe(expected);
  });
});
