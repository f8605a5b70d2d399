// GET /v1/models and /v1/models/{id}: the loaded models in OpenAI's list and object shapes.
import type { Handler } from "hono";
import { ModelNotFoundError } from "#gateway/openai/errors.ts";
import type { NodeContext } from "./context.ts";

export function modelsRoute(ctx: NodeContext): Handler {
  const describe = modelDescriber(ctx);
  return function models(c) {
    return c.json({ object: "list", data: ctx.registry.models.map((m) => describe(m.id)) });
  };
}

export function modelRoute(ctx: NodeContext): Handler {
  const describe = modelDescriber(ctx);
  return function model(c) {
    const id = c.req.param("id") ?? "";
    if (!ctx.registry.models.some((m) => m.id === id)) throw new ModelNotFoundError(id);
    return c.json(describe(id));
  };
}

function modelDescriber(ctx: NodeContext): (id: string) => Record<string, unknown> {
  const created = Math.floor(ctx.startedAt / 1000);
  return (id) => ({ id, object: "model", created, owned_by: "switchyard" });
}
