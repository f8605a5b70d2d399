// The terminal of the ForwardLayer chain: picks a node, runs the attempt (hedged when enabled), and on a
// retryable failure tries another node — within maxAttempts, the retry budget and the request's deadline —
// before anything has reached the client. Clients should not notice one slow or dead node.
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { SwitchyardConfig } from "#config/schema.ts";
import { createBalancer, type Pick } from "#gateway/balancer/balancer.ts";
import { balancerMetrics } from "#gateway/balancer/metrics.ts";
import { buildStrategy, type StrategyTable } from "#gateway/balancer/strategies.ts";
import type { NodeRegistry } from "#gateway/nodes/registry.ts";
import type { UpstreamNode } from "#gateway/nodes/upstream-node.ts";
import { type GatewayError, ModelNotFoundError, NoHealthyNodeError } from "#gateway/openai/errors.ts";
import type { Forwarder, ForwardRequest, ForwardResult } from "#gateway/pipeline/types.ts";
import { type AttemptContext, callUpstream, type NodeCaller, startAttempt } from "./attempt.ts";
import { failureKind, isRetryable } from "./failure.ts";
import { type RunningAttempt, raceWithHedge } from "./hedge.ts";
import { LatencyWindows } from "./latency-window.ts";
import { resilienceMetrics } from "./metrics.ts";
import { RetryBudget } from "./retry-budget.ts";
import { RequestScope } from "./scopes.ts";

export type RoutingForwarderOptions = {
  registry: NodeRegistry;
  config: SwitchyardConfig;
  metricsRegistry: Registry;
  logger: Logger;
  /** Sends one attempt to one node; the real HTTP caller unless a unit test substitutes one. */
  call?: NodeCaller;
  strategies?: StrategyTable;
};

export function createRoutingForwarder(opts: RoutingForwarderOptions): Forwarder {
  const { registry, logger } = opts;
  const routing = opts.config.routing;
  const metrics = resilienceMetrics(opts.metricsRegistry);
  const balancer = createBalancer({
    candidates: () => registry.nodes(),
    routing,
    strategy: buildStrategy(routing.strategy, opts.strategies),
    metrics: balancerMetrics(opts.metricsRegistry),
  });
  const budget = new RetryBudget(routing.retries);
  // A forwarder lives for one config snapshot, so whether it hedges is fixed for its lifetime.
  const latencies = routing.hedging.enabled ? new LatencyWindows() : undefined;
  const attemptContext: AttemptContext = {
    call: opts.call ?? callUpstream,
    deadlines: routing.deadlines,
    metrics,
    latencies,
    logger,
  };

  function spendBudget(): boolean {
    if (budget.tryWithdraw()) return true;
    metrics.budgetExhausted.inc();
    return false;
  }

  function run(
    pick: Pick<UpstreamNode>,
    req: ForwardRequest,
    scope: RequestScope,
    tried: Set<string>,
  ): Promise<ForwardResult> {
    const primary = startAttempt(pick, req, scope, attemptContext);
    const hedging = routing.hedging;
    const delay = latencies && !req.stream ? latencies.quantile(req.model, hedging.quantile) : undefined;
    if (delay === undefined) return primary.result;
    const launchHedge = (): RunningAttempt | undefined => {
      if (scope.signal.aborted) return undefined;
      const next = balancer.pick({ model: req.model, tenant: req.caller.tenant, exclude: tried });
      if (!next || !spendBudget()) return undefined;
      tried.add(next.node.id);
      metrics.hedges.inc({ event: "launched" });
      return startAttempt(next, req, scope, attemptContext);
    };
    return raceWithHedge(primary, Math.max(hedging.minDelayMs, delay), launchHedge, () =>
      metrics.hedges.inc({ event: "won" }),
    );
  }

  /** Attempts after the first failed one, as long as the error, the retry budget and the deadline allow. */
  async function retry(
    req: ForwardRequest,
    scope: RequestScope,
    tried: Set<string>,
    firstError: GatewayError,
  ): Promise<ForwardResult> {
    let streamOwnsScope = false;
    let lastError = firstError;
    try {
      for (let attempt = 1; attempt < routing.retries.maxAttempts; attempt++) {
        if (!isRetryable(lastError)) break;
        const pick = balancer.pick({ model: req.model, tenant: req.caller.tenant, exclude: tried });
        if (!pick) break;
        // Budget is spent only once there is somewhere to go; the backoff ends early if the request does.
        if (!(spendBudget() && (await pause(routing.retries.backoffMs, scope.signal)))) break;
        metrics.retries.inc({ reason: failureKind(lastError) });
        tried.add(pick.node.id);
        try {
          const result = await run(pick, req, scope, tried);
          streamOwnsScope = result.kind === "stream";
          return result;
        } catch (error) {
          lastError = error as GatewayError;
        }
      }
      throw finalError(req, scope, lastError);
    } finally {
      if (!streamOwnsScope) scope.dispose();
    }
  }

  // Not async: the first attempt is chained directly (most requests need no other), and only a failure enters the
  // retry loop; an async function would cost every request microtask turns.
  return function routeRequest(req: ForwardRequest): Promise<ForwardResult> {
    const scope = new RequestScope(req);
    const tried = new Set<string>();
    const now = Date.now();
    budget.deposit(now);
    let pick: Pick<UpstreamNode> | undefined;
    try {
      pick = balancer.pick({ model: req.model, tenant: req.caller.tenant, exclude: tried, now });
      if (!pick) throw finalError(req, scope, undefined);
    } catch (error) {
      scope.dispose();
      return Promise.reject(error);
    }
    tried.add(pick.node.id);
    let first: Promise<ForwardResult>;
    try {
      first = run(pick, req, scope, tried);
    } catch (error) {
      // As a rejected attempt would be: retried where the error allows.
      return retry(req, scope, tried, error as GatewayError);
    }
    return first.then(
      (result) => {
        // A stream's scope lives until the stream ends (the attempt disposes it then).
        if (result.kind !== "stream") scope.dispose();
        return result;
      },
      (error: unknown) => retry(req, scope, tried, error as GatewayError),
    );
  };

  function finalError(req: ForwardRequest, scope: RequestScope, lastError: GatewayError | undefined): GatewayError {
    if (scope.signal.aborted) return scope.stopReason();
    if (lastError) return lastError;
    if (!registry.nodes().some((node) => node.models.includes(req.model))) return new ModelNotFoundError(req.model);
    return new NoHealthyNodeError(req.model, secondsUntilBackoffEnds(registry.nodes(), req.model));
  }
}

/** Waits `ms` unless the request ends first; true when the retry may go ahead. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(
      () => {
        signal.removeEventListener("abort", onAbort);
        resolve(true);
      },
      ms * (0.5 + Math.random()),
    );
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** When every node for the model is backing off (Retry-After), tell the client when the first one is back. */
function secondsUntilBackoffEnds(nodes: readonly UpstreamNode[], model: string): number {
  const now = Date.now();
  const waits = nodes.filter((n) => n.models.includes(model) && n.backoffUntil > now).map((n) => n.backoffUntil - now);
  return waits.length ? Math.max(1, Math.ceil(Math.min(...waits) / 1000)) : 1;
}
