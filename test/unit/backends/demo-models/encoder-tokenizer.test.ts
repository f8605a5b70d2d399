// The encoder tokenizer is copied verbatim from the shared MiniLM directory when present, else generated.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadEncoderTokenizer } from "#backends/demo-models/encoder-tokenizer.ts";
import { DEFAULT_SHARED_TOKENIZER_DIR } from "#backends/demo-models/generate-all.ts";

describe("encoder tokenizer", () => {
  it.skipIf(!existsSync(DEFAULT_SHARED_TOKENIZER_DIR))("copies the MiniLM files byte for byte", async () => {
    const shared = await loadEncoderTokenizer(DEFAULT_SHARED_TOKENIZER_DIR);
    expect(shared.vocabSize).toBe(30522);
    expect(shared.padTokenId).toBe(0);
    expect(shared.fingerprint).toMatch(/^shared:/);
    for (const name of ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]) {
      const original = await readFile(join(DEFAULT_SHARED_TOKENIZER_DIR, name));
      expect(Buffer.from(shared.files.get(name)!).equals(original), name).toBe(true);
    }
  });

  it("generates a WordPiece vocabulary with its own fingerprint when no directory is given", async () => {
    const generated = await loadEncoderTokenizer();
    expect(generated.fingerprint).toBe("wordpiece");
    expect(generated.vocabSize).toBeGreaterThan(200);
    expect([...generated.files.keys()].sort()).toEqual([
      "special_tokens_map.json",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
  });
});
