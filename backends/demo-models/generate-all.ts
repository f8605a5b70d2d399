// Generates the missing or stale demo models under models/ (entry point of `npm run models` and the test setup).
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildDecoderFiles } from "./decoder-files.ts";
import { buildEncoderFiles } from "./encoder-files.ts";
import { loadEncoderTokenizer } from "./encoder-tokenizer.ts";
import { isCurrent, type ModelFiles, sweepLeftovers, writeModelDir } from "./model-dir.ts";
import { DEMO_DECODER, DEMO_ENCODER, type DemoModelName, GENERATOR_VERSION } from "./specs.ts";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");
export const DEFAULT_MODELS_DIR = join(REPO_ROOT, "models");
export const DEFAULT_SHARED_TOKENIZER_DIR = resolve(REPO_ROOT, "../shared/tokenizers/all-MiniLM-L6-v2");

export type EnsureDemoModelsOptions = {
  modelsDir: string;
  /** A directory with the real MiniLM tokenizer files; undefined: the default path if it exists; null: generate. */
  sharedTokenizerDir?: string | null;
  /** Regenerate even when current models are present. */
  force?: boolean;
};

export type DemoModels = { dirs: Record<DemoModelName, string>; generated: DemoModelName[] };

type Pair = {
  fp32: DemoModelName;
  int8: DemoModelName;
  fingerprint: string;
  build: () => { fp32: ModelFiles; int8: ModelFiles };
};

export async function ensureDemoModels(options: EnsureDemoModelsOptions): Promise<DemoModels> {
  const modelsDir = resolve(options.modelsDir);
  await sweepLeftovers(modelsDir);
  const tokenizer = await loadEncoderTokenizer(resolveSharedTokenizerDir(options.sharedTokenizerDir));
  const pairs: Pair[] = [
    {
      fp32: "demo-gpt",
      int8: "demo-gpt-int8",
      fingerprint: fingerprint({ spec: DEMO_DECODER }),
      build: () => buildDecoderFiles(DEMO_DECODER),
    },
    {
      fp32: "demo-embed",
      int8: "demo-embed-int8",
      fingerprint: fingerprint({ spec: DEMO_ENCODER, tokenizer: tokenizer.fingerprint }),
      build: () => buildEncoderFiles(DEMO_ENCODER, tokenizer),
    },
  ];
  const generated: DemoModelName[] = [];
  for (const pair of pairs) {
    const stale: DemoModelName[] = [];
    for (const name of [pair.fp32, pair.int8]) {
      if (options.force || !(await isCurrent(join(modelsDir, name), pair.fingerprint))) stale.push(name);
    }
    if (stale.length === 0) continue;
    const files = pair.build();
    for (const name of stale) {
      await writeModelDir(modelsDir, name, name === pair.fp32 ? files.fp32 : files.int8, pair.fingerprint);
      generated.push(name);
    }
  }
  const dirs = Object.fromEntries(pairs.flatMap((p) => [p.fp32, p.int8]).map((n) => [n, join(modelsDir, n)]));
  return { dirs: dirs as Record<DemoModelName, string>, generated };
}

function resolveSharedTokenizerDir(option: string | null | undefined): string | undefined {
  if (option === null) return undefined;
  if (option === undefined) return existsSync(DEFAULT_SHARED_TOKENIZER_DIR) ? DEFAULT_SHARED_TOKENIZER_DIR : undefined;
  if (!existsSync(join(option, "tokenizer.json"))) throw new Error(`no tokenizer.json in ${option}`);
  return option;
}

/** Changes whenever the generator version, a model's shape or its tokenizer source changes. */
function fingerprint(parts: object): string {
  const text = JSON.stringify({ version: GENERATOR_VERSION, ...parts });
  return createHash("sha256").update(text).digest("hex").slice(0, 24);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "models-dir": { type: "string", default: DEFAULT_MODELS_DIR },
      "shared-tokenizer-dir": { type: "string" },
      "no-shared-tokenizer": { type: "boolean", default: false },
      force: { type: "boolean", default: false },
    },
  });
  const started = performance.now();
  const sharedTokenizerDir = values["no-shared-tokenizer"] ? null : values["shared-tokenizer-dir"];
  const result = await ensureDemoModels({ modelsDir: values["models-dir"], sharedTokenizerDir, force: values.force });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  for (const [name, dir] of Object.entries(result.dirs)) {
    console.log(`${result.generated.includes(name as DemoModelName) ? "generated" : "current  "} ${name} → ${dir}`);
  }
  console.log(`demo models ready in ${seconds}s`);
}

if (import.meta.main) await main();
