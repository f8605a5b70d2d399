// Up-front token reservation for a request: a cheap prompt estimate (about four characters per token, plus
// per-message framing) and the completion budget (max_tokens, or the configured default, times n).
// It only has to be close: the limiter refunds or charges the difference once real usage is known.
import type { ForwardRequest } from "#gateway/pipeline/types.ts";

const charsPerToken = 4;
const perMessageTokens = 4;
const replyPrimingTokens = 3;

export type TokenEstimate = { prompt: number; completion: number };

export function estimateTokens(
  req: Pick<ForwardRequest, "endpoint" | "body">,
  defaultMaxTokens: number,
): TokenEstimate {
  const body = req.body;
  if (req.endpoint === "embeddings") return { prompt: countInput(body.input), completion: 0 };
  const choices = positiveInt(body.n) ?? 1;
  const maxTokens = positiveInt(body.max_completion_tokens) ?? positiveInt(body.max_tokens) ?? defaultMaxTokens;
  const prompt =
    req.endpoint === "chat.completions"
      ? countMessages(body.messages) + countText(body.tools === undefined ? "" : JSON.stringify(body.tools))
      : countInput(body.prompt);
  return { prompt, completion: maxTokens * choices };
}

function countMessages(messages: unknown): number {
  if (!Array.isArray(messages)) return 0;
  let total = replyPrimingTokens;
  for (const message of messages) {
    total += perMessageTokens;
    if (message && typeof message === "object") total += countContent((message as { content?: unknown }).content);
  }
  return total;
}

function countContent(content: unknown): number {
  if (typeof content === "string") return countText(content);
  if (!Array.isArray(content)) return 0;
  return content.reduce<number>((sum, part) => {
    const text = (part as { text?: unknown } | null)?.text;
    return sum + (typeof text === "string" ? countText(text) : perMessageTokens);
  }, 0);
}

/** Strings, string arrays, token arrays and arrays of token arrays (prompt / input). */
function countInput(input: unknown): number {
  if (typeof input === "string") return countText(input);
  if (!Array.isArray(input)) return 0;
  if (input.every((v) => typeof v === "number")) return input.length;
  return input.reduce<number>((sum, item) => sum + countInput(item), 0);
}

function countText(text: string): number {
  return Math.ceil(text.length / charsPerToken);
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
}
