// Whether a client left before its answer was fully written: Node's response says so at no cost per request.
// Shared by the gateway (request budget, stream relay) and the model node (cancelling generations).
import type { ServerResponse } from "node:http";

/** Calls `listener` once if `res` closes before its last byte went out (at once if it already has). */
export function onClosedEarly(res: ServerResponse, listener: () => void): void {
  if (res.destroyed) {
    listener();
    return;
  }
  // `close` also follows a normal end: only one before the response finished means the client left. A response
  // closes once, so `on` serves, and costs less per request than `once` (which binds a wrapper for every listener).
  res.on("close", () => {
    if (!res.writableFinished) listener();
  });
}
