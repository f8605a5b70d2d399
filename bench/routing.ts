// npm run bench:routing — latency and errors of each routing strategy over 3 local fake model nodes with a fixed
// service time, one of them 3× slower, against the same pool without the slow node; then 3 equal nodes with one
// killed mid-run. Nodes share their capacity among the requests they hold (processor sharing, like a batching
// model server); the slow-node phase is repeated with single-slot FIFO nodes as a harsher case. All pools of a
// phase run at once on one Poisson arrival schedule, so bursts and CPU contention hit each pool alike (a paired
// comparison). Loopback only, about 40 s in all. This file is also the fake node (`--node <ms> <ps|fifo>`).
import { type ChildProcess, fork } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { Registry } from "prom-client";
import { parseConfig } from "#config/load.ts";
import { NodeRegistry } from "#gateway/nodes/registry.ts";
import type { Forwarder, ForwardRequest } from "#gateway/pipeline/types.ts";
import { createRoutingForwarder } from "#gateway/resilience/forwarder.ts";

const serviceMs = Number(process.env.BENCH_SERVICE_MS ?? 10);
const rate = Number(process.env.BENCH_RPS ?? 100);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const strategies = ["round-robin", "least-inflight", "latency"];

type NodeModel = "ps" | "fifo";
type PoolSpec = { label: string; strategy: string; serviceTimes: number[]; model: NodeModel };
type Pool = PoolSpec & {
  nodes: Array<{ port: number; child: ChildProcess }>;
  registry: NodeRegistry;
  forward: Forwarder;
  metrics: Registry;
};
type Result = { p50: number; p99: number; errors: number; count: number; shareOfLast: number };

async function main(): Promise<void> {
  const fast = serviceMs;
  console.log(
    `# bench:routing — service time ${fast} ms (slow node ${fast * 3} ms); open-loop Poisson ${rate} req/s × ${seconds} s into every pool at once`,
  );
  for (const model of ["ps", "fifo"] as const) {
    const results = await runPhase(
      [
        { label: "without slow node (2 nodes): latency", strategy: "latency", serviceTimes: [fast, fast], model },
        ...strategies.map((strategy) => ({
          label: `slow node: ${strategy}`,
          strategy,
          serviceTimes: [fast, fast, fast * 3],
          model,
        })),
      ],
      seconds,
    );
    console.log(
      model === "ps"
        ? "## processor-sharing nodes (batching-like)"
        : "## single-slot FIFO nodes (harsher: in-flight work is partly done, so (in-flight+1) overestimates)",
    );
    const [baseline, ...slow] = results as [Result, ...Result[]];
    print("without slow node (2 nodes): latency", baseline);
    for (const [i, result] of slow.entries()) {
      print(`slow node: ${strategies[i]}`, result, `share to slow node ${(result.shareOfLast * 100).toFixed(1)}%`);
    }
    const latency = slow.at(-1) as Result;
    console.log(
      `latency strategy p99 with slow node / p99 without it: ${(latency.p99 / baseline.p99).toFixed(2)}× (target ≤ 1.30×)`,
    );
  }
  const killSeconds = Math.max(4, seconds / 2);
  const killed = await runPhase(
    strategies.map((strategy) => ({
      label: strategy,
      strategy,
      serviceTimes: [fast, fast, fast],
      model: "ps" as const,
    })),
    killSeconds,
    (killSeconds * 1000) / 2,
  );
  console.log(
    `## one of 3 nodes killed (SIGKILL) after ${killSeconds / 2} s of ${killSeconds} s, non-streaming requests`,
  );
  for (const [i, result] of killed.entries())
    print(`node killed mid-run: ${strategies[i]}`, result, "(target: 0 failed)");
}

function print(label: string, run: Result, extra = ""): void {
  console.log(
    `${label.padEnd(38)} p50 ${run.p50.toFixed(1).padStart(6)} ms   p99 ${run.p99.toFixed(1).padStart(6)} ms   errors ${run.errors}/${run.count}   ${extra}`,
  );
}

async function runPhase(specs: PoolSpec[], durationS: number, killAtMs?: number): Promise<Result[]> {
  const pools = await Promise.all(specs.map(startPool));
  try {
    const until = Date.now() + 5000;
    const allHealthy = () => pools.every((p) => p.registry.nodes().every((n) => n.health.status === "healthy"));
    while (!allHealthy() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    await drive(pools, 1); // warm-up: connections, JIT, latency estimates
    const before = await Promise.all(pools.map((p) => attemptsOn(p.metrics, `n${p.nodes.length - 1}`)));
    const killLastNodes = () => {
      for (const pool of pools) pool.nodes.at(-1)?.child.kill("SIGKILL");
    };
    if (killAtMs !== undefined) setTimeout(killLastNodes, killAtMs);
    const results = await drive(pools, durationS);
    for (const [i, pool] of pools.entries()) {
      const result = results[i] as Result;
      result.shareOfLast =
        ((await attemptsOn(pool.metrics, `n${pool.nodes.length - 1}`)) - (before[i] ?? 0)) / result.count;
    }
    return results;
  } finally {
    for (const pool of pools) {
      await pool.registry.close(1000);
      for (const node of pool.nodes) node.child.kill("SIGKILL");
    }
  }
}

async function startPool(spec: PoolSpec): Promise<Pool> {
  const nodes = await Promise.all(spec.serviceTimes.map((ms) => startNode(ms, spec.model)));
  const config = parseConfig(
    {
      nodes: nodes.map((n, i) => ({ id: `n${i}`, url: `http://127.0.0.1:${n.port}`, models: ["m"] })),
      routing: { strategy: spec.strategy, health: { intervalMs: 500, timeoutMs: 250 } },
    },
    "bench",
    {},
  );
  const logger = pino({ level: "silent" });
  const metrics = new Registry();
  const registry = new NodeRegistry({ nodes: config.nodes, routing: config.routing, logger, metricsRegistry: metrics });
  const forward = createRoutingForwarder({ registry, config, metricsRegistry: metrics, logger });
  return { ...spec, nodes, registry, forward, metrics };
}

async function startNode(ms: number, model: NodeModel): Promise<{ port: number; child: ChildProcess }> {
  const child = fork(new URL(import.meta.url).pathname, ["--node", String(ms), model], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve) =>
    child.once("message", (m) => resolve((m as { port: number }).port)),
  );
  return { port, child };
}

/** One Poisson arrival schedule at `rate`, each arrival sent to every pool; latency counts from the arrival. */
async function drive(pools: Pool[], durationS: number): Promise<Result[]> {
  const latencies = pools.map((): number[] => []);
  const errors = pools.map(() => 0);
  const pending: Promise<void>[] = [];
  const started = performance.now();
  let next = started;
  let arrivals = 0;
  while (next - started < durationS * 1000) {
    const wait = next - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const arrival = performance.now();
    arrivals += 1;
    for (const [i, pool] of pools.entries()) {
      pending.push(
        pool.forward(request()).then(
          () => {
            latencies[i]?.push(performance.now() - arrival);
          },
          () => {
            errors[i] = (errors[i] ?? 0) + 1;
          },
        ),
      );
    }
    next += (-Math.log(1 - Math.random()) / rate) * 1000;
  }
  await Promise.all(pending);
  return latencies.map((values, i) => {
    values.sort((a, b) => a - b);
    const q = (p: number) => values[Math.min(values.length - 1, Math.floor(p * values.length))] ?? Number.NaN;
    return { p50: q(0.5), p99: q(0.99), errors: errors[i] ?? 0, count: arrivals, shareOfLast: 0 };
  });
}

async function attemptsOn(metrics: Registry, node: string): Promise<number> {
  const metric = metrics.getSingleMetric("switchyard_routing_attempts_total");
  const values = metric ? (await metric.get()).values : [];
  return values.filter((v) => v.labels.node === node).reduce((sum, v) => sum + v.value, 0);
}

let sequence = 0;
function request(): ForwardRequest {
  return {
    endpoint: "chat.completions",
    model: "m",
    body: { model: "m", messages: [{ role: "user", content: "hi" }] },
    stream: false,
    caller: { tenant: "bench", keyName: "bench" },
    requestId: `bench-${++sequence}`,
    signal: new AbortController().signal,
    deadline: Date.now() + 30_000,
    headers: {},
  };
}

const answer = JSON.stringify({
  id: "x",
  object: "chat.completion",
  created: 1,
  model: "m",
  choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
});

/** A model node stand-in: each request needs `ms` of work; `ps` shares the node among all it holds, `fifo` serves one at a time. */
function runFakeNode(ms: number, model: NodeModel): void {
  const serve = model === "ps" ? processorSharing(ms) : singleSlotFifo(ms);
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.method === "GET") {
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ status: "ok", ...serve.load() }));
        return;
      }
      serve.submit(() => {
        const { queueDepth, runningSequences } = serve.load();
        res
          .writeHead(200, {
            "content-type": "application/json",
            "x-queue-depth": String(queueDepth),
            "x-running-sequences": String(runningSequences),
          })
          .end(answer);
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => process.send?.({ port: (server.address() as AddressInfo).port }));
}

type Server = { submit(done: () => void): void; load(): { queueDepth: number; runningSequences: number } };

function processorSharing(ms: number): Server {
  const active = new Set<{ remaining: number; done: () => void }>();
  let last = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const advance = () => {
    const now = performance.now();
    const share = active.size ? (now - last) / active.size : 0;
    last = now;
    for (const job of active) job.remaining -= share;
  };
  const reschedule = () => {
    clearTimeout(timer);
    if (!active.size) return;
    const soonest = Math.min(...[...active].map((job) => job.remaining));
    timer = setTimeout(tick, Math.max(0, soonest * active.size));
  };
  const tick = () => {
    advance();
    for (const job of [...active]) {
      if (job.remaining > 0.2) continue;
      active.delete(job);
      job.done();
    }
    reschedule();
  };
  return {
    submit(done) {
      advance();
      active.add({ remaining: ms, done });
      reschedule();
    },
    load: () => ({ queueDepth: 0, runningSequences: active.size }),
  };
}

function singleSlotFifo(ms: number): Server {
  const waiting: Array<() => void> = [];
  let busy = false;
  const start = (done: () => void) => {
    busy = true;
    setTimeout(() => {
      busy = false;
      const next = waiting.shift();
      if (next) start(next);
      done();
    }, ms);
  };
  return {
    submit: (done) => (busy ? waiting.push(done) : start(done)),
    load: () => ({ queueDepth: waiting.length, runningSequences: busy ? 1 : 0 }),
  };
}

if (process.argv[2] === "--node") runFakeNode(Number(process.argv[3]), process.argv[4] === "fifo" ? "fifo" : "ps");
else await main();
