// The model's tokenizer (tokenizer.json + tokenizer_config.json through @huggingface/tokenizers) plus what the
// node needs around it: the special tokens for chat templates, the EOS ids that end generation, the vocab size.
import { Tokenizer } from "@huggingface/tokenizers";
import type { ModelDir } from "./model-dir.ts";
import { TokenWindows } from "./token-windows.ts";

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
  readonly #windows: TokenWindows;
  /** piece() results; each bounded by the vocabulary. */
  readonly #textPieces = new Map<number, string>();
  readonly #namedPieces = new Map<number, string>();

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
    this.#windows = new TokenWindows(this.#tokenizer, model.tokenizerJson, config);
  }

  encode(text: string, addSpecialTokens: boolean): number[] {
    return this.#tokenizer.encode(text, { add_special_tokens: addSpecialTokens }).ids;
  }

  /**
   * One token's own text, as logprobs name it; cached per id. With `skipSpecial` a special token is "" (as in the
   * generated text); without, it is named. A token holding part of a character decodes to U+FFFD on its own.
   */
  piece(id: number, skipSpecial: boolean): string {
    const cache = skipSpecial ? this.#textPieces : this.#namedPieces;
    const cached = cache.get(id);
    if (cached !== undefined) return cached;
    const text = this.#tokenizer.decode([id], { skip_special_tokens: skipSpecial });
    cache.set(id, text);
    return text;
  }

  decode(ids: number[], skipSpecialTokens = true): string {
    return this.#tokenizer.decode(ids, { skip_special_tokens: skipSpecialTokens });
  }

  /** decode(ids.slice(from, to)), byte for byte, mostly from cached per-token pieces (see TokenWindows). */
  decodeRange(ids: readonly number[], from: number, to: number): string {
    return this.#windows.decode(ids, from, to);
  }
}

/** tokenizer_config stores special tokens either as plain strings or as AddedToken objects with `content`. */
function tokenText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && typeof (value as { content?: unknown }).content === "string") {
    return (value as { content: string }).content;
  }
  return undefined;
}
