// One keep-alive undici Pool per node, created lazily and closed gracefully when a node leaves the config.
import { Pool } from "undici";
import type { NodeEntry } from "#config/schema.ts";

export type NodeTarget = Pick<NodeEntry, "id" | "url" | "apiKey" | "maxConnections">;

/** A node's URL may be the OpenAI base URL (".../v1"); requests always name the full /v1 path, so drop it. */
export function nodeBase(url: string): { origin: string; prefix: string } {
  const parsed = new URL(url);
  const prefix = parsed.pathname.replace(/\/+$/, "").replace(/\/v1$/, "");
  return { origin: parsed.origin, prefix };
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
