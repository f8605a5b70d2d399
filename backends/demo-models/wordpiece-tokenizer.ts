// A small uncased WordPiece tokenizer in BERT's file format, the fallback when the real MiniLM tokenizer is absent.
import { addedToken } from "./added-token.ts";
import { ENGLISH_SAMPLE } from "./english-sample.ts";

const SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
const SUFFIXES = ["s", "es", "ed", "er", "ing", "ly", "tion"];

export type TokenizerFiles = Record<"tokenizer.json" | "tokenizer_config.json" | "special_tokens_map.json", unknown>;

/** Specials, every printable lowercase ASCII character (alone and as "##" continuation), then the sample's words. */
export function wordPieceVocabulary(): string[] {
  const chars: string[] = [];
  for (let c = 0x21; c <= 0x7e; c++) {
    const ch = String.fromCharCode(c);
    if (ch === ch.toLowerCase()) chars.push(ch);
  }
  const continuations = [...chars, ...SUFFIXES].map((piece) => `##${piece}`);
  const counts = new Map<string, number>();
  for (const word of ENGLISH_SAMPLE.toLowerCase().match(/[a-z]{2,}/g) ?? [])
    counts.set(word, (counts.get(word) ?? 0) + 1);
  const words = [...counts].sort(([a, ca], [b, cb]) => cb - ca || (a < b ? -1 : 1)).map(([word]) => word);
  return [...new Set([...SPECIALS, ...chars, ...continuations, ...words])];
}

export function buildWordPieceTokenizer(): { vocabSize: number; padTokenId: number; files: TokenizerFiles } {
  const tokens = wordPieceVocabulary();
  const vocab = Object.fromEntries(tokens.map((token, id) => [token, id]));
  const special = (id: string) => ({ id, type_id: 0 });
  const tokenizer = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((content) => addedToken(vocab[content]!, content)),
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: special("[CLS]") }, { Sequence: special("A") }, { SpecialToken: special("[SEP]") }],
      pair: [
        { SpecialToken: special("[CLS]") },
        { Sequence: special("A") },
        { SpecialToken: special("[SEP]") },
        { Sequence: { id: "B", type_id: 1 } },
        { SpecialToken: { id: "[SEP]", type_id: 1 } },
      ],
      special_tokens: Object.fromEntries(
        ["[CLS]", "[SEP]"].map((token) => [token, { id: token, ids: [vocab[token]], tokens: [token] }]),
      ),
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab,
    },
  };
  const specialTokensMap = {
    cls_token: "[CLS]",
    mask_token: "[MASK]",
    pad_token: "[PAD]",
    sep_token: "[SEP]",
    unk_token: "[UNK]",
  };
  const tokenizerConfig = {
    ...specialTokensMap,
    do_lower_case: true,
    model_max_length: 512,
    strip_accents: null,
    tokenize_chinese_chars: true,
    tokenizer_class: "BertTokenizer",
  };
  return {
    vocabSize: tokens.length,
    padTokenId: vocab["[PAD]"]!,
    files: {
      "tokenizer.json": tokenizer,
      "tokenizer_config.json": tokenizerConfig,
      "special_tokens_map.json": specialTokensMap,
    },
  };
}
