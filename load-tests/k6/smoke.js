// Smoke test: a few requests of every kind at a low fixed rate, to prove the system works before loading it.
// k6 run load-tests/k6/smoke.js   (defaults: BASE_URL=http://127.0.0.1:8080, 30s)
import { env, vusFor } from "./lib/env.js";
import { cachedChat, chatJson, chatStream, embeddings } from "./lib/requests.js";
import { thresholds } from "./lib/thresholds.js";

const duration = env.duration || "30s";
const arrival = (rate, exec) => ({
  executor: "constant-arrival-rate",
  rate,
  timeUnit: "1s",
  duration,
  exec,
  ...vusFor(rate),
});

export const options = {
  scenarios: {
    chat: arrival(1, "chat"),
    stream: arrival(1, "stream"),
    embed: arrival(1, "embed"),
    cache: arrival(1, "cache"),
  },
  // Nothing may fail in a smoke test.
  thresholds: { ...thresholds({ maxFailedRate: 0.0001 }), switchyard_cache_hit: ["rate>0.5"] },
};

export const chat = chatJson;
export const stream = chatStream;
export const embed = embeddings;
export const cache = cachedChat;
