import type { IncomingMessage, ServerResponse } from "node:http";
import { Pool } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { ClientClosedError } from "#gateway/openai/errors.ts";
import { AttemptScope } from "#gateway/resilience/scopes.ts";
import { requestWhole } from "#gateway/upstream/read-whole.ts";
import { closeServed, serveOnLoopback } from "#test/support/loopback-server.ts";

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Pool> {
  return (await serveOnLoopback(handler)).pool;
}

afterEach(closeServed);

const post = { method: "POST", path: "/v1/x", headers: { "content-type": "application/json" }, body: "{}" } as const;

describe("requestWhole", () => {
  it("collects a body sent in several chunks and shows the headers first", async () => {
    const p = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "x-queue-depth": "3" });
      res.write('{"a":');
      setImmediate(() => res.end('"é"}'));
    });
    let seen: unknown;
    const response = await requestWhole(p, post, new AbortController().signal, (h) => {
      seen = h["x-queue-depth"];
    });
    expect(seen).toBe("3");
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.text!)).toEqual({ a: "é" });
    expect(response.bodyError).toBeUndefined();
  });

  it("resolves with a body error when the connection breaks after the headers", async () => {
    const p = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
      res.write('{"partial":');
      setImmediate(() => res.socket?.destroy());
    });
    const response = await requestWhole(p, post, new AbortController().signal);
    expect(response.statusCode).toBe(200);
    expect(response.text).toBeUndefined();
    expect(response.bodyError).toBeInstanceOf(Error);
  });

  it("rejects with the signal's reason and closes the request when aborted before the answer", async () => {
    let requestClosed!: () => void;
    const closed = new Promise<void>((resolve) => {
      requestClosed = resolve;
    });
    const p = await serve((req) => req.socket.once("close", () => requestClosed()));
    const controller = new AbortController();
    const pending = requestWhole(p, post, controller.signal);
    const reason = new Error("stop");
    setImmediate(() => controller.abort(reason));
    await expect(pending).rejects.toBe(reason);
    await closed;
  });

  it("follows a CancelSource (an attempt scope) the same way", async () => {
    let requestClosed!: () => void;
    const closed = new Promise<void>((resolve) => {
      requestClosed = resolve;
    });
    const p = await serve((req) => req.socket.once("close", () => requestClosed()));
    const attempt = new AttemptScope(new AbortController().signal);
    const pending = requestWhole(p, post, attempt);
    const reason = new ClientClosedError();
    setImmediate(() => attempt.cancel(reason));
    await expect(pending).rejects.toBe(reason);
    await closed;
  });

  it("rejects when the node cannot be reached", async () => {
    const { url } = await serveOnLoopback(() => {});
    await closeServed(); // nothing listens on its port any more
    const pool = new Pool(url);
    try {
      await expect(requestWhole(pool, post, new AbortController().signal)).rejects.toMatchObject({
        code: "ECONNREFUSED",
      });
    } finally {
      await pool.destroy();
    }
  });
});
