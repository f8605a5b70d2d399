// Reads a model directory in either Hugging Face Optimum layout (config.json, onnx/model.onnx, ...) or
// onnxruntime-genai layout (genai_config.json) into one description: which ONNX file to load, the tokenizer
// files, the context length and the hints (KV heads, head size) that the ONNX metadata may leave symbolic.
import { access, readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";

export type ModelLayout = "optimum" | "genai";

export type ModelDir = {
  id: string;
  dir: string;
  layout: ModelLayout;
  onnxPath: string;
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  /** A chat template shipped as its own file (chat_template.jinja), which wins over tokenizer_config's. */
  chatTemplateFile: string | null;
  /** Tokens the model can attend to: prompt plus completion. */
  contextLength: number;
  /** EOS ids from config.json / generation_config.json (Optimum only: genai_config ids are not trustworthy). */
  configEosIds: number[];
  kvHints: { kvHeads?: number; headDim?: number };
};

/** Optimum file names in order of preference: full precision first, quantized as the fallback. */
const optimumCandidates = [
  "onnx/model.onnx",
  "model.onnx",
  "onnx/decoder_model_merged.onnx",
  "decoder_model_merged.onnx",
  "onnx/model_quantized.onnx",
  "model_quantized.onnx",
];

const defaultContextLength = 2048;

export class ModelLoadError extends Error {}

export async function loadModelDir(path: string, id?: string): Promise<ModelDir> {
  const dir = resolve(path);
  if (!(await exists(dir))) throw new ModelLoadError(`${dir}: no such model directory`);
  const genai = await readJson(join(dir, "genai_config.json"));
  const config = genai ? null : await readJson(join(dir, "config.json"));
  const tokenizerJson = await readJson(join(dir, "tokenizer.json"));
  if (!tokenizerJson) throw new ModelLoadError(`${dir}: tokenizer.json is missing`);
  const tokenizerConfig = (await readJson(join(dir, "tokenizer_config.json"))) ?? {};
  const templatePath = join(dir, "chat_template.jinja");
  const chatTemplateFile = (await exists(templatePath)) ? await readFile(templatePath, "utf8") : null;
  const base = { id: id ?? basename(dir), dir, tokenizerJson, tokenizerConfig, chatTemplateFile };
  if (genai) return { ...base, ...(await genaiLayout(dir, genai, tokenizerConfig)) };
  if (!config) throw new ModelLoadError(`${dir}: neither genai_config.json nor config.json found`);
  return { ...base, ...(await optimumLayout(dir, config, tokenizerConfig)) };
}

type LayoutPart = Pick<ModelDir, "layout" | "onnxPath" | "contextLength" | "configEosIds" | "kvHints">;

async function genaiLayout(
  dir: string,
  genai: Record<string, unknown>,
  tokConfig: Record<string, unknown>,
): Promise<LayoutPart> {
  const model = record(genai["model"]);
  const decoder = record(model["decoder"]);
  const filename = typeof decoder["filename"] === "string" ? decoder["filename"] : "model.onnx";
  const onnxPath = join(dir, filename);
  if (!(await exists(onnxPath)))
    throw new ModelLoadError(`${dir}: genai_config.json names ${filename}, which is missing`);
  return {
    layout: "genai",
    onnxPath,
    contextLength: positiveInt(model["context_length"]) ?? tokenizerMax(tokConfig) ?? defaultContextLength,
    configEosIds: [],
    kvHints: {
      kvHeads: positiveInt(decoder["num_key_value_heads"]) ?? positiveInt(decoder["num_attention_heads"]),
      headDim: positiveInt(decoder["head_size"]),
    },
  };
}

async function optimumLayout(
  dir: string,
  config: Record<string, unknown>,
  tokConfig: Record<string, unknown>,
): Promise<LayoutPart> {
  let onnxPath: string | null = null;
  for (const candidate of optimumCandidates) {
    if (await exists(join(dir, candidate))) {
      onnxPath = join(dir, candidate);
      break;
    }
  }
  if (!onnxPath) throw new ModelLoadError(`${dir}: no ONNX file found (looked for ${optimumCandidates.join(", ")})`);
  const generation = (await readJson(join(dir, "generation_config.json"))) ?? {};
  const heads = positiveInt(config["num_attention_heads"]) ?? positiveInt(config["n_head"]);
  const hidden = positiveInt(config["hidden_size"]) ?? positiveInt(config["n_embd"]);
  return {
    layout: "optimum",
    onnxPath,
    contextLength:
      positiveInt(config["max_position_embeddings"]) ??
      positiveInt(config["n_positions"]) ??
      positiveInt(config["n_ctx"]) ??
      tokenizerMax(tokConfig) ??
      defaultContextLength,
    configEosIds: [...new Set([...ids(config["eos_token_id"]), ...ids(generation["eos_token_id"])])],
    kvHints: {
      kvHeads: positiveInt(config["num_key_value_heads"]) ?? heads,
      headDim: positiveInt(config["head_dim"]) ?? (heads && hidden ? hidden / heads : undefined),
    },
  };
}

/** tokenizer_config's model_max_length is often a huge sentinel (1e30) meaning "unknown". */
function tokenizerMax(tokConfig: Record<string, unknown>): number | undefined {
  const value = positiveInt(tokConfig["model_max_length"]);
  return value && value <= 1_000_000 ? value : undefined;
}

function ids(value: unknown): number[] {
  if (typeof value === "number" && Number.isInteger(value)) return [value];
  return Array.isArray(value) ? value.filter((v): v is number => Number.isInteger(v)) : [];
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function readJson(path: string): Promise<Record<string, unknown> | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return null;
  }
  try {
    return record(JSON.parse(text));
  } catch (error) {
    throw new ModelLoadError(`${path}: invalid JSON (${(error as Error).message})`);
  }
}
