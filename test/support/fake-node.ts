// A small OpenAI-compatible HTTP server on 127.0.0.1:0 whose behaviour a test controls (latency, failures,
// streams that die): a stand-in for a model node where a real one would be too slow or too well-behaved.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type FakeBehaviour = {
  delayMs?: number;
  /** Answer every request with this status and an OpenAI error body. */
  failStatus?: number;
  retryAfter?: string;
  /** Stream: how many content chunks to send, and after how many to drop the connection (none = complete). */
  streamChunks?: number;
  dieAfterChunks?: number;
  /** Stream: wait for this before sending chunks after the first (proves the gateway relays without buffering). */
  holdAfterFirstChunk?: Promise<void>;
  /** Extra response headers, e.g. x-queue-depth. */
  headers?: Record<string, string>;
  /** Answer a JSON request with 200 and a body cut off mid-object (its length declared correctly). */
  malformedJson?: boolean;
};

export type FakeNode = {
  url: string;
  port: number;
  /** Each request as received: `text` is the body's exact bytes, `body` their parse. */
  calls: Array<{ path: string; body: Record<string, unknown>; text: string; headers: IncomingMessage["headers"] }>;
  behaviour: FakeBehaviour;
  close(): Promise<void>;
};

export async function startFakeNode(name: string, behaviour: FakeBehaviour = {}, port = 0): Promise<FakeNode> {
  const sockets = new Set<Socket>();
  const node: FakeNode = { url: "", port: 0, calls: [], behaviour, close: async () => {} };
  const server: Server = createServer((req, res) => void handle(name, node, req, res));
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  node.port = (server.address() as AddressInfo).port;
  node.url = `http://127.0.0.1:${node.port}`;
  node.close = () =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return node;
}

async function handle(name: string, node: FakeNode, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const received = Buffer.concat(chunks).toString();
  const body = received ? (JSON.parse(received) as Record<string, unknown>) : {};
  const path = req.url ?? "/";
  const b = node.behaviour;
  if (req.method === "GET")
    return json(res, 200, path.startsWith("/health") ? { status: "ok", queueDepth: 0 } : { object: "list", data: [] });
  node.calls.push({ path, body, text: received, headers: req.headers });
  if (b.delayMs) await new Promise((r) => setTimeout(r, b.delayMs));
  if (res.destroyed) return;
  const headers = { ...b.headers, ...(b.retryAfter ? { "retry-after": b.retryAfter } : {}) };
  if (b.failStatus)
    return json(
      res,
      b.failStatus,
      { error: { message: `${name} fails`, type: "server_error", param: null, code: null } },
      headers,
    );
  const model = String(body.model);
  if (path.endsWith("/embeddings")) {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    return json(
      res,
      200,
      {
        object: "list",
        model,
        data: inputs.map((_, index) => ({ object: "embedding", index, embedding: [0.6, 0.8] })),
        usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
      },
      headers,
    );
  }
  const text = `hello from ${name}`;
  if (!body.stream && b.malformedJson) {
    res.writeHead(200, { "content-type": "application/json", ...headers });
    res.end(`{"id":"cmpl-${name}","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant"`);
    return;
  }
  if (!body.stream) {
    const choice = path.endsWith("/chat/completions")
      ? { index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }
      : { index: 0, text, finish_reason: "stop" };
    return json(
      res,
      200,
      {
        id: `cmpl-${name}`,
        object: path.endsWith("/chat/completions") ? "chat.completion" : "text_completion",
        created: 1,
        model,
        choices: [choice],
        usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
      },
      headers,
    );
  }
  res.writeHead(200, { "content-type": "text/event-stream", ...headers });
  const count = b.streamChunks ?? 3;
  for (let i = 0; i < count; i++) {
    if (b.dieAfterChunks !== undefined && i >= b.dieAfterChunks) {
      res.socket?.destroy();
      return;
    }
    res.write(
      `data: ${JSON.stringify({ id: `chunk-${name}`, object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta: { content: `${name}-${i} ` }, finish_reason: null }] })}\n\n`,
    );
    if (i === 0 && b.holdAfterFirstChunk) await b.holdAfterFirstChunk;
  }
  const usage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage;
  res.write(
    `data: ${JSON.stringify({ id: `chunk-${name}`, object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`,
  );
  if (usage)
    res.write(
      `data: ${JSON.stringify({ id: `chunk-${name}`, object: "chat.completion.chunk", created: 1, model, choices: [], usage: { prompt_tokens: 3, completion_tokens: count, total_tokens: 3 + count } })}\n\n`,
    );
  res.end("data: [DONE]\n\n");
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
