// The per-request access line. Written through the request logger's own destination in pino's line format, but
// serialized here: its fields are fixed and known to be plain, and pino's generic serializer for them cost ~10% of
// the gateway's CPU per request (bench ablation: 97 → 85–88 µs/request). Anything this shortcut cannot reproduce
// exactly (log formatters, mixins, hooks, a message prefix, a multistream destination) goes through pino itself.
import pino, { type Logger } from "pino";

export type AccessEntry = {
  method: string;
  path: string;
  status: number;
  ms: number;
  model: string | undefined;
  tenant: string | undefined;
};

// pino's symbols are public (pino.symbols); msgPrefixSym is missing from its type declarations only.
const sym = pino.symbols as typeof pino.symbols & { msgPrefixSym: symbol };
type Internals = Record<symbol, unknown>;

/** What a logger writes around an access line's own fields; worked out once per logger (see planFor). */
type LinePlan = {
  level: string;
  time: () => string;
  end: string;
  stream: { write(line: string): void };
};

const infoLevel = 30;
const plans = new WeakMap<Logger, LinePlan | null>();

/** `requestId`, when given, is written as a child logger bound to it would write it (the line has no child). */
export function writeAccessLine(log: Logger, entry: AccessEntry, requestId?: string): void {
  if (!log.isLevelEnabled("info")) return;
  let plan = plans.get(log);
  if (plan === undefined) {
    plan = planFor(log as unknown as Internals);
    plans.set(log, plan);
  }
  if (plan === null) {
    log.info(requestId === undefined ? { ...entry } : { requestId, ...entry }, "request");
    return;
  }
  // Bindings are read on every line: pino's setBindings() may change them after the plan was made.
  const bindings = (log as unknown as Internals)[sym.chindingsSym] as string;
  const bound = requestId === undefined ? "" : `,"requestId":${JSON.stringify(requestId)}`;
  let line = `${plan.level}${plan.time()}${bindings}${bound},"method":${quoted(entry.method)},"path":${quoted(entry.path)},"status":${entry.status},"ms":${entry.ms}`;
  if (entry.model !== undefined) line += `,"model":${quoted(entry.model)}`;
  if (entry.tenant !== undefined) line += `,"tenant":${quoted(entry.tenant)}`;
  plan.stream.write(line + plan.end);
}

/**
 * The parts of a line a logger writes the same way every time, or null when pino must write the line itself (a hook
 * or formatter could change it). A logger's formatters, hooks, mixin, prefix, stream and level labels are fixed when
 * it is made, so the plan holds for the logger's lifetime. The info level must have pino's standard number, 30.
 */
function planFor(internals: Internals): LinePlan | null {
  const formatters = internals[sym.formattersSym] as { log?: unknown } | undefined;
  const hooks = internals[sym.hooksSym] as { logMethod?: unknown; streamWrite?: unknown } | undefined;
  const stream = internals[sym.streamSym] as (Internals & { write(line: string): void }) | undefined;
  const levels = (internals as unknown as Logger).levels.values;
  const plain =
    formatters?.log === undefined &&
    !internals[sym.mixinSym] &&
    hooks?.logMethod === undefined &&
    hooks?.streamWrite === undefined &&
    !internals[sym.msgPrefixSym] &&
    levels.info === infoLevel &&
    stream !== undefined &&
    !stream[sym.needsMetadataGsym];
  if (!plain) return null;
  return {
    level: (internals[sym.lsCacheSym] as Record<number, string>)[infoLevel]!,
    time: internals[sym.timeSym] as () => string,
    end: `,${JSON.stringify(internals[sym.messageKeySym])}:"request"${internals[sym.endSym] as string}`,
    stream,
  };
}

// Methods, routes, models and tenants repeat from line to line: their JSON text is kept rather than made anew.
const quotes = new Map<string, string>();

function quoted(text: string): string {
  let json = quotes.get(text);
  if (json === undefined) {
    json = JSON.stringify(text);
    // Paths of unknown URLs are the client's to choose: the memo stays small whatever arrives.
    if (text.length <= 128) {
      if (quotes.size >= 1024) quotes.clear();
      quotes.set(text, json);
    }
  }
  return json;
}
