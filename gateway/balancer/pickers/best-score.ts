// Takes the highest-scored candidate, breaking ties at random so equal nodes share the load.
import type { Picker, Random } from "../types.ts";

export function bestScorePicker(random: Random = Math.random): Picker {
  return {
    name: "best-score",
    pick(candidates, scores) {
      let best: number[] = [];
      let top = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < candidates.length; i++) {
        const score = scores[i] ?? 0;
        if (score > top) {
          top = score;
          best = [i];
        } else if (score === top) best.push(i);
      }
      const index = best[Math.floor(random() * best.length)];
      return index === undefined ? undefined : candidates[index];
    },
  };
}
