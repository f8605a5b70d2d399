// Guards the admin API with `admin.token` as a Bearer token. Both sides are hashed with SHA-256 before the
// constant-time comparison: timingSafeEqual throws on unequal lengths, and comparing digests leaks neither
// the token's content nor its length through timing.
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { GatewayError } from "#gateway/openai/errors.ts";

export function adminAuth(expectedToken: () => string | undefined): MiddlewareHandler {
  return async function adminAuthMiddleware(c, next) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
    const expected = expectedToken();
    if (!match || expected === undefined || !tokensEqual(match[1]!, expected)) {
      throw new GatewayError(401, "The admin API needs `Authorization: Bearer <admin.token>`.", {
        code: "invalid_admin_token",
        headers: { "www-authenticate": 'Bearer realm="switchyard-admin"' },
      });
    }
    await next();
  };
}

export function tokensEqual(offered: string, expected: string): boolean {
  return timingSafeEqual(sha256(offered), sha256(expected));
}

function sha256(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
