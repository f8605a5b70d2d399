// Soak test: the traffic mix at a steady RATE for DURATION (default 1h), to surface leaks, slow drift in
// latency and anything that only fails after hours (connection pools, cache memory, Redis keys).
import { env, vusFor } from "./lib/env.js";
import { mixed } from "./lib/requests.js";
import { thresholds } from "./lib/thresholds.js";

export const options = {
  scenarios: {
    soak: {
      executor: "constant-arrival-rate",
      rate: env.rate,
      timeUnit: "1s",
      duration: env.duration || "1h",
      ...vusFor(env.rate),
    },
  },
  thresholds: { ...thresholds(), switchyard_cache_hit: ["rate>0.9"] },
};

export default mixed;
