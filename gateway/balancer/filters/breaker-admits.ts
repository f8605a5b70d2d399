// Drops nodes whose circuit breaker is open (or half-open with its single trial already under way).
import type { Filter } from "../types.ts";

export const breakerAdmits: Filter = { name: "breaker-admits", keep: (c) => c.breakerAdmits };
