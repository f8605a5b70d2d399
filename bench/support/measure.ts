// Measurement helpers shared by the benchmarks: throughput with autocannon, sequential latency with undici.
import autocannon from "autocannon";
import { Client, Pool } from "undici";

export type Throughput = { rps: number; p50: number; p99: number; errors: number; non2xx: number };

export async function throughput(
  url: string,
  opts: {
    body: string;
    headers: Record<string, string>;
    connections: number;
    seconds: number;
    /** autocannon replaces `[<id>]` in the body with a new id per request (requests the cache cannot answer). */
    uniqueIds?: boolean;
  },
): Promise<Throughput> {
  const result = await autocannon({
    url,
    method: "POST",
    body: opts.body,
    headers: opts.headers,
    connections: opts.connections,
    duration: opts.seconds,
    idReplacement: opts.uniqueIds ?? false,
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/**
 * Sequential requests on one keep-alive connection: what one client waits, to a fraction of a millisecond. The first
 * tenth warms up JIT and connections and does not count.
 */
export async function sequentialLatency(
  origin: string,
  path: string,
  opts: { body: string; headers: Record<string, string>; requests: number },
): Promise<{ p50: number; p99: number }> {
  // One target in ten blocks, the first of which (the warm-up) interleavedLatency does not count.
  const blocks = 9;
  const measured = opts.requests - Math.ceil(opts.requests / (blocks + 1));
  const { target } = await interleavedLatency({ target: origin }, path, { ...opts, requests: measured, blocks });
  return target!;
}

/**
 * Sequential requests to several targets at once, in alternating blocks on one keep-alive connection each, so a burst of
 * outside load on a shared machine lands on every target alike instead of on whichever was being measured.
 */
export async function interleavedLatency(
  origins: Record<string, string>,
  path: string,
  opts: { body: string; headers: Record<string, string>; requests: number; blocks: number },
): Promise<Record<string, { p50: number; p99: number }>> {
  const clients = Object.entries(origins).map(([name, origin]) => ({
    name,
    client: new Client(origin),
    samples: [] as number[],
  }));
  const perBlock = Math.ceil(opts.requests / opts.blocks);
  try {
    // The first block per target warms up JIT and connections; it does not count.
    for (let block = 0; block <= opts.blocks; block++) {
      for (const target of clients) {
        for (let i = 0; i < perBlock; i++) {
          const started = performance.now();
          const res = await target.client.request({ method: "POST", path, headers: opts.headers, body: opts.body });
          await res.body.text();
          if (res.statusCode !== 200) throw new Error(`${target.name}: status ${res.statusCode}`);
          if (block > 0) target.samples.push(performance.now() - started);
        }
      }
    }
  } finally {
    await Promise.all(clients.map(({ client }) => client.close()));
  }
  return Object.fromEntries(
    clients.map(({ name, samples }) => [name, { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) }]),
  );
}

/** What one round of `steadyLatency` found for each target. */
export type LatencyRound = Record<string, { p50: number; p99: number }>;

/**
 * Sequential latency in steady state: interleaved rounds (see interleavedLatency) run unmeasured for `warmupSeconds`,
 * then `rounds` measured ones. Measured here, one request at a time right after a throughput run is slower for
 * several seconds, for every target alike (the upstream called directly as well): rounds of 2,000 requests went from
 * 2.1 s to 1.3 s, and what the bare proxy added from 0.152 to 0.092 ms. A figure taken in that transition says more
 * about it than about the proxy.
 */
export async function steadyLatency(
  origins: Record<string, string>,
  path: string,
  opts: { body: string; headers: Record<string, string>; warmupSeconds: number; rounds: number },
): Promise<{ warmup: LatencyRound[]; measured: LatencyRound[] }> {
  const round = () => interleavedLatency(origins, path, { ...opts, requests: 2000, blocks: 10 });
  const warmup: LatencyRound[] = [];
  const warmEnd = performance.now() + opts.warmupSeconds * 1000;
  while (performance.now() < warmEnd) warmup.push(await round());
  const measured: LatencyRound[] = [];
  for (let i = 0; i < opts.rounds; i++) measured.push(await round());
  return { warmup, measured };
}

/** Per round, what `target` adds to `base` at p50 and at p99. */
export function addedLatency(rounds: LatencyRound[], target: string, base: string): { p50: number[]; p99: number[] } {
  return {
    p50: rounds.map((round) => round[target]!.p50 - round[base]!.p50),
    p99: rounds.map((round) => round[target]!.p99 - round[base]!.p99),
  };
}

/**
 * Streaming requests back to back on `connections` connections for `seconds`: SSE events received per second.
 * Events are counted per chunk without parsing, so the load generator stays cheap next to what it measures.
 */
export async function streamThroughput(
  origin: string,
  path: string,
  opts: { body: string; headers: Record<string, string>; connections: number; seconds: number },
): Promise<{ eventsPerSecond: number; errors: number }> {
  const pool = new Pool(origin, { connections: opts.connections });
  let events = 0;
  let errors = 0;
  const end = performance.now() + opts.seconds * 1000;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: opts.connections }, async () => {
        while (performance.now() < end) {
          const res = await pool.request({ method: "POST", path, headers: opts.headers, body: opts.body });
          if (res.statusCode !== 200) errors++;
          res.body.setEncoding("utf8");
          for await (const chunk of res.body) events += (chunk as string).split("data:").length - 1;
        }
      }),
    );
  } finally {
    await pool.close();
  }
  return { eventsPerSecond: events / ((performance.now() - started) / 1000), errors };
}

/** Runs `run` and reports the CPU seconds process `pid` used meanwhile (NaN where /proc cannot tell). */
export async function withCpu<T>(pid: number | undefined, run: () => Promise<T>): Promise<{ result: T; cpu: number }> {
  const before = await cpuSeconds(pid);
  const result = await run();
  const after = await cpuSeconds(pid);
  return { result, cpu: before === undefined || after === undefined ? Number.NaN : after - before };
}

export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

export const fmt = (n: number, digits = 2) => n.toFixed(digits);

/**
 * CPU seconds a process has used (user + system), from /proc on Linux; undefined elsewhere. Dividing by the
 * requests served gives a cost per request that other load on the machine does not distort.
 */
export async function cpuSeconds(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const { readFile } = await import("node:fs/promises");
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 10 ms
  } catch {
    return undefined;
  }
}
