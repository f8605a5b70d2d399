// npm run bench:jit — does V8 keep deoptimizing any of the gateway's functions once it is warm? A function that is
// deoptimized, recompiled and deoptimized again on every few thousand requests costs the request path twice: it
// runs unoptimized in between, and each recompile takes CPU on the same core. Found this way: the balancer's pick,
// deoptimized ~90 times per 100k requests because a model name parsed from each request was used as a property key
// (2.5–5.5% of the gateway's throughput). Prints each function's deoptimizations during the measured requests, after
// a warm-up, for plain, streamed and cached chat and for a mix of keys, tenants, models and tiers. Exits 1 when one
// function was deoptimized BENCH_JIT_LIMIT (20) times or more in one phase, or when a phase's requests failed. A
// handful is normal: code meeting a new object shape late, once.
import autocannon from "autocannon";
import type { ConfigInput } from "#config/schema.ts";
import { benchHeaders, benchKey, startBenchGateway, uncachedChatBody } from "./support/bench-gateway.ts";
import { startChild } from "./support/processes.ts";

const warmupSeconds = Number(process.env.BENCH_WARMUP ?? 10);
const requests = Number(process.env.BENCH_REQUESTS ?? 50_000);
const limit = Number(process.env.BENCH_JIT_LIMIT ?? 20);
const plain = JSON.parse(uncachedChatBody) as Record<string, unknown>;
type Phase = { body: string; mixed?: boolean };
const phases: Record<string, Phase> = {
  chat: { body: uncachedChatBody },
  "streamed chat": { body: JSON.stringify({ ...plain, stream: true }) },
  "cached chat": { body: JSON.stringify({ ...plain, temperature: 0 }) },
  // Where object shapes and strings vary from request to request: three keys of two tenants, two models and an
  // alias, served by a GPU-tier and a CPU-tier node.
  "mixed chat": { body: uncachedChatBody, mixed: true },
};
const mixedKeys = [benchKey, "sk-bench-other-0001", "sk-bench-other-0002"];
const mixedModels = ["bench-model", "bench-model-2", "bench-alias"];

const upstream = await startChild("bench/support/fixed-upstream.ts");
let looping = false;
try {
  console.log(
    `# bench:jit — per phase: ${warmupSeconds}s warm-up, then ${requests.toLocaleString("en")} requests traced with --trace-deopt`,
  );
  for (const [phase, { body, mixed }] of Object.entries(phases)) {
    // A fresh gateway per phase, so one phase's warm-up does not hide another's.
    const gateway = await startBenchGateway(
      upstream.port,
      {
        cache: { store: "memory" },
        rateLimit: { store: "memory" },
        logging: { level: "warn" },
        ...(mixed ? mixedFleet(upstream.port) : {}),
      },
      { execArgv: ["--trace-deopt"], stdout: "pipe" },
    );
    try {
      let trace = "";
      gateway.process.stdout!.setEncoding("utf8").on("data", (text: string) => {
        trace += text;
      });
      const url = `http://127.0.0.1:${gateway.port}/v1/chat/completions`;
      const load = {
        url,
        method: "POST" as const,
        body,
        headers: benchHeaders,
        connections: 32,
        ...(mixed ? { requests: mixedRequests() } : {}),
      };
      await autocannon({ ...load, duration: warmupSeconds });
      trace = "";
      const measured = await autocannon({ ...load, amount: requests });
      const counts = deoptimizations(trace);
      const worst = Math.max(0, ...counts.values());
      // A phase whose requests failed traced the error path instead of the one it names.
      const failed = measured.non2xx + measured.errors + measured.timeouts;
      looping ||= worst >= limit || failed > 0;
      if (failed > 0) console.log(`${phase}: ${failed} requests failed, so this phase proves nothing`);
      const listed = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 8);
      console.log(
        `${phase}: ${worst >= limit ? "LOOPING" : "steady"} (most deoptimizations of one function: ${worst})`,
      );
      for (const [what, count] of listed) console.log(`  ${String(count).padStart(4)}  ${what}`);
    } finally {
      gateway.stop();
    }
  }
} finally {
  upstream.stop();
}
process.exitCode = looping ? 1 : 0;

function mixedFleet(upstreamPort: number): ConfigInput {
  const url = `http://127.0.0.1:${upstreamPort}`;
  return {
    auth: { keys: mixedKeys.map((key, i) => ({ key, tenant: i === 0 ? "bench" : "other", name: `key-${i}` })) },
    nodes: [
      { id: "gpu-node", url, tier: "gpu", models: ["bench-model", "bench-model-2"] },
      { id: "cpu-node", url, tier: "cpu", models: ["bench-model", "bench-model-2"] },
    ],
    routing: { aliases: { "bench-alias": "bench-model-2" } },
  };
}

/** Every key with every model name, in turn (autocannon cycles through them). */
function mixedRequests() {
  return mixedKeys.flatMap((key) =>
    mixedModels.map((model) => ({
      method: "POST" as const,
      body: JSON.stringify({ ...plain, model }),
      headers: { ...benchHeaders, authorization: `Bearer ${key}` },
    })),
  );
}

/** Deoptimizations per function and reason, from V8's --trace-deopt lines. */
function deoptimizations(trace: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of trace.matchAll(
    /\[bailout \(kind: [^,]+, reason: ([^)]+)\): begin\. deoptimizing [^<]*<JSFunction ([^ >(]*)/g,
  )) {
    const what = `${match[2]?.trim() || "(anonymous)"}: ${match[1]}`;
    counts.set(what, (counts.get(what) ?? 0) + 1);
  }
  return counts;
}
