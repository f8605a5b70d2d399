// Helpers for the admin and reload suites: a gateway with the admin API on 127.0.0.1:0, config files on disk,
// admin calls with the token, metric reads and polling with a deadline.
import { writeFile } from "node:fs/promises";
import pino from "pino";
import { stringify } from "yaml";
import { parseConfig } from "#config/load.ts";
import type { ConfigInput } from "#config/schema.ts";
import { type RunningGateway, startGateway } from "#gateway/server.ts";
import { testKey } from "#test/support/gateway.ts";

export const adminToken = "admin-token-0123456789abcdef";

/** A full config input with loopback listeners on free ports, the test API key and the admin API on. */
export function adminConfig(input: ConfigInput = {}): ConfigInput {
  return {
    auth: { keys: [{ key: testKey, tenant: "team-a", name: "test" }] },
    ...input,
    server: { ...input.server, listen: { host: "127.0.0.1", port: 0 } },
    admin: { enabled: true, token: adminToken, listen: { host: "127.0.0.1", port: 0 }, ...input.admin },
  };
}

export async function startAdminGateway(
  input: ConfigInput = {},
  configPath?: string,
): Promise<RunningGateway & { admin: { url: string } }> {
  const config = parseConfig(adminConfig(input), "test", {});
  const logger = pino({ level: process.env.SWITCHYARD_TEST_LOGS ? "debug" : "silent" });
  const gateway = await startGateway(config, { logger, configPath, env: {} });
  if (!gateway.admin) throw new Error("admin API did not start");
  return { ...gateway, admin: gateway.admin };
}

export async function writeConfig(path: string, input: ConfigInput): Promise<void> {
  await writeFile(path, stringify(adminConfig(input)));
}

export function adminFetch(
  gateway: { admin: { url: string } },
  path: string,
  init: RequestInit = {},
  token = adminToken,
): Promise<Response> {
  return fetch(gateway.admin.url + path, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });
}

export async function configVersion(adminUrl: string): Promise<number> {
  const res = await fetch(`${adminUrl}/admin/config`, { headers: { authorization: `Bearer ${adminToken}` } });
  return ((await res.json()) as { version: number }).version;
}

/** The value of one metric sample from a Prometheus text page, or undefined when absent. */
export function metricValue(page: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of page.split("\n")) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

export { waitFor } from "#test/support/wait.ts";
