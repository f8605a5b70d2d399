// The model node's Prometheus metrics, registered in a Registry the app owns: request outcomes, queueing,
// batch sizes, step times, streaming latencies, token counts, worker restarts and live load (queue depth, running
// sequences).
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const batchBuckets = [1, 2, 4, 8, 16, 32, 64, 128];

export type NodeMetrics = ReturnType<typeof createNodeMetrics>;

/** Live load of one model, read when metrics are scraped. */
export type ModelLoad = { model: string; queueDepth: number; running: number };

export function createNodeMetrics(registry: Registry, load: () => ModelLoad[]) {
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: "switchyard_node_requests_total",
      help: "HTTP requests by endpoint, model and outcome (ok, client_error, overloaded, cancelled, server_error).",
      labelNames: ["endpoint", "model", "outcome"] as const,
      registers,
    }),
    queueWait: new Histogram({
      name: "switchyard_node_queue_wait_seconds",
      help: "Time from admission to the start of work (prefill or encoder batch).",
      labelNames: ["model"] as const,
      buckets: latencyBuckets,
      registers,
    }),
    batchSize: new Histogram({
      name: "switchyard_node_batch_size",
      help: "Rows per model run: encoder batches, decoder prefills and decode steps.",
      labelNames: ["model", "phase"] as const,
      buckets: batchBuckets,
      registers,
    }),
    stepTime: new Histogram({
      name: "switchyard_node_step_seconds",
      help: "Duration of one model run (encode batch, prefill or decode step).",
      labelNames: ["model", "phase"] as const,
      buckets: latencyBuckets,
      registers,
    }),
    timeToFirstToken: new Histogram({
      name: "switchyard_node_time_to_first_token_seconds",
      help: "From request submission (queue wait included) to the first generated token.",
      labelNames: ["model"] as const,
      buckets: latencyBuckets,
      registers,
    }),
    interTokenLatency: new Histogram({
      name: "switchyard_node_inter_token_latency_seconds",
      help: "Time between consecutive generated tokens of one sequence.",
      labelNames: ["model"] as const,
      buckets: latencyBuckets,
      registers,
    }),
    tokensGenerated: new Counter({
      name: "switchyard_node_generated_tokens_total",
      help: "Tokens sampled by decoders.",
      labelNames: ["model"] as const,
      registers,
    }),
    promptTokens: new Counter({
      name: "switchyard_node_prompt_tokens_total",
      help: "Prompt (or embedding input) tokens processed.",
      labelNames: ["model"] as const,
      registers,
    }),
    queueDepth: new Gauge({
      name: "switchyard_node_queue_depth",
      help: "Requests (decoders: sequences; encoders: inputs) waiting for the model.",
      labelNames: ["model"] as const,
      registers,
      collect() {
        for (const l of load()) this.set({ model: l.model }, l.queueDepth);
      },
    }),
    runningSequences: new Gauge({
      name: "switchyard_node_running_sequences",
      help: "Decoder sequences in the running batch, or encoder inputs being computed.",
      labelNames: ["model"] as const,
      registers,
      collect() {
        for (const l of load()) this.set({ model: l.model }, l.running);
      },
    }),
    workerRestarts: new Counter({
      name: "switchyard_node_worker_restarts_total",
      help: "Model workers started again after their thread exited unexpectedly (failed attempts included).",
      labelNames: ["model"] as const,
      registers,
    }),
    executionProvider: new Gauge({
      name: "switchyard_node_execution_provider_info",
      help: "1 for the execution provider each model actually runs on, next to the one its tier asked for.",
      labelNames: ["model", "requested", "actual"] as const,
      registers,
    }),
  };
}
