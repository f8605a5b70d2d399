// Reads the load a node reports about itself (queued and running sequences), from its `/health` body or from
// the x-queue-depth / x-running-sequences headers on any response, so routing sees load from every gateway.
export type LoadReport = { queueDepth?: number; runningSequences?: number };

type Headers = Record<string, string | string[] | undefined>;

/** What a response that reports nothing yields; most nodes other than ours send no load headers. */
const noReport: LoadReport = Object.freeze({});

export function loadFromHeaders(headers: Headers): LoadReport {
  const queueDepth = count(first(headers["x-queue-depth"]));
  const runningSequences = count(first(headers["x-running-sequences"]));
  if (queueDepth === undefined && runningSequences === undefined) return noReport;
  const report: LoadReport = {};
  if (queueDepth !== undefined) report.queueDepth = queueDepth;
  if (runningSequences !== undefined) report.runningSequences = runningSequences;
  return report;
}

/** Accepts the numbers at the top level (`{queueDepth, runningSequences}`) or under `load`. */
export function loadFromHealthBody(body: unknown): LoadReport {
  if (!body || typeof body !== "object") return {};
  const record = body as Record<string, unknown>;
  const source = record.load && typeof record.load === "object" ? (record.load as Record<string, unknown>) : record;
  const report: LoadReport = {};
  const queueDepth = count(source.queueDepth);
  const runningSequences = count(source.runningSequences);
  if (queueDepth !== undefined) report.queueDepth = queueDepth;
  if (runningSequences !== undefined) report.runningSequences = runningSequences;
  return report;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function count(value: unknown): number | undefined {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) && n >= 0 ? n : undefined;
}
