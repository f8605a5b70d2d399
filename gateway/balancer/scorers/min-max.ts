// Min–max scaling for "lower is better" measurements: the best gets 1, the worst 0, and everyone gets a
// neutral 0.5 when all are equal (so a scorer with nothing to say does not tip the balance).
export function scaleLowerIsBetter(values: readonly number[]): number[] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const range = max - min;
  if (!(range > 0)) return values.map(() => 0.5);
  return values.map((value) => (max - value) / range);
}
