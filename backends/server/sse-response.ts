// Writes an OpenAI-style SSE response from JSON payloads: each as a `data:` frame, then `data: [DONE]`. A failure
// after the headers went out ends the stream with an OpenAI error event; a client that goes away stops the source.
import { internalNodeError } from "#backends/errors.ts";
import { DONE, frameData, frameError } from "#gateway/openai/sse.ts";

export type StreamOutcome = "ok" | "server_error" | "cancelled";

export function sseResponse(
  payloads: AsyncIterable<string>,
  headers: Record<string, string>,
  onEnd: (outcome: StreamOutcome, error?: unknown) => void,
): Response {
  const iterator = payloads[Symbol.asyncIterator]();
  let ended = false;
  const end = (outcome: StreamOutcome, error?: unknown) => {
    if (!ended) onEnd(outcome, error);
    ended = true;
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done) {
          controller.enqueue(frameData(DONE));
          controller.close();
          end("ok");
        } else controller.enqueue(frameData(next.value));
      } catch (error) {
        const failure = internalNodeError(error);
        controller.enqueue(frameError(failure.toBody()));
        controller.close();
        end("server_error", error);
      }
    },
    async cancel() {
      end("cancelled");
      await iterator.return?.();
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      ...headers,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
    },
  });
}
