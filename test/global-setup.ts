// Runs once before all suites: makes sure the generated demo models exist, so suites can share them.
import { join } from "node:path";
import {
  DEFAULT_MODELS_DIR,
  type EnsureDemoModelsOptions,
  ensureDemoModels,
} from "#backends/demo-models/generate-all.ts";

/** SWITCHYARD_SHARED_DIR names the shared material root (as /work/shared); unset: the generator's default path. */
export function demoModelOptions(modelsDir = DEFAULT_MODELS_DIR): EnsureDemoModelsOptions {
  const shared = process.env.SWITCHYARD_SHARED_DIR;
  return { modelsDir, sharedTokenizerDir: shared ? join(shared, "tokenizers", "all-MiniLM-L6-v2") : undefined };
}

export default async function setup(): Promise<void> {
  await ensureDemoModels(demoModelOptions());
}
