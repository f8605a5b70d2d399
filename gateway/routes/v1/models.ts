// GET /v1/models and /v1/models/{id}: the union of what the configured nodes serve, plus aliases, in OpenAI's list
// shape.
import type { Hono } from "hono";
import { ModelNotFoundError } from "#gateway/openai/errors.ts";
import type { GatewayRuntime } from "#gateway/runtime/runtime.ts";
import type { Envelope } from "../envelope.ts";
import { jsonReply } from "../reply.ts";

const startedAt = Math.floor(Date.now() / 1000);
const describe = (id: string) => ({ id, object: "model", created: startedAt, owned_by: "switchyard" });

export function registerModelListRoutes(app: Hono, runtime: GatewayRuntime, envelope: Envelope): void {
  app.get(
    "/v1/models",
    envelope((c) => jsonReply(c, 200, { object: "list", data: runtime.models().map(describe) }), {
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
        if (runtime.resolveModel(id) === undefined) throw new ModelNotFoundError(id);
        return jsonReply(c, 200, describe(id));
      },
      { authenticated: true, recordAs: byId },
    ),
  );
}
