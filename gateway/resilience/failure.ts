// What a failed attempt means: normalising any thrown value into a GatewayError, whether another node may be
// tried, whether the failure was at the connection level (passive health), and how long Retry-After asks for.
import CircuitBreaker from "opossum";
import {
  CircuitOpenError,
  ClientClosedError,
  GatewayError,
  UpstreamError,
  UpstreamTimeoutError,
} from "#gateway/openai/errors.ts";
import { AttemptCancelledError, AttemptTimeoutError } from "./errors.ts";

/** Any thrown value as a GatewayError; unknown errors are blamed on the node (the retry is safe either way). */
export function toGatewayError(error: unknown, nodeId: string): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof Error && CircuitBreaker.isOurError(error)) return new CircuitOpenError(nodeId);
  const message = error instanceof Error ? error.message : String(error);
  return new UpstreamError(`Node ${nodeId} failed: ${message}`, { nodeId, nodeFault: true, cause: error });
}

/** Whether another node may take the request: node faults, busy nodes and open breakers, not deadlines or clients. */
export function isRetryable(error: GatewayError): boolean {
  if (error instanceof AttemptTimeoutError) return true;
  if (
    error instanceof UpstreamTimeoutError ||
    error instanceof ClientClosedError ||
    error instanceof AttemptCancelledError
  )
    return false;
  if (error instanceof CircuitOpenError) return true;
  return error instanceof UpstreamError && (error.nodeFault || error.status === 429);
}

/** A short label for metrics. */
export function failureKind(error: GatewayError): string {
  if (error instanceof AttemptTimeoutError) return "timeout";
  if (error instanceof UpstreamTimeoutError) return "deadline";
  if (error instanceof ClientClosedError) return "client_closed";
  if (error instanceof AttemptCancelledError) return "cancelled";
  if (error instanceof CircuitOpenError) return "circuit_open";
  if (error instanceof UpstreamError)
    return error.status === 429 ? "busy" : error.nodeFault ? "node_error" : "upstream_answer";
  return "other";
}

const connectionCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);

/** The node could not be reached or dropped the connection (as opposed to answering with an error). */
export function isConnectionFailure(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && connectionCodes.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

const maxRetryAfterMs = 300_000;

/** Retry-After as milliseconds from now (delta-seconds or an HTTP date), capped at five minutes. */
export function retryAfterMs(error: GatewayError, now = Date.now()): number | undefined {
  const value = error.headers["retry-after"];
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, maxRetryAfterMs) : undefined;
}
