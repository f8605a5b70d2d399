// Active health checks: GETs each node's health path on its own one-connection pool (so a busy request pool
// cannot make a healthy node look dead), records the outcome and the load report the node sends back.
import type { Pool } from "undici";
import type { SwitchyardConfig } from "#config/schema.ts";
import { createNodePool, nodeBase } from "#gateway/upstream/pools.ts";
import { loadFromHealthBody } from "./load-report.ts";
import type { UpstreamNode } from "./upstream-node.ts";

export type HealthSettings = SwitchyardConfig["routing"]["health"];

type Watch = { pool: Pool; timer: NodeJS.Timeout | undefined; stopped: boolean };

export class HealthProber {
  readonly #settings: () => HealthSettings;
  readonly #watches = new Map<UpstreamNode, Watch>();

  constructor(settings: () => HealthSettings) {
    this.#settings = settings;
  }

  /** Starts probing at once, then every intervalMs (with a little jitter so nodes are not probed in lockstep). */
  watch(node: UpstreamNode): void {
    if (this.#watches.has(node)) return;
    const watch: Watch = {
      pool: createNodePool({ ...node.entry, maxConnections: 1 }),
      timer: undefined,
      stopped: false,
    };
    this.#watches.set(node, watch);
    const loop = async () => {
      await this.probe(node, watch.pool);
      if (watch.stopped) return;
      const interval = this.#settings().intervalMs;
      watch.timer = setTimeout(loop, interval * (0.9 + Math.random() * 0.2));
      watch.timer.unref();
    };
    void loop();
  }

  async unwatch(node: UpstreamNode): Promise<void> {
    const watch = this.#watches.get(node);
    if (!watch) return;
    this.#watches.delete(node);
    watch.stopped = true;
    clearTimeout(watch.timer);
    await watch.pool.destroy().catch(() => {});
  }

  async close(): Promise<void> {
    await Promise.all([...this.#watches.keys()].map((node) => this.unwatch(node)));
  }

  /** One probe; public so the admin API (or a test) can force a check. */
  async probe(node: UpstreamNode, pool = this.#watches.get(node)?.pool): Promise<boolean> {
    if (!pool) return false;
    const { path, timeoutMs } = this.#settings();
    // A probe that outlives its watch (node removed or its URL changed) must not judge the node.
    const current = () => this.#watches.get(node)?.pool === pool;
    try {
      const response = await pool.request({
        method: "GET",
        path: nodeBase(node.entry.url).prefix + path,
        headers: node.entry.apiKey ? { authorization: `Bearer ${node.entry.apiKey}` } : {},
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body: unknown = await response.body.json().catch(() => null);
      if (!current()) return false;
      node.recordLoad(loadFromHealthBody(body));
      if (response.statusCode >= 200 && response.statusCode < 300) {
        node.health.recordSuccess();
        return true;
      }
      node.health.recordFailure(`health check answered ${response.statusCode}`);
    } catch (error) {
      if (!current()) return false;
      const code = (error as { code?: string; name?: string }).code ?? (error as Error).name;
      node.health.recordFailure(`health check failed (${code})`);
    }
    return false;
  }
}
