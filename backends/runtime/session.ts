// Creates the onnxruntime session for a tier: `gpu` asks for the CUDA execution provider and falls back to the
// CPU one when CUDA cannot load (reporting why, so /health and metrics tell the truth); `cpu` uses the CPU
// provider with the configured intra-op thread count (0 keeps onnxruntime's default).
import * as ort from "onnxruntime-node";
import { cudaUnavailableReason } from "./cuda-provider.ts";

export type ExecutionProvider = "cuda" | "cpu";

export type SessionChoice = {
  session: ort.InferenceSession;
  provider: ExecutionProvider;
  /** Set when the requested provider could not be used. */
  fallbackReason: string | null;
};

export async function createSession(
  path: string,
  requested: ExecutionProvider,
  intraOpThreads: number,
): Promise<SessionChoice> {
  const options: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: "all",
    ...(intraOpThreads > 0 ? { intraOpNumThreads: intraOpThreads } : {}),
  };
  if (requested === "cuda") {
    const missing = cudaUnavailableReason();
    if (missing) {
      const session = await ort.InferenceSession.create(path, { ...options, executionProviders: ["cpu"] });
      return { session, provider: "cpu", fallbackReason: missing };
    }
    try {
      const session = await ort.InferenceSession.create(path, { ...options, executionProviders: ["cuda"] });
      return { session, provider: "cuda", fallbackReason: null };
    } catch (error) {
      const session = await ort.InferenceSession.create(path, { ...options, executionProviders: ["cpu"] });
      return { session, provider: "cpu", fallbackReason: (error as Error).message };
    }
  }
  const session = await ort.InferenceSession.create(path, { ...options, executionProviders: ["cpu"] });
  return { session, provider: "cpu", fallbackReason: null };
}
