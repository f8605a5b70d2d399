// Drops nodes an operator drained: they finish what they have but take nothing new.
import type { Filter } from "../types.ts";

export const notDrained: Filter = { name: "not-drained", keep: (c) => !c.drained };
