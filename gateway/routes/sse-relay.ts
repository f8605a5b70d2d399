// Relays a stream to the client by writing Node's ServerResponse directly: headers the moment the first event is
// in hand (the server adapter would otherwise wait a timer turn to peek at a second chunk), each event as a
// string write with no web-stream machinery, and the events of one burst from the node sent in one syscall.
// The node's pace is the client's pace: a slow reader pauses the relay (backpressure) rather than filling memory.
import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "pino";
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
  // `close` also follows a normal end: only one before the response finished means the client left. The
  // request's signal aborts the node call at the same moment (routes wire it), so a pending next() settles.
  res.once("close", () => {
    if (res.writableFinished) return;
    end("client_closed");
    void iterator.return?.(undefined).catch(() => {});
  });
  res.writeHead(result.status, headers);
  const batch = burstBatcher(res);

  void (async () => {
    try {
      for (;;) {
        const next = await iterator.next();
        if (ended) return;
        if (next.done) {
          batch.flush();
          res.end();
          end("complete");
          return;
        }
        if (!batch.write(`data: ${next.value}\n\n`)) await drained(res);
      }
    } catch (error) {
      if (ended) return;
      const failure = error instanceof GatewayError ? error : internalError(error);
      log.warn({ err: error }, "stream ended with an error after it started");
      batch.flush();
      res.end(`data: ${JSON.stringify(failure.toBody())}\n\n`);
      end("error");
    }
  })();
}

/**
 * Corks the connection on the first write of a burst and uncorks it once this event-loop turn is over, so the
 * events parsed from one chunk of the node's stream leave in one writev instead of one syscall each. Nothing
 * waits longer than the current turn. The socket is corked, not the response: ServerResponse.uncork() sends its
 * buffered chunks with one write() each.
 */
function burstBatcher(res: ServerResponse) {
  let corked: Socket | null = null;
  const uncork = () => {
    const socket = corked;
    corked = null;
    socket?.uncork();
  };
  return {
    write(chunk: string): boolean {
      if (!corked && res.socket && !res.socket.destroyed) {
        corked = res.socket;
        corked.cork();
        setImmediate(uncork);
      }
      return res.write(chunk);
    },
    flush: uncork,
  };
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
