// The pass/fail objectives every k6 script starts from (load-tests/README.md explains each one).
import { env } from "./env.js";

export function thresholds({ maxFailedRate = 0.01, latencyScale = 1 } = {}) {
  const p95 = env.p95Ms * latencyScale;
  const p99 = env.p99Ms * latencyScale;
  return {
    // Transport errors plus 4xx/5xx answers (k6 counts statuses outside 200–399 as failed).
    http_req_failed: [{ threshold: `rate<${maxFailedRate}`, abortOnFail: true, delayAbortEval: "30s" }],
    checks: [`rate>${1 - maxFailedRate}`],
    http_req_duration: [`p(95)<${p95}`, `p(99)<${p99}`],
    // Per endpoint: embeddings and cache hits are much faster than generation, so they get tighter limits.
    "http_req_duration{endpoint:chat}": [`p(95)<${p95}`, `p(99)<${p99}`],
    "http_req_duration{endpoint:chat_stream}": [`p(99)<${p99}`],
    "http_req_duration{endpoint:embeddings}": [`p(95)<${p95 / 4}`, `p(99)<${p99 / 4}`],
    "http_req_duration{endpoint:chat_cached}": [`p(95)<${p95 / 4}`],
    switchyard_ttft: [`p(95)<${p95 / 2}`],
    switchyard_stream_complete: [`rate>${1 - maxFailedRate}`],
  };
}
