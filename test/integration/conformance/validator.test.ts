// The spec validator itself (test/support/openapi.ts) against the real spec: it must reject what the spec
// rejects, or every conformance suite would pass vacuously, and accept OpenAPI 3.0 `nullable` fields.
import { describe, expect, it } from "vitest";
import { validateAgainst } from "#test/support/openapi.ts";
import { specMissing, suiteTitle } from "./harness.ts";

const chunk = {
  id: "chatcmpl-1",
  object: "chat.completion.chunk",
  created: 1_700_000_000,
  model: "demo-gpt",
  choices: [{ index: 0, delta: { content: "hi" }, logprobs: null, finish_reason: null }],
  usage: null,
};

describe.skipIf(specMissing)(suiteTitle("the OpenAPI validator"), () => {
  it("accepts a valid chunk, including fields the spec marks `nullable: true`", () => {
    expect(validateAgainst("CreateChatCompletionStreamResponse", chunk)).toEqual([]);
  });

  it("names the field and the rule a body breaks", () => {
    expect(validateAgainst("ErrorResponse", { error: { message: "m", type: "t", param: null } })).toEqual([
      "ErrorResponse/error: must have required property 'code'",
    ]);
    expect(validateAgainst("CreateChatCompletionStreamResponse", { ...chunk, object: "chat.completion" })).toEqual([
      'CreateChatCompletionStreamResponse/object: must be equal to one of the allowed values ["chat.completion.chunk"]',
    ]);
  });

  it("reads `unixtime` as whole seconds, so a millisecond clock is caught", () => {
    expect(validateAgainst("CreateChatCompletionStreamResponse", { ...chunk, created: Date.now() })).toEqual([
      'CreateChatCompletionStreamResponse/created: must match format "unixtime"',
    ]);
  });

  it("rejects null where the spec does not allow it", () => {
    const choice = { index: 0, text: "a", logprobs: null, finish_reason: null };
    const completion = { id: "c", object: "text_completion", created: 1, model: "m", choices: [choice] };
    expect(validateAgainst("CreateCompletionResponse", completion).join("\n")).toMatch(/choices\/0\/finish_reason/);
  });

  it("refuses a schema name the spec does not have", () => {
    expect(() => validateAgainst("NoSuchSchema", {})).toThrow(/no schema named NoSuchSchema/);
  });
});
