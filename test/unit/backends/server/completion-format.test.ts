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

describe("logprobs in chunks", () => {
  const meta = { id: "cmpl-1", created: 1700000000, model: "demo-gpt" };
  const entry = (token: string, logprob: number) => ({ token, logprob, top: [{ token, logprob }] });

  it("text completion chunks carry the legacy shape, text offsets running on from chunk to chunk", () => {
    const chunks = textChunks(meta, false);
    const first = JSON.parse(chunks.text("Once upon", [entry("Once", -0.5), entry(" upon", -1)]));
    const second = JSON.parse(chunks.text(" a", [entry(" a", -2)]));
    expect(first.choices[0].logprobs).toEqual({
      tokens: ["Once", " upon"],
      token_logprobs: [-0.5, -1],
      top_logprobs: [{ Once: -0.5 }, { " upon": -1 }],
      text_offset: [0, 4],
    });
    expect(second.choices[0].logprobs.text_offset).toEqual([9]);
    // Text without entries (no logprobs asked for) keeps the fast template and a null.
    expect(JSON.parse(textChunks(meta, false).text("x")).choices[0].logprobs).toBeNull();
  });

  it("chat chunks carry OpenAI's content entries with UTF-8 bytes", () => {
    const chunk = JSON.parse(chatChunks(meta, false).text("é", [entry("é", -0.25)]));
    expect(chunk.choices[0].delta).toEqual({ content: "é" });
    expect(chunk.choices[0].logprobs).toEqual({
      content: [
        {
          token: "é",
          logprob: -0.25,
          bytes: [0xc3, 0xa9],
          top_logprobs: [{ token: "é", logprob: -0.25, bytes: [0xc3, 0xa9] }],
        },
      ],
      refusal: null,
    });
  });
});
