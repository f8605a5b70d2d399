// Errors specific to the model node, in the shared GatewayError tree so one handler renders OpenAI bodies.
import { GatewayError, InvalidRequestError } from "#gateway/openai/errors.ts";

/** Load shedding: the model's queue is full. 429 with Retry-After so clients and the gateway back off or go elsewhere. */
export class QueueFullError extends GatewayError {
  constructor(model: string, retryAfterSeconds = 1) {
    super(429, `Model \`${model}\` is at capacity (its queue is full). Please retry shortly.`, {
      type: "server_overloaded",
      code: "queue_full",
      headers: { "retry-after": String(retryAfterSeconds) },
    });
  }
}

export class ContextLengthExceededError extends InvalidRequestError {
  constructor(message: string, param: string) {
    super(message, param, "context_length_exceeded");
  }
}

/** A parameter this node cannot honour: refused rather than silently ignored. */
export class UnsupportedParameterError extends InvalidRequestError {
  constructor(param: string, message = `${param} is not supported by this model node.`) {
    super(message, param, "unsupported_value");
  }
}

/** The model's worker died (it is being restarted); 503 so the gateway retries on another node at once. */
export class ModelUnavailableError extends GatewayError {
  constructor(model: string, reason: string, retryAfterSeconds = 5) {
    super(503, `Model \`${model}\` is unavailable: ${reason}`, {
      type: "server_error",
      code: "model_unavailable",
      headers: { "retry-after": String(retryAfterSeconds) },
    });
  }
}

/** No worker of the model is serving: the one that died is being restarted (Retry-After matches its backoff). */
export class ModelRestartingError extends ModelUnavailableError {
  constructor(model: string, reason: string | null) {
    super(model, `its worker is restarting (${reason ?? "it stopped"})`, 1);
  }
}

/** onnxruntime failed while running the model (a node fault, not the request's). */
export class ModelFailedError extends GatewayError {
  constructor(reason: string) {
    super(500, `The model failed while processing the request: ${reason}`, {
      type: "server_error",
      code: "model_error",
    });
  }
}

/** Anything unexpected: logged in full, reported without internals. */
export function internalNodeError(cause: unknown): GatewayError {
  if (cause instanceof GatewayError) return cause;
  return new GatewayError(500, "The model node had an internal error while processing your request.", {
    type: "server_error",
    code: "internal_error",
    cause,
  });
}

/**
 * The node is shutting down: 503, which the gateway treats as a node fault and retries elsewhere at once; its
 * Retry-After also keeps the gateway's balancer off this node for that long (node backoff).
 */
export class NodeDrainingError extends GatewayError {
  constructor(retryAfterSeconds = 5) {
    super(503, "The model node is shutting down and takes no new requests. Please retry on another node.", {
      type: "server_error",
      code: "node_draining",
      headers: { "retry-after": String(retryAfterSeconds) },
    });
  }
}
