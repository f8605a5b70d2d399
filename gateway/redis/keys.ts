// Builds every Redis key the gateway uses, in one place, under the configured prefix. Caller-supplied parts
// (tenants, models, key names) are URI-encoded so a ':' in a name can never make two keys collide.

export type RedisKeys = {
  /** A cached response; `scopedKey` already names tenant, model, endpoint and request hash. */
  cacheEntry(scopedKey: string): string;
  /** One token bucket (hash of levels); `bucketId` names its scope, e.g. "key/acme/ci". */
  rateBucket(bucketId: string): string;
  /** One quota counter; `counterId` names its scope and window, e.g. "tenant/acme/day/2026-12-06". */
  quotaCounter(counterId: string): string;
  /** Everything this gateway owns, for SCAN-based cleanup in tests and tools. */
  pattern(): string;
};

export function segment(part: string): string {
  return encodeURIComponent(part);
}

export function redisKeys(prefix: string): RedisKeys {
  return {
    cacheEntry: (scopedKey) => `${prefix}cache:${scopedKey}`,
    rateBucket: (bucketId) => `${prefix}rl:${bucketId}`,
    quotaCounter: (counterId) => `${prefix}quota:${counterId}`,
    pattern: () => `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`,
  };
}
