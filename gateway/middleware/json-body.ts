// Reads a JSON request body within the configured size and nesting limits before parsing, so a huge or
// 5,000-deep body is refused with a 4xx instead of exhausting memory or the stack.
import type { IncomingMessage } from "node:http";
import type { Context, MiddlewareHandler } from "hono";
import { requestHeader } from "#gateway/http/request-header.ts";
import { InvalidRequestError, PayloadTooLargeError } from "#gateway/openai/errors.ts";

export type JsonBodyLimits = { maxBodyBytes: number; maxJsonDepth: number };

export function jsonBody(limits: () => JsonBodyLimits): MiddlewareHandler {
  return async function jsonBodyMiddleware(c, next) {
    await readJsonBody(c, limits());
    await next();
  };
}

/** Reads, checks and parses the body; sets `jsonBody` (and `jsonText`, the text it was parsed from). */
export function readJsonBody(c: Context, { maxBodyBytes, maxJsonDepth }: JsonBodyLimits): Promise<void> {
  const declared = Number(requestHeader(c, "content-length") ?? "0");
  if (declared > maxBodyBytes) return Promise.reject(new PayloadTooLargeError(maxBodyBytes));
  // A promise chain, not an async function: an await would cost every request another microtask turn.
  return readText(c, maxBodyBytes).then((text) => {
    const parsed = parseJsonObject(text, maxJsonDepth);
    c.set("jsonBody", parsed);
    c.set("jsonText", text);
  });
}

function parseJsonObject(text: string, maxJsonDepth: number): object {
  // A test for any non-blank character stops at the first one; trim() would copy the whole body.
  if (!/\S/.test(text)) throw new InvalidRequestError("The request body is empty; expected a JSON object.");
  if (exceedsDepth(text, maxJsonDepth)) {
    throw new InvalidRequestError(
      `The request body is nested deeper than ${maxJsonDepth} levels.`,
      null,
      "json_too_deep",
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidRequestError(
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)",
      null,
      "invalid_json",
    );
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new InvalidRequestError("The request body must be a JSON object.", null, "invalid_json");
  }
  return parsed;
}

function readText(c: Context, maxBytes: number): Promise<string> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming ? readIncoming(incoming, maxBytes) : readWebBody(c, maxBytes);
}

async function readWebBody(c: Context, maxBytes: number): Promise<string> {
  const body = c.req.raw.body;
  if (!body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new PayloadTooLargeError(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString("utf8");
}

/** Reads the Node request stream with plain events: an async iterator costs several microseconds per request. */
function readIncoming(incoming: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > maxBytes) {
        cleanup();
        incoming.resume(); // drain the rest so the connection can answer the 413
        reject(new PayloadTooLargeError(maxBytes));
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      // No cleanup: the request emits nothing after its end, and three listener removals per request cost more
      // than leaving them on a message that is about to be dropped.
      resolve(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks, size).toString("utf8"));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      incoming.off("data", onData);
      incoming.off("end", onEnd);
      incoming.off("error", onError);
    };
    if (incoming.readableEnded) return resolve("");
    incoming.on("data", onData);
    incoming.on("end", onEnd);
    incoming.on("error", onError);
  });
}

/**
 * Scans brackets outside strings; linear, never recursive. Strings (most of a chat body) are skipped with indexOf,
 * at native speed, and a text too short to hold more than `maxDepth` open brackets is not scanned at all.
 */
export function exceedsDepth(text: string, maxDepth: number): boolean {
  if (text.length <= maxDepth * 2) return false; // each level needs an opening and a closing bracket
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34 /* " */) {
      i = stringEnd(text, i);
      if (i < 0) return false; // unterminated: JSON.parse refuses it
    } else if (ch === 123 /* { */ || ch === 91 /* [ */) {
      if (++depth > maxDepth) return true;
    } else if (ch === 125 || ch === 93) depth--;
  }
  return false;
}

/** The index of the quote that closes the string opened at `open`, or -1. */
function stringEnd(text: string, open: number): number {
  for (let quote = text.indexOf('"', open + 1); quote >= 0; quote = text.indexOf('"', quote + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 92 /* \ */) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
  return -1;
}
