// One attempt on one node: runs through the node's breaker with its own cancellation (following the request's),
// counts in-flight, feeds latency, load, passive health and Retry-After back into the node, and for streams
// resolves only once the first event is in hand.
import type { Logger } from "pino";
import type { SwitchyardConfig } from "#config/schema.ts";
import type { Pick } from "#gateway/balancer/balancer.ts";
import { type NodeTask, runGuarded } from "#gateway/nodes/breaker.ts";
import { loadFromHeaders } from "#gateway/nodes/load-report.ts";
import type { UpstreamNode } from "#gateway/nodes/upstream-node.ts";
import { GatewayError } from "#gateway/openai/errors.ts";
import type { ForwardRequest, ForwardResult } from "#gateway/pipeline/types.ts";
import { type CallOptions, callNode } from "#gateway/upstream/call-node.ts";
import { AttemptCancelledError, AttemptTimeoutError } from "./errors.ts";
import { failureKind, isConnectionFailure, retryAfterMs, toGatewayError } from "./failure.ts";
import type { RunningAttempt } from "./hedge.ts";
import type { LatencyWindows } from "./latency-window.ts";
import type { ResilienceMetrics } from "./metrics.ts";
import { AttemptScope, type RequestScope } from "./scopes.ts";
import { holdFirstEvent, type StreamEnd } from "./stream-guard.ts";

/** Sends one attempt; `opts` carries the attempt's cancellation (`req.signal` is the whole request's). */
export type NodeCaller = (node: UpstreamNode, req: ForwardRequest, opts: CallOptions) => Promise<ForwardResult>;

export const callUpstream: NodeCaller = (node, req, opts) => callNode(node.pool, node.entry, req, opts);

export type AttemptContext = {
  call: NodeCaller;
  deadlines: SwitchyardConfig["routing"]["deadlines"];
  metrics: ResilienceMetrics;
  /** Recent latencies per model, for hedging delays; absent when hedging is off, since nothing would read them. */
  latencies?: LatencyWindows;
  logger: Logger;
};

/** Reason given to an attempt's signal when it ends normally (nothing is listening by then). */
const attemptOver = new AttemptCancelledError();
/** Outcomes that say nothing about the node: a half-open trial that ends this way must not close the breaker. */
const noVerdict = new Set(["client_closed", "cancelled", "deadline"]);

/** An attempt's CallOptions. Its `signal` is a getter: the attempt makes one only for a call that asks. */
class AttemptCall implements CallOptions {
  readonly cancel: AttemptScope;
  /** A property, not a method: callers pass it on unbound. */
  readonly onHeaders: (headers: Record<string, string | string[] | undefined>) => void;

  constructor(attempt: AttemptScope, node: UpstreamNode) {
    this.cancel = attempt;
    this.onHeaders = (headers) => node.recordLoad(loadFromHeaders(headers));
  }

  get signal(): AbortSignal {
    return this.cancel.signal;
  }
}

export function startAttempt(
  pick: Pick<UpstreamNode>,
  req: ForwardRequest,
  scope: RequestScope,
  ctx: AttemptContext,
): RunningAttempt {
  const { node, tier } = pick;
  const attempt = new AttemptScope(scope.source);
  const started = performance.now();
  const trial = node.breaker.halfOpen;
  let finished = false;
  /** `answered`: a JSON answer was read whole, so nothing is left running to abort. */
  const finish = (answered = false) => {
    if (finished) return;
    finished = true;
    attempt.close(answered ? undefined : attemptOver);
    node.end();
  };
  const explain = (error: unknown): GatewayError => {
    if (scope.signal.aborted) return scope.stopReason();
    const reason: unknown = attempt.aborted ? attempt.reason : undefined;
    return reason instanceof GatewayError && reason !== attemptOver ? reason : toGatewayError(error, node.id);
  };
  const onStreamEnd = (end: StreamEnd) => {
    finish();
    scope.dispose();
    if (end.outcome !== "failed" || !end.error) return;
    const kind = failureKind(end.error);
    ctx.metrics.streamFailures.inc({ node: node.id, reason: kind });
    if (isConnectionFailure(end.error)) node.health.recordFailure(`stream connection broke (${kind})`);
    ctx.logger.warn({ node: node.id, requestId: req.requestId, reason: kind }, "stream failed after its first event");
  };

  node.begin();
  if (req.stream) {
    const ms = ctx.deadlines.firstTokenMs;
    attempt.watch(ms, () => new AttemptTimeoutError(node.id, `Node ${node.id} sent no first token within ${ms} ms.`));
  }
  const explained = (error: unknown): never => {
    // Normalised inside the task so the breaker sees `nodeFault` exactly as the forwarder will.
    throw explain(error);
  };
  // Promise chains rather than an async function: each await would cost every request another microtask turn.
  const task: NodeTask = () => {
    let called: Promise<ForwardResult>;
    try {
      called = ctx.call(node, req, new AttemptCall(attempt, node));
    } catch (error) {
      return Promise.reject(explain(error));
    }
    return called.then((result): ForwardResult | Promise<ForwardResult> => {
      if (result.kind === "json") return result;
      return holdFirstEvent(result, {
        attempt,
        nodeId: node.id,
        interTokenMs: ctx.deadlines.interTokenMs,
        explain,
        onEnd: onStreamEnd,
      }).catch(explained);
    }, explained);
  };

  const result = runGuarded(
    node.breaker,
    task,
    (outcome) => {
      const ms = performance.now() - started;
      const label = outcome.status >= 400 ? "client_error" : "ok";
      node.health.recordTrafficSuccess();
      if (outcome.status < 400) node.latency.observe(ms);
      if (outcome.kind === "json") {
        if (outcome.status < 400) ctx.latencies?.record(req.model, ms);
        finish(true);
      }
      ctx.metrics.attempts.incWith(1, node.id, tier, label);
      ctx.metrics.attemptSeconds.observeWith(ms / 1000, tier, label);
      return outcome;
    },
    (thrown: unknown) => {
      const error = explain(thrown);
      const kind = failureKind(error);
      const ms = performance.now() - started;
      // A timed-out or cancelled attempt took at least this long: that may only raise the node's estimate.
      if (kind === "timeout" || kind === "cancelled") node.latency.observeAtLeast(ms);
      if (isConnectionFailure(error)) node.health.recordFailure(`connection failed: ${error.message}`);
      const backoff = retryAfterMs(error);
      if (backoff !== undefined) node.backoffUntil = Math.max(node.backoffUntil, Date.now() + backoff);
      if (trial && noVerdict.has(kind) && node.breaker.closed) node.breaker.open();
      ctx.metrics.attempts.incWith(1, node.id, tier, kind);
      ctx.metrics.attemptSeconds.observeWith(ms / 1000, tier, kind);
      finish();
      throw error;
    },
  );
  return {
    result,
    cancel: (reason) => attempt.cancel(reason instanceof GatewayError ? reason : new AttemptCancelledError()),
  };
}
