// Shared setup for model-node suites: demo model paths, the real Llama export (when SWITCHYARD_SHARED_DIR is set),
// a silent node on 127.0.0.1:0, and small helpers to read metrics, health and SSE.
import { join } from "node:path";
import pino from "pino";
import { DEFAULT_MODELS_DIR } from "#backends/demo-models/generate-all.ts";
import { type ModelNodeConfigInput, type RunningModelNode, startModelNode } from "#backends/node.ts";

export { readSse } from "#test/support/gateway.ts";

export const demoModel = (name: "demo-gpt" | "demo-gpt-int8" | "demo-embed" | "demo-embed-int8") =>
  join(DEFAULT_MODELS_DIR, name);

const shared = process.env.SWITCHYARD_SHARED_DIR;
/** The real Llama export, or null when the shared material is not available (those tests are skipped). */
export const llamaDir = shared ? join(shared, "models", "tiny-random-llama-fp16") : null;
export const llamaSkipReason = "SWITCHYARD_SHARED_DIR is not set: the tiny-random-llama-fp16 export is unavailable";

export function startTestNode(input: Omit<ModelNodeConfigInput, "listen">): Promise<RunningModelNode> {
  const logger = pino({ level: process.env.SWITCHYARD_TEST_LOGS ? "debug" : "silent" });
  return startModelNode({ ...input, listen: { host: "127.0.0.1", port: 0 } }, logger);
}

export function post(node: RunningModelNode, path: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(`${node.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...init,
  });
}

export type Health = {
  status: string;
  tier: string;
  executionProvider: string;
  requestedExecutionProvider: string;
  models: { id: string; kind: string }[];
  queueDepth: number;
  runningSequences: number;
  recentStepMs: number;
};

export async function health(node: RunningModelNode): Promise<Health> {
  return (await (await fetch(`${node.url}/health`)).json()) as Health;
}

/** Sum of a Prometheus sample's values across series matching every given label. */
export async function metricValue(
  node: RunningModelNode,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}

export { eventually } from "#test/support/wait.ts";
