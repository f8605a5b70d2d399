import { describe, expect, it } from "vitest";
import { eventsToJson, jsonToEvents } from "#gateway/cache/convert.ts";
import { chatAnswer, chatStream } from "./fixtures.ts";

const parse = (events: string[]) =>
  events.filter((e) => e !== "[DONE]").map((e) => JSON.parse(e) as Record<string, unknown>);

describe("cached answer shape conversion", () => {
  it("rebuilds OpenAI's JSON from a stored stream", () => {
    expect(eventsToJson("chat.completions", chatStream(["hel", "lo"]))).toStrictEqual({
      ...chatAnswer("hello"),
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "hello", refusal: null },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
    });
  });

  it("turns a JSON answer into a stream whose deltas concatenate to it, with usage only when asked", () => {
    const answer = chatAnswer("hello");
    const withUsage = jsonToEvents("chat.completions", answer, true)!;
    expect(withUsage.at(-1)).toBe("[DONE]");
    const chunks = parse(withUsage);
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.id === "chatcmpl-1")).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: answer.usage });
    expect(eventsToJson("chat.completions", withUsage)).toMatchObject(answer);
    const without = parse(jsonToEvents("chat.completions", answer, false)!);
    expect(without.some((c) => "usage" in c)).toBe(false);
  });

  it("merges streamed tool calls by index", () => {
    const base = { id: "c", object: "chat.completion.chunk", created: 1, model: "m" };
    const events = [
      {
        ...base,
        choices: [
          {
            index: 0,
            delta: {
              role: "assistant",
              tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "get", arguments: '{"ci' } }],
            },
            finish_reason: null,
          },
        ],
      },
      {
        ...base,
        choices: [
          { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: 'ty":"x"}' } }] }, finish_reason: null },
        ],
      },
      { ...base, choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] },
      { ...base, choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } },
    ].map((e) => JSON.stringify(e));
    const body = eventsToJson("chat.completions", [...events, "[DONE]"]) as {
      choices: { message: Record<string, unknown>; finish_reason: string }[];
    };
    expect(body.choices[0]!.message.tool_calls).toEqual([
      { id: "call_1", type: "function", function: { name: "get", arguments: '{"city":"x"}' } },
    ]);
    expect(body.choices[0]!.finish_reason).toBe("tool_calls");
  });

  it("refuses what it cannot rebuild faithfully", () => {
    expect(eventsToJson("chat.completions", chatStream(["a"], null))).toBeUndefined(); // no usage to report
    expect(eventsToJson("chat.completions", chatStream(["a"]).slice(0, -1))).toBeUndefined(); // no [DONE]
    expect(jsonToEvents("chat.completions", { ...chatAnswer(), usage: undefined }, true)).toBeUndefined();
    expect(jsonToEvents("embeddings", { data: [] }, false)).toBeUndefined();
    const logprobs = JSON.stringify({
      id: "c",
      choices: [{ index: 0, text: "a", logprobs: { tokens: ["a"] }, finish_reason: "stop" }],
    });
    const usage = JSON.stringify({ id: "c", choices: [], usage: { total_tokens: 1 } });
    expect(eventsToJson("completions", [logprobs, usage, "[DONE]"])).toBeUndefined();
  });

  it("converts text completions both ways", () => {
    const answer = {
      id: "cmpl-1",
      object: "text_completion",
      created: 1,
      model: "m",
      choices: [{ index: 0, text: "abc", logprobs: null, finish_reason: "length" }],
      usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 },
    };
    const events = jsonToEvents("completions", answer, true)!;
    expect(parse(events)[0]).toMatchObject({ object: "text_completion", choices: [{ text: "abc" }] });
    expect(eventsToJson("completions", events)).toEqual(answer);
  });
});
