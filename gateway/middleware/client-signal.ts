// Watches for the client going away before its response is complete. Taken from the Node response directly:
// reading `c.req.raw.signal` would make @hono/node-server build a full web Request per call.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context } from "hono";
import { onClosedEarly } from "#gateway/http/closed-early.ts";
import type { ClientWatch } from "#gateway/pipeline/deadline.ts";

export function watchClient(c: Context): ClientWatch {
  const outgoing = (c.env as { outgoing?: ServerResponse; incoming?: IncomingMessage } | undefined)?.outgoing;
  if (!outgoing) return watchSignal(c.req.raw.signal);
  return (onGone) => {
    let watching = true;
    // 'close' fires once per response, so the listener needs no removal; `watching` turns it off early.
    onClosedEarly(outgoing, () => {
      if (watching) onGone();
    });
    return () => {
      watching = false;
    };
  };
}

function watchSignal(signal: AbortSignal): ClientWatch {
  return (onGone) => {
    if (signal.aborted) {
      onGone();
      return () => {};
    }
    signal.addEventListener("abort", onGone, { once: true });
    return () => signal.removeEventListener("abort", onGone);
  };
}
