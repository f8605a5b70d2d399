// Settings shared by every k6 script, from `-e NAME=value` (k6's __ENV), with defaults for `npm start`.
export const env = {
  baseUrl: (__ENV.BASE_URL || "http://127.0.0.1:8080").replace(/\/+$/, ""),
  apiKey: __ENV.API_KEY || "sk-switchyard-local",
  model: __ENV.MODEL || "demo-gpt",
  embedModel: __ENV.EMBED_MODEL || "demo-embed",
  /** Iterations (requests) started per second by the arrival-rate executors. */
  rate: Number(__ENV.RATE || 10),
  duration: __ENV.DURATION || "",
  maxTokens: Number(__ENV.MAX_TOKENS || 16),
  /** Latency objectives in milliseconds for the thresholds (see load-tests/README.md). */
  p95Ms: Number(__ENV.P95_MS || 2000),
  p99Ms: Number(__ENV.P99_MS || 5000),
};

/** preAllocatedVUs / maxVUs for an arrival rate: enough VUs for requests that take up to ~2 s and ~10 s. */
export function vusFor(rate) {
  return { preAllocatedVUs: Math.max(2, Math.ceil(rate * 2)), maxVUs: Math.max(10, Math.ceil(rate * 10)) };
}
