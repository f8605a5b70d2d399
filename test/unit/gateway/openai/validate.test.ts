// validateBody words zod's failures as OpenAI words them, naming the parameter and using OpenAI's error codes.
import { describe, expect, it } from "vitest";
import { InvalidRequestError } from "#gateway/openai/errors.ts";
import { chatCompletionRequest, completionRequest, embeddingRequest } from "#gateway/openai/schemas.ts";
import { validateBody } from "#gateway/openai/validate.ts";

const messages = [{ role: "user", content: "hi" }];

function refusal(schema: Parameters<typeof validateBody>[0], body: unknown) {
  try {
    validateBody(schema, body);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    const { message, param, code } = (error as InvalidRequestError).toBody().error;
    return { message, param, code };
  }
  throw new Error("the body was accepted");
}

describe("validateBody", () => {
  it("returns the body when it is valid", () => {
    const body = { model: "m", messages, max_tokens: 3, vendor_field: 1 };
    expect(validateBody(chatCompletionRequest, body)).toEqual(body);
  });

  it("says a parameter is missing only when it is absent", () => {
    expect(refusal(chatCompletionRequest, { messages })).toEqual({
      message: "Missing required parameter: 'model'.",
      param: "model",
      code: "missing_required_parameter",
    });
    // A union (prompt: string | string[] | tokens | token arrays) that is absent is missing, not "invalid".
    expect(refusal(completionRequest, { model: "m" })).toMatchObject({
      message: "Missing required parameter: 'prompt'.",
      code: "missing_required_parameter",
    });
  });

  it("names the expected and the received type when a value has the wrong one", () => {
    expect(refusal(chatCompletionRequest, { model: "m", messages, max_tokens: "16" })).toEqual({
      // zod checks the type before integer-ness, so a string is told a number is expected.
      message: "Invalid type for 'max_tokens': expected a number, but got a string instead.",
      param: "max_tokens",
      code: "invalid_type",
    });
    expect(refusal(chatCompletionRequest, { model: "m", messages, max_tokens: 16.5 })).toMatchObject({
      message: "Invalid type for 'max_tokens': expected an integer, but got a decimal number instead.",
    });
    expect(refusal(chatCompletionRequest, { model: 5, messages })).toMatchObject({
      message: "Invalid type for 'model': expected a string, but got an integer instead.",
    });
    // No alternative of the union has the value's type: all of them are listed.
    expect(refusal(chatCompletionRequest, { model: "m", messages: [{ role: "user", content: 5 }] })).toEqual({
      message:
        "Invalid type for 'messages[0].content': expected one of a string, an array or null, but got an integer instead.",
      param: "messages[0].content",
      code: "invalid_type",
    });
  });

  it("explains a union value by the alternative whose type it has", () => {
    expect(refusal(chatCompletionRequest, { model: "m", messages, stop: ["a", "b", "c", "d", "e"] })).toEqual({
      message:
        "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length 5 instead.",
      param: "stop",
      code: "array_above_max_length",
    });
    // ["a", 1] got furthest as a string array: its complaint is about element 1.
    expect(refusal(embeddingRequest, { model: "m", input: ["a", 1] })).toEqual({
      message: "Invalid type for 'input[1]': expected a string, but got an integer instead.",
      param: "input[1]",
      code: "invalid_type",
    });
    expect(refusal(embeddingRequest, { model: "m", input: [] })).toEqual({
      message: "Invalid 'input': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      param: "input",
      code: "empty_array",
    });
  });

  it("states ranges, lengths and allowed values with OpenAI's codes", () => {
    expect(refusal(chatCompletionRequest, { model: "m", messages, temperature: 3 })).toEqual({
      message: "Invalid 'temperature': integer above maximum value. Expected a value <= 2, but got 3 instead.",
      param: "temperature",
      code: "integer_above_max_value",
    });
    expect(refusal(chatCompletionRequest, { model: "m", messages, top_p: -0.5 })).toMatchObject({
      message: "Invalid 'top_p': decimal below minimum value. Expected a value >= 0, but got -0.5 instead.",
      code: "decimal_below_min_value",
    });
    expect(refusal(chatCompletionRequest, { model: "m", messages, logprobs: true, top_logprobs: 21 })).toMatchObject({
      param: "top_logprobs",
      code: "integer_above_max_value",
    });
    expect(refusal(chatCompletionRequest, { model: "", messages })).toEqual({
      message:
        "Invalid 'model': string too short. Expected a string with minimum length 1, but got an empty string instead.",
      param: "model",
      code: "string_too_short",
    });
    expect(refusal(chatCompletionRequest, { model: "m", messages: [] })).toMatchObject({ code: "empty_array" });
    // The spec gives an array of content parts minItems: 1, as OpenAI enforces.
    expect(refusal(chatCompletionRequest, { model: "m", messages: [{ role: "user", content: [] }] })).toEqual({
      message:
        "Invalid 'messages[0].content': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      param: "messages[0].content",
      code: "empty_array",
    });
    expect(refusal(chatCompletionRequest, { model: "m", messages: [{ role: "wizard", content: "x" }] })).toEqual({
      message:
        "Invalid value: 'wizard'. Supported values are: 'system', 'developer', 'user', 'assistant', 'tool', and 'function'.",
      param: "messages[0].role",
      code: "invalid_value",
    });
  });

  it("checks logit_bias keys are token ids and biases within ±100", () => {
    expect(validateBody(chatCompletionRequest, { model: "m", messages, logit_bias: { "50": -100 } })).toBeTruthy();
    expect(refusal(chatCompletionRequest, { model: "m", messages, logit_bias: { abc: 5 } })).toEqual({
      message: "Invalid key in 'logit_bias': 'abc' (keys must be token ids).",
      param: "logit_bias",
      code: "invalid_value",
    });
    expect(refusal(chatCompletionRequest, { model: "m", messages, logit_bias: [1] })).toMatchObject({
      message: "Invalid type for 'logit_bias': expected an object, but got an array instead.",
    });
    expect(refusal(chatCompletionRequest, { model: "m", messages, logit_bias: { "50": 101 } })).toMatchObject({
      param: "logit_bias.50",
      code: "integer_above_max_value",
    });
  });

  it("names a missing field inside an array element", () => {
    const body = { model: "m", messages: [{ content: "x" }] };
    expect(refusal(chatCompletionRequest, body)).toMatchObject({
      message: "Missing required parameter: 'messages[0].role'.",
    });
  });
});
