// The contract every stage of the request path speaks: a route turns a validated client request into a
// ForwardRequest, and a chain of ForwardLayers (usage metering → quotas → rate limit → cache → coalescing →
// routing/resilience → upstream) turns it into a ForwardResult. Each layer does one job and calls `next`, like
// undici's interceptors.
import type { CancelSource } from "./cancel-source.ts";

export type Endpoint = "chat.completions" | "completions" | "embeddings";

export const endpointPaths: Record<Endpoint, string> = {
  "chat.completions": "/v1/chat/completions",
  completions: "/v1/completions",
  embeddings: "/v1/embeddings",
};

export type Caller = {
  tenant: string;
  /** The API key's configured name (never the secret). */
  keyName: string;
  /** The models the key may use (auth.keys[].models); absent: all. */
  models?: ReadonlySet<string>;
};

export type ForwardRequest = {
  endpoint: Endpoint;
  model: string;
  /** The validated client body, as JSON, ready to send upstream. Layers may copy-and-modify, never mutate. */
  body: Record<string, unknown>;
  /**
   * The JSON text the client sent, and the body it was parsed into. While `body` is still that object, the text is
   * forwarded as is instead of being serialized again (JSON.stringify costs time in proportion to the body: about
   * a microsecond for a short chat, milliseconds for a long context). A layer that replaces `body` needs to do
   * nothing: the identity check sends the new body serialized.
   */
  sent?: { body: Record<string, unknown>; text: string };
  stream: boolean;
  caller: Caller;
  requestId: string;
  /** Aborts when the client disconnects or the deadline passes. */
  signal: AbortSignal;
  /** Epoch milliseconds by which every attempt must be done. */
  deadline: number;
  /**
   * The route's budget: a signal that aborts by itself (with UpstreamTimeoutError) once its deadline passes. While
   * `signal` is that signal and `deadline` no earlier, the routing layer arms no timer of its own.
   */
  budget?: CancelSource & { signal: AbortSignal; deadline: number };
  /** Lower-cased request headers the layers may read (cache controls and the like). */
  headers: Record<string, string>;
};

/** One SSE `data:` payload: a JSON chunk's text, or the literal "[DONE]". */
export type SseData = string;

export type JsonResult = {
  kind: "json";
  status: number;
  body: unknown;
  /** The node's body exactly as received, of which `body` is the parse: replied as is, saving a re-stringify. */
  text?: string;
  headers: Record<string, string>;
};

export type StreamResult = {
  kind: "stream";
  status: number;
  headers: Record<string, string>;
  /**
   * The stream's data payloads in order. Layers wrap it to observe (usage, caching) without buffering.
   * It throws if the stream breaks after it started; the route then sends an SSE error event.
   */
  events: AsyncIterable<SseData>;
};

export type ForwardResult = JsonResult | StreamResult;

export type Forwarder = (req: ForwardRequest) => Promise<ForwardResult>;
export type ForwardLayer = (next: Forwarder) => Forwarder;

/** Builds one forwarder from layers, outermost first. */
export function compose(layers: ForwardLayer[], terminal: Forwarder): Forwarder {
  return layers.reduceRight<Forwarder>((next, layer) => layer(next), terminal);
}

/**
 * Adds headers to a result without mutating it (results may be shared, e.g. by coalescing); a header the result
 * already carries keeps its value. The layer's headers are spread first because V8 copies a leading spread whole
 * and adds later keys one at a time, and layers add several (the rate limiter six) to results that carry one or none.
 */
export function withHeaders(result: ForwardResult, headers: Record<string, string>): ForwardResult {
  return { ...result, headers: { ...headers, ...result.headers } };
}
