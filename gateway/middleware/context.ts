// Typed per-request context variables shared by middleware and routes (Hono's ContextVariableMap).
import type { Logger } from "pino";
import type { Caller } from "#gateway/pipeline/types.ts";
import type { GatewaySnapshot } from "#gateway/runtime/runtime.ts";

declare module "hono" {
  interface ContextVariableMap {
    requestId: string;
    /** The process's logger, not bound to the request: use requestLog(c), which binds the request id. */
    baseLog: Logger;
    /** Set by requestLog(c) on first use. */
    log: Logger;
    snapshot: GatewaySnapshot;
    caller: Caller;
    jsonBody: unknown;
    /** The text jsonBody was parsed from. */
    jsonText: string;
    /** Set by routes so the access log and metrics can name the model. */
    model: string;
  }
}
