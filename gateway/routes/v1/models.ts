// GET /v1/models and /v1/models/{id}: the union of what the configured nodes serve, plus aliases, in OpenAI's list
// shape; a key limited to some models sees only those.
import type { Context, Hono } from "hono";
import { mayUse } from "#gateway/auth/model-access.ts";
import { ModelNotFoundError } from "#gateway/openai/errors.ts";
import type { GatewayRuntime } from "#gateway/runtime/runtime.ts";
import type { Envelope } from "../envelope.ts";
import { jsonReply } from "../reply.ts";

const startedAt = Math.floor(Date.now() / 1000);
const describe = (id: string) => ({ id, object: "model", created: startedAt, owned_by: "switchyard" });

export function registerModelListRoutes(app: Hono, runtime: GatewayRuntime, envelope: Envelope): void {
  /** Whether the request's key may use the model named `id` (which must exist). */
  const usable = (c: Context) => (id: string) => {
    const served = runtime.resolveModel(id);
    return served !== undefined && mayUse(c.get("caller"), id, served);
  };
  app.get(
    "/v1/models",
    envelope((c) => jsonReply(c, 200, { object: "list", data: runtime.models().filter(usable(c)).map(describe) }), {
      authenticated: true,
      recordAs: "/v1/models",
    }),
  );
  const byId = "/v1/models/:id{.+}";
  app.get(
    byId,
    envelope(
      (c) => {
        const id = c.req.param("id") ?? "";
        if (!usable(c)(id)) throw new ModelNotFoundError(id);
        return jsonReply(c, 200, describe(id));
      },
      { authenticated: true, recordAs: byId },
    ),
  );
}
