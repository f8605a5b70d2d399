// Keeps nodes that serve the requested model.
import type { Filter } from "../types.ts";

export const servesModel: Filter = { name: "serves-model", keep: (c, ctx) => c.models.includes(ctx.model) };
