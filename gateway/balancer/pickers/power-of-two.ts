// Power of two choices: compare two distinct random candidates and take the better-scored one — nearly as good
// as always taking the best, without gateways herding onto one node between load updates. In a small pool
// sampling only loses (with 3 nodes it misses the best one a third of the time), so up to `exhaustiveUpTo`
// candidates every one is compared; ties are broken at random either way.
import type { Picker, Random } from "../types.ts";
import { bestScorePicker } from "./best-score.ts";

export function powerOfTwoPicker(random: Random = Math.random, exhaustiveUpTo = 4): Picker {
  const best = bestScorePicker(random);
  return {
    name: "power-of-two",
    pick(candidates, scores, ctx) {
      const n = candidates.length;
      if (n <= exhaustiveUpTo) return best.pick(candidates, scores, ctx);
      const a = Math.floor(random() * n);
      const b = (a + 1 + Math.floor(random() * (n - 1))) % n;
      const scoreA = scores[a] ?? 0;
      const scoreB = scores[b] ?? 0;
      const winner = scoreA === scoreB ? (random() < 0.5 ? a : b) : scoreA > scoreB ? a : b;
      return candidates[winner];
    },
  };
}
