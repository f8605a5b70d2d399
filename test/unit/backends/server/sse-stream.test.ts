// The SSE writer over a recording target: frames in order ending in [DONE], an OpenAI error event when the
// generation fails after the headers, and exactly one outcome, with nothing written after the client left.
import { describe, expect, it } from "vitest";
import { ModelFailedError } from "#backends/errors.ts";
import { SseStream, type StreamOutcome } from "#backends/server/sse-stream.ts";
import type { SseTarget } from "#backends/server/sse-target.ts";

function recordingTarget() {
  const decoder = new TextDecoder();
  const state = { headers: {} as Record<string, string>, bytes: "", ended: false, close: () => {} };
  const target: SseTarget = {
    open(headers, first) {
      state.headers = headers;
      if (first) state.bytes += decoder.decode(first);
    },
    write(chunk) {
      state.bytes += decoder.decode(chunk);
    },
    end(last) {
      state.bytes += decoder.decode(last);
      state.ended = true;
    },
    onClose(listener) {
      state.close = listener;
    },
    response: () => new Response(null),
  };
  return { state, target };
}

function stream() {
  const { state, target } = recordingTarget();
  const outcomes: StreamOutcome[] = [];
  return { state, outcomes, sse: new SseStream(target, (outcome) => outcomes.push(outcome)) };
}

describe("SseStream", () => {
  it("sends headers with the opening payload, then frames, then [DONE]", () => {
    const { state, outcomes, sse } = stream();
    sse.open({ "x-queue-depth": "0" }, ['{"a":1}']);
    sse.send('{"b":2}');
    sse.finish(['{"c":3}', '{"usage":4}']);
    expect(state.headers).toMatchObject({
      "x-queue-depth": "0",
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
    });
    expect(state.bytes).toBe(
      'data: {"a":1}\n\ndata: {"b":2}\n\ndata: {"c":3}\n\ndata: {"usage":4}\n\ndata: [DONE]\n\n',
    );
    expect(state.ended).toBe(true);
    state.close();
    expect(outcomes).toEqual(["ok"]);
  });

  it("ends a failed generation with an OpenAI error event and no [DONE]", () => {
    const { state, outcomes, sse } = stream();
    sse.open({}, []);
    sse.fail(new ModelFailedError("onnxruntime broke"));
    const frames = state.bytes.split("\n\n").filter(Boolean);
    expect(JSON.parse(frames.at(-1)!.slice("data: ".length))).toMatchObject({
      error: { type: "server_error", code: "model_error" },
    });
    expect(state.bytes).not.toContain("[DONE]");
    expect(outcomes).toEqual(["server_error"]);
  });

  it("counts a client that leaves as cancelled once and writes nothing after", () => {
    const { state, outcomes, sse } = stream();
    sse.open({}, []);
    sse.send("1");
    state.close();
    sse.send("2");
    sse.finish(["3"]);
    sse.fail(new Error("late"));
    expect(state.bytes).toBe("data: 1\n\n");
    expect(outcomes).toEqual(["cancelled"]);
  });
});
