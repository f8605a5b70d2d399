// Starts a gateway child in front of a benchmark upstream: one key, one node serving "bench-model", limits far
// above any benchmark's rate (so they are checked on every request but never refuse), plus the bench's overrides.
// The limits stay below 2^31, as real ones do (OpenAI's largest tiers allow ~10^8 tokens a minute): at 10^12 every
// remaining-tokens header went through V8's slow path for turning a large number into text, which cost the gateway
// 2.6% of its throughput (side by side, 10 rounds) that no real configuration pays.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConfigInput } from "#config/schema.ts";
import { type Child, startChild } from "./processes.ts";

export const benchKey = "sk-bench-0123456789";
/** Over 50 times what a benchmark here sends a minute (10k requests/s of ~22 tokens), in either dimension. */
export const benchLimits = { requestsPerMinute: 1e8, tokensPerMinute: 1e9 };
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
    rateLimit: { perKey: benchLimits, ...overrides.rateLimit },
  };
  const configPath = join(await mkdtemp(join(tmpdir(), "switchyard-bench-")), "gateway.json");
  await writeFile(configPath, JSON.stringify(config));
  return startChild(opts.script ?? "bench/support/gateway-child.ts", [configPath], opts);
}
