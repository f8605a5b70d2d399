// GPT-2 byte-level alphabet and pre-tokenizer split, the scheme the ByteLevel pre-tokenizer and decoder expect.

/** GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to code points from 256 up. */
function buildByteAlphabet(): string[] {
  const printable: number[] = [];
  const ranges: [number, number][] = [
    [0x21, 0x7e],
    [0xa1, 0xac],
    [0xae, 0xff],
  ];
  for (const [from, to] of ranges) for (let b = from; b <= to; b++) printable.push(b);
  const byteToChar = new Array<string>(256);
  for (const b of printable) byteToChar[b] = String.fromCodePoint(b);
  let extra = 0;
  for (let b = 0; b < 256; b++) if (byteToChar[b] === undefined) byteToChar[b] = String.fromCodePoint(256 + extra++);
  return byteToChar;
}

/** Index = byte value. */
export const BYTE_TO_CHAR: readonly string[] = buildByteAlphabet();

/** The 256 single-byte tokens in GPT-2's vocabulary order (printable bytes first, so "!" is id 0). */
export const BYTE_TOKENS: readonly string[] = [
  ...Array.from({ length: 256 }, (_, b) => b).filter((b) => BYTE_TO_CHAR[b]!.codePointAt(0) === b),
  ...Array.from({ length: 256 }, (_, b) => b).filter((b) => BYTE_TO_CHAR[b]!.codePointAt(0) !== b),
].map((b) => BYTE_TO_CHAR[b]!);

/** GPT-2's pre-tokenizer pattern (what ByteLevel with use_regex applies). */
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

const encoder = new TextEncoder();

/** Splits text like the ByteLevel pre-tokenizer and maps each piece's UTF-8 bytes to alphabet characters. */
export function byteLevelPieces(text: string): string[] {
  return (text.match(GPT2_SPLIT) ?? []).map((piece) =>
    Array.from(encoder.encode(piece), (b) => BYTE_TO_CHAR[b]!).join(""),
  );
}
