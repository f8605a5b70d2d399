// The admin token check: constant-time comparison that never throws on tokens of another length, and the
// middleware's 401 in OpenAI's error shape.
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { adminAuth, tokensEqual } from "#gateway/admin/auth.ts";
import { GatewayError } from "#gateway/openai/errors.ts";

const token = "admin-token-0123456789abcdef";

describe("tokensEqual", () => {
  it("accepts the exact token only", () => {
    expect(tokensEqual(token, token)).toBe(true);
    expect(tokensEqual(`${token.slice(0, -1)}X`, token)).toBe(false);
    expect(tokensEqual(token.toUpperCase(), token)).toBe(false);
  });

  it("returns false instead of throwing for tokens of other lengths", () => {
    for (const offered of ["", "a", token.slice(0, -1), `${token}x`, token.repeat(100)]) {
      expect(tokensEqual(offered, token)).toBe(false);
    }
  });
});

describe("adminAuth", () => {
  let current: string | undefined = token;
  const app = new Hono();
  app.use(adminAuth(() => current));
  app.get("/admin/config", (c) => c.json({ ok: true }));
  app.onError((err, c) => {
    if (!(err instanceof GatewayError)) throw err;
    return c.json(err.toBody(), err.status as 401, err.headers);
  });
  const call = (authorization?: string) =>
    app.request("/admin/config", { headers: authorization ? { authorization } : {} });

  it("lets the right Bearer token through, whatever the scheme's case", async () => {
    expect((await call(`Bearer ${token}`)).status).toBe(200);
    expect((await call(`bearer ${token}`)).status).toBe(200);
  });

  it("refuses anything else with 401, an OpenAI error body and a WWW-Authenticate challenge", async () => {
    for (const header of [undefined, "Bearer", `Bearer ${token}x`, `Basic ${token}`, `Bearer ${token} extra`]) {
      const res = await call(header);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="switchyard-admin"');
      expect(await res.json()).toEqual({
        error: {
          message: expect.stringContaining("Bearer"),
          type: "invalid_request_error",
          param: null,
          code: "invalid_admin_token",
        },
      });
    }
  });

  it("refuses everyone when no token is configured", async () => {
    current = undefined;
    expect((await call("Bearer ")).status).toBe(401);
    expect((await call(`Bearer ${token}`)).status).toBe(401);
    current = token;
  });
});
