// Smooth weighted round robin (nginx's): each pick adds every candidate's weight to its running credit, takes
// the candidate with the most credit and charges it the total. Equal weights give plain rotation; weights 2:1
// give A B A, interleaved rather than in bursts. Scores are ignored. Credit is kept only for current candidates.
import type { Picker } from "../types.ts";

export function roundRobinPicker(): Picker {
  const credit = new Map<string, number>();
  return {
    name: "round-robin",
    pick(candidates) {
      if (candidates.length <= 1) return candidates[0];
      // Id order breaks ties, so the rotation does not depend on the order candidates arrive in.
      const ordered = [...candidates].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      let total = 0;
      let best = ordered[0]!;
      let bestCredit = Number.NEGATIVE_INFINITY;
      for (const c of ordered) {
        const next = (credit.get(c.id) ?? 0) + c.weight;
        credit.set(c.id, next);
        total += c.weight;
        if (next > bestCredit) {
          best = c;
          bestCredit = next;
        }
      }
      credit.set(best.id, bestCredit - total);
      if (credit.size > ordered.length * 4) forgetAbsent(credit, ordered);
      return best;
    },
  };
}

/** Nodes that left the candidate set (drained, removed) must not keep credit forever. */
function forgetAbsent(credit: Map<string, number>, present: readonly { id: string }[]): void {
  const ids = new Set(present.map((c) => c.id));
  for (const id of credit.keys()) if (!ids.has(id)) credit.delete(id);
}
