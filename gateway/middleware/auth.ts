// Bearer API-key authentication: resolves the key to its tenant, or refuses with OpenAI's 401.
import type { IncomingMessage } from "node:http";
import type { Context } from "hono";
import { rememberCaller, rememberedCaller } from "#gateway/auth/connection-keys.ts";
import { requestHeader } from "#gateway/http/request-header.ts";
import { AuthenticationError } from "#gateway/openai/errors.ts";
import type { Caller } from "#gateway/pipeline/types.ts";

/** One object for every anonymous request: per-caller memos (rate-limit buckets) key on the caller object. */
const anonymous: Caller = Object.freeze({ tenant: "anonymous", keyName: "anonymous", models: undefined });

/** Sets the request's caller from its Bearer key (or anonymous, where allowed); throws OpenAI's 401 otherwise. */
export function authenticate(c: Context): void {
  const snapshot = c.get("snapshot");
  const header = requestHeader(c, "authorization") ?? "";
  const connection = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket ?? undefined;
  const known = rememberedCaller(connection, snapshot.keys, header);
  if (known) {
    c.set("caller", known);
    return;
  }
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match) {
    if (!snapshot.config.auth.allowAnonymous) {
      throw new AuthenticationError(
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      );
    }
    c.set("caller", anonymous);
    return;
  }
  const caller = snapshot.keys.find(match[1]!.trim());
  if (!caller) throw new AuthenticationError();
  rememberCaller(connection, snapshot.keys, header, caller);
  c.set("caller", caller);
}
