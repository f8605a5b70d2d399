// Drops nodes that answered 429/503 with Retry-After until that time has passed.
import type { Filter } from "../types.ts";

export const notBackingOff: Filter = { name: "not-backing-off", keep: (c, ctx) => c.backoffUntil <= ctx.now };
