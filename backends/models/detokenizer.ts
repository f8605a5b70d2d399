// Streams text out of a growing token list. Decoding one token alone loses context (SentencePiece drops the
// leading space, byte-level BPE splits UTF-8 characters across tokens), so like TGI it decodes a small window
// with some already-emitted tokens as prefix and emits only the new suffix, holding back incomplete characters.
// The windows are decoded through decodeRange, which serves most of them from per-token texts.
import type { ModelTokenizer } from "./tokenizer.ts";

const promptContextTokens = 5;

export class IncrementalDetokenizer {
  readonly #tokenizer: ModelTokenizer;
  readonly #ids: number[];
  #prefixOffset = 0;
  #readOffset: number;

  constructor(tokenizer: ModelTokenizer, promptIds: readonly number[]) {
    this.#tokenizer = tokenizer;
    this.#ids = promptIds.slice(-promptContextTokens);
    this.#readOffset = this.#ids.length;
  }

  /** Adds one generated token and returns the text it completes ("" while a character is still partial). */
  push(id: number): string {
    this.#ids.push(id);
    const prefix = this.#tokenizer.decodeRange(this.#ids, this.#prefixOffset, this.#readOffset);
    const text = this.#tokenizer.decodeRange(this.#ids, this.#prefixOffset, this.#ids.length);
    if (text.length <= prefix.length || text.endsWith("\uFFFD")) return "";
    this.#prefixOffset = this.#readOffset;
    this.#readOffset = this.#ids.length;
    return text.slice(prefix.length);
  }

  /** Whatever is still held back at the end of generation (a trailing partial character decodes as U+FFFD). */
  flush(): string {
    if (this.#readOffset === this.#ids.length) return "";
    const prefix = this.#tokenizer.decodeRange(this.#ids, this.#prefixOffset, this.#readOffset);
    const text = this.#tokenizer.decodeRange(this.#ids, this.#prefixOffset, this.#ids.length);
    this.#prefixOffset = this.#readOffset = this.#ids.length;
    return text.length > prefix.length ? text.slice(prefix.length) : "";
  }
}
