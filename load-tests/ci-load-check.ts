// `npm run load:ci`: a CI-sized load check. A real gateway (its own process) in front of loopback fake nodes,
// driven by autocannon for a bounded time with a mix of JSON chat, streamed chat, embeddings and repeated
// temperature-0 requests the cache should answer. It fails on any connection error, timeout, non-2xx, stream
// without `data: [DONE]`, or a cache that never hits. `--base-url`/`--api-key` aim it at a running system
// (`npm start`) instead.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { type FakeNode, startFakeNode } from "#test/support/fake-node.ts";
import { benchLimits } from "../bench/support/bench-gateway.ts";
import { type Child, startChild } from "../bench/support/processes.ts";

export type LoadCheckOptions = {
  seconds: number;
  connections: number;
  /** A running gateway to test; absent: start one in front of fake nodes. */
  baseUrl?: string;
  apiKey?: string;
  model?: string;
  embedModel?: string;
};

export type LoadCheckResult = {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Streams whose body did not end with `data: [DONE]`. */
  brokenStreams: number;
  cacheHits: number;
  cacheableRequests: number;
};

const localKey = "sk-load-check-0123456789";

export async function runLoadCheck(opts: LoadCheckOptions): Promise<LoadCheckResult> {
  const target = opts.baseUrl ? { url: opts.baseUrl, close: async () => {} } : await startLocalTarget();
  try {
    return await drive(target.url, { ...opts, apiKey: opts.apiKey ?? localKey });
  } finally {
    await target.close();
  }
}

export function failures(result: LoadCheckResult): string[] {
  const problems: string[] = [];
  if (result.requests === 0) problems.push("no request completed");
  if (result.errors || result.timeouts)
    problems.push(`${result.errors} connection errors (${result.timeouts} timeouts)`);
  if (result.non2xx) problems.push(`${result.non2xx} non-2xx responses`);
  if (result.brokenStreams) problems.push(`${result.brokenStreams} streams did not end with data: [DONE]`);
  if (result.cacheableRequests > 1 && result.cacheHits === 0)
    problems.push("repeated temperature-0 requests never hit the cache");
  return problems;
}

async function drive(baseUrl: string, opts: LoadCheckOptions & { apiKey: string }): Promise<LoadCheckResult> {
  const model = opts.model ?? "demo-gpt";
  const embedModel = opts.embedModel ?? "demo-embed";
  const headers = { "content-type": "application/json", authorization: `Bearer ${opts.apiKey}` };
  const counts = { brokenStreams: 0, cacheHits: 0, cacheableRequests: 0 };
  const chat = (extra: Record<string, unknown>, content: string) =>
    JSON.stringify({ model, max_tokens: 8, messages: [{ role: "user", content }], ...extra });
  // autocannon cycles through these on every connection, so the mix is fixed: a quarter of each.
  const requests: autocannon.Request[] = [
    { method: "POST", path: "/v1/chat/completions", headers, body: chat({ temperature: 0.7 }, "Tell me about foxes.") },
    {
      method: "POST",
      path: "/v1/chat/completions",
      headers,
      body: chat({ temperature: 0.7, stream: true }, "Stream about owls."),
      onResponse: (status, body) => {
        if (status === 200 && !body.trimEnd().endsWith("data: [DONE]")) counts.brokenStreams++;
      },
    },
    {
      method: "POST",
      path: "/v1/embeddings",
      headers,
      body: JSON.stringify({ model: embedModel, input: ["load check"] }),
    },
    {
      method: "POST",
      path: "/v1/chat/completions",
      headers,
      body: chat({ temperature: 0 }, "The same question every time."),
      onResponse: (_status, _body, _context, responseHeaders) => {
        counts.cacheableRequests++;
        if (responseHeaders?.["x-switchyard-cache"] === "hit") counts.cacheHits++;
      },
    },
  ];
  const result = await autocannon({
    url: baseUrl,
    connections: opts.connections,
    duration: opts.seconds,
    timeout: 10,
    requests,
  });
  return {
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    ...counts,
  };
}

/** A gateway process from a temporary config, in front of two fake nodes in this process. */
async function startLocalTarget(): Promise<{ url: string; close(): Promise<void> }> {
  const nodes: FakeNode[] = [await startFakeNode("load-a"), await startFakeNode("load-b")];
  const dir = await mkdtemp(join(tmpdir(), "switchyard-load-"));
  const configPath = join(dir, "gateway.json");
  await writeFile(
    configPath,
    JSON.stringify({
      server: { listen: { host: "127.0.0.1", port: 0 } },
      auth: { keys: [{ key: localKey, tenant: "load" }] },
      nodes: nodes.map((node, i) => ({
        id: `node-${i}`,
        url: node.url,
        models: ["demo-gpt", "demo-embed"],
        tier: i ? "cpu" : "gpu",
      })),
      cache: { store: "memory" },
      rateLimit: { store: "memory", perKey: benchLimits },
      logging: { level: "warn" },
    }),
  );
  let gateway: Child | undefined;
  try {
    gateway = await startChild(fileURLToPath(new URL("../bench/support/gateway-child.ts", import.meta.url)), [
      configPath,
    ]);
  } catch (error) {
    await Promise.all(nodes.map((n) => n.close()));
    throw error;
  }
  const started = gateway;
  return {
    url: `http://127.0.0.1:${started.port}`,
    async close() {
      started.stop();
      await Promise.all(nodes.map((n) => n.close()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      seconds: { type: "string", default: "8" },
      connections: { type: "string", default: "16" },
      "base-url": { type: "string" },
      "api-key": { type: "string" },
      model: { type: "string" },
      "embed-model": { type: "string" },
    },
  });
  const seconds = Math.min(10, Number(values.seconds));
  const result = await runLoadCheck({
    seconds,
    connections: Number(values.connections),
    baseUrl: values["base-url"],
    apiKey: values["api-key"],
    model: values.model,
    embedModel: values["embed-model"],
  });
  console.log(
    `load:ci ${seconds}s x ${values.connections} connections: ${result.requests} requests, ${result.rps} req/s, ` +
      `p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, cache hits ${result.cacheHits}/${result.cacheableRequests}, ` +
      `errors ${result.errors}, non-2xx ${result.non2xx}, broken streams ${result.brokenStreams}`,
  );
  const problems = failures(result);
  for (const problem of problems) console.error(`FAIL: ${problem}`);
  process.exitCode = problems.length ? 1 : 0;
}
