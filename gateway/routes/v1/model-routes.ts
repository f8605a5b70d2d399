// POST /v1/chat/completions, /v1/completions and /v1/embeddings: each is the proxy route plus its own limits.
import type { Hono } from "hono";
import { InvalidRequestError } from "#gateway/openai/errors.ts";
import { chatCompletionRequest, completionRequest, embeddingRequest } from "#gateway/openai/schemas.ts";
import type { Envelope } from "../envelope.ts";
import { proxyRoute } from "./proxy-route.ts";

function checkMaxTokens(value: number | null | undefined, param: string, max: number): void {
  if (value != null && value > max) {
    throw new InvalidRequestError(
      `Invalid '${param}': ${value} is greater than the maximum of ${max}.`,
      param,
      "invalid_value",
    );
  }
}

export function registerModelRoutes(app: Hono, envelope: Envelope): void {
  const post = (path: string, handler: ReturnType<typeof proxyRoute>) =>
    app.post(path, envelope(handler, { authenticated: true, jsonBody: true, recordAs: path }));
  post(
    "/v1/chat/completions",
    proxyRoute({
      endpoint: "chat.completions",
      schema: chatCompletionRequest,
      streams: true,
      checkLimits(body, limits) {
        if (body.messages.length > limits.maxMessages) {
          throw new InvalidRequestError(
            `Invalid 'messages': at most ${limits.maxMessages} messages are allowed.`,
            "messages",
            "array_above_max_length",
          );
        }
        checkMaxTokens(body.max_tokens, "max_tokens", limits.maxTokens);
        checkMaxTokens(body.max_completion_tokens, "max_completion_tokens", limits.maxTokens);
      },
    }),
  );
  post(
    "/v1/completions",
    proxyRoute({
      endpoint: "completions",
      schema: completionRequest,
      streams: true,
      checkLimits(body, limits) {
        checkMaxTokens(body.max_tokens, "max_tokens", limits.maxTokens);
        if (Array.isArray(body.prompt) && body.prompt.length > limits.maxInputItems) {
          throw new InvalidRequestError(
            `Invalid 'prompt': at most ${limits.maxInputItems} items are allowed.`,
            "prompt",
            "array_above_max_length",
          );
        }
      },
    }),
  );
  post(
    "/v1/embeddings",
    proxyRoute({
      endpoint: "embeddings",
      schema: embeddingRequest,
      streams: false,
      checkLimits(body, limits) {
        if (Array.isArray(body.input) && body.input.length > limits.maxInputItems) {
          throw new InvalidRequestError(
            `Invalid 'input': at most ${limits.maxInputItems} items are allowed.`,
            "input",
            "array_above_max_length",
          );
        }
      },
    }),
  );
}
