// Starts a gateway child in front of a benchmark upstream: one key, one node serving "bench-model", limits far
// above any benchmark's rate (so they are checked on every request but never refuse), plus the bench's overrides.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConfigInput } from "#config/schema.ts";
import { type Child, startChild } from "./processes.ts";

export const benchKey = "sk-bench-0123456789";
export const benchHeaders = { "content-type": "application/json", authorization: `Bearer ${benchKey}` };
/**
 * A short chat at temperature > 0: the cache is consulted but (by policy) does not answer, so every request reaches
 * the upstream.
 */
export const uncachedChatBody = JSON.stringify({
  model: "bench-model",
  temperature: 0.7,
  max_tokens: 16,
  messages: [{ role: "user", content: "Say something about foxes." }],
});

export async function startBenchGateway(
  upstreamPort: number,
  overrides: ConfigInput,
  /** `script`: another checkout's gateway-child.ts (bench:compare runs an older revision beside this one). */
  opts: { execArgv?: string[]; script?: string; stdout?: "pipe" } = {},
): Promise<Child> {
  const config: ConfigInput = {
    server: { listen: { host: "127.0.0.1", port: 0 } },
    auth: { keys: [{ key: benchKey, tenant: "bench" }] },
    nodes: [{ id: "up", url: `http://127.0.0.1:${upstreamPort}`, models: ["bench-model"] }],
    ...overrides,
    rateLimit: { perKey: { requestsPerMinute: 1e9, tokensPerMinute: 1e12 }, ...overrides.rateLimit },
  };
  const configPath = join(await mkdtemp(join(tmpdir(), "switchyard-bench-")), "gateway.json");
  await writeFile(configPath, JSON.stringify(config));
  return startChild(opts.script ?? "bench/support/gateway-child.ts", [configPath], opts);
}
