// Decodes the short token windows of streaming detokenization without running the tokenizer's decoder pipeline
// for every token. Each token's own decode is cached. For byte-level BPE (GPT-2 style, clean-up off) a window is
// rebuilt the way the library's ByteLevel decoder builds it, so the result is the same string: special tokens
// dropped, other added tokens as their text, the bytes of every other token run together and decoded as UTF-8 at
// once (a character split across tokens comes out whole, invalid bytes as U+FFFD). Other tokenizers (SentencePiece
// strips a leading space of the whole text) decode windows of several tokens through the tokenizer.
import * as tokenizers from "@huggingface/tokenizers";

/** What is used of the library's tokenizer (its type declarations do not resolve under NodeNext). */
export type LibraryTokenizer = {
  decode(ids: number[], options: { skip_special_tokens: boolean }): string;
  id_to_token(id: number): string | undefined;
  get_added_tokens_decoder(): Map<number, { content: string }>;
};

/** The library's ByteLevel decoder: exported at runtime, its char → byte table is the one decode() uses. */
const { ByteLevelDecoder } = tokenizers as unknown as {
  ByteLevelDecoder: new (config: { type: "ByteLevel" }) => { byte_decoder: Record<string, number> };
};

/** How a token enters a byte-level decode: its bytes, its own text (an added token), nothing, or unknown. */
type Part = Uint8Array | "text" | "skip" | "unknown";

type TokenEntry = {
  /** decode([id]). */
  text: string;
  /** No U+FFFD: complete UTF-8, so it joins with its neighbours as is. */
  complete: boolean;
  part: Part;
};

export class TokenWindows {
  readonly #tokenizer: LibraryTokenizer;
  readonly #entries = new Map<number, TokenEntry>();
  /** The library's own char → byte table and decoder settings; null when the tokenizer is not plain byte-level. */
  readonly #byteLevel: {
    byteDecoder: Record<string, number>;
    addedTexts: Set<string>;
    utf8: (bytes: Uint8Array) => string;
  } | null;

  constructor(tokenizer: LibraryTokenizer, tokenizerJson: Record<string, unknown>, config: Record<string, unknown>) {
    this.#tokenizer = tokenizer;
    this.#byteLevel = plainByteLevel(tokenizerJson, config)
      ? {
          byteDecoder: new ByteLevelDecoder({ type: "ByteLevel" }).byte_decoder,
          addedTexts: new Set([...tokenizer.get_added_tokens_decoder().values()].map((t) => t.content)),
          utf8: utf8Decoder(),
        }
      : null;
  }

  /** decode(ids.slice(from, to)) with special tokens skipped, byte for byte. */
  decode(ids: readonly number[], from: number, to: number): string {
    if (to - from === 1) return this.#entry(ids[from]!).text;
    if (!this.#byteLevel || to <= from) return this.#decode(ids.slice(from, to));
    let text = "";
    for (let i = from; i < to; i++) {
      const entry = this.#entry(ids[i]!);
      if (!entry.complete) return this.#decodeBytes(ids, from, to);
      text += entry.text;
    }
    return text;
  }

  /** What the ByteLevel decoder does: added tokens stand alone, the tokens between them decode as one byte run. */
  #decodeBytes(ids: readonly number[], from: number, to: number): string {
    let text = "";
    let run: Uint8Array[] = [];
    for (let i = from; i < to; i++) {
      const entry = this.#entry(ids[i]!);
      if (entry.part === "unknown") return this.#decode(ids.slice(from, to));
      if (entry.part === "skip") continue;
      if (entry.part === "text") {
        text += this.#utf8(run) + entry.text;
        run = [];
      } else run.push(entry.part);
    }
    return text + this.#utf8(run);
  }

  #utf8(run: Uint8Array[]): string {
    if (!run.length) return "";
    const bytes = new Uint8Array(run.reduce((n, part) => n + part.length, 0));
    let at = 0;
    for (const part of run) {
      bytes.set(part, at);
      at += part.length;
    }
    return this.#byteLevel!.utf8(bytes);
  }

  #entry(id: number): TokenEntry {
    let entry = this.#entries.get(id);
    if (entry === undefined) {
      const text = this.#decode([id]);
      entry = { text, complete: !text.includes("\uFFFD"), part: this.#byteLevel ? this.#part(id, text) : "unknown" };
      this.#entries.set(id, entry);
    }
    return entry;
  }

  #part(id: number, text: string): Part {
    const { byteDecoder, addedTexts } = this.#byteLevel!;
    const token = this.#tokenizer.id_to_token(id);
    // Unknown ids decode as the unknown token; an empty token string is not worth reasoning about.
    if (!token) return "unknown";
    // Skipped as special: the tokenizer drops it before decoding, so it does not split the byte run either.
    if (text === "" && this.#decode([id], false) !== "") return "skip";
    if (addedTexts.has(token)) return "text";
    // The library's own expression: unmapped characters become byte 0 there too.
    return new Uint8Array([...token].map((c) => byteDecoder[c]!));
  }

  #decode(ids: number[], skipSpecialTokens = true): string {
    return this.#tokenizer.decode(ids, { skip_special_tokens: skipSpecialTokens });
  }
}

/** UTF-8 with the ByteLevel decoder's settings: invalid bytes become U+FFFD, a leading BOM is kept. */
function utf8Decoder(): (bytes: Uint8Array) => string {
  const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
  return (bytes) => decoder.decode(bytes);
}

/** A bare ByteLevel decoder, no end-of-word suffix and clean-up off (the library cleans up unless told not to). */
function plainByteLevel(tokenizerJson: Record<string, unknown>, config: Record<string, unknown>): boolean {
  const decoder = tokenizerJson["decoder"] as { type?: unknown } | null | undefined;
  const model = tokenizerJson["model"] as { end_of_word_suffix?: unknown } | undefined;
  return (
    decoder?.type === "ByteLevel" && !model?.end_of_word_suffix && config["clean_up_tokenization_spaces"] === false
  );
}
