// callNode against a real HTTP server on loopback: how a node's answers are classified, and that a JSON call follows
// the attempt's CancelSource without ever making the attempt's AbortSignal (which it makes only on demand).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Pool } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { ClientClosedError, UpstreamError } from "#gateway/openai/errors.ts";
import { AttemptScope } from "#gateway/resilience/scopes.ts";
import { type CallOptions, callNode } from "#gateway/upstream/call-node.ts";
import { closeServed, serveOnLoopback } from "#test/support/loopback-server.ts";
import { chatRequest } from "#test/unit/gateway/cache/fixtures.ts";

async function node(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const { url, pool } = await serveOnLoopback(handler);
  return { pool, target: { id: "n1", url, apiKey: undefined, maxConnections: 4 } };
}

afterEach(closeServed);

const request = chatRequest();

/** Options as an attempt passes them, except that reading `signal` fails the test. */
function attemptOptions(attempt: AttemptScope): CallOptions {
  return {
    cancel: attempt,
    get signal(): AbortSignal {
      throw new Error("a JSON call must follow `cancel`, not make the attempt's AbortSignal");
    },
  };
}

/** One JSON attempt on a node, as the routing layer makes it. */
const call = (to: { pool: Pool; target: Parameters<typeof callNode>[1] }, attempt = new AttemptScope(request.signal)) =>
  callNode(to.pool, to.target, request, attemptOptions(attempt));

const answer =
  (status: number, body: string, headers: Record<string, string> = {}) =>
  (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { "content-type": "application/json", ...headers }).end(body);
  };

describe("callNode (JSON)", () => {
  it("returns the node's answer, parsed and as sent, following only the CancelSource", async () => {
    const result = await call(await node(answer(200, '{"choices": []}')));
    expect(result).toMatchObject({ kind: "json", status: 200, body: { choices: [] }, text: '{"choices": []}' });
  });

  it("stops the call when the CancelSource aborts, with its reason", async () => {
    const attempt = new AttemptScope(request.signal);
    const pending = call(await node(() => {}), attempt); // the node never answers
    const reason = new ClientClosedError();
    setImmediate(() => attempt.cancel(reason));
    await expect(pending).rejects.toBe(reason);
  });

  it("treats a 200 whose body is not JSON as a node fault (retried elsewhere, counted by the breaker)", async () => {
    const failure = await call(await node(answer(200, '{"choices": ['))).catch((e) => e);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure).toMatchObject({ nodeFault: true });
  });

  it("turns 503 into a retryable node fault and 429 into a retryable refusal that keeps Retry-After", async () => {
    const down = await call(await node(answer(503, '{"error": {"message": "overloaded"}}'))).catch((e) => e);
    expect(down).toMatchObject({ nodeFault: true, status: 502 });
    const refused = await call(await node(answer(429, "{}", { "retry-after": "3" }))).catch((e) => e);
    expect(refused).toMatchObject({ nodeFault: false, status: 429, headers: { "retry-after": "3" } });
  });

  it("relays any other 4xx as the node's own answer", async () => {
    const result = await call(await node(answer(400, '{"error": {"message": "bad prompt"}}')));
    expect(result).toMatchObject({ kind: "json", status: 400, body: { error: { message: "bad prompt" } } });
  });
});
