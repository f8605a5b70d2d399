// The cache key of a request: its body with fields that do not change the answer dropped (stream,
// stream_options, user), nulls treated as absent, OpenAI's defaults filled in and keys sorted, hashed, and
// scoped by tenant, model and endpoint. The coalescing layer keys in-flight requests the same way.
import { createHash } from "node:crypto";
import type { Endpoint, ForwardRequest } from "#gateway/pipeline/types.ts";
import { segment } from "#gateway/redis/keys.ts";

const ignoredFields = new Set(["stream", "stream_options", "user", "model"]);

const sampling = { temperature: 1, top_p: 1, n: 1, presence_penalty: 0, frequency_penalty: 0 };
const defaults: Record<Endpoint, Record<string, unknown>> = {
  "chat.completions": { ...sampling, logprobs: false },
  completions: { ...sampling, echo: false },
  embeddings: { encoding_format: "float" },
};

export function canonicalBody(endpoint: Endpoint, body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...defaults[endpoint] };
  for (const [field, value] of Object.entries(body)) {
    if (!ignoredFields.has(field) && value !== null && value !== undefined) out[field] = value;
  }
  // Chat's two spellings of the completion budget mean the same thing.
  if (endpoint === "chat.completions" && out.max_completion_tokens !== undefined) {
    out.max_tokens = out.max_completion_tokens;
    delete out.max_completion_tokens;
  }
  return out;
}

/** JSON with object keys sorted at every depth, so field order never changes the key. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : stableJson(v))).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

// The cache and coalescing layers key the same body object; hashing a large prompt once is enough.
const hashes = new WeakMap<Record<string, unknown>, { endpoint: string; hash: string }>();

export function cacheKey(req: Pick<ForwardRequest, "endpoint" | "model" | "body" | "caller">): string {
  let memo = hashes.get(req.body);
  if (memo?.endpoint !== req.endpoint) {
    const hash = createHash("sha256")
      .update(stableJson(canonicalBody(req.endpoint, req.body)))
      .digest("base64url");
    memo = { endpoint: req.endpoint, hash };
    hashes.set(req.body, memo);
  }
  return `${segment(req.caller.tenant)}/${segment(req.model)}/${req.endpoint}/${memo.hash}`;
}
