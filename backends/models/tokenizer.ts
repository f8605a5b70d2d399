// The model's tokenizer (tokenizer.json + tokenizer_config.json through @huggingface/tokenizers) plus what the
// node needs around it: the special tokens for chat templates, the EOS ids that end generation, the vocab size.
import { Tokenizer } from "@huggingface/tokenizers";
import type { ModelDir } from "./model-dir.ts";

export type SpecialTokens = {
  bos_token?: string;
  eos_token?: string;
  pad_token?: string;
  unk_token?: string;
};

export class ModelTokenizer {
  readonly specialTokens: SpecialTokens;
  readonly eosIds: number[];
  readonly bosId: number | null;
  /** A token id safe to put in padded positions (they are masked out, but must be a valid embedding row). */
  readonly padId: number;
  readonly vocabSize: number;
  readonly #tokenizer: Tokenizer;
  /** Each token's own decode, the unit streaming detokenization is built from. */
  readonly #tokenTexts = new Map<number, string>();
  /**
   * Whether decode() of several tokens is the join of their own decodes wherever each of those is complete text.
   * True for byte-level BPE (GPT-2 style) without clean-up: it maps each token to bytes and decodes the bytes as
   * UTF-8, and complete UTF-8 concatenates. Not for SentencePiece, whose decoder strips one leading space.
   */
  readonly #joinable: boolean;

  constructor(model: Pick<ModelDir, "tokenizerJson" | "tokenizerConfig" | "configEosIds">) {
    this.#tokenizer = new Tokenizer(model.tokenizerJson, model.tokenizerConfig);
    const config = model.tokenizerConfig;
    this.specialTokens = {
      bos_token: tokenText(config["bos_token"]),
      eos_token: tokenText(config["eos_token"]),
      pad_token: tokenText(config["pad_token"]),
      unk_token: tokenText(config["unk_token"]),
    };
    const id = (text: string | undefined) => (text === undefined ? undefined : this.#tokenizer.token_to_id(text));
    const eos = id(this.specialTokens.eos_token);
    this.eosIds = [...new Set([...(eos === undefined ? [] : [eos]), ...model.configEosIds])];
    this.bosId = id(this.specialTokens.bos_token) ?? null;
    this.padId = id(this.specialTokens.pad_token) ?? eos ?? 0;
    this.vocabSize = this.#tokenizer.get_vocab(true).size;
    this.#joinable = joinableDecode(model.tokenizerJson, config);
  }

  encode(text: string, addSpecialTokens: boolean): number[] {
    return this.#tokenizer.encode(text, { add_special_tokens: addSpecialTokens }).ids;
  }

  decode(ids: number[], skipSpecialTokens = true): string {
    return this.#tokenizer.decode(ids, { skip_special_tokens: skipSpecialTokens });
  }

  /**
   * decode(ids.slice(from, to)), byte for byte, built from cached per-token texts where that is exact: a single
   * token always, a run of tokens when the decoder is joinable and every token's own text is complete (no U+FFFD,
   * which is what a token ending inside a UTF-8 character decodes to).
   */
  decodeRange(ids: readonly number[], from: number, to: number): string {
    if (to - from === 1) return this.#tokenText(ids[from]!);
    if (!this.#joinable || to <= from) return this.decode(ids.slice(from, to));
    let text = "";
    for (let i = from; i < to; i++) {
      const piece = this.#tokenText(ids[i]!);
      if (piece.includes("\uFFFD")) return this.decode(ids.slice(from, to));
      text += piece;
    }
    return text;
  }

  #tokenText(id: number): string {
    let text = this.#tokenTexts.get(id);
    if (text === undefined) {
      text = this.decode([id]);
      this.#tokenTexts.set(id, text);
    }
    return text;
  }
}

/** A bare ByteLevel decoder, no end-of-word suffix and clean-up off (the library cleans up unless told not to). */
function joinableDecode(tokenizerJson: Record<string, unknown>, config: Record<string, unknown>): boolean {
  const decoder = tokenizerJson["decoder"] as { type?: unknown } | null | undefined;
  const model = tokenizerJson["model"] as { end_of_word_suffix?: unknown } | undefined;
  return (
    decoder?.type === "ByteLevel" && !model?.end_of_word_suffix && config["clean_up_tokenization_spaces"] === false
  );
}

/** tokenizer_config stores special tokens either as plain strings or as AddedToken objects with `content`. */
function tokenText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && typeof (value as { content?: unknown }).content === "string") {
    return (value as { content: string }).content;
  }
  return undefined;
}
