// Where a stream's bytes go. Behind a real server the handler writes Node's ServerResponse itself (headers the
// moment the request is admitted, one write per chunk, no web-stream machinery per token) and tells
// @hono/node-server so with the already-sent marker; without one (app.request() in tests) a web Response carries it.
import { ServerResponse } from "node:http";
import type { HttpBindings } from "@hono/node-server";
import type { Context } from "hono";
import { alreadySent } from "#gateway/http/already-sent.ts";
import { onClosedEarly } from "#gateway/http/closed-early.ts";
import { corkForTurn } from "#gateway/http/turn-cork.ts";

export type SseTarget = {
  /** Sends status 200 and the headers now, with the first chunk when one is ready. */
  open(headers: Record<string, string>, first?: Uint8Array): void;
  write(chunk: Uint8Array): void;
  end(last: Uint8Array): void;
  /** Called (at most once) if the client goes away before end(); at once if it already has. */
  onClose(listener: () => void): void;
  /** What the handler returns. */
  response(): Response;
};

export function sseTarget(c: Context): SseTarget {
  const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
  return outgoing instanceof ServerResponse ? nodeTarget(outgoing) : webTarget();
}

/**
 * Node's response, written directly; chunks written in one event-loop turn leave in one syscall. A slow reader's
 * chunks wait in the response's buffer rather than holding anything up: one row cannot pause a shared batch, and
 * a stream's output is bounded by its max_tokens.
 */
function nodeTarget(res: ServerResponse): SseTarget {
  return {
    open(headers, first) {
      res.writeHead(200, headers);
      if (first) res.write(first);
      else res.flushHeaders();
    },
    write(chunk) {
      corkForTurn(res.socket);
      res.write(chunk);
    },
    end(last) {
      corkForTurn(res.socket);
      res.end(last);
    },
    onClose(listener) {
      onClosedEarly(res, listener);
    },
    response: alreadySent,
  };
}

function webTarget(): SseTarget {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let onCancel = () => {};
  let headers: Record<string, string> = {};
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel() {
      onCancel();
    },
  });
  return {
    open(h, first) {
      headers = h;
      if (first) controller?.enqueue(first);
    },
    write(chunk) {
      controller?.enqueue(chunk);
    },
    end(last) {
      controller?.enqueue(last);
      controller?.close();
    },
    onClose(listener) {
      onCancel = listener;
    },
    response: () => new Response(body, { status: 200, headers }),
  };
}
