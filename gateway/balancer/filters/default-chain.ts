// The default filter chain, cheapest and most selective first.
import type { Filter } from "../types.ts";
import { breakerAdmits } from "./breaker-admits.ts";
import { healthy } from "./healthy.ts";
import { inTier } from "./in-tier.ts";
import { notBackingOff } from "./not-backing-off.ts";
import { notDrained } from "./not-drained.ts";
import { notExcluded } from "./not-excluded.ts";
import { servesModel } from "./serves-model.ts";

export const defaultFilters: readonly Filter[] = [
  servesModel,
  inTier,
  notExcluded,
  notDrained,
  healthy,
  breakerAdmits,
  notBackingOff,
];
