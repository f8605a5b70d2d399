// Two proxies measured at the same time on the same pinned core, each under its own equal load from the other cores:
// the one whose request costs less CPU serves more of them, and the ratio of their throughputs is the ratio of
// their costs. Measured one after the other, the same comparison moved by ±30% between runs on a shared machine
// (its speed drifts from one second to the next); measured side by side, drift hits both alike. Measured here, a
// gateway against the same code: medians of 0.97–1.00 over 12 rounds, once the two took turns at starting first
// (before, the one started second was favoured: 0.99–1.06, and 1.03 in 8 rounds).

import { throughput, withCpu } from "./measure.ts";
import { type CorePlan, pinProcess } from "./pinning.ts";
import type { Child } from "./processes.ts";

export type SideBySideRound = { rps: [number, number]; cpuPerRequest: [number, number]; errors: number };

export async function sideBySide(
  pair: [Child, Child],
  plan: CorePlan,
  opts: {
    path: string;
    body: string;
    headers: Record<string, string>;
    connections: number;
    seconds: number;
    rounds: number;
    uniqueIds?: boolean;
  },
): Promise<SideBySideRound[]> {
  for (const child of pair) pinProcess(child.process.pid, plan.proxyCore);
  const rounds: SideBySideRound[] = [];
  for (let round = 0; round < opts.rounds; round++) {
    // Whichever load starts first gets a head start (measured here: ~3% for the same gateway against itself), so
    // the two take turns at going first.
    const order = round % 2 === 0 ? pair : [pair[1], pair[0]];
    const measured = await Promise.all(
      order.map((child) =>
        withCpu(child.process.pid, () =>
          throughput(`http://127.0.0.1:${child.port}${opts.path}`, {
            body: opts.body,
            headers: opts.headers,
            connections: opts.connections,
            seconds: opts.seconds,
            uniqueIds: opts.uniqueIds,
          }),
        ),
      ),
    );
    const [a, b] = round % 2 === 0 ? measured : [measured[1], measured[0]];
    rounds.push({
      rps: [a!.result.rps, b!.result.rps],
      cpuPerRequest: [a!.cpu / (a!.result.rps * opts.seconds), b!.cpu / (b!.result.rps * opts.seconds)],
      errors: a!.result.errors + a!.result.non2xx + b!.result.errors + b!.result.non2xx,
    });
  }
  return rounds;
}

/** Per round, the second proxy's throughput and CPU per request relative to the first's, and all errors. */
export function sideBySideRatios(rounds: SideBySideRound[]): { rps: number[]; cpu: number[]; errors: number } {
  return {
    rps: rounds.map((r) => r.rps[1] / r.rps[0]),
    // Above 1: the second proxy spends less CPU per request.
    cpu: rounds.map((r) => r.cpuPerRequest[0] / r.cpuPerRequest[1]),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
  };
}
