// npm run bench:compare [-- <git ref>] — is the working tree's gateway faster than the code at <ref> (default HEAD)?
// Both gateways run at once, pinned to the same core, each under its own equal load from the other core: the one
// whose request costs less serves more of them. Drift in the machine's speed, which moves the ratio of separately
// timed runs of the same code by ±10% here, hits both alike. Measured here, the same code against itself: medians
// of 1.00–1.06 over 8–12 rounds (single rounds 0.82–1.14); removing the breaker: 1.06 with every round above 1.04.
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { benchHeaders, startBenchGateway, uncachedChatBody } from "./support/bench-gateway.ts";
import { fmt, quantile, throughput, withCpu } from "./support/measure.ts";
import { corePlan, pinProcess } from "./support/pinning.ts";
import { startChild } from "./support/processes.ts";

const ref = process.argv[2] ?? "HEAD";
const rounds = Number(process.env.BENCH_ROUNDS ?? 12);
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const connections = 32; // per gateway
const body = uncachedChatBody;
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
const url = (port: number) => `http://127.0.0.1:${port}/v1/chat/completions`;
const loadAll = (secs: number) =>
  Promise.all(
    Object.values(gateways).map((g) =>
      withCpu(g.process.pid, () => throughput(url(g.port), { body, headers, connections, seconds: secs })),
    ),
  );
try {
  console.log(
    `# bench:compare — working tree vs ${ref}: both gateways on core ${plan.proxyCore}, ${connections} connections each, ${rounds} rounds of ${seconds}s`,
  );
  await loadAll(8); // JIT warm-up, unpinned
  pinProcess(process.pid, plan.otherCores);
  pinProcess(upstream.process.pid, plan.otherCores);
  for (const g of Object.values(gateways)) pinProcess(g.process.pid, plan.proxyCore);
  const rpsRatios: number[] = [];
  const cpuRatios: number[] = [];
  let errors = 0;
  for (let round = 0; round < rounds; round++) {
    const [base, work] = await loadAll(seconds);
    errors += base!.result.errors + base!.result.non2xx + work!.result.errors + work!.result.non2xx;
    rpsRatios.push(work!.result.rps / base!.result.rps);
    cpuRatios.push(base!.cpu / base!.result.rps / (work!.cpu / work!.result.rps));
  }
  console.log(
    `working tree / ${ref} throughput:      median ${fmt(quantile(rpsRatios, 0.5), 3)}× (${rpsRatios.map((r) => fmt(r, 3)).join(", ")})`,
  );
  console.log(
    `${ref} / working tree CPU per request: median ${fmt(quantile(cpuRatios, 0.5), 3)}× (above 1: the working tree is cheaper)`,
  );
  console.log(`errors and non-2xx answers: ${errors}`);
} finally {
  for (const child of [...Object.values(gateways), upstream]) child.stop();
  execFileSync("git", ["worktree", "remove", "--force", tree], { cwd: root, stdio: "ignore" });
  await rm(tree, { recursive: true, force: true });
}
