// One keep-alive undici Pool per node, created lazily and closed gracefully when a node leaves the config.
import { Pool } from "undici";
import type { NodeEntry } from "#config/schema.ts";

export type NodeTarget = Pick<NodeEntry, "id" | "url" | "apiKey" | "maxConnections">;

const bases = new Map<string, { origin: string; prefix: string }>();

/**
 * A node's URL may be the OpenAI base URL (".../v1"); requests always name the full /v1 path, so drop it.
 * Memoized: it is read on every request and URL parsing costs microseconds.
 */
export function nodeBase(url: string): { origin: string; prefix: string } {
  let base = bases.get(url);
  if (!base) {
    const parsed = new URL(url);
    base = { origin: parsed.origin, prefix: parsed.pathname.replace(/\/+$/, "").replace(/\/v1$/, "") };
    if (bases.size > 10_000) bases.clear(); // bounded even under endless config churn
    bases.set(url, base);
  }
  return base;
}

export function createNodePool(node: NodeTarget): Pool {
  return new Pool(nodeBase(node.url).origin, {
    connections: node.maxConnections,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    // Deadlines are enforced by the caller's AbortSignal; undici's own timers would fire on long generations.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
}
