// Stream chunks built from a serialized template must be byte-identical to serializing each chunk object.
import { describe, expect, it } from "vitest";
import { chatChunks, type StreamChunks, textChunks, textSlot } from "#backends/server/completion-format.ts";

const awkwardTexts = ["plain", "", 'quote " and \\ backslash', "line\nbreak\ttab", "é 😀 \u2028", "\u0000switchyard"];

/** Every payload of a stream that generates `texts` and ends at its length limit. */
function all(chunks: StreamChunks, texts: string[]): string[] {
  const end = { finishReason: "length" as const, promptTokens: 3, completionTokens: texts.length };
  return [...chunks.opening, ...texts.map((text) => chunks.text(text)), ...chunks.end(end)];
}

describe("textSlot", () => {
  it("renders exactly what JSON.stringify renders, for any text", () => {
    const render = (text: string) => JSON.stringify({ id: "x", choices: [{ text, finish_reason: null }], usage: null });
    const fast = textSlot(render);
    for (const text of awkwardTexts) expect(fast(text)).toBe(render(text));
  });

  it("finds the slot even when an earlier field contains the marker", () => {
    const render = (text: string) => JSON.stringify({ model: "\u0000switchyard-text-slot\u0000", text, after: null });
    const fast = textSlot(render);
    expect(fast('a"b')).toBe(render('a"b'));
  });
});

describe("stream chunks", () => {
  const meta = { id: "cmpl-1", created: 1700000000, model: 'demo "gpt"' };

  it("text completion chunks keep the OpenAI shape and order", () => {
    const chunks = all(textChunks(meta, true), awkwardTexts);
    expect(chunks.slice(0, awkwardTexts.length)).toEqual(
      awkwardTexts.map((text) =>
        JSON.stringify({
          id: meta.id,
          object: "text_completion",
          created: meta.created,
          model: meta.model,
          choices: [{ index: 0, text, logprobs: null, finish_reason: null }],
          usage: null,
        }),
      ),
    );
    expect(JSON.parse(chunks.at(-2)!).choices[0].finish_reason).toBe("length");
    expect(JSON.parse(chunks.at(-1)!).usage).toEqual({ prompt_tokens: 3, completion_tokens: 6, total_tokens: 9 });
  });

  it("chat chunks carry each text as delta.content", () => {
    const chunks = all(chatChunks(meta, false), awkwardTexts);
    expect(chunks.slice(1, awkwardTexts.length + 1)).toEqual(
      awkwardTexts.map((text) =>
        JSON.stringify({
          id: meta.id,
          object: "chat.completion.chunk",
          created: meta.created,
          model: meta.model,
          choices: [{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }],
        }),
      ),
    );
    expect(chunks).toHaveLength(awkwardTexts.length + 2);
  });
});
