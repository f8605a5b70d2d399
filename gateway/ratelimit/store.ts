// The contract both token-bucket stores (in-memory, Redis) fulfil, so the limiter layer and one shared test
// suite treat them alike. Buckets refill continuously at their per-minute limit up to that limit.

/** One bucket to draw from; a limit of 0 leaves that dimension unlimited. */
export type BucketSpec = { id: string; requestsPerMinute: number; tokensPerMinute: number };

/** Levels after the decision, floored; -1 where the dimension is unlimited. */
export type BucketLevel = { requests: number; tokens: number };

export type TakeOutcome = {
  admitted: boolean;
  /** How long until every bucket would hold the cost (0 when admitted). */
  retryAfterMs: number;
  /** One level per requested bucket, in order. */
  levels: BucketLevel[];
  /** Charges (positive) or refunds (negative) tokens on the store that made this decision (local stores: at once). */
  settle(tokens: number): Promise<void> | void;
};

export type BucketStore = {
  /**
   * All-or-nothing: admits only if every bucket holds `requests` and `tokens`, then deducts from all. A store that
   * decides locally answers synchronously: on the request path an await costs more than the decision itself.
   */
  take(buckets: BucketSpec[], requests: number, tokens: number): TakeOutcome | Promise<TakeOutcome>;
};

/** Redis scripts take a fixed number of buckets; a tenant/model/key chain never needs more. */
export const maxBuckets = 3;
export const minuteMs = 60_000;
