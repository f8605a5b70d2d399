// Drops nodes this request already tried, so a retry or a hedge lands on a different node.
import type { Filter } from "../types.ts";

export const notExcluded: Filter = { name: "not-excluded", keep: (c, ctx) => !ctx.exclude.has(c.id) };
