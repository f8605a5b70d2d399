// Splits a dynamic batch into sub-batches of similar length. Padding every input to the batch's longest wastes
// compute in proportion to the spread of lengths (on CPU it can cancel out all of batching's gain); sorted and
// split, each sub-batch is padded only to near its own length, at the price of a few more session runs.

/** Indices grouped so that each group's padded tokens stay within `slack` × its real tokens; shortest first. */
export function paddingGroups(lengths: readonly number[], slack = 1.2): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]!);
  const groups: number[][] = [];
  let group: number[] = [];
  let real = 0;
  for (const index of order) {
    const length = lengths[index]!;
    // Sorted ascending, so this item is the group's new longest.
    if (group.length && (group.length + 1) * length > slack * (real + length)) {
      groups.push(group);
      group = [];
      real = 0;
    }
    group.push(index);
    real += length;
  }
  if (group.length) groups.push(group);
  return groups;
}
