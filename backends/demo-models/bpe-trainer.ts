// Learns byte-level BPE merges from a text sample, deterministically (ties go to the lexicographically first pair).
import { BYTE_TOKENS, byteLevelPieces } from "./byte-level.ts";

export type BpeModel = { vocab: string[]; merges: [string, string][] };
type Word = { symbols: string[]; count: number };

/** Merges until the vocabulary (256 bytes + merged tokens) holds `vocabSize` tokens. */
export function trainByteLevelBpe(text: string, vocabSize: number): BpeModel {
  const vocab = [...BYTE_TOKENS];
  const known = new Set(vocab);
  const merges: [string, string][] = [];
  const words = countWords(text);
  while (vocab.length < vocabSize) {
    const best = mostFrequentPair(words);
    if (!best || best.count < 2) {
      throw new Error(`sample supports only ${vocab.length} tokens, ${vocabSize} requested`);
    }
    merges.push(best.pair);
    const merged = best.pair[0] + best.pair[1];
    if (!known.has(merged)) {
      known.add(merged);
      vocab.push(merged);
    }
    for (const word of words) word.symbols = applyMerge(word.symbols, best.pair);
  }
  return { vocab, merges };
}

function countWords(text: string): Word[] {
  const counts = new Map<string, number>();
  for (const piece of byteLevelPieces(text)) counts.set(piece, (counts.get(piece) ?? 0) + 1);
  return [...counts].map(([piece, count]) => ({ symbols: Array.from(piece), count }));
}

function mostFrequentPair(words: Word[]): { pair: [string, string]; count: number } | undefined {
  // Byte-level symbols never contain U+0020 (space maps to "Ġ"), so a space is a safe separator.
  const counts = new Map<string, number>();
  for (const { symbols, count } of words) {
    for (let i = 0; i + 1 < symbols.length; i++) {
      const key = `${symbols[i]} ${symbols[i + 1]}`;
      counts.set(key, (counts.get(key) ?? 0) + count);
    }
  }
  let bestKey: string | undefined;
  let bestCount = 0;
  for (const [key, count] of counts) {
    if (count > bestCount || (count === bestCount && bestKey !== undefined && key < bestKey)) {
      bestKey = key;
      bestCount = count;
    }
  }
  if (bestKey === undefined) return undefined;
  const [left = "", right = ""] = bestKey.split(" ");
  return { pair: [left, right], count: bestCount };
}

function applyMerge(symbols: string[], [left, right]: [string, string]): string[] {
  const out: string[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (symbols[i] === left && symbols[i + 1] === right) {
      out.push(left + right);
      i++;
    } else {
      out.push(symbols[i]!);
    }
  }
  return out;
}
