// Loads the configured models (directory → tokenizer → worker sessions → decoder or encoder engine) and answers
// which model serves an id, plus the node-wide load that /health, headers and metrics report. Each worker is
// supervised: one that dies is restarted with backoff until the registry closes.
import { setTimeout } from "node:timers/promises";
import type { Logger } from "pino";
import type { ModelLoad, NodeMetrics } from "#backends/metrics.ts";
import type { ExecutionProvider } from "#backends/runtime/session.ts";
import { SupervisedWorker } from "#backends/runtime/supervised-worker.ts";
import { WorkerHandle } from "#backends/runtime/worker-handle.ts";
import type { ModelNodeConfig } from "#config/schema.ts";
import { ChatTemplate, chatTemplateSource } from "./chat-template.ts";
import { DecoderEngine } from "./decoder-engine.ts";
import { EncoderEngine } from "./encoder-engine.ts";
import { loadModelDir, type ModelDir } from "./model-dir.ts";
import { ModelTokenizer } from "./tokenizer.ts";

const idlePollMs = 5;

type Common = {
  id: string;
  tokenizer: ModelTokenizer;
  contextLength: number;
  provider: ExecutionProvider;
  workers: SupervisedWorker[];
};
export type LoadedDecoder = Common & { kind: "decoder"; engine: DecoderEngine; chatTemplate: ChatTemplate | null };
export type LoadedEncoder = Common & { kind: "encoder"; engine: EncoderEngine };
export type LoadedModel = LoadedDecoder | LoadedEncoder;

export class ModelRegistry {
  readonly models: LoadedModel[] = [];

  get(id: string): LoadedModel | undefined {
    return this.models.find((m) => m.id === id);
  }

  load(): ModelLoad[] {
    return this.models.map((m) => ({
      model: m.id,
      queueDepth: m.engine.queueDepth,
      running: m.kind === "decoder" ? m.engine.runningSequences : m.engine.inFlight,
    }));
  }

  async add(
    entry: ModelNodeConfig["models"][number],
    config: ModelNodeConfig,
    metrics: NodeMetrics,
    logger: Logger,
  ): Promise<LoadedModel> {
    const dir = await loadModelDir(entry.path, entry.id);
    if (this.get(dir.id)) throw new Error(`two models share the id "${dir.id}"; give one an explicit id`);
    const tokenizer = new ModelTokenizer(dir);
    const chatTemplate = compileTemplate(dir, tokenizer, logger);
    const requested: ExecutionProvider = config.tier === "gpu" ? "cuda" : "cpu";
    const init = {
      onnxPath: dir.onnxPath,
      provider: requested,
      intraOpThreads: config.cpuThreads,
      kvHints: dir.kvHints,
      padId: tokenizer.padId,
      limits: { ...config.decoderBatching, contextLength: dir.contextLength },
    };
    const started = await Promise.allSettled(Array.from({ length: config.workers }, () => WorkerHandle.start(init)));
    const handles = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const failed = started.find((s) => s.status === "rejected");
    if (failed) {
      await Promise.all(handles.map((w) => w.terminate()));
      throw new Error(`model ${dir.id} failed to load: ${(failed.reason as Error).message}`);
    }
    const first = handles[0]!;
    const { provider, fallbackReason, io } = first.info;
    if (fallbackReason)
      logger.warn({ model: dir.id, reason: fallbackReason }, "CUDA execution provider unavailable; running on CPU");
    metrics.executionProvider.set({ model: dir.id, requested, actual: provider }, 1);
    const restarts = metrics.workerRestarts.labels({ model: dir.id });
    restarts.inc(0); // the series exists from the start, so rate() sees the first restart
    const supervision = {
      init,
      logger: logger.child({ model: dir.id }),
      onRestart: () => restarts.inc(),
      backoff: config.workerRestartBackoff,
    };
    const workers = handles.map((handle) => new SupervisedWorker(handle, supervision));
    const common = { id: dir.id, tokenizer, contextLength: dir.contextLength, provider, workers };
    let model: LoadedModel;
    if (io.kind === "decoder") {
      const engine = new DecoderEngine(workers, {
        modelId: dir.id,
        maxQueueLength: config.decoderBatching.maxQueueLength,
        eosIds: tokenizer.eosIds,
        metrics,
      });
      model = { ...common, kind: "decoder", engine, chatTemplate };
    } else {
      const engine = new EncoderEngine(workers, {
        modelId: dir.id,
        padId: tokenizer.padId,
        batching: config.encoderBatching,
        metrics,
      });
      model = { ...common, kind: "encoder", engine };
    }
    logger.info(
      {
        model: dir.id,
        kind: io.kind,
        layout: dir.layout,
        provider,
        workers: workers.length,
        contextLength: dir.contextLength,
      },
      "model loaded",
    );
    this.models.push(model);
    return model;
  }

  /**
   * Stops the workers, first waiting (up to `idleWaitMs`) for work already cancelled or finishing to leave them:
   * terminating a worker inside onnxruntime's session.run aborts the whole process.
   */
  async close(idleWaitMs = 2_000): Promise<void> {
    const deadline = performance.now() + idleWaitMs;
    while (this.#busy() && performance.now() < deadline) await setTimeout(idlePollMs);
    await Promise.all(this.models.flatMap((m) => m.workers.map((w) => w.close())));
  }

  #busy(): boolean {
    return this.load().some((l) => l.running + l.queueDepth > 0);
  }
}

/** A template that does not parse leaves the model usable through /v1/completions; chat then answers 400. */
function compileTemplate(dir: ModelDir, tokenizer: ModelTokenizer, logger: Logger): ChatTemplate | null {
  const source = chatTemplateSource(dir);
  if (!source) return null;
  try {
    return new ChatTemplate(source, tokenizer.specialTokens);
  } catch (error) {
    logger.warn(
      { model: dir.id, err: error },
      "chat template does not parse; chat completions are disabled for this model",
    );
    return null;
  }
}
