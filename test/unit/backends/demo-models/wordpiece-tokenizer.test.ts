// The fallback WordPiece tokenizer loads in @huggingface/tokenizers and behaves like BERT's (uncased, [CLS]/[SEP]).
import { Tokenizer } from "@huggingface/tokenizers";
import { describe, expect, it } from "vitest";
import { buildWordPieceTokenizer, wordPieceVocabulary } from "#backends/demo-models/wordpiece-tokenizer.ts";

const built = buildWordPieceTokenizer();
const tokenizer = new Tokenizer(
  built.files["tokenizer.json"] as object,
  built.files["tokenizer_config.json"] as object,
);

describe("wordpiece fallback tokenizer", () => {
  it("puts [PAD] at 0 and has no duplicate tokens", () => {
    const vocab = wordPieceVocabulary();
    expect(built.padTokenId).toBe(0);
    expect(new Set(vocab).size).toBe(vocab.length);
    expect(built.vocabSize).toBe(vocab.length);
  });

  it("lowercases, wraps in [CLS] … [SEP] and splits unknown words into pieces", () => {
    const { tokens, ids } = tokenizer.encode("The Switchyard zqx");
    expect(tokens[0]).toBe("[CLS]");
    expect(tokens.at(-1)).toBe("[SEP]");
    expect(tokens).toContain("the");
    expect(tokens).toContain("##q");
    expect(ids.every((id: number) => id < built.vocabSize)).toBe(true);
    expect(tokenizer.decode(ids, { skip_special_tokens: true })).toBe("the switchyard zqx");
  });

  it("maps characters outside its alphabet to [UNK]", () => {
    expect(tokenizer.encode("日本").tokens).toContain("[UNK]");
  });
});
