// The embedded response store: an LRU over a Map (insertion order = recency) bounded by total bytes, with a
// per-entry expiry checked on read, so memory stays under `cache.maxBytes` however keys arrive.
import type { CacheMetrics } from "./metrics.ts";
import type { CacheStore } from "./store.ts";

type Slot = { value: string; bytes: number; expiresAt: number };

export type MemoryStoreOptions = { maxBytes: number; metrics: CacheMetrics; now?: () => number };

export function createMemoryCacheStore({ maxBytes, metrics, now = Date.now }: MemoryStoreOptions): CacheStore {
  const slots = new Map<string, Slot>();
  let total = 0;

  const remove = (key: string, slot: Slot) => {
    slots.delete(key);
    total -= slot.bytes;
  };

  return {
    async get(key) {
      const slot = slots.get(key);
      if (!slot) return undefined;
      remove(key, slot);
      if (slot.expiresAt <= now()) {
        metrics.residentBytes.set(total);
        return undefined;
      }
      slots.set(key, slot);
      total += slot.bytes;
      return slot.value;
    },
    async set(key, value, ttlMs) {
      const bytes = Buffer.byteLength(value) + Buffer.byteLength(key);
      const previous = slots.get(key);
      if (previous) remove(key, previous);
      if (bytes > maxBytes) return;
      while (total + bytes > maxBytes) {
        const [oldestKey, oldest] = slots.entries().next().value!;
        remove(oldestKey, oldest);
        metrics.evictions.inc();
      }
      slots.set(key, { value, bytes, expiresAt: now() + ttlMs });
      total += bytes;
      metrics.residentBytes.set(total);
    },
  };
}
