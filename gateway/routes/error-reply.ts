// Turns anything a route threw into OpenAI's error shape: GatewayErrors carry their status, type and code; anything
// else is a 500 that is logged (with the request id) and never shown to the client beyond a generic message.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { requestLog } from "#gateway/middleware/request-id.ts";
import { GatewayError, internalError } from "#gateway/openai/errors.ts";
import { jsonReply } from "./reply.ts";

/** `logMessage` names the failure in the log line a 5xx gets (the admin API says which API failed). */
export function errorReply(c: Context, err: unknown, logMessage = "request failed"): Response {
  const error = toGatewayError(err);
  if (error.status >= 500) requestLog(c)?.error({ err }, logMessage);
  return jsonReply(c, error.status, error.toBody(), error.headers);
}

function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof HTTPException) return new GatewayError(err.status, err.message || "Request failed.");
  return internalError(err);
}
