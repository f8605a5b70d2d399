// Writes a ForwardResult to the client: JSON as is, streams as SSE relayed event by event (never buffered);
// a stream that breaks after it started ends with an OpenAI-shaped error event instead of a silent cut.
import { ServerResponse } from "node:http";
import type { HttpBindings } from "@hono/node-server";
import type { Context } from "hono";
import pino, { type Logger } from "pino";
import { alreadySent } from "#gateway/http/already-sent.ts";
import { requestLog } from "#gateway/middleware/request-id.ts";
import { GatewayError, internalError } from "#gateway/openai/errors.ts";
import { frameData, frameError } from "#gateway/openai/sse.ts";
import type { ForwardResult, StreamResult } from "#gateway/pipeline/types.ts";
import { jsonReply, jsonTextReply } from "./reply.ts";
import { relayStream, type StreamOutcome } from "./sse-relay.ts";

export type { StreamOutcome };

const silentLog = pino({ level: "silent" });

export function respond(c: Context, result: ForwardResult, onStreamEnd: (outcome: StreamOutcome) => void): Response {
  if (result.kind === "json") {
    onStreamEnd("complete");
    return result.text === undefined
      ? jsonReply(c, result.status, result.body, result.headers)
      : jsonTextReply(c, result.status, result.text, result.headers);
  }
  const headers = {
    ...result.headers,
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-accel-buffering": "no",
    "x-request-id": c.get("requestId"),
  };
  const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
  const log = requestLog(c) ?? silentLog;
  if (outgoing instanceof ServerResponse) {
    relayStream(outgoing, result, headers, log, onStreamEnd);
    // Tells @hono/node-server the response is already being written; middleware must leave c.res alone.
    return alreadySent();
  }
  // Without a Node response (app.request() in tests) a web stream carries the same events.
  return new Response(sseBody(result, log, onStreamEnd), { status: result.status, headers });
}

function sseBody(result: StreamResult, log: Logger, onEnd: (o: StreamOutcome) => void): ReadableStream<Uint8Array> {
  const iterator = result.events[Symbol.asyncIterator]();
  let finished = false;
  const finish = (outcome: StreamOutcome) => {
    if (!finished) onEnd(outcome);
    finished = true;
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done) {
          finish("complete");
          controller.close();
        } else controller.enqueue(frameData(next.value));
      } catch (error) {
        const failure = error instanceof GatewayError ? error : internalError(error);
        log.warn({ err: error }, "stream ended with an error after it started");
        finish("error");
        controller.enqueue(frameError(failure.toBody()));
        controller.close();
      }
    },
    async cancel() {
      // The client went away: stop pulling from the node so its work is abandoned too.
      finish("client_closed");
      await iterator.return?.();
    },
  });
}
