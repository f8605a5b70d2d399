// The gateway's error tree: each error knows its HTTP status and OpenAI `type`/`code`, so one onError handler
// turns any of them into OpenAI's error body and route handlers need no try/catch.

export type OpenAIErrorBody = {
  error: { message: string; type: string; param: string | null; code: string | null };
};

export class GatewayError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;
  /** Extra response headers (Retry-After, rate-limit headers). */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    message: string,
    opts: {
      type?: string;
      code?: string | null;
      param?: string | null;
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = new.target.name;
    this.status = status;
    this.type = opts.type ?? "invalid_request_error";
    this.code = opts.code ?? null;
    this.param = opts.param ?? null;
    this.headers = opts.headers ?? {};
  }

  toBody(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export class InvalidRequestError extends GatewayError {
  constructor(message: string, param: string | null = null, code: string | null = null) {
    super(400, message, { type: "invalid_request_error", param, code });
  }
}

export class AuthenticationError extends GatewayError {
  constructor(message = "Incorrect API key provided.") {
    super(401, message, { type: "invalid_request_error", code: "invalid_api_key" });
  }
}

export class PermissionDeniedError extends GatewayError {
  constructor(message: string) {
    super(403, message, { type: "invalid_request_error", code: "permission_denied" });
  }
}

export class NotFoundError extends GatewayError {
  constructor(message: string, code: string | null = null, param: string | null = null) {
    super(404, message, { type: "invalid_request_error", code, param });
  }
}

export class ModelNotFoundError extends NotFoundError {
  constructor(model: string) {
    super(`The model \`${model}\` does not exist or you do not have access to it.`, "model_not_found", "model");
  }
}

export class PayloadTooLargeError extends GatewayError {
  constructor(limit: number) {
    super(413, `Request body is larger than the limit of ${limit} bytes.`, { code: "request_too_large" });
  }
}

export class RateLimitedError extends GatewayError {
  constructor(message: string, retryAfterSeconds: number, headers: Record<string, string> = {}) {
    super(429, message, {
      type: "requests",
      code: "rate_limit_exceeded",
      headers: { ...headers, "retry-after": String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    });
  }
}

/** A tenant's or key's token quota for the current day or month is spent (OpenAI's billing-quota 429). */
export class QuotaExceededError extends GatewayError {
  constructor(message: string, retryAfterSeconds: number) {
    super(429, message, {
      type: "insufficient_quota",
      code: "insufficient_quota",
      headers: { "retry-after": String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    });
  }
}

/** The gateway itself is at capacity or misconfigured for the request: no node can take it. */
export class NoHealthyNodeError extends GatewayError {
  constructor(model: string, retryAfterSeconds = 1) {
    super(503, `No healthy node is available for model \`${model}\`. Please retry shortly.`, {
      type: "server_error",
      code: "no_healthy_node",
      headers: { "retry-after": String(retryAfterSeconds) },
    });
  }
}

export class CircuitOpenError extends GatewayError {
  constructor(nodeId: string) {
    super(503, `Node ${nodeId} is temporarily unavailable (circuit open).`, {
      type: "server_error",
      code: "circuit_open",
    });
  }
}

/** A node answered with an error or broke the connection, and no retry could recover. */
export class UpstreamError extends GatewayError {
  readonly nodeId: string | null;
  /** Whether the failure means the node is bad (connect error, 5xx, timeout) rather than the request. */
  readonly nodeFault: boolean;
  constructor(
    message: string,
    opts: {
      nodeId?: string | null;
      status?: number;
      nodeFault?: boolean;
      cause?: unknown;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(opts.status ?? 502, message, {
      type: "server_error",
      code: "upstream_error",
      cause: opts.cause,
      headers: opts.headers,
    });
    this.nodeId = opts.nodeId ?? null;
    this.nodeFault = opts.nodeFault ?? true;
  }
}

export class UpstreamTimeoutError extends GatewayError {
  constructor(message = "The request exceeded its deadline.") {
    super(504, message, { type: "server_error", code: "timeout" });
  }
}

/** The client went away; nothing is sent, but the status is recorded as nginx's 499 for metrics. */
export class ClientClosedError extends GatewayError {
  constructor() {
    super(499, "Client closed the request.", { type: "client_closed", code: "client_closed" });
  }
}

export function internalError(cause: unknown): GatewayError {
  return new GatewayError(500, "The gateway had an internal error while processing your request.", {
    type: "server_error",
    code: "internal_error",
    cause,
  });
}
