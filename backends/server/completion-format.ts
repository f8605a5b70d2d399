// Shapes generated text into OpenAI's response objects: chat.completion / chat.completion.chunk and
// text_completion (JSON and stream chunks), including the final usage chunk of stream_options.include_usage.
import type { End, LogprobEntry } from "#backends/models/generation.ts";

export type Usage = { prompt_tokens: number; completion_tokens: number; total_tokens: number };
export type CompletionMeta = { id: string; created: number; model: string };

export function usageOf(end: End): Usage {
  return {
    prompt_tokens: end.promptTokens,
    completion_tokens: end.completionTokens,
    total_tokens: end.promptTokens + end.completionTokens,
  };
}

/** Chat's logprobs: one entry per token, with its UTF-8 bytes and top alternatives. */
export function chatLogprobs(entries: LogprobEntry[]) {
  const withBytes = (token: string, logprob: number) => ({ token, logprob, bytes: [...Buffer.from(token, "utf8")] });
  return {
    content: entries.map((e) => ({
      ...withBytes(e.token, e.logprob),
      top_logprobs: e.top.map((t) => withBytes(t.token, t.logprob)),
    })),
    refusal: null,
  };
}

/**
 * Text completions' (legacy) logprobs; `offset` is where the first token's text starts. Offsets add up the tokens'
 * own texts, in JSON and across stream chunks alike (they match the completion's text except where a token holds
 * part of a character).
 */
export function textLogprobs(entries: LogprobEntry[], offset = 0) {
  const textOffset: number[] = [];
  for (const e of entries) {
    textOffset.push(offset);
    offset += e.token.length;
  }
  return {
    tokens: entries.map((e) => e.token),
    token_logprobs: entries.map((e) => e.logprob),
    top_logprobs: entries.map((e) => Object.fromEntries(e.top.map((t) => [t.token, t.logprob]))),
    text_offset: textOffset,
  };
}

export function chatCompletion(meta: CompletionMeta, text: string, end: End, logprobs?: LogprobEntry[]) {
  return {
    id: meta.id,
    object: "chat.completion" as const,
    created: meta.created,
    model: meta.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant" as const, content: text, refusal: null },
        logprobs: logprobs ? chatLogprobs(logprobs) : null,
        finish_reason: end.finishReason,
      },
    ],
    usage: usageOf(end),
  };
}

export function textCompletion(meta: CompletionMeta, text: string, end: End, logprobs?: LogprobEntry[]) {
  return {
    id: meta.id,
    object: "text_completion" as const,
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, text, logprobs: logprobs ? textLogprobs(logprobs) : null, finish_reason: end.finishReason }],
    usage: usageOf(end),
  };
}

const slotMarker = "\u0000switchyard-text-slot\u0000";

/**
 * A stream's token chunks differ only in their text, so the JSON around it is serialized once and each chunk
 * costs one string escape instead of stringifying the whole object per token. `render` serializes the chunk
 * for a text; the returned function gives byte-identical output.
 */
export function textSlot(render: (text: string) => string): (text: string) => string {
  const template = render(slotMarker);
  // The text is the last string field (only nulls follow it), so the last occurrence is the slot even if an id
  // or model name happened to contain the marker.
  const at = template.lastIndexOf(JSON.stringify(slotMarker));
  const before = template.slice(0, at);
  const after = template.slice(at + JSON.stringify(slotMarker).length);
  return (text) => before + JSON.stringify(text) + after;
}

/** A stream's payloads (JSON, without SSE framing), serialized synchronously as the generation goes. */
export type StreamChunks = {
  /** Sent before any text: the chat stream's assistant-role chunk. */
  readonly opening: string[];
  /** `logprobs`: the entries of the tokens behind this text, for a request that asked for logprobs. */
  text(text: string, logprobs?: LogprobEntry[]): string;
  /** The chunk with finish_reason and, with include_usage, the usage chunk. */
  end(end: End): string[];
};

/** How one endpoint's stream chunks differ: object name, the choice for a piece of text, an opening chunk. */
type ChunkShape = {
  object: "chat.completion.chunk" | "text_completion";
  /** The choice's content for a piece of text, or for the final chunk (`undefined`). */
  content(text: string | undefined): Record<string, unknown>;
  /** Chat streams open with the assistant role before any text. */
  opening?: Record<string, unknown>;
  /** The choice's logprobs for the tokens behind one chunk's text (made per stream: text offsets run on). */
  logprobs(): (entries: LogprobEntry[]) => unknown;
};

function streamChunks(meta: CompletionMeta, includeUsage: boolean, shape: ChunkShape): StreamChunks {
  const base = { id: meta.id, object: shape.object, created: meta.created, model: meta.model };
  // With include_usage every chunk before the usage chunk carries `usage: null`, as OpenAI's do.
  const usage = includeUsage ? { usage: null } : {};
  const chunk = (content: Record<string, unknown>, finish: string | null, logprobs: unknown = null) =>
    JSON.stringify({ ...base, choices: [{ index: 0, ...content, logprobs, finish_reason: finish }], ...usage });
  const plainText = textSlot((text) => chunk(shape.content(text), null));
  const logprobsOf = shape.logprobs();
  return {
    opening: shape.opening ? [chunk(shape.opening, null)] : [],
    text: (text, logprobs) => (logprobs ? chunk(shape.content(text), null, logprobsOf(logprobs)) : plainText(text)),
    end(end) {
      const last = chunk(shape.content(undefined), end.finishReason);
      return includeUsage ? [last, JSON.stringify({ ...base, choices: [], usage: usageOf(end) })] : [last];
    },
  };
}

export function chatChunks(meta: CompletionMeta, includeUsage: boolean): StreamChunks {
  return streamChunks(meta, includeUsage, {
    object: "chat.completion.chunk",
    content: (text) => ({ delta: text === undefined ? {} : { content: text } }),
    opening: { delta: { role: "assistant", content: "" } },
    logprobs: () => chatLogprobs,
  });
}

export function textChunks(meta: CompletionMeta, includeUsage: boolean): StreamChunks {
  return streamChunks(meta, includeUsage, {
    object: "text_completion",
    content: (text) => ({ text: text ?? "" }),
    logprobs: () => {
      let offset = 0;
      return (entries) => {
        const logprobs = textLogprobs(entries, offset);
        for (const entry of entries) offset += entry.token.length;
        return logprobs;
      };
    },
  });
}
