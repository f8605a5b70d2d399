// errorReply, shared by the public routes and the admin API: OpenAI's error shape with the status the error carries,
// and one log line (named by the caller) for a 5xx only.
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { identifyRequest } from "#gateway/middleware/request-id.ts";
import { RateLimitedError } from "#gateway/openai/errors.ts";
import { errorReply } from "#gateway/routes/error-reply.ts";

function appThrowing(error: unknown, lines: Array<Record<string, unknown>>) {
  const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const app = new Hono();
  app.get("/x", (c) => {
    identifyRequest(c, { logger, trustHeader: () => false });
    throw error;
  });
  app.onError((err, c) => errorReply(c, err, "admin request failed"));
  return app;
}

describe("errorReply", () => {
  it("keeps the status of a Hono HTTPException, in OpenAI's shape, without logging a client error", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const res = await appThrowing(new HTTPException(418, { message: "short and stout" }), lines).request("/x");
    expect(res.status).toBe(418);
    expect(await res.json()).toMatchObject({ error: { message: "short and stout" } });
    expect(lines).toEqual([]);
  });

  it("keeps a GatewayError's status and headers", async () => {
    const res = await appThrowing(
      new RateLimitedError("slow down", 2, { "x-ratelimit-limit-requests": "1" }),
      [],
    ).request("/x");
    expect(res.status).toBe(429);
    expect(res.headers.get("x-ratelimit-limit-requests")).toBe("1");
  });

  it("answers anything else with a generic 500 and logs it once, under the caller's message and the request id", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const res = await appThrowing(new Error("secret internals"), lines).request("/x");
    expect(res.status).toBe(500);
    expect(JSON.stringify(await res.json())).not.toContain("secret internals");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: "admin request failed", requestId: res.headers.get("x-request-id") });
  });
});
