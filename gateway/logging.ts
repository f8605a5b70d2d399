// The gateway's pino logger: secrets (API keys, tokens, Authorization headers) are redacted where they can
// appear, and lines are written in batches (gateway/log-destination.ts) so logging stays cheap per request.
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
  const own = destination ? undefined : bufferedDestination(1);
  const logger = pino(
    { level, base: { service: "switchyard-gateway" }, redact: { paths: redactedPaths, censor: "[redacted]" } },
    destination ?? own,
  );
  // Lines still batched when the process exits would be lost: our own sink writes them out then.
  if (own) process.once("exit", () => own.flush());
  return logger;
}

/** Batched writes to a file descriptor or path (see log-destination.ts): one write per ~60 access lines. */
export function bufferedDestination(dest: number | string): BatchedDestination {
  return new BatchedDestination({ dest });
}
