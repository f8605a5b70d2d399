// Serves a cached answer in the other shape the client asked for. A JSON answer becomes a short, faithful
// stream (one content chunk per choice, a finish chunk, the usage chunk if asked, [DONE]); a stored stream
// becomes the JSON OpenAI would have sent, by concatenating its deltas. Anything that cannot be rebuilt
// exactly (no usage chunk to give `usage`, deltas of unknown shape, completion logprobs) is not converted.
import type { Endpoint, SseData } from "#gateway/pipeline/types.ts";

type Json = Record<string, unknown>;
type Choice = { index: number } & Json;

export function jsonToEvents(endpoint: Endpoint, body: unknown, includeUsage: boolean): SseData[] | undefined {
  if (endpoint === "embeddings" || !isObject(body) || !Array.isArray(body.choices)) return undefined;
  if (includeUsage && !isObject(body.usage)) return undefined;
  const chat = endpoint === "chat.completions";
  const base = {
    ...pick(body, ["id", "created", "model", "system_fingerprint"]),
    object: chat ? "chat.completion.chunk" : "text_completion",
  };
  const choices = body.choices as Choice[];
  const content = choices.map((c) =>
    chat
      ? { index: c.index, delta: chatDelta(c), logprobs: c.logprobs ?? null, finish_reason: null }
      : { index: c.index, text: c.text, logprobs: c.logprobs ?? null, finish_reason: null },
  );
  const finish = choices.map((c) =>
    chat
      ? { index: c.index, delta: {}, logprobs: null, finish_reason: c.finish_reason }
      : { index: c.index, text: "", logprobs: null, finish_reason: c.finish_reason },
  );
  // With include_usage, OpenAI gives every chunk before the usage chunk `usage: null`.
  const nullUsage = includeUsage ? { usage: null } : {};
  const events = [
    { ...base, choices: content, ...nullUsage },
    { ...base, choices: finish, ...nullUsage },
  ];
  if (includeUsage) events.push({ ...base, choices: [], usage: body.usage } as typeof base & { choices: never[] });
  return [...events.map((e) => JSON.stringify(e)), "[DONE]"];
}

function chatDelta(choice: Choice): Json {
  const { tool_calls, ...message } = (choice.message ?? {}) as Json;
  const delta: Json = { ...message };
  if (Array.isArray(tool_calls)) delta.tool_calls = tool_calls.map((call, index) => ({ index, ...(call as Json) }));
  return delta;
}

export function eventsToJson(endpoint: Endpoint, events: readonly SseData[]): unknown | undefined {
  if (endpoint === "embeddings" || events.at(-1) !== "[DONE]") return undefined;
  const chunks = events.slice(0, -1).map(parseChunk);
  if (!chunks.length || chunks.some((c) => c === undefined)) return undefined;
  const usage = (chunks as Json[]).find(
    (c) => Array.isArray(c.choices) && c.choices.length === 0 && isObject(c.usage),
  )?.usage;
  if (!usage) return undefined;
  const merged = endpoint === "chat.completions" ? mergeChat(chunks as Json[]) : mergeText(chunks as Json[]);
  if (!merged) return undefined;
  const first = chunks[0] as Json;
  const object = endpoint === "chat.completions" ? "chat.completion" : "text_completion";
  return { ...pick(first, ["id", "created", "model", "system_fingerprint"]), object, choices: merged, usage };
}

function mergeChat(chunks: Json[]): Json[] | undefined {
  const choices = new Map<number, { message: Json; calls: Json[]; logprobs: Json | null; finish_reason: unknown }>();
  for (const chunk of chunks) {
    for (const c of (chunk.choices ?? []) as Choice[]) {
      const slot = choices.get(c.index) ?? {
        message: { role: "assistant", content: null, refusal: null },
        calls: [],
        logprobs: null,
        finish_reason: null,
      };
      choices.set(c.index, slot);
      for (const [field, value] of Object.entries((c.delta ?? {}) as Json)) {
        if (value === null || value === undefined) continue;
        if (field === "role") slot.message.role = value;
        else if (field === "tool_calls" && Array.isArray(value)) mergeCalls(slot.calls, value as Json[]);
        else if (typeof value === "string") slot.message[field] = String(slot.message[field] ?? "") + value;
        else return undefined;
      }
      if (isObject(c.logprobs)) slot.logprobs = concatArrays(slot.logprobs ?? {}, c.logprobs);
      if (c.finish_reason != null) slot.finish_reason = c.finish_reason;
    }
  }
  return [...choices.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, s]) => ({
      index,
      message: s.calls.length ? { ...s.message, tool_calls: s.calls } : s.message,
      logprobs: s.logprobs,
      finish_reason: s.finish_reason,
    }));
}

function mergeCalls(calls: Json[], deltas: Json[]): void {
  for (const { index, function: fn, ...rest } of deltas) {
    const position = Number(index);
    const call = calls[position] ?? { function: {} };
    calls[position] = call;
    for (const [k, v] of Object.entries(rest)) {
      // Ids and types arrive whole in the first delta of a call; everything else streams in pieces.
      if (v != null) call[k] = typeof v === "string" && k !== "id" && k !== "type" ? String(call[k] ?? "") + v : v;
    }
    const target = call.function as Json;
    for (const [k, v] of Object.entries((fn ?? {}) as Json)) {
      if (typeof v === "string") target[k] = String(target[k] ?? "") + v;
    }
  }
}

function mergeText(chunks: Json[]): Json[] | undefined {
  const choices = new Map<number, { text: string; finish_reason: unknown }>();
  for (const chunk of chunks) {
    for (const c of (chunk.choices ?? []) as Choice[]) {
      if (c.logprobs != null || typeof c.text !== "string") return undefined;
      const slot = choices.get(c.index) ?? { text: "", finish_reason: null };
      slot.text += c.text;
      if (c.finish_reason != null) slot.finish_reason = c.finish_reason;
      choices.set(c.index, slot);
    }
  }
  return [...choices.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, s]) => ({ index, text: s.text, logprobs: null, finish_reason: s.finish_reason }));
}

function concatArrays(into: Json, more: Json): Json {
  const out = { ...into };
  for (const [k, v] of Object.entries(more))
    out[k] = Array.isArray(v) ? [...((out[k] as unknown[] | undefined) ?? []), ...v] : v;
  return out;
}

function parseChunk(data: SseData): Json | undefined {
  try {
    const chunk: unknown = JSON.parse(data);
    return isObject(chunk) && !("error" in chunk) ? chunk : undefined;
  } catch {
    return undefined;
  }
}

function pick(source: Json, fields: string[]): Json {
  return Object.fromEntries(fields.filter((f) => source[f] !== undefined).map((f) => [f, source[f]]));
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
