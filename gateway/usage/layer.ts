// The usage-metering ForwardLayer: counts the prompt and completion tokens of every answered request by tenant and
// model (chargeback, capacity planning), from a JSON answer's `usage` or a stream's usage chunk, which it asks the
// node for and hides again when the client did not. Answers from the cache count apart: no node computed them.
// Outermost, so it sees every answer, cached ones included; not async, so it costs one promise turn.
import { cacheHeader } from "#gateway/cache/policy.ts";
import { trackStreamUsage, usageChunkNeeded, withUsageRequested } from "#gateway/openai/stream-usage.ts";
import type { Caller, ForwardLayer, ForwardResult } from "#gateway/pipeline/types.ts";
import type { UsageMetrics } from "./metrics.ts";

export function createUsageLayer(metrics: UsageMetrics): ForwardLayer {
  return (next) =>
    function meterUsage(req) {
      const stripUsage = usageChunkNeeded(req);
      const count = (result: ForwardResult, usage: unknown) =>
        countTokens(metrics, req.caller, req.model, result.headers[cacheHeader] === "hit", usage);
      return next(stripUsage ? withUsageRequested(req) : req).then((result) => {
        if (result.status >= 400) return result;
        if (result.kind === "json") {
          count(result, (result.body as { usage?: unknown } | null)?.usage);
          return result;
        }
        const events = trackStreamUsage(result.events, stripUsage, (seen) => count(result, seen.usage));
        return { ...result, events };
      });
    };
}

function countTokens(metrics: UsageMetrics, caller: Caller, model: string, cached: boolean, usage: unknown): void {
  if (!usage || typeof usage !== "object") return;
  const { prompt_tokens: prompt, completion_tokens: completion } = usage as Record<string, unknown>;
  const source = cached ? "cache" : "node";
  if (typeof prompt === "number" && prompt > 0) metrics.tokens.incWith(prompt, caller.tenant, model, "prompt", source);
  if (typeof completion === "number" && completion > 0)
    metrics.tokens.incWith(completion, caller.tenant, model, "completion", source);
}
