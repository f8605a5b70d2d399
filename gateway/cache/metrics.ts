// Response-cache metrics, registered once per app registry and shared by the layers and the stores.
import { Gauge, type Registry } from "prom-client";
import { HotCounter } from "#gateway/metrics/hot-metrics.ts";

export type CacheMetrics = {
  lookups: HotCounter<"result" | "endpoint">;
  bytesWritten: HotCounter;
  residentBytes: Gauge;
  evictions: HotCounter;
  storeErrors: HotCounter<"op">;
  coalesced: HotCounter<"endpoint">;
};

export function createCacheMetrics(registry: Registry): CacheMetrics {
  const registers = [registry];
  return {
    lookups: new HotCounter({
      name: "switchyard_cache_requests_total",
      help: "Cacheable-path requests by result: hit, miss, bypass (not eligible or bypassed by header).",
      labelNames: ["result", "endpoint"],
      registers,
    }),
    bytesWritten: new HotCounter({
      name: "switchyard_cache_stored_bytes_total",
      help: "Bytes of responses written to the cache store.",
      registers,
    }),
    residentBytes: new Gauge({
      name: "switchyard_cache_memory_bytes",
      help: "Bytes currently held by the in-memory cache store.",
      registers,
    }),
    evictions: new HotCounter({
      name: "switchyard_cache_evictions_total",
      help: "Entries the in-memory store dropped to stay under cache.maxBytes.",
      registers,
    }),
    storeErrors: new HotCounter({
      name: "switchyard_cache_store_errors_total",
      help: "Cache store failures by operation (get, set); the request goes on uncached.",
      labelNames: ["op"],
      registers,
    }),
    coalesced: new HotCounter({
      name: "switchyard_cache_coalesced_total",
      help: "Requests that joined an identical request already in flight instead of reaching a node.",
      labelNames: ["endpoint"],
      registers,
    }),
  };
}
