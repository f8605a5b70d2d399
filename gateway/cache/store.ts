// The contract both response stores (in-memory LRU, Redis) fulfil, so the cache layer and one shared test
// suite treat them alike, and the entry format they hold: one JSON answer or one complete stream.

export type CacheStore = {
  /** The stored value, or undefined when absent or expired. Rejects when the store is unreachable. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` for `ttlMs`; replaces an existing entry. Rejects when the store is unreachable. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
};

export type CachedEntry =
  | { kind: "json"; storedAt: number; body: unknown }
  /** A complete stream's data payloads, "[DONE]" included. */
  | { kind: "stream"; storedAt: number; events: string[] };

export function encodeEntry(entry: CachedEntry): string {
  return JSON.stringify(entry);
}

/** Undefined for anything that is not an entry this version wrote (a foreign or older value is a miss). */
export function decodeEntry(value: string): CachedEntry | undefined {
  try {
    const entry = JSON.parse(value) as Partial<CachedEntry> | null;
    if (entry?.kind === "json" && typeof entry.storedAt === "number" && "body" in entry) return entry as CachedEntry;
    if (entry?.kind === "stream" && typeof entry.storedAt === "number" && Array.isArray(entry.events))
      return entry as CachedEntry;
  } catch {}
  return undefined;
}
