// The "already sent" marker a handler returns after writing Node's ServerResponse itself (SSE relays in the
// gateway and the model node), so @hono/node-server neither writes nor wraps a response of its own.
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";

/**
 * Loaded after a server had replaced the global Response (another app served first in this process), the marker
 * is @hono/node-server's lightweight Response, which the server would write out as a response of its own after
 * ours. Reading its body turns it into a plain Response, which the server recognises.
 */
void RESPONSE_ALREADY_SENT.body;

export function alreadySent(): Response {
  return RESPONSE_ALREADY_SENT;
}

/**
 * Whether the handler wrote the response itself. Middleware must then leave c.res alone, and nothing may set
 * c.res before the handler returns: Hono would wrap this marker in a new Response that the server then writes.
 */
export function respondedDirectly(response: Response): boolean {
  return response === RESPONSE_ALREADY_SENT;
}
