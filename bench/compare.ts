// npm run bench:compare [-- <git ref>] — is the working tree's gateway faster than the code at <ref> (default HEAD)?
// BENCH_STREAM=1 compares streamed chats instead (34 events per request), for changes to the per-event path.
// BENCH_LATENCY=1 compares the latency each adds at concurrency 1 instead (unpinned, in alternating blocks).
// BENCH_CACHE picks what the cache does: `bypass` (default: temperature 0.7, not cacheable), `miss` (temperature 0
// and a new id in each message: every request runs through caching and coalescing, none is answered from the cache)
// or `hit` (temperature 0, one body: answered from the cache).
// Both gateways run side by side on one pinned core (support/side-by-side.ts). Measured here, the same code against
// itself: medians of 0.97–1.00 over 12 rounds (single rounds 0.85–1.03), so a change worth less than ~3% does not
// show.
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { benchHeaders, startBenchGateway, uncachedChatBody } from "./support/bench-gateway.ts";
import { addedLatency, fmt, quantile, steadyLatency, throughput } from "./support/measure.ts";
import { type CorePlan, corePlan, pinProcess } from "./support/pinning.ts";
import { startChild } from "./support/processes.ts";
import { sideBySide, sideBySideRatios } from "./support/side-by-side.ts";

const ref = process.argv[2] ?? "HEAD";
const rounds = Number(process.env.BENCH_ROUNDS ?? 12);
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const connections = 32; // per gateway
const streamed = process.env.BENCH_STREAM === "1";
const latencyOnly = process.env.BENCH_LATENCY === "1";
const cache = process.env.BENCH_CACHE ?? "bypass";
if (!["bypass", "miss", "hit"].includes(cache)) throw new Error("BENCH_CACHE is bypass, miss or hit");
const uniqueIds = cache === "miss";
const body = JSON.stringify({
  ...JSON.parse(uncachedChatBody),
  ...(streamed ? { stream: true } : {}),
  ...(cache === "bypass" ? {} : { temperature: 0 }),
  ...(uniqueIds ? { messages: [{ role: "user", content: "Say something about request [<id>]." }] } : {}),
});
const headers = benchHeaders;

const plan = corePlan();
if (!plan) throw new Error("bench:compare needs 2+ cores and taskset: both gateways must share one pinned core");
// The ref's code, checked out beside the repository, with this checkout's dependencies and demo models.
const root = resolve(import.meta.dirname, "..");
const tree = await mkdtemp(join(tmpdir(), "switchyard-compare-"));
execFileSync("git", ["worktree", "add", "--detach", tree, ref], { cwd: root, stdio: "ignore" });
await symlink(join(root, "node_modules"), join(tree, "node_modules"));

const upstream = await startChild("bench/support/fixed-upstream.ts");
const overrides = { cache: { store: "memory" as const }, rateLimit: { store: "memory" as const } };
const gateways = {
  [ref]: await startBenchGateway(upstream.port, overrides, { script: join(tree, "bench/support/gateway-child.ts") }),
  "working tree": await startBenchGateway(upstream.port, overrides),
};
try {
  console.log(
    latencyOnly
      ? `# bench:compare — working tree vs ${ref}${streamed ? ", streamed chats" : ""}, cache ${cache}: latency added at c=1, 8s unmeasured, then ${rounds} rounds of 2,000 requests each to both and to the upstream, in alternating blocks`
      : `# bench:compare — working tree vs ${ref}${streamed ? ", streamed chats" : ""}, cache ${cache}: both gateways on core ${plan.proxyCore}, ${connections} connections each, ${rounds} rounds of ${seconds}s`,
  );
  // JIT warm-up, unpinned
  await Promise.all(
    Object.values(gateways).map((g) =>
      throughput(`http://127.0.0.1:${g.port}/v1/chat/completions`, {
        body,
        headers,
        connections,
        seconds: 8,
        uniqueIds,
      }),
    ),
  );
  await (latencyOnly ? compareLatency() : compareThroughput(plan));
} finally {
  for (const child of [...Object.values(gateways), upstream]) child.stop();
  execFileSync("git", ["worktree", "remove", "--force", tree], { cwd: root, stdio: "ignore" });
  await rm(tree, { recursive: true, force: true });
}

/** Side by side on the pinned core: throughput and CPU per request of the working tree relative to the ref's. */
async function compareThroughput(plan: CorePlan): Promise<void> {
  pinProcess(process.pid, plan.otherCores);
  pinProcess(upstream.process.pid, plan.otherCores);
  const measured = await sideBySide([gateways[ref]!, gateways["working tree"]!], plan, {
    path: "/v1/chat/completions",
    body,
    headers,
    connections,
    seconds,
    rounds,
    uniqueIds,
  });
  const { rps: rpsRatios, cpu: cpuRatios, errors } = sideBySideRatios(measured);
  console.log(
    `working tree / ${ref} throughput:      median ${fmt(quantile(rpsRatios, 0.5), 3)}× (${rpsRatios.map((r) => fmt(r, 3)).join(", ")})`,
  );
  console.log(
    `${ref} / working tree CPU per request: median ${fmt(quantile(cpuRatios, 0.5), 3)}× (above 1: the working tree is cheaper)`,
  );
  console.log(`errors and non-2xx answers: ${errors}`);
}

/**
 * Per round, 2,000 sequential requests to each gateway and to the upstream directly, taking turns in blocks of 200,
 * after 8 s of unmeasured rounds; the figure is the median over rounds of the p50 each gateway adds over the
 * upstream's own.
 */
async function compareLatency(): Promise<void> {
  const origins = {
    direct: `http://127.0.0.1:${upstream.port}`,
    ...Object.fromEntries(Object.entries(gateways).map(([name, { port }]) => [name, `http://127.0.0.1:${port}`])),
  };
  const { measured } = await steadyLatency(origins, "/v1/chat/completions", {
    body,
    headers,
    warmupSeconds: 8,
    rounds,
  });
  const added = {
    [ref]: addedLatency(measured, ref, "direct").p50,
    "working tree": addedLatency(measured, "working tree", "direct").p50,
  };
  for (const [name, values] of Object.entries(added)) {
    console.log(
      `${name.padEnd(12)} adds p50 ${fmt(quantile(values, 0.5), 3)} ms at c=1 (median of ${rounds} rounds: ${values.map((v) => fmt(v, 3)).join(", ")})`,
    );
  }
  const deltas = added[ref]!.map((value, i) => value - added["working tree"]![i]!);
  console.log(`working tree saves ${fmt(quantile(deltas, 0.5), 3)} ms per request at c=1 (median of per-round gaps)`);
}
