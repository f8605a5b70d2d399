// The node registry: per-node state for routing, the admin API and metrics. It survives config reloads —
// nodes that stay keep their breaker and latency history, new ones are added, removed ones are drained and
// their pools closed only after their in-flight requests finish.
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { NodeEntry, SwitchyardConfig } from "#config/schema.ts";
import { createNodePool } from "#gateway/upstream/pools.ts";
import { createNodeBreaker } from "./breaker.ts";
import { HealthState } from "./health-state.ts";
import { registerNodeGauges } from "./metrics.ts";
import { PeakEwma } from "./peak-ewma.ts";
import { HealthProber } from "./prober.ts";
import { type NodeSnapshot, UpstreamNode } from "./upstream-node.ts";

type RoutingConfig = SwitchyardConfig["routing"];

export type NodeRegistryOptions = {
  nodes: readonly NodeEntry[];
  routing: RoutingConfig;
  logger: Logger;
  metricsRegistry?: Registry;
  /** Active health checks; on unless a test wants to drive health by hand. */
  probes?: boolean;
};

export type Readiness = { ready: boolean; models: Record<string, { healthy: number; total: number }> };

export class NodeRegistry {
  #routing: RoutingConfig;
  readonly #logger: Logger;
  readonly #prober: HealthProber | undefined;
  readonly #nodes = new Map<string, UpstreamNode>();
  readonly #retiring = new Set<UpstreamNode>();
  #list: UpstreamNode[] = [];
  #closed = false;

  constructor(opts: NodeRegistryOptions) {
    this.#routing = opts.routing;
    this.#logger = opts.logger;
    this.#prober = opts.probes === false ? undefined : new HealthProber(() => this.#routing.health);
    if (opts.metricsRegistry) registerNodeGauges(opts.metricsRegistry, () => this.snapshot());
    this.update(opts.nodes, opts.routing);
  }

  /** Nodes that may take new requests' consideration (retiring ones excluded); the balancer filters further. */
  nodes(): readonly UpstreamNode[] {
    return this.#list;
  }

  get(id: string): UpstreamNode | undefined {
    return this.#nodes.get(id);
  }

  /** Applies a reloaded node list (and routing settings: health applies at once, breaker settings to new nodes). */
  update(entries: readonly NodeEntry[], routing: RoutingConfig = this.#routing): void {
    if (this.#closed) throw new Error("node registry is closed");
    this.#routing = routing;
    const wanted = new Map(entries.map((entry) => [entry.id, entry]));
    for (const node of this.#nodes.values()) if (!wanted.has(node.id)) this.#retire(node);
    for (const entry of entries) {
      const node = this.#nodes.get(entry.id) ?? this.#reviveOrCreate(entry);
      node.health.thresholds = routing.health;
      if (node.entry !== entry) this.#reconfigure(node, entry);
    }
    this.#list = [...this.#nodes.values()];
  }

  drain(id: string): boolean {
    return this.#setDrained(id, true);
  }

  undrain(id: string): boolean {
    return this.#setDrained(id, false);
  }

  snapshot(now = Date.now()): NodeSnapshot[] {
    return [...this.#list, ...this.#retiring].map((node) => node.snapshot(now));
  }

  models(): string[] {
    return [...new Set(this.#list.flatMap((node) => node.models))].sort();
  }

  /** Ready when every configured model has at least one healthy, undrained node. */
  readiness(): Readiness {
    // A Map while counting: model names are the config's to choose, "__proto__" and "constructor" included.
    const models = new Map<string, { healthy: number; total: number }>();
    for (const node of this.#list) {
      for (const model of node.models) {
        let entry = models.get(model);
        if (!entry) {
          entry = { healthy: 0, total: 0 };
          models.set(model, entry);
        }
        entry.total += 1;
        if (node.health.status === "healthy" && !node.drained) entry.healthy += 1;
      }
    }
    const values = [...models.values()];
    return { ready: values.length > 0 && values.every((m) => m.healthy > 0), models: Object.fromEntries(models) };
  }

  /** Forces a health check of one node now (admin API, tests); false when unknown or checks are off. */
  async probe(id: string): Promise<boolean> {
    const node = this.#nodes.get(id);
    return node && this.#prober ? this.#prober.probe(node) : false;
  }

  /** Stops health checks and closes every pool, waiting up to graceMs for in-flight requests. */
  async close(graceMs = 10_000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#prober?.close();
    const all = [...this.#nodes.values(), ...this.#retiring];
    this.#nodes.clear();
    this.#list = [];
    await Promise.all(all.map((node) => closeWhenIdle(node, graceMs)));
    for (const node of all) node.breaker.shutdown();
  }

  #reviveOrCreate(entry: NodeEntry): UpstreamNode {
    const revived = [...this.#retiring].find((node) => node.id === entry.id && node.entry.url === entry.url);
    if (revived) {
      this.#retiring.delete(revived);
      revived.retiring = false;
    }
    const node = revived ?? this.#create(entry);
    this.#nodes.set(entry.id, node);
    this.#prober?.watch(node);
    return node;
  }

  #create(entry: NodeEntry): UpstreamNode {
    const breaker = createNodeBreaker(entry.id, this.#routing.breaker);
    const log = this.#logger.child({ node: entry.id });
    breaker.on("open", () => log.warn("circuit breaker opened"));
    breaker.on("halfOpen", () => log.info("circuit breaker half-open: next request is a trial"));
    breaker.on("close", () => log.info("circuit breaker closed"));
    const health = new HealthState(this.#routing.health, (status, previous) =>
      log[status === "unhealthy" ? "warn" : "info"](
        { previous, error: status === "unhealthy" ? health.lastError : undefined },
        `node is ${status}`,
      ),
    );
    return new UpstreamNode({
      entry,
      pool: createNodePool(entry),
      breaker,
      latency: new PeakEwma(this.#routing.ewma.decayMs),
      health,
    });
  }

  /** Same id, new settings: a changed address or connection limit needs a new pool; the history stays. */
  #reconfigure(node: UpstreamNode, entry: NodeEntry): void {
    const previous = node.entry;
    node.entry = entry;
    if (previous.url === entry.url && previous.maxConnections === entry.maxConnections) return;
    const oldPool = node.pool;
    node.pool = createNodePool(entry);
    // undici's close() lets requests already on the old pool finish before it resolves.
    void oldPool.close().catch(() => {});
    void this.#prober?.unwatch(node).then(() => this.#nodes.get(node.id) === node && this.#prober?.watch(node));
  }

  #retire(node: UpstreamNode): void {
    this.#nodes.delete(node.id);
    node.retiring = true;
    this.#retiring.add(node);
    void this.#prober?.unwatch(node);
    this.#logger.info({ node: node.id, inflight: node.inflight }, "node removed from config: draining");
    void node.whenIdle().then(async () => {
      if (!node.retiring) return; // re-added before it finished draining
      this.#retiring.delete(node);
      node.breaker.shutdown();
      await node.pool.close().catch(() => {});
    });
  }

  #setDrained(id: string, drained: boolean): boolean {
    const node = this.#nodes.get(id);
    if (!node) return false;
    if (node.drained !== drained) this.#logger.info({ node: id }, drained ? "node drained" : "node undrained");
    node.drained = drained;
    return true;
  }
}

async function closeWhenIdle(node: UpstreamNode, graceMs: number): Promise<void> {
  const grace = new Promise<"late">((resolve) => setTimeout(resolve, graceMs, "late").unref());
  const outcome = await Promise.race([node.whenIdle().then(() => "idle" as const), grace]);
  if (outcome === "late") await node.pool.destroy().catch(() => {});
  else await node.pool.close().catch(() => {});
}
