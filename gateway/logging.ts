// The gateway's pino logger: secrets (API keys, tokens, Authorization headers) are redacted where they can
// appear, and lines are written asynchronously in batches so logging stays off the request's critical path.
import pino, { type Logger } from "pino";

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
  const sink = destination ?? pino.destination({ sync: false, minLength: 4096 });
  const logger = pino(
    { level, base: { service: "switchyard-gateway" }, redact: { paths: redactedPaths, censor: "[redacted]" } },
    sink,
  );
  if (!destination) process.once("exit", () => logger.flush());
  return logger;
}
