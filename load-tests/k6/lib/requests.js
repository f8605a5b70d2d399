// Request builders and checks for the gateway's OpenAI API, shared by every k6 script: JSON chat, streamed chat
// (whole SSE body read, must end with `data: [DONE]`), embeddings, and repeated temperature-0 chat that the
// gateway's cache should answer (`x-switchyard-cache: hit`).
import { check } from "k6";
import http from "k6/http";
import { Rate, Trend } from "k6/metrics";
import { env } from "./env.js";

/** Time to first byte of a streamed chat: the gateway sends headers with the first token, so this is TTFT. */
export const ttft = new Trend("switchyard_ttft", true);
export const streamComplete = new Rate("switchyard_stream_complete");
export const cacheHit = new Rate("switchyard_cache_hit");

const params = (endpoint) => ({
  headers: { "content-type": "application/json", authorization: `Bearer ${env.apiKey}` },
  // Tags split the built-in metrics per endpoint, so thresholds can hold each to its own objective.
  tags: { endpoint },
  timeout: "60s",
});

const prompts = [
  "Tell me about foxes.",
  "Write a line about rivers.",
  "What is a gateway?",
  "Name three colours.",
  "Describe the sea.",
];
const pick = (list) => list[Math.floor(Math.random() * list.length)];

function chatBody(extra, content) {
  return JSON.stringify({
    model: env.model,
    max_tokens: env.maxTokens,
    messages: [{ role: "user", content }],
    ...extra,
  });
}

export function chatJson() {
  const res = http.post(
    `${env.baseUrl}/v1/chat/completions`,
    chatBody({ temperature: 0.7 }, pick(prompts)),
    params("chat"),
  );
  check(res, {
    "chat: status 200": (r) => r.status === 200,
    "chat: has a message": (r) => r.status === 200 && typeof r.json("choices.0.message.content") === "string",
  });
  return res;
}

export function chatStream() {
  const res = http.post(
    `${env.baseUrl}/v1/chat/completions`,
    chatBody({ temperature: 0.7, stream: true }, pick(prompts)),
    params("chat_stream"),
  );
  const complete = res.status === 200 && typeof res.body === "string" && res.body.trimEnd().endsWith("data: [DONE]");
  check(res, {
    "stream: status 200": (r) => r.status === 200,
    "stream: is text/event-stream": (r) => (r.headers["Content-Type"] || "").includes("text/event-stream"),
    "stream: ends with data: [DONE]": () => complete,
  });
  streamComplete.add(complete);
  if (res.status === 200) ttft.add(res.timings.waiting);
  return res;
}

export function embeddings() {
  const input = [pick(prompts), pick(prompts)];
  const res = http.post(
    `${env.baseUrl}/v1/embeddings`,
    JSON.stringify({ model: env.embedModel, input }),
    params("embeddings"),
  );
  check(res, {
    "embeddings: status 200": (r) => r.status === 200,
    "embeddings: one vector per input": (r) => r.status === 200 && r.json("data.#") === input.length,
  });
  return res;
}

/** The same few temperature-0 questions over and over: after the first of each, the cache should answer. */
export function cachedChat() {
  const res = http.post(
    `${env.baseUrl}/v1/chat/completions`,
    chatBody({ temperature: 0 }, `cache: ${pick(prompts)}`),
    params("chat_cached"),
  );
  // k6 gives response headers in Go's canonical form.
  const hit = res.headers["X-Switchyard-Cache"] === "hit";
  check(res, { "cached chat: status 200": (r) => r.status === 200 });
  cacheHit.add(hit);
  return res;
}

/** The traffic mix of the average, stress, spike and soak tests: mostly chat, some streams and embeddings. */
export function mixed() {
  const roll = Math.random();
  if (roll < 0.45) return chatJson();
  if (roll < 0.75) return chatStream();
  if (roll < 0.9) return embeddings();
  return cachedChat();
}
