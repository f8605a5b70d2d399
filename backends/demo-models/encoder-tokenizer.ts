// The demo encoder's tokenizer: the real all-MiniLM-L6-v2 files copied verbatim when present, else generated WordPiece.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { jsonBytes, type ModelFiles } from "./model-dir.ts";
import { buildWordPieceTokenizer } from "./wordpiece-tokenizer.ts";

const COPIED_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"] as const;

export type EncoderTokenizer = {
  vocabSize: number;
  padTokenId: number;
  /** Identifies the tokenizer source, so a model built for another vocabulary is regenerated. */
  fingerprint: string;
  files: ModelFiles;
};

type TokenizerJson = {
  model?: { vocab?: Record<string, number> };
  added_tokens?: { id: number }[];
  padding?: { pad_id?: number } | null;
};

/** `sharedDir` undefined means the generated WordPiece vocabulary. */
export async function loadEncoderTokenizer(sharedDir?: string): Promise<EncoderTokenizer> {
  if (!sharedDir) {
    const generated = buildWordPieceTokenizer();
    const files: ModelFiles = new Map(Object.entries(generated.files).map(([name, value]) => [name, jsonBytes(value)]));
    return { vocabSize: generated.vocabSize, padTokenId: generated.padTokenId, fingerprint: "wordpiece", files };
  }
  const files: ModelFiles = new Map();
  const hash = createHash("sha256");
  for (const name of COPIED_FILES) {
    const bytes = new Uint8Array(await readFile(join(sharedDir, name)));
    files.set(name, bytes);
    hash.update(name).update(bytes);
  }
  const parsed = JSON.parse(new TextDecoder().decode(files.get("tokenizer.json"))) as TokenizerJson;
  const vocab = parsed.model?.vocab ?? {};
  const ids = [...Object.values(vocab), ...(parsed.added_tokens ?? []).map((t) => t.id)];
  if (ids.length === 0) throw new Error(`${sharedDir}/tokenizer.json has no vocabulary`);
  return {
    vocabSize: Math.max(...ids) + 1,
    padTokenId: parsed.padding?.pad_id ?? vocab["[PAD]"] ?? 0,
    fingerprint: `shared:${hash.digest("hex").slice(0, 16)}`,
    files,
  };
}
