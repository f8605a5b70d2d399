// Streaming detokenization with the demo GPT's byte-level BPE: pieces joined equal a one-shot decode, and
// characters split across tokens (accents, emoji) are never emitted half-way.
import { describe, expect, it } from "vitest";
import { DEFAULT_MODELS_DIR } from "#backends/demo-models/generate-all.ts";
import { IncrementalDetokenizer } from "#backends/models/detokenizer.ts";
import { loadModelDir } from "#backends/models/model-dir.ts";
import { ModelTokenizer } from "#backends/models/tokenizer.ts";

const tokenizer = new ModelTokenizer(await loadModelDir(`${DEFAULT_MODELS_DIR}/demo-gpt`));

describe("incremental detokenizer", () => {
  it("emits pieces that add up to the full decode, with no replacement characters", () => {
    const prompt = tokenizer.encode("Say: ", false);
    const text = "Crème brûlée 🦊 costs 5€ — naïve café!";
    const ids = tokenizer.encode(text, false);
    expect(ids.length).toBeGreaterThan(10);
    const detok = new IncrementalDetokenizer(tokenizer, prompt);
    const pieces = ids.map((id) => detok.push(id));
    pieces.push(detok.flush());
    expect(pieces.join("")).toBe(text);
    expect(pieces.some((p) => p.includes("\uFFFD"))).toBe(false);
    // Multi-byte characters take several tokens here, so some pushes must have held text back.
    expect(pieces.filter((p) => p === "").length).toBeGreaterThan(0);
  });

  it("keeps the space between the prompt and the first generated word", () => {
    const detok = new IncrementalDetokenizer(tokenizer, tokenizer.encode("Hello", false));
    const pieces = tokenizer.encode(" world", false).map((id) => detok.push(id));
    expect(pieces.join("") + detok.flush()).toBe(" world");
  });
});
