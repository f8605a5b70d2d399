// Shared setup for shutdown suites: a silent demo-gpt node on 127.0.0.1:0 and a streaming reader that reports
// whether a stream ended with [DONE] or was cut.
import { join } from "node:path";
import pino from "pino";
import { DEFAULT_MODELS_DIR } from "#backends/demo-models/generate-all.ts";
import { type ModelNodeConfigInput, type RunningModelNode, startModelNode } from "#backends/node.ts";
import { DONE, parseSse } from "#gateway/openai/sse.ts";

export const silent = pino({ level: process.env.SWITCHYARD_TEST_LOGS ? "debug" : "silent" });

export function startDemoNode(input: Omit<ModelNodeConfigInput, "listen" | "models"> = {}): Promise<RunningModelNode> {
  return startModelNode(
    {
      ...input,
      listen: { host: "127.0.0.1", port: 0 },
      models: [{ id: "demo-gpt", path: join(DEFAULT_MODELS_DIR, "demo-gpt") }],
    },
    silent,
  );
}

/** A completion long enough to still be running (or queued) when shutdown starts. */
export function longCompletion(maxTokens: number, stream = true): string {
  return JSON.stringify({
    model: "demo-gpt",
    prompt: "Once upon a time",
    max_tokens: maxTokens,
    ignore_eos: true,
    stream,
  });
}

/** `status` 0: no answer at all; `cut`: the connection ended mid-stream. */
export type StreamOutcome = { status: number; events: string[]; done: boolean; cut: boolean };

/** An open SSE stream: `first` resolves on its first event, `outcome` once it ends or is cut. */
export type OpenStream = { first: Promise<void>; outcome: Promise<StreamOutcome> };

export function openStream(url: string, body: string, headers: Record<string, string> = {}): OpenStream {
  let markFirst = () => {};
  const first = new Promise<void>((resolve) => {
    markFirst = resolve;
  });
  const outcome = (async (): Promise<StreamOutcome> => {
    const events: string[] = [];
    let status = 0;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });
      status = response.status;
      if (status !== 200) return { status, events: [await response.text()], done: false, cut: false };
      for await (const data of parseSse(response.body as AsyncIterable<Uint8Array>)) {
        events.push(data);
        markFirst();
      }
      return { status, events, done: events.at(-1) === DONE, cut: false };
    } catch {
      return { status, events, done: false, cut: true };
    } finally {
      markFirst();
    }
  })();
  return { first, outcome };
}
