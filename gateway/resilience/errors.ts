// Errors the resilience layer raises about single attempts. Both say whether they count against the node
// (`nodeFault`), which is all the breaker looks at.
import { GatewayError, UpstreamTimeoutError } from "#gateway/openai/errors.ts";

/** The node took too long to send its first token, or stalled between tokens: its fault, worth a retry. */
export class AttemptTimeoutError extends UpstreamTimeoutError {
  readonly nodeId: string;
  readonly nodeFault = true;
  constructor(nodeId: string, message: string) {
    super(message);
    this.nodeId = nodeId;
  }
}

/** The gateway stopped an attempt it no longer needs (a hedge that lost the race): nobody's fault. */
export class AttemptCancelledError extends GatewayError {
  constructor() {
    super(499, "The attempt was cancelled because another one answered first.", {
      type: "server_error",
      code: "cancelled",
    });
  }
}
