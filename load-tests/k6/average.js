// Average-load test: the usual traffic mix at RATE requests/s (default 10) for DURATION (default 5m), after a
// one-minute ramp, to check the latency objectives under normal load.
import { env, vusFor } from "./lib/env.js";
import { mixed } from "./lib/requests.js";
import { thresholds } from "./lib/thresholds.js";

export const options = {
  scenarios: {
    average: {
      executor: "ramping-arrival-rate",
      startRate: 1,
      timeUnit: "1s",
      stages: [
        { target: env.rate, duration: "1m" },
        { target: env.rate, duration: env.duration || "5m" },
        { target: 0, duration: "30s" },
      ],
      ...vusFor(env.rate),
    },
  },
  thresholds: { ...thresholds(), switchyard_cache_hit: ["rate>0.8"] },
};

export default mixed;
