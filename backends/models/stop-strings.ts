// Finds stop strings in streamed text. A stop string can arrive split across tokens, so text that could still be
// the start of one is held back until the next piece settles it; the stop string itself is never emitted.

export type StopResult = { text: string; stopped: boolean };

export class StopStringMatcher {
  readonly #stops: string[];
  #held = "";
  #stopped = false;

  constructor(stops: readonly string[]) {
    this.#stops = stops.filter((s) => s.length > 0);
  }

  /** Feeds new text; returns what may be emitted now and whether a stop string was hit. */
  push(piece: string): StopResult {
    if (this.#stopped) return { text: "", stopped: true };
    const buffer = this.#held + piece;
    if (!this.#stops.length) return { text: buffer, stopped: false };
    let cut = -1;
    for (const stop of this.#stops) {
      const at = buffer.indexOf(stop);
      if (at !== -1 && (cut === -1 || at < cut)) cut = at;
    }
    if (cut !== -1) {
      this.#stopped = true;
      this.#held = "";
      return { text: buffer.slice(0, cut), stopped: true };
    }
    const keep = this.#partialSuffixLength(buffer);
    this.#held = buffer.slice(buffer.length - keep);
    return { text: buffer.slice(0, buffer.length - keep), stopped: false };
  }

  /** At the end of generation, held-back text was not a stop string after all. */
  flush(): string {
    const rest = this.#stopped ? "" : this.#held;
    this.#held = "";
    return rest;
  }

  /** Length of the longest suffix of `buffer` that is a proper prefix of some stop string. */
  #partialSuffixLength(buffer: string): number {
    let best = 0;
    for (const stop of this.#stops) {
      for (let n = Math.min(stop.length - 1, buffer.length); n > best; n--) {
        if (buffer.endsWith(stop.slice(0, n))) {
          best = n;
          break;
        }
      }
    }
    return best;
  }
}
