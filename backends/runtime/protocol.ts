// Messages between the HTTP thread and a model worker. Typed arrays travel as transferables (moved, not copied).
import type { FinishReason, SequenceRequest, StepReport } from "#backends/batching/continuous-batcher.ts";
import type { ModelIo } from "./model-io.ts";
import type { ExecutionProvider } from "./session.ts";

export type WorkerInit = {
  onnxPath: string;
  provider: ExecutionProvider;
  intraOpThreads: number;
  kvHints: { kvHeads?: number; headDim?: number };
  padId: number;
  limits: { maxRunningSequences: number; maxBatchTokens: number; contextLength: number };
};

export type ToWorker =
  | { type: "add"; request: SequenceRequest }
  | { type: "cancel"; id: number }
  | { type: "encode"; id: number; ids: BigInt64Array; lengths: number[]; cols: number }
  /** Fault injection: the worker throws an uncaught error, as a bug would (see WorkerHandle.injectCrash). */
  | { type: "crash"; reason: string };

export type ReadyInfo = { io: ModelIo; provider: ExecutionProvider; fallbackReason: string | null };

export type FromWorker =
  | ({ type: "ready" } & ReadyInfo)
  | { type: "init-error"; message: string }
  | { type: "step"; report: StepReport }
  | { type: "encoded"; id: number; embeddings: Float32Array; dim: number; ms: number }
  | { type: "encode-error"; id: number; message: string };

export type { FinishReason, SequenceRequest, StepReport };
