// Turns one submitted sequence into text pieces pushed to a sink: incremental detokenization, stop strings (never
// emitted, found even when split across tokens), EOS, and cancellation. It runs synchronously inside the engine's
// step report, so a token costs no inbox, promise or generator hop on the HTTP thread.
import { ModelFailedError } from "#backends/errors.ts";
import { ClientClosedError } from "#gateway/openai/errors.ts";
import type { DecoderEngine, SequenceSpec } from "./decoder-engine.ts";
import { IncrementalDetokenizer } from "./detokenizer.ts";
import { StopStringMatcher } from "./stop-strings.ts";
import type { ModelTokenizer } from "./tokenizer.ts";

export type End = { finishReason: "stop" | "length"; promptTokens: number; completionTokens: number };

/** Hears a generation's text, then exactly one of end or fail, unless the caller cancelled first (then nothing). */
export type GenerationSink = {
  text(text: string): void;
  end(end: End): void;
  /** The model failed or its worker died: a GatewayError (500, or a retryable 503). */
  fail(error: Error): void;
};

const noEos: ReadonlySet<number> = new Set();

/**
 * Submits the sequence right away, so a full queue throws here (before a stream has sent its 200), and returns
 * a cancel function; after cancelling, the sink hears nothing more.
 */
export function startGeneration(
  engine: Pick<DecoderEngine, "submit">,
  tokenizer: ModelTokenizer,
  spec: SequenceSpec,
  stop: readonly string[],
  sink: GenerationSink,
): () => void {
  const detokenizer = new IncrementalDetokenizer(tokenizer, spec.promptIds);
  const matcher = new StopStringMatcher(stop);
  const eos = spec.ignoreEos ? noEos : new Set(tokenizer.eosIds);
  let completionTokens = 0;
  let done = false;
  const end = (finishReason: End["finishReason"]) => {
    done = true;
    sink.end({ finishReason, promptTokens: spec.promptIds.length, completionTokens });
  };
  const cancelSequence = engine.submit(spec, {
    onToken(token) {
      if (done) return;
      completionTokens++;
      if (eos.has(token)) return;
      const { text, stopped } = matcher.push(detokenizer.push(token));
      if (text) sink.text(text);
      if (!stopped) return;
      end("stop");
      // The worker would otherwise run on to max_tokens for text nobody reads.
      cancelSequence();
    },
    onFinished(reason, error) {
      if (done || reason === "cancelled") return;
      if (reason === "error") {
        done = true;
        sink.fail(error ?? new ModelFailedError("generation failed"));
        return;
      }
      const tail = matcher.push(detokenizer.flush());
      const rest = tail.text + matcher.flush();
      if (rest) sink.text(rest);
      end(tail.stopped ? "stop" : reason);
    },
  });
  return () => {
    done = true;
    cancelSequence();
  };
}

/** Runs a generation to its end for a JSON answer; cancelling rejects with ClientClosedError (499). */
export function generateAll(
  engine: Pick<DecoderEngine, "submit">,
  tokenizer: ModelTokenizer,
  spec: SequenceSpec,
  stop: readonly string[],
): { result: Promise<{ text: string; end: End }>; cancel: () => void } {
  let text = "";
  const { promise, resolve, reject } = Promise.withResolvers<{ text: string; end: End }>();
  const cancelGeneration = startGeneration(engine, tokenizer, spec, stop, {
    text: (piece) => {
      text += piece;
    },
    end: (end) => resolve({ text, end }),
    fail: reject,
  });
  return {
    result: promise,
    cancel: () => {
      cancelGeneration();
      reject(new ClientClosedError());
    },
  };
}
