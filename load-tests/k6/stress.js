// Stress test: the traffic mix ramped in steps to 4x RATE, past the expected peak, to find where latency and
// errors break away. Looser objectives than average load; the test aborts early if failures pass 10%.
import { env, vusFor } from "./lib/env.js";
import { mixed } from "./lib/requests.js";
import { thresholds } from "./lib/thresholds.js";

const step = env.duration || "2m";

export const options = {
  scenarios: {
    stress: {
      executor: "ramping-arrival-rate",
      startRate: env.rate,
      timeUnit: "1s",
      stages: [
        { target: env.rate * 2, duration: "1m" },
        { target: env.rate * 2, duration: step },
        { target: env.rate * 3, duration: "1m" },
        { target: env.rate * 3, duration: step },
        { target: env.rate * 4, duration: "1m" },
        { target: env.rate * 4, duration: step },
        { target: 0, duration: "1m" },
      ],
      ...vusFor(env.rate * 4),
    },
  },
  thresholds: {
    ...thresholds({ maxFailedRate: 0.05, latencyScale: 2 }),
    http_req_failed: [{ threshold: "rate<0.1", abortOnFail: true, delayAbortEval: "30s" }, "rate<0.05"],
  },
};

export default mixed;
