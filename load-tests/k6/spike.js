// Spike test: from RATE to 10x RATE within 10 seconds, held for DURATION (default 1m), then back: the gateway
// should shed or queue the burst (429s and spill-over to other tiers are acceptable) and recover afterwards.
import { env, vusFor } from "./lib/env.js";
import { mixed } from "./lib/requests.js";
import { thresholds } from "./lib/thresholds.js";

export const options = {
  scenarios: {
    spike: {
      executor: "ramping-arrival-rate",
      startRate: env.rate,
      timeUnit: "1s",
      stages: [
        { target: env.rate, duration: "30s" },
        { target: env.rate * 10, duration: "10s" },
        { target: env.rate * 10, duration: env.duration || "1m" },
        { target: env.rate, duration: "10s" },
        { target: env.rate, duration: "1m" },
      ],
      ...vusFor(env.rate * 10),
    },
  },
  // A spike may be refused in part; what matters is that the rest is served and the p99 stays bounded.
  thresholds: thresholds({ maxFailedRate: 0.2, latencyScale: 4 }),
};

export default mixed;
