// Keeps nodes of the tier being tried; the balancer walks the request's tier policy one tier at a time.
import type { Filter } from "../types.ts";

export const inTier: Filter = { name: "in-tier", keep: (c, ctx) => c.tier === ctx.tier };
