// Where a stream's bytes go. Behind a real server the handler writes Node's ServerResponse itself (headers the
// moment the request is admitted, one write per chunk, no web-stream machinery per token) and tells
// @hono/node-server so with RESPONSE_ALREADY_SENT; without one (app.request() in tests) a web Response carries it.
import { ServerResponse } from "node:http";
import type { HttpBindings } from "@hono/node-server";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import type { Context } from "hono";
import { onClosedEarly } from "./client-gone.ts";
import { corkForTurn } from "./turn-cork.ts";

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

/**
 * Loaded after a server had replaced the global Response (another app served first in this process), the marker
 * is @hono/node-server's lightweight Response, which the server would write out as a response of its own after
 * ours. Reading its body turns it into a plain Response, which the server recognises.
 */
void RESPONSE_ALREADY_SENT.body;

export function sseTarget(c: Context): SseTarget {
  const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
  return outgoing instanceof ServerResponse ? nodeTarget(outgoing) : webTarget();
}

/**
 * Whether the handler wrote the response itself. Middleware must then leave c.res alone, and nothing may set
 * c.res before the handler returns: Hono would wrap this marker in a new Response that the server then writes.
 */
export function respondedDirectly(response: Response): boolean {
  return response === RESPONSE_ALREADY_SENT;
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
    response: () => RESPONSE_ALREADY_SENT,
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
