// Half-precision bits ↔ float32: fp16 models return logits and take KV caches as raw 16-bit words, and sampling
// needs float32, so one lookup table (built once, 256 KiB) turns any half into a float with a single read.

let table: Float32Array | null = null;

function buildTable(): Float32Array {
  const out = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const fraction = bits & 0x3ff;
    if (exponent === 0) out[bits] = sign * 2 ** -14 * (fraction / 1024);
    else if (exponent === 31) out[bits] = fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
    else out[bits] = sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
  }
  return out;
}

/** Converts `count` halves from `src` (starting at `srcOffset`) into `dst` at `dstOffset`. */
export function halfToFloat(
  src: Uint16Array,
  srcOffset: number,
  count: number,
  dst: Float32Array,
  dstOffset = 0,
): void {
  table ??= buildTable();
  const t = table;
  for (let i = 0; i < count; i++) dst[dstOffset + i] = t[src[srcOffset + i]!]!;
}
