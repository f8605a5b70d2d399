// The gateway's pino logger: secrets (API keys, tokens, Authorization headers) are redacted wherever they appear.
import pino, { type Logger } from "pino";

export const redactedPaths = [
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "key",
  "*.key",
  "apiKey",
  "*.apiKey",
  "token",
  "*.token",
  "config.auth.keys[*].key",
  "config.admin.token",
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: "switchyard-gateway" }, redact: { paths: redactedPaths, censor: "[redacted]" } }, destination);
}
