// Turns one submitted sequence into a stream of text pieces: incremental detokenization, stop strings (never
// emitted, found even when split across tokens), EOS, and cancellation when the caller aborts or stops reading.
import type { FinishReason } from "#backends/batching/continuous-batcher.ts";
import { ModelFailedError } from "#backends/errors.ts";
import type { DecoderEngine, SequenceSpec } from "./decoder-engine.ts";
import { IncrementalDetokenizer } from "./detokenizer.ts";
import { StopStringMatcher } from "./stop-strings.ts";
import type { ModelTokenizer } from "./tokenizer.ts";

export type GenerationEvent =
  | { type: "text"; text: string }
  | { type: "end"; finishReason: "stop" | "length"; promptTokens: number; completionTokens: number };

type Signal = { token: number } | { finished: FinishReason; error?: Error };

/**
 * Submits the sequence right away, so a full queue throws here (before a stream has sent its 200), and returns
 * the generation's events. Stopping iteration early or aborting cancels the sequence.
 */
export function generateText(
  engine: DecoderEngine,
  tokenizer: ModelTokenizer,
  spec: SequenceSpec,
  stop: readonly string[],
  abort: AbortSignal,
): AsyncGenerator<GenerationEvent> {
  const inbox: Signal[] = [];
  const waiter: { wake: (() => void) | null } = { wake: null };
  const cancel = engine.submit(spec, {
    onToken: (token) => deliver(inbox, waiter, { token }),
    onFinished: (finished, error) => deliver(inbox, waiter, { finished, error }),
  });
  abort.addEventListener("abort", cancel, { once: true });
  if (abort.aborted) cancel();
  return events(tokenizer, spec, stop, inbox, waiter, () => {
    abort.removeEventListener("abort", cancel);
    cancel();
  });
}

function deliver(inbox: Signal[], waiter: { wake: (() => void) | null }, signal: Signal): void {
  inbox.push(signal);
  waiter.wake?.();
  waiter.wake = null;
}

async function* events(
  tokenizer: ModelTokenizer,
  spec: SequenceSpec,
  stop: readonly string[],
  inbox: Signal[],
  waiter: { wake: (() => void) | null },
  release: () => void,
): AsyncGenerator<GenerationEvent> {
  const detokenizer = new IncrementalDetokenizer(tokenizer, spec.promptIds);
  const matcher = new StopStringMatcher(stop);
  const eos = new Set(spec.ignoreEos ? [] : tokenizer.eosIds);
  let completionTokens = 0;
  const end = (finishReason: "stop" | "length") => ({
    type: "end" as const,
    finishReason,
    promptTokens: spec.promptIds.length,
    completionTokens,
  });
  try {
    for (;;) {
      if (!inbox.length) await new Promise<void>((resolve) => (waiter.wake = resolve));
      const signal = inbox.shift()!;
      if ("token" in signal) {
        completionTokens++;
        if (eos.has(signal.token)) continue;
        const { text, stopped } = matcher.push(detokenizer.push(signal.token));
        if (text) yield { type: "text", text };
        if (stopped) {
          yield end("stop");
          return;
        }
        continue;
      }
      if (signal.finished === "error") throw signal.error ?? new ModelFailedError("generation failed");
      if (signal.finished === "cancelled") return;
      const tail = matcher.push(detokenizer.flush());
      const rest = tail.text + matcher.flush();
      if (rest) yield { type: "text", text: rest };
      yield end(tail.stopped ? "stop" : signal.finished);
      return;
    }
  } finally {
    release();
  }
}
