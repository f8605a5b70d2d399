// Model directory loading: Optimum and onnxruntime-genai layouts, ONNX file preference, context length and KV
// hints from the configs, and clear errors for incomplete directories.
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_MODELS_DIR } from "#backends/demo-models/generate-all.ts";
import { loadModelDir, ModelLoadError } from "#backends/models/model-dir.ts";

const shared = process.env.SWITCHYARD_SHARED_DIR;
let scratch: string | null = null;
afterEach(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = null;
});

describe("model directory", () => {
  it("reads the Optimum layout, preferring onnx/model.onnx over the merged and quantized exports", async () => {
    const dir = await loadModelDir(join(DEFAULT_MODELS_DIR, "demo-gpt"));
    expect(dir).toMatchObject({
      id: "demo-gpt",
      layout: "optimum",
      contextLength: 512,
      kvHints: { kvHeads: 2, headDim: 16 },
    });
    expect(dir.onnxPath).toBe(join(DEFAULT_MODELS_DIR, "demo-gpt", "onnx", "model.onnx"));
    expect(dir.configEosIds.sort()).toEqual([701, 703]);
    const int8 = await loadModelDir(join(DEFAULT_MODELS_DIR, "demo-gpt-int8"), "small");
    expect(int8.id).toBe("small");
    expect(int8.onnxPath.endsWith(join("onnx", "model_quantized.onnx"))).toBe(true);
  });

  it.skipIf(!shared)(
    "reads the onnxruntime-genai layout of the Llama export (needs SWITCHYARD_SHARED_DIR)",
    async () => {
      const dir = await loadModelDir(join(shared!, "models", "tiny-random-llama-fp16"));
      expect(dir).toMatchObject({
        layout: "genai",
        contextLength: 2048,
        configEosIds: [],
        kvHints: { kvHeads: 1, headDim: 16 },
      });
      expect(dir.onnxPath.endsWith("model.onnx")).toBe(true);
    },
  );

  it("explains what is missing", async () => {
    scratch = await mkdtemp(join(tmpdir(), "switchyard-model-dir-"));
    await expect(loadModelDir(scratch)).rejects.toThrow(/tokenizer.json is missing/);
    await copyFile(join(DEFAULT_MODELS_DIR, "demo-gpt", "tokenizer.json"), join(scratch, "tokenizer.json"));
    await expect(loadModelDir(scratch)).rejects.toThrow(/neither genai_config.json nor config.json/);
    await writeFile(join(scratch, "config.json"), "{}");
    await expect(loadModelDir(scratch)).rejects.toThrow(ModelLoadError);
    await expect(loadModelDir(scratch)).rejects.toThrow(/no ONNX file found/);
    await writeFile(join(scratch, "config.json"), "{oops");
    await expect(loadModelDir(scratch)).rejects.toThrow(/invalid JSON/);
  });
});
