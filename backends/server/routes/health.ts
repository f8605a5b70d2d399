// GET /health: liveness plus a load report the gateway's balancer reads (queue depth, running sequences,
// recent step time) and an honest account of the execution provider each model really runs on. A model whose
// worker died shows `restarting` (node `degraded`, 503) until its replacement is ready.
import type { Handler } from "hono";
import type { NodeContext } from "./context.ts";

export function healthRoute(ctx: NodeContext): Handler {
  return function health(c) {
    const { registry, config } = ctx;
    const models = registry.models.map((m) => ({
      id: m.id,
      kind: m.kind,
      status: m.engine.failure ? "restarting" : "ok",
      contextLength: m.contextLength,
      executionProvider: m.provider,
      queueDepth: m.engine.queueDepth,
      running: m.kind === "decoder" ? m.engine.runningSequences : m.engine.inFlight,
      recentStepMs: round(m.engine.recentStepMs),
      failure: m.engine.failure,
    }));
    const providers = [...new Set(models.map((m) => m.executionProvider))];
    const requested = config.tier === "gpu" ? "cuda" : "cpu";
    const failed = models.some((m) => m.failure);
    const decoders = models.filter((m) => m.kind === "decoder");
    return c.json(
      {
        status: failed ? "degraded" : "ok",
        tier: config.tier,
        executionProvider: providers.length === 1 ? providers[0] : providers.length ? "mixed" : requested,
        requestedExecutionProvider: requested,
        models,
        queueDepth: sum(models.map((m) => m.queueDepth)),
        runningSequences: sum(decoders.map((m) => m.running)),
        inFlight: sum(models.map((m) => m.running)),
        recentStepMs: round(Math.max(0, ...models.map((m) => m.recentStepMs))),
        limits: {
          maxRunningSequences: config.decoderBatching.maxRunningSequences,
          maxQueueLength: config.decoderBatching.maxQueueLength,
        },
        uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000),
      },
      failed ? 503 : 200,
    );
  };
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const round = (ms: number) => Math.round(ms * 100) / 100;
