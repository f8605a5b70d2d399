// GET /v1/models: the loaded models in OpenAI's list shape.
import type { Handler } from "hono";
import type { NodeContext } from "./context.ts";

export function modelsRoute(ctx: NodeContext): Handler {
  const created = Math.floor(ctx.startedAt / 1000);
  return function models(c) {
    return c.json({
      object: "list",
      data: ctx.registry.models.map((m) => ({ id: m.id, object: "model", created, owned_by: "switchyard" })),
    });
  };
}
