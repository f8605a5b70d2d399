// The response-cache ForwardLayer: serves a stored answer for an identical deterministic request (JSON or a
// replayed SSE stream), otherwise forwards and stores successful answers: JSON at once, streams only once
// the node's stream completed with [DONE]. Store failures never fail a request; it just goes uncached.
// Every response says `x-switchyard-cache: hit | miss | bypass`.
import type { Logger } from "pino";
import type { ForwardLayer, ForwardRequest, ForwardResult, SseData } from "#gateway/pipeline/types.ts";
import { withHeaders } from "#gateway/pipeline/types.ts";
import { outageLog } from "#gateway/redis/outage-log.ts";
import { cacheKey } from "./canonical.ts";
import type { CacheMetrics } from "./metrics.ts";
import {
  type CacheConfig,
  type CacheControl,
  cacheHeader,
  isDeterministic,
  type ModelCachePolicy,
  modelPolicy,
  readControl,
} from "./policy.ts";
import { serveEntry } from "./replay.ts";
import { type CachedEntry, type CacheStore, decodeEntry, encodeEntry } from "./store.ts";

export type CacheLayerOptions = {
  config: CacheConfig;
  store: CacheStore;
  metrics: CacheMetrics;
  logger: Logger;
  now?: () => number;
};

export function createCacheLayer({ config, store, metrics, logger, now = Date.now }: CacheLayerOptions): ForwardLayer {
  const outage = outageLog(logger.child({ component: "cache" }), {
    failing: "cache store failing; serving uncached",
    recovered: "cache store recovered",
  });
  const storeFailed = (op: "get" | "set", error: unknown) => {
    metrics.storeErrors.inc({ op });
    outage.failed({ err: (error as Error).message, op });
  };

  const lookup = async (key: string): Promise<CachedEntry | undefined> => {
    try {
      const value = await store.get(key);
      outage.worked();
      return value === undefined ? undefined : decodeEntry(value);
    } catch (error) {
      storeFailed("get", error);
      return undefined;
    }
  };

  const save = (key: string, entry: CachedEntry, policy: ModelCachePolicy) => {
    const value = encodeEntry(entry);
    const bytes = Buffer.byteLength(value);
    if (bytes > policy.maxEntryBytes) return;
    store.set(key, value, policy.ttlMs).then(
      () => {
        outage.worked();
        metrics.bytesWritten.inc(bytes);
      },
      (error: unknown) => storeFailed("set", error),
    );
  };

  // A model's policy is fixed for the layer's config snapshot: worked out once per model, not per request.
  const policies = new Map<string, ModelCachePolicy>();
  const policyFor = (model: string): ModelCachePolicy => {
    let policy = policies.get(model);
    if (!policy) {
      if (policies.size >= 4096) policies.clear(); // routes admit served models only; this just bounds surprises
      policy = modelPolicy(config, model);
      policies.set(model, policy);
    }
    return policy;
  };

  return (next) => {
    const bypassed = (result: ForwardResult) => withHeaders(result, bypassHeaders);
    const cached = async (req: ForwardRequest, control: CacheControl): Promise<ForwardResult> => {
      const count = (result: "hit" | "miss") => metrics.lookups.incWith(1, result, req.endpoint);
      const policy = policyFor(req.model);
      const key = cacheKey(req);
      if (control !== "refresh") {
        const entry = await lookup(key);
        const served = entry && serveEntry(entry, req);
        if (entry && served) {
          count("hit");
          return withHeaders(served, {
            [cacheHeader]: "hit",
            age: String(Math.max(0, Math.floor((now() - entry.storedAt) / 1000))),
          });
        }
      }
      count("miss");
      const result = withHeaders(await next(req), { [cacheHeader]: "miss" });
      if (control === "no-store" || result.status !== 200) return result;
      return storeResult(result, req, (entry) => save(key, entry, policy), policy.maxEntryBytes, now);
    };
    // Not async: most requests bypass the cache, and an async layer would cost each of them microtask turns.
    return function cache(req) {
      const control = readControl(req.headers);
      if (control !== "bypass" && isDeterministic(req, config) && policyFor(req.model).enabled) {
        return cached(req, control);
      }
      metrics.lookups.incWith(1, "bypass", req.endpoint);
      return next(req).then(bypassed);
    };
  };
}

function storeResult(
  result: ForwardResult,
  req: ForwardRequest,
  save: (entry: CachedEntry) => void,
  maxBytes: number,
  now: () => number,
): ForwardResult {
  if (result.kind === "json") {
    if (isAnswer(req, result.body)) save({ kind: "json", storedAt: now(), body: result.body });
    return result;
  }
  return {
    ...result,
    events: recordStream(result.events, maxBytes, (events) => save({ kind: "stream", storedAt: now(), events })),
  };
}

function isAnswer(req: ForwardRequest, body: unknown): boolean {
  if (!body || typeof body !== "object" || "error" in body) return false;
  return Array.isArray((body as Record<string, unknown>)[req.endpoint === "embeddings" ? "data" : "choices"]);
}

const bypassHeaders = { [cacheHeader]: "bypass" };

const errorEvent = /^\s*\{\s*"error"\s*:/;

/** Passes the stream through and hands over a copy once the node sent [DONE]: a cut-off stream is never stored. */
function recordStream(
  events: AsyncIterable<SseData>,
  maxBytes: number,
  onComplete: (events: SseData[]) => void,
): AsyncIterable<SseData> {
  return { [Symbol.asyncIterator]: () => new StreamRecorder(events[Symbol.asyncIterator](), maxBytes, onComplete) };
}

// A hand-written iterator rather than an async generator: every event of a cacheable stream passes here (see
// openai/stream-usage.ts).
class StreamRecorder implements AsyncIterator<SseData> {
  readonly #inner: AsyncIterator<SseData>;
  readonly #maxBytes: number;
  readonly #onComplete: (events: SseData[]) => void;
  #kept: SseData[] | undefined = [];
  #bytes = 0;
  // Bound once per stream, not per event.
  readonly #onNext = (next: IteratorResult<SseData>): IteratorResult<SseData> => {
    if (!next.done) this.#keep(next.value);
    return next;
  };

  constructor(inner: AsyncIterator<SseData>, maxBytes: number, onComplete: (events: SseData[]) => void) {
    this.#inner = inner;
    this.#maxBytes = maxBytes;
    this.#onComplete = onComplete;
  }

  next(): Promise<IteratorResult<SseData>> {
    return this.#inner.next().then(this.#onNext);
  }

  async return(value?: unknown): Promise<IteratorResult<SseData>> {
    this.#kept = undefined;
    await this.#inner.return?.();
    return { done: true, value };
  }

  #keep(data: SseData): void {
    const kept = this.#kept;
    if (!kept) return;
    this.#bytes += data.length;
    if (this.#bytes > this.#maxBytes || errorEvent.test(data)) {
      this.#kept = undefined;
      return;
    }
    kept.push(data);
    if (data === "[DONE]") {
      this.#kept = undefined;
      this.#onComplete(kept);
    }
  }
}
