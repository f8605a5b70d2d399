// Writes an OpenAI-style SSE stream as a generation goes: each JSON payload as a `data:` frame, then
// `data: [DONE]`. A failure after the headers went out ends the stream with an OpenAI error event; a client that
// goes away first ends it as cancelled. The outcome is reported once.
import { internalNodeError } from "#backends/errors.ts";
import { DONE, frameData, frameError } from "#gateway/openai/sse.ts";
import type { SseTarget } from "./sse-target.ts";

export type StreamOutcome = "ok" | "server_error" | "cancelled";

const eventStreamHeaders = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
};

export class SseStream {
  readonly #target: SseTarget;
  readonly #onEnd: (outcome: StreamOutcome, error?: unknown) => void;
  #ended = false;

  constructor(target: SseTarget, onEnd: (outcome: StreamOutcome, error?: unknown) => void) {
    this.#target = target;
    this.#onEnd = onEnd;
  }

  /** Sends the headers (with the payloads ready so far) and starts watching for the client leaving. */
  open(headers: Record<string, string>, payloads: readonly string[]): void {
    const [first, ...rest] = payloads;
    this.#target.open({ ...headers, ...eventStreamHeaders }, first === undefined ? undefined : frameData(first));
    for (const payload of rest) this.#target.write(frameData(payload));
    this.#target.onClose(() => this.#end("cancelled"));
  }

  send(payload: string): void {
    if (!this.#ended) this.#target.write(frameData(payload));
  }

  /** The last payloads, then [DONE]. */
  finish(payloads: readonly string[]): void {
    if (this.#ended) return;
    for (const payload of payloads) this.#target.write(frameData(payload));
    this.#target.end(frameData(DONE));
    this.#end("ok");
  }

  fail(error: unknown): void {
    if (this.#ended) return;
    this.#target.end(frameError(internalNodeError(error).toBody()));
    this.#end("server_error", error);
  }

  #end(outcome: StreamOutcome, error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#onEnd(outcome, error);
  }
}
