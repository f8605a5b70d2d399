// ensureDemoModels is byte-deterministic, idempotent and quick when current, and works without the shared tokenizer.
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encoderFeeds } from "#backends/demo-models/feeds.ts";
import { DEFAULT_MODELS_DIR, ensureDemoModels } from "#backends/demo-models/generate-all.ts";
import { MARKER_FILE } from "#backends/demo-models/model-dir.ts";
import { demoModelOptions } from "#test/global-setup.ts";

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "switchyard-demo-models-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** relative path → sha256 of every file under `dir`. */
async function digests(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  const pairs = await Promise.all(
    files.map(async (file) => [
      relative(dir, file),
      createHash("sha256")
        .update(await readFile(file))
        .digest("hex"),
    ]),
  );
  return Object.fromEntries(pairs.sort(([a], [b]) => (a! < b! ? -1 : 1)));
}

describe("ensureDemoModels", () => {
  it("regenerates byte-identical files (same bytes as the models the test setup generated)", async () => {
    const modelsDir = join(scratch, "again");
    const result = await ensureDemoModels({ ...demoModelOptions(modelsDir), force: true });
    expect(result.generated).toHaveLength(4);
    for (const [name, dir] of Object.entries(result.dirs)) {
      const fresh = await digests(dir);
      expect(Object.keys(fresh)).toContain(MARKER_FILE);
      expect(fresh, name).toEqual(await digests(join(DEFAULT_MODELS_DIR, name)));
    }
  });

  it("is quick and writes nothing when the models are current", async () => {
    const started = performance.now();
    const result = await ensureDemoModels(demoModelOptions());
    expect(result.generated).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("regenerates a model whose marker does not match (stale or half-copied directory)", async () => {
    const modelsDir = join(scratch, "stale");
    const first = await ensureDemoModels({ ...demoModelOptions(modelsDir), sharedTokenizerDir: null });
    await writeFile(join(first.dirs["demo-gpt"], MARKER_FILE), "{}");
    const second = await ensureDemoModels({ ...demoModelOptions(modelsDir), sharedTokenizerDir: null });
    expect(second.generated).toEqual(["demo-gpt"]);
  });

  it("without the shared MiniLM tokenizer builds a WordPiece encoder that tokenizes and runs", async () => {
    const modelsDir = join(scratch, "bare");
    const { dirs } = await ensureDemoModels({ modelsDir, sharedTokenizerDir: null });
    const dir = dirs["demo-embed"];
    const json = (file: string) => readFile(join(dir, file), "utf8").then((text) => JSON.parse(text) as object);
    const tokenizer = new Tokenizer(await json("tokenizer.json"), await json("tokenizer_config.json"));
    const config = (await json("config.json")) as { vocab_size: number };
    expect(config.vocab_size).toBe(tokenizer.get_vocab(true).size);
    expect(config.vocab_size).toBeLessThan(2000);
    const { ids } = tokenizer.encode("The switchyard sorts freight cars.");
    const session = await ort.InferenceSession.create(join(dir, "onnx/model.onnx"));
    const out = await session.run(encoderFeeds([ids], 0));
    expect(out.last_hidden_state!.dims).toEqual([1, ids.length, 384]);
    await session.release();
  });

  it("rejects an explicit shared tokenizer directory that does not exist", async () => {
    await expect(
      ensureDemoModels({ modelsDir: join(scratch, "missing"), sharedTokenizerDir: join(scratch, "nowhere") }),
    ).rejects.toThrow(/no tokenizer\.json/);
  });
});
