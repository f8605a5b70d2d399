// Relays a stream to the client by writing Node's ServerResponse directly: headers the moment the first event is
// in hand (the server adapter would otherwise wait a timer turn to peek at a second chunk), each event as a
// string write with no web-stream machinery, and what one event-loop turn writes sent in one syscall.
// The node's pace is the client's pace: a slow reader pauses the relay (backpressure) rather than filling memory.
import type { ServerResponse } from "node:http";
import type { Logger } from "pino";
import { onClosedEarly } from "#gateway/http/closed-early.ts";
import { corkForTurn } from "#gateway/http/turn-cork.ts";
import { GatewayError, internalError } from "#gateway/openai/errors.ts";
import type { StreamResult } from "#gateway/pipeline/types.ts";

export type StreamOutcome = "complete" | "error" | "client_closed";

export function relayStream(
  res: ServerResponse,
  result: StreamResult,
  headers: Record<string, string>,
  log: Logger,
  onEnd: (outcome: StreamOutcome) => void,
): void {
  const iterator = result.events[Symbol.asyncIterator]();
  let ended = false;
  const end = (outcome: StreamOutcome) => {
    if (ended) return;
    ended = true;
    onEnd(outcome);
  };
  // The request's signal aborts the node call at the same moment (routes wire it), so a pending next() settles.
  onClosedEarly(res, () => {
    end("client_closed");
    void iterator.return?.(undefined).catch(() => {});
  });
  res.writeHead(result.status, headers);
  const write = (chunk: string): boolean => {
    corkForTurn(res.socket);
    return res.write(chunk);
  };

  void (async () => {
    try {
      for (;;) {
        const next = await iterator.next();
        if (ended) return;
        if (next.done) {
          res.end();
          end("complete");
          return;
        }
        if (!write(`data: ${next.value}\n\n`)) await drained(res);
      }
    } catch (error) {
      if (ended) return;
      const failure = error instanceof GatewayError ? error : internalError(error);
      log.warn({ err: error }, "stream ended with an error after it started");
      res.end(`data: ${JSON.stringify(failure.toBody())}\n\n`);
      end("error");
    }
  })();
}

/** Resolves when the client has taken the buffered output, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed || !res.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
