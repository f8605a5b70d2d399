// W3C Trace Context (traceparent, tracestate): a client's trace context is passed on to the node unchanged, so the
// spans a node (or a tracing proxy in front of it) records join the client's trace. The gateway records no span of
// its own: its request id and access line cover its part. Only a well-formed traceparent is passed on, and
// tracestate only with one, as the spec asks (https://www.w3.org/TR/trace-context/).

export const traceHeaders = ["traceparent", "tracestate"] as const;

// Version 00 has exactly four fields; a later version may add fields after them, which a 00 parser must accept.
const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-[^\s]*)?$/;
const allZeros = /^0+$/;
/** The spec's limit for what a vendor must propagate; longer lists may be cut, and are dropped here instead. */
const maxTracestateLength = 512;
// tracestate is a comma-separated list of key=value members in printable ASCII.
const tracestatePattern = /^[\x20-\x7e]*$/;

/** Adds the trace context found in `from` (lower-cased names) to `to`; nothing when traceparent is not valid. */
export function copyTraceContext(from: Readonly<Record<string, string>>, to: Record<string, string>): void {
  const traceparent = from.traceparent;
  if (traceparent === undefined || !validTraceparent(traceparent)) return;
  to.traceparent = traceparent;
  const tracestate = from.tracestate;
  if (tracestate !== undefined && tracestate.length <= maxTracestateLength && tracestatePattern.test(tracestate))
    to.tracestate = tracestate;
}

export function validTraceparent(value: string): boolean {
  const match = traceparentPattern.exec(value);
  if (!match) return false;
  const [, version, traceId, parentId, rest] = match;
  // Version ff is invalid; version 00 has no further fields; all-zero ids are invalid.
  if (version === "ff" || (version === "00" && rest !== undefined)) return false;
  return !allZeros.test(traceId!) && !allZeros.test(parentId!);
}
