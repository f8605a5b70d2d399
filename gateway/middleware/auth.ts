// Bearer API-key authentication: resolves the key to its tenant, or refuses with OpenAI's 401.
import type { MiddlewareHandler } from "hono";
import { AuthenticationError } from "#gateway/openai/errors.ts";

export function apiKeyAuth(): MiddlewareHandler {
  return async function apiKeyAuthMiddleware(c, next) {
    const snapshot = c.get("snapshot");
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match) {
      if (snapshot.config.auth.allowAnonymous) {
        c.set("caller", { tenant: "anonymous", keyName: "anonymous" });
        return next();
      }
      throw new AuthenticationError(
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      );
    }
    const caller = snapshot.keys.find(match[1]!.trim());
    if (!caller) throw new AuthenticationError();
    c.set("caller", caller);
    await next();
  };
}
