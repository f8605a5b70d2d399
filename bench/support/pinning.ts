// Core pinning for proxy benchmarks. On a small machine the load generator, the upstream and the proxy under test
// compete for the same cores, and a proxy that loses a time slice to its own load generator looks slower than it
// is (throughput ratios swung by ±30% between runs). Pinning the proxy under test to a core of its own, and
// everything else to the remaining cores, gives the gateway and the bare proxy the same, steadier footing.
// Linux only (taskset); elsewhere, with fewer than 2 cores or BENCH_PIN=0, nothing is pinned.
import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";

export type CorePlan = { proxyCore: string; otherCores: string };

export function corePlan(): CorePlan | undefined {
  const cores = availableParallelism();
  if (process.env.BENCH_PIN === "0" || process.platform !== "linux" || cores < 2) return undefined;
  try {
    execFileSync("taskset", ["-V"], { stdio: "ignore" });
  } catch {
    return undefined;
  }
  return { proxyCore: String(cores - 1), otherCores: cores === 2 ? "0" : `0-${cores - 2}` };
}

/** Pins every thread of `pid` (and the threads it starts later, which inherit the mask) to `cores`. */
export function pinProcess(pid: number | undefined, cores: string): void {
  if (pid === undefined) return;
  execFileSync("taskset", ["--all-tasks", "--pid", "--cpu-list", cores, String(pid)], { stdio: "ignore" });
}

export function describePlan(plan: CorePlan | undefined): string {
  return plan
    ? `for throughput the proxy under test is pinned to core ${plan.proxyCore}, load generator and upstream to ${plan.otherCores}`
    : "no core pinning";
}
