// Turns one submitted sequence into text pieces pushed to a sink: incremental detokenization, stop strings (never
// emitted, found even when split across tokens), EOS, and cancellation. It runs synchronously inside the engine's
// step report, so a token costs no inbox, promise or generator hop on the HTTP thread.
import { ModelFailedError } from "#backends/errors.ts";
import { ClientClosedError } from "#gateway/openai/errors.ts";
import type { DecoderEngine, SequenceSpec } from "./decoder-engine.ts";
import { IncrementalDetokenizer } from "./detokenizer.ts";
import { StopStringMatcher } from "./stop-strings.ts";
import type { TokenLogprob } from "./token-logprobs.ts";
import type { ModelTokenizer } from "./tokenizer.ts";

export type End = { finishReason: "stop" | "length"; promptTokens: number; completionTokens: number };

/** One generated token's logprob as the API shows it: the token's text, and its most likely alternatives'. */
export type LogprobEntry = { token: string; logprob: number; top: { token: string; logprob: number }[] };

/** Hears a generation's text, then exactly one of end or fail, unless the caller cancelled first (then nothing). */
export type GenerationSink = {
  /**
   * `logprobs` (only for a sequence that asked for them): one entry per token generated since the previous call,
   * EOS excepted. A stop string held back can leave entries without text; they come with an empty `text`.
   */
  text(text: string, logprobs?: LogprobEntry[]): void;
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
  // Entries for tokens whose text has not been passed on yet; undefined when no logprobs were asked for.
  let pending: LogprobEntry[] | undefined = spec.logprobs === undefined ? undefined : [];
  const emit = (text: string) => {
    if (!pending) return sink.text(text);
    sink.text(text, pending);
    pending = [];
  };
  const end = (finishReason: End["finishReason"]) => {
    if (pending?.length) emit("");
    done = true;
    sink.end({ finishReason, promptTokens: spec.promptIds.length, completionTokens });
  };
  const cancelSequence = engine.submit(spec, {
    onToken(token, logprob) {
      if (done) return;
      completionTokens++;
      if (eos.has(token)) return;
      if (pending && logprob) pending.push(logprobEntry(tokenizer, token, logprob));
      const { text, stopped } = matcher.push(detokenizer.push(token));
      if (text) emit(text);
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
      if (rest) emit(rest);
      end(tail.stopped ? "stop" : reason);
    },
  });
  return () => {
    done = true;
    cancelSequence();
  };
}

/** The generated token reads as it does in the text (special tokens empty); alternatives are named. */
function logprobEntry(tokenizer: ModelTokenizer, token: number, { logprob, top }: TokenLogprob): LogprobEntry {
  return {
    token: tokenizer.piece(token, true),
    logprob,
    top: top.map(([id, alternative]) => ({ token: tokenizer.piece(id, false), logprob: alternative })),
  };
}

export type Generated = { text: string; end: End; logprobs?: LogprobEntry[] };

/** Runs a generation to its end for a JSON answer; cancelling rejects with ClientClosedError (499). */
export function generateAll(
  engine: Pick<DecoderEngine, "submit">,
  tokenizer: ModelTokenizer,
  spec: SequenceSpec,
  stop: readonly string[],
): { result: Promise<Generated>; cancel: () => void } {
  let text = "";
  const logprobs: LogprobEntry[] | undefined = spec.logprobs === undefined ? undefined : [];
  const { promise, resolve, reject } = Promise.withResolvers<Generated>();
  const cancelGeneration = startGeneration(engine, tokenizer, spec, stop, {
    text: (piece, entries) => {
      text += piece;
      if (entries) logprobs?.push(...entries);
    },
    end: (end) => resolve(logprobs ? { text, end, logprobs } : { text, end }),
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
