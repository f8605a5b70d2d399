// The gateway's pino logger: secrets (API keys, tokens, Authorization headers) are redacted where they can
// appear, and lines are written asynchronously in batches so logging stays off the request's critical path.
import pino, { type Logger } from "pino";
import { BatchedDestination } from "./log-destination.ts";

// Specific paths only: leading wildcards make pino's redaction walk every logged object on the hot path.
export const redactedPaths = [
  "authorization",
  "headers.authorization",
  "req.headers.authorization",
  "apiKey",
  "node.apiKey",
  "token",
  "config.auth.keys[*].key",
  "config.nodes[*].apiKey",
  "config.admin.token",
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const sink = destination ?? bufferedDestination(1);
  const logger = pino(
    { level, base: { service: "switchyard-gateway" }, redact: { paths: redactedPaths, censor: "[redacted]" } },
    sink,
  );
  if (sink instanceof BatchedDestination && !destination) process.once("exit", () => sink.flushSync());
  return logger;
}

/**
 * Batched asynchronous writes to a file descriptor or path: one write per ~60 access lines instead of one per
 * line (each write is a thread-pool round trip), plus a timer so a quiet gateway's lines still appear within
 * half a second.
 */
export function bufferedDestination(dest: number | string): BatchedDestination {
  return new BatchedDestination({ dest });
}
