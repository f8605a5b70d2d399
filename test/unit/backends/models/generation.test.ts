// A generation pushed straight from the engine's step reports: text reaches the sink in the same call as the
// token, a stop string ends it and cancels the sequence, EOS is counted but not emitted, and after the caller
// cancels (or the model fails) the sink hears nothing more.
import { describe, expect, it } from "vitest";
import { DEFAULT_MODELS_DIR } from "#backends/demo-models/generate-all.ts";
import type { SequenceListener, SequenceSpec } from "#backends/models/decoder-engine.ts";
import { type End, generateAll, startGeneration } from "#backends/models/generation.ts";
import { loadModelDir } from "#backends/models/model-dir.ts";
import { ModelTokenizer } from "#backends/models/tokenizer.ts";
import { ClientClosedError } from "#gateway/openai/errors.ts";

const tokenizer = new ModelTokenizer(await loadModelDir(`${DEFAULT_MODELS_DIR}/demo-gpt`));
const promptIds = tokenizer.encode("Once upon a time", false);
const spec: SequenceSpec = {
  promptIds,
  maxNewTokens: 16,
  sampling: { temperature: 0, topP: 1, topK: 0 },
  seed: 1,
  ignoreEos: false,
};

/** An engine whose step reports the test drives by hand. */
function fakeEngine() {
  const state = { listener: null as SequenceListener | null, cancels: 0 };
  return {
    state,
    engine: {
      submit(_spec: SequenceSpec, listener: SequenceListener) {
        state.listener = listener;
        return () => {
          state.cancels++;
        };
      },
    },
  };
}

function recordingSink() {
  const events: (string | End | Error)[] = [];
  return {
    events,
    sink: { text: (t: string) => events.push(t), end: (e: End) => events.push(e), fail: (e: Error) => events.push(e) },
  };
}

describe("startGeneration", () => {
  it("pushes each token's text synchronously and ends with the engine's finish reason", () => {
    const { engine, state } = fakeEngine();
    const { events, sink } = recordingSink();
    startGeneration(engine, tokenizer, spec, [], sink);
    const ids = tokenizer.encode(" there was", false);
    for (const id of ids) state.listener!.onToken(id);
    expect(events.join("")).toBe(" there was");
    state.listener!.onFinished("length");
    expect(events.at(-1)).toEqual({
      finishReason: "length",
      promptTokens: promptIds.length,
      completionTokens: ids.length,
    });
  });

  it("ends at a stop string split across tokens, never emits it, and cancels the sequence", () => {
    const { engine, state } = fakeEngine();
    const { events, sink } = recordingSink();
    startGeneration(engine, tokenizer, spec, ["re wa"], sink);
    for (const id of tokenizer.encode(" there was more", false)) state.listener!.onToken(id);
    state.listener!.onFinished("cancelled");
    expect(events.filter((e) => typeof e === "string").join("")).toBe(" the");
    expect(events.at(-1)).toMatchObject({ finishReason: "stop" });
    expect(state.cancels).toBe(1);
  });

  it("counts EOS without emitting it", () => {
    const { engine, state } = fakeEngine();
    const { events, sink } = recordingSink();
    startGeneration(engine, tokenizer, spec, [], sink);
    state.listener!.onToken(tokenizer.eosIds[0]!);
    state.listener!.onFinished("stop");
    expect(events).toEqual([{ finishReason: "stop", promptTokens: promptIds.length, completionTokens: 1 }]);
  });

  it("tells the sink nothing after the caller cancels", () => {
    const { engine, state } = fakeEngine();
    const { events, sink } = recordingSink();
    const cancel = startGeneration(engine, tokenizer, spec, [], sink);
    cancel();
    state.listener!.onToken(tokenizer.encode(" hello", false)[0]!);
    state.listener!.onFinished("cancelled");
    expect(events).toEqual([]);
    expect(state.cancels).toBe(1);
  });

  it("reports a model failure once", () => {
    const { engine, state } = fakeEngine();
    const { events, sink } = recordingSink();
    startGeneration(engine, tokenizer, spec, [], sink);
    const failure = new Error("boom");
    state.listener!.onFinished("error", failure);
    state.listener!.onFinished("error", failure);
    expect(events).toEqual([failure]);
  });
});

describe("generateAll", () => {
  it("resolves with the whole text, or rejects with ClientClosedError when cancelled", async () => {
    const done = fakeEngine();
    const whole = generateAll(done.engine, tokenizer, spec, []);
    for (const id of tokenizer.encode(" there was", false)) done.state.listener!.onToken(id);
    done.state.listener!.onFinished("length");
    await expect(whole.result).resolves.toMatchObject({ text: " there was", end: { finishReason: "length" } });

    const left = fakeEngine();
    const abandoned = generateAll(left.engine, tokenizer, spec, []);
    abandoned.cancel();
    await expect(abandoned.result).rejects.toBeInstanceOf(ClientClosedError);
    expect(left.state.cancels).toBe(1);
  });
});
