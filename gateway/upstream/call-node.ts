// Sends one ForwardRequest to one node and classifies the outcome: 2xx → JSON or an SSE event stream,
// other 4xx → relayed as the node's own answer, 429/5xx/connection failures → UpstreamError (retryable elsewhere).
import type { Dispatcher, Pool } from "undici";
import { copyTraceContext } from "#gateway/http/trace-context.ts";
import { GatewayError, UpstreamError } from "#gateway/openai/errors.ts";
import { SseParser } from "#gateway/openai/sse.ts";
import type { CancelSource } from "#gateway/pipeline/cancel-source.ts";
import { endpointPaths, type ForwardRequest, type ForwardResult } from "#gateway/pipeline/types.ts";
import { type NodeTarget, nodeBase } from "./pools.ts";
import { requestWhole } from "./read-whole.ts";

export type CallOptions = {
  /** Per-attempt signal: aborting it cancels this attempt only; its reason is rethrown. */
  signal: AbortSignal;
  /** The same cancellation as `signal`, cheaper to follow; a JSON call uses it instead when it is given. */
  cancel?: CancelSource;
  /** Sees the node's response headers (load reports such as x-queue-depth) before the body is read. */
  onHeaders?: (headers: Record<string, string | string[] | undefined>) => void;
  /** Replaces req.body (a layer may add fields such as stream_options without mutating the request). */
  body?: Record<string, unknown>;
};

export function callNode(pool: Pool, node: NodeTarget, req: ForwardRequest, opts: CallOptions): Promise<ForwardResult> {
  const request = {
    method: "POST",
    path: nodeBase(node.url).prefix + endpointPaths[req.endpoint],
    headers: requestHeaders(node, req),
    body: bodyText(opts.body ?? req.body, req),
  } as const;
  // Not an async function: returning another async call's promise from one costs extra microtask turns.
  return req.stream ? callForStream(pool, node, request, opts) : callForJson(pool, node, request, opts);
}

async function callForStream(
  pool: Pool,
  node: NodeTarget,
  request: Dispatcher.RequestOptions,
  opts: CallOptions,
): Promise<ForwardResult> {
  let response: Dispatcher.ResponseData;
  try {
    response = await pool.request({ ...request, signal: opts.signal });
  } catch (error) {
    throw classifyFailure(error, node, opts.signal);
  }
  opts.onHeaders?.(response.headers);
  const { statusCode } = response;
  if (statusCode >= 200 && statusCode < 300) {
    return isEventStream(response.headers)
      ? { kind: "stream", status: statusCode, headers: {}, events: readEvents(response, node, opts.signal) }
      : { kind: "json", status: statusCode, headers: {}, ...(await readJson(response, node, opts.signal)) };
  }
  const read = await readJson(response, node, opts.signal).catch(() => undefined);
  return relayRefusal(node, statusCode, read, response.headers);
}

/**
 * A non-streaming request: the answer is read whole, without a body stream. A promise chain, not an async
 * function: an await would cost every request another microtask turn.
 */
function callForJson(
  pool: Pool,
  node: NodeTarget,
  request: Dispatcher.DispatchOptions,
  opts: CallOptions,
): Promise<ForwardResult> {
  // Read only when no CancelSource is given: the attempt's `signal` is made on first use.
  const cancel = opts.cancel ?? opts.signal;
  return requestWhole(pool, request, cancel, opts.onHeaders).then(
    ({ statusCode, text, bodyError, headers }): ForwardResult => {
      if (statusCode >= 200 && statusCode < 300) {
        if (text === undefined) throw classifyFailure(bodyError, node, cancel, unreadable);
        return { kind: "json", status: statusCode, headers: {}, ...parseJson(text, node, cancel) };
      }
      const read = text === undefined ? undefined : tryParse(text);
      return relayRefusal(node, statusCode, read, headers);
    },
    (error: unknown) => {
      throw classifyFailure(error, node, cancel);
    },
  );
}

/** Non-2xx: 429/5xx become a retryable UpstreamError, other codes are relayed as the node's own answer. */
function relayRefusal(
  node: NodeTarget,
  statusCode: number,
  read: { body: unknown; text: string } | undefined,
  headers: Record<string, string | string[] | undefined>,
): ForwardResult {
  if (statusCode === 429 || statusCode >= 500) throw nodeRefusal(node, statusCode, read?.body ?? null, headers);
  if (read && read.body !== null) return { kind: "json", status: statusCode, headers: {}, ...read };
  return { kind: "json", status: statusCode, headers: {}, body: errorBody(`Node answered ${statusCode}.`) };
}

/** The client's own JSON text when the body reached here unchanged; the model is the request's either way. */
function bodyText(body: Record<string, unknown>, req: ForwardRequest): string {
  if (req.sent?.body === body && body.model === req.model) return req.sent.text;
  return JSON.stringify({ ...body, model: req.model });
}

function requestHeaders(node: NodeTarget, req: ForwardRequest): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: req.stream ? "text/event-stream" : "application/json",
    "x-request-id": req.requestId,
  };
  if (node.apiKey) headers.authorization = `Bearer ${node.apiKey}`;
  copyTraceContext(req.headers, headers);
  return headers;
}

function isEventStream(headers: Record<string, string | string[] | undefined>): boolean {
  return String(headers["content-type"] ?? "").includes("text/event-stream");
}

const unreadable = "sent an unreadable response body";

/** The parsed body and its text (undici's `.json()` is the same text-then-parse, minus keeping the text). */
async function readJson(
  response: Dispatcher.ResponseData,
  node: NodeTarget,
  signal: AbortSignal,
): Promise<{ body: unknown; text: string }> {
  let text: string;
  try {
    text = await response.body.text();
  } catch (error) {
    throw classifyFailure(error, node, signal, unreadable);
  }
  return parseJson(text, node, signal);
}

function parseJson(text: string, node: NodeTarget, signal: Cancelled): { body: unknown; text: string } {
  try {
    return { body: JSON.parse(text) as unknown, text };
  } catch (error) {
    throw classifyFailure(error, node, signal, unreadable);
  }
}

function tryParse(text: string): { body: unknown; text: string } | undefined {
  try {
    return { body: JSON.parse(text) as unknown, text };
  } catch {
    return undefined;
  }
}

async function* readEvents(
  response: Dispatcher.ResponseData,
  node: NodeTarget,
  signal: AbortSignal,
): AsyncGenerator<string> {
  // Decoded as the bytes arrive (Node's string decoder) rather than by a TextDecoder call per chunk.
  response.body.setEncoding("utf8");
  // Parsed here rather than through parseSse's own generator: one generator step less for every event.
  const parser = new SseParser();
  try {
    for await (const text of response.body) {
      parser.feed(text as string);
      for (let data = parser.next(); data !== undefined; data = parser.next()) yield data;
    }
    const last = parser.end();
    if (last !== undefined) yield last;
  } catch (error) {
    throw classifyFailure(error, node, signal, "broke the stream");
  } finally {
    // Stopping early (client gone, error) must release the connection rather than leave it half-read.
    if (!response.body.destroyed) response.body.destroy();
  }
}

/** What classifying a failure needs to know of the attempt's cancellation (an AbortSignal or a CancelSource). */
type Cancelled = { readonly aborted: boolean; readonly reason: unknown };

function classifyFailure(
  error: unknown,
  node: NodeTarget,
  signal: Cancelled,
  what = "could not be reached",
): GatewayError {
  if (signal.aborted)
    return signal.reason instanceof GatewayError
      ? signal.reason
      : new UpstreamError(`Request to node ${node.id} was aborted.`, {
          nodeId: node.id,
          nodeFault: false,
          cause: error,
        });
  if (error instanceof GatewayError) return error;
  const code = (error as { code?: string }).code;
  return new UpstreamError(`Node ${node.id} ${what}${code ? ` (${code})` : ""}.`, {
    nodeId: node.id,
    nodeFault: true,
    cause: error,
  });
}

function nodeRefusal(
  node: NodeTarget,
  status: number,
  body: unknown,
  headers: Record<string, string | string[] | undefined>,
): UpstreamError {
  const message = (body as { error?: { message?: string } } | null)?.error?.message;
  const retryAfter = headers["retry-after"];
  return new UpstreamError(`Node ${node.id} answered ${status}${message ? `: ${message}` : ""}.`, {
    nodeId: node.id,
    // 429 means "busy", not "broken": retry elsewhere without counting against the node's breaker.
    nodeFault: status >= 500,
    status: status === 429 ? 429 : 502,
    headers: typeof retryAfter === "string" ? { "retry-after": retryAfter } : {},
  });
}

function errorBody(message: string): unknown {
  return { error: { message, type: "server_error", param: null, code: null } };
}
