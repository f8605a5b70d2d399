// Streaming detokenization: pieces joined equal a one-shot decode, characters split across tokens (accents,
// emoji) are never emitted half-way, and the pieces are exactly those of decoding every window through the
// tokenizer, for the demo GPT's byte-level BPE and the real Llama's SentencePiece.
import { describe, expect, it } from "vitest";
import { DEFAULT_MODELS_DIR } from "#backends/demo-models/generate-all.ts";
import { IncrementalDetokenizer } from "#backends/models/detokenizer.ts";
import { loadModelDir } from "#backends/models/model-dir.ts";
import { ModelTokenizer } from "#backends/models/tokenizer.ts";
import { llamaDir } from "#test/integration/node/support.ts";

const tokenizer = new ModelTokenizer(await loadModelDir(`${DEFAULT_MODELS_DIR}/demo-gpt`));
const llama = llamaDir ? new ModelTokenizer(await loadModelDir(llamaDir)) : null;

/** The detokenizer as it was before per-token caching: every window decoded through the tokenizer. */
function referencePieces(t: ModelTokenizer, promptIds: number[], ids: number[]): string[] {
  const window = promptIds.slice(-5);
  let prefixOffset = 0;
  let readOffset = window.length;
  const pieces = ids.map((id) => {
    window.push(id);
    const prefix = t.decode(window.slice(prefixOffset, readOffset));
    const text = t.decode(window.slice(prefixOffset));
    if (text.length <= prefix.length || text.endsWith("\uFFFD")) return "";
    prefixOffset = readOffset;
    readOffset = window.length;
    return text.slice(prefix.length);
  });
  if (readOffset !== window.length) {
    const prefix = t.decode(window.slice(prefixOffset, readOffset));
    const text = t.decode(window.slice(prefixOffset));
    pieces.push(text.length > prefix.length ? text.slice(prefix.length) : "");
  } else pieces.push("");
  return pieces;
}

function pieces(t: ModelTokenizer, promptIds: number[], ids: number[]): string[] {
  const detok = new IncrementalDetokenizer(t, promptIds);
  return [...ids.map((id) => detok.push(id)), detok.flush()];
}

/** Deterministic token streams mixing text with split characters, special tokens and arbitrary ids. */
function streams(t: ModelTokenizer): number[][] {
  let state = 42;
  const rand = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  const texts = ["Once upon a time", " Crème brûlée 🦊 5€ — naïve café!", "日本語のテキスト", "a\n\n  b\tc"];
  const encoded = texts.map((text) => t.encode(text, false));
  return Array.from({ length: 60 }, (_, i) => {
    if (i < encoded.length) return encoded[i]!;
    return Array.from({ length: 1 + rand(24) }, () => {
      const pick = rand(10);
      if (pick < 5) {
        const source = encoded[rand(encoded.length)]!;
        return source[rand(source.length)]!;
      }
      if (pick < 6) return t.eosIds[0] ?? 0;
      return rand(t.vocabSize);
    });
  });
}

describe("incremental detokenizer", () => {
  it("emits pieces that add up to the full decode, with no replacement characters", () => {
    const prompt = tokenizer.encode("Say: ", false);
    const text = "Crème brûlée 🦊 costs 5€ — naïve café!";
    const ids = tokenizer.encode(text, false);
    expect(ids.length).toBeGreaterThan(10);
    const detok = new IncrementalDetokenizer(tokenizer, prompt);
    const out = ids.map((id) => detok.push(id));
    out.push(detok.flush());
    expect(out.join("")).toBe(text);
    expect(out.some((p) => p.includes("\uFFFD"))).toBe(false);
    // Multi-byte characters take several tokens here, so some pushes must have held text back.
    expect(out.filter((p) => p === "").length).toBeGreaterThan(0);
  });

  it("keeps the space between the prompt and the first generated word", () => {
    const detok = new IncrementalDetokenizer(tokenizer, tokenizer.encode("Hello", false));
    const out = tokenizer.encode(" world", false).map((id) => detok.push(id));
    expect(out.join("") + detok.flush()).toBe(" world");
  });

  it("gives exactly the pieces of decoding every window through the byte-level tokenizer", () => {
    const prompts = [tokenizer.encode("Say: ", false), tokenizer.encode("🦊", false).slice(0, 1), [7]];
    for (const [i, ids] of streams(tokenizer).entries()) {
      const prompt = prompts[i % prompts.length]!;
      expect(pieces(tokenizer, prompt, ids)).toEqual(referencePieces(tokenizer, prompt, ids));
    }
  });

  it.skipIf(!llama)("gives exactly the pieces of decoding every window through the Llama tokenizer", () => {
    const t = llama!;
    const prompts = [t.encode("Say:", true), t.encode("🦊", false).slice(0, 2), [1]];
    for (const [i, ids] of streams(t).entries()) {
      const prompt = prompts[i % prompts.length]!;
      expect(pieces(t, prompt, ids)).toEqual(referencePieces(t, prompt, ids));
    }
  });
});
