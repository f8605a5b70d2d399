// Builders for the unit tests of the cache and rate-limit layers: requests, canned node answers, and a fake
// `next` forwarder that records its calls and can be held open to make requests overlap.
import pino from "pino";
import { Registry } from "prom-client";
import type { Forwarder, ForwardRequest, ForwardResult, SseData } from "#gateway/pipeline/types.ts";

export const silent = pino({ level: "silent" });
export const newRegistry = () => new Registry();

export function chatRequest(
  overrides: Partial<ForwardRequest> & { body?: Record<string, unknown> } = {},
): ForwardRequest {
  const { body, ...rest } = overrides;
  return {
    endpoint: "chat.completions",
    model: "m",
    body: { model: "m", messages: [{ role: "user", content: "hi" }], temperature: 0, ...body },
    stream: body?.stream === true,
    caller: { tenant: "acme", keyName: "ci" },
    requestId: "req-1",
    signal: new AbortController().signal,
    deadline: Date.now() + 60_000,
    headers: {},
    ...rest,
  };
}

export function chatAnswer(content = "hello", usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 }) {
  return {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1,
    model: "m",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage,
  };
}

export function chatStream(
  parts = ["hel", "lo"],
  usage: Record<string, number> | null = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
): SseData[] {
  const base = { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "m" };
  const events = [
    { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] },
    ...parts.map((content) => ({ ...base, choices: [{ index: 0, delta: { content }, finish_reason: null }] })),
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
    ...(usage ? [{ ...base, choices: [], usage }] : []),
  ];
  return [...events.map((e) => JSON.stringify(e)), "[DONE]"];
}

export async function* fromArray(events: SseData[], failAfter?: number): AsyncGenerator<SseData> {
  for (const [i, data] of events.entries()) {
    if (failAfter !== undefined && i >= failAfter) throw new Error("stream broke");
    yield data;
  }
}

export async function collect(events: AsyncIterable<SseData>): Promise<SseData[]> {
  const out: SseData[] = [];
  for await (const data of events) out.push(data);
  return out;
}

export type FakeNext = Forwarder & { calls: ForwardRequest[]; release(): void };

/** A terminal forwarder answering with `answer(req)`; while `hold` is set, answers wait for release(). */
export function fakeNext(answer: (req: ForwardRequest) => ForwardResult, opts: { hold?: boolean } = {}): FakeNext {
  const calls: ForwardRequest[] = [];
  let open: () => void = () => {};
  let gate = opts.hold ? new Promise<void>((resolve) => (open = resolve)) : Promise.resolve();
  const next = (async (req: ForwardRequest) => {
    calls.push(req);
    await gate;
    return answer(req);
  }) as FakeNext;
  next.calls = calls;
  next.release = () => {
    open();
    gate = Promise.resolve();
  };
  return next;
}

export const json = (body: unknown, status = 200): ForwardResult => ({ kind: "json", status, body, headers: {} });
export const stream = (events: AsyncIterable<SseData>): ForwardResult => ({
  kind: "stream",
  status: 200,
  headers: {},
  events,
});

/** Reads a result to its data: the JSON body, or the stream's payloads. */
export async function readResult(result: ForwardResult): Promise<unknown> {
  return result.kind === "json" ? result.body : collect(result.events);
}
