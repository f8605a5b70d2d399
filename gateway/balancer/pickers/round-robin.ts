// Round robin over the candidates in id order; scores are ignored. One counter per balancer, so the rotation
// is shared by all models (fair enough, and no per-model state to leak).
import type { Picker } from "../types.ts";

export function roundRobinPicker(): Picker {
  let counter = 0;
  return {
    name: "round-robin",
    pick(candidates) {
      if (candidates.length <= 1) return candidates[0];
      const ordered = [...candidates].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
      return ordered[counter % ordered.length];
    },
  };
}
