// Whether onnxruntime-node has its CUDA execution provider library on disk. Checked before asking for CUDA so a
// CPU-only install falls back with an actionable reason instead of a native load error on stderr.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const providerLibrary = "libonnxruntime_providers_cuda.so";

/** Undefined when the CUDA provider can be tried; otherwise why it cannot. */
export function cudaUnavailableReason(): string | undefined {
  if (process.platform !== "linux" && process.platform !== "win32")
    return `onnxruntime-node has no CUDA build for ${process.platform}`;
  const entry = createRequire(import.meta.url).resolve("onnxruntime-node");
  const binDir = join(dirname(entry), "..", "bin", "napi-v6", process.platform, process.arch);
  const library = process.platform === "win32" ? "onnxruntime_providers_cuda.dll" : providerLibrary;
  if (existsSync(join(binDir, library))) return undefined;
  return `the CUDA execution provider is not installed (${library} missing in ${binDir}); reinstall onnxruntime-node with ONNXRUNTIME_NODE_INSTALL=cuda12 on a GPU host`;
}
