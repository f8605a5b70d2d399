// A client that stops reading a stream pauses the relay: the node's own writes start to wait (backpressure reaches
// it) instead of the gateway buffering the whole answer, and once the client reads again the stream completes.
import { once } from "node:events";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DONE, parseSse } from "#gateway/openai/sse.ts";
import type { RunningGateway } from "#gateway/server.ts";
import { authHeaders, startTestGateway } from "#test/support/gateway.ts";
import { waitFor } from "#test/support/wait.ts";

const events = 16_384;
const filler = "x".repeat(4_000);
const chunk = (i: number) =>
  `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content: `${i} ${filler}` }, finish_reason: null }] })}\n\n`;
const totalBytes = events * chunk(0).length;

/** A node that streams ~64 MB as fast as its socket takes it, recording whether it is waiting for 'drain'. */
const node = { written: 0, waiting: false };
let upstream: Server;
let gateway: RunningGateway;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.method === "GET") return void res.end("{}");
      res.writeHead(200, { "content-type": "text/event-stream" });
      let i = 0;
      const pump = () => {
        while (i < events) {
          const data = chunk(i++);
          node.written += data.length;
          if (!res.write(data)) {
            node.waiting = true;
            res.once("drain", () => {
              node.waiting = false;
              pump();
            });
            return;
          }
        }
        res.end(`data: ${DONE}\n\n`);
      };
      pump();
    });
  });
  upstream.listen(0, "127.0.0.1");
  await once(upstream, "listening");
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gateway = await startTestGateway({ nodes: [{ id: "n1", url, models: ["m"] }], cache: { store: "off" } });
});
afterAll(async () => {
  await gateway?.close();
  upstream?.close();
});

it("holds the node back while the client does not read, then delivers the whole stream", async () => {
  const target = new URL(`${gateway.url}/v1/chat/completions`);
  const response = await new Promise<import("node:http").IncomingMessage>((resolve, reject) => {
    const req = request(target, { method: "POST", headers: authHeaders() }, resolve);
    req.on("error", reject);
    req.end(
      JSON.stringify({ model: "m", stream: true, temperature: 0.7, messages: [{ role: "user", content: "hi" }] }),
    );
  });
  expect(response.statusCode).toBe(200);
  response.pause();
  // Buffers along the way (sockets, the relay) fill first; then the node's writes must stay blocked. A relay that
  // ignored backpressure would instead drain the whole answer into memory and the node would finish.
  let lastWritten = -1;
  let stablePolls = 0;
  await waitFor(
    () => {
      stablePolls = node.waiting && node.written === lastWritten ? stablePolls + 1 : 0;
      lastWritten = node.written;
      return stablePolls >= 10;
    },
    "the node's writes to stay blocked while the client does not read",
    10_000,
  );
  expect(node.written).toBeLessThan(totalBytes / 2);

  let received = 0;
  let last = "";
  for await (const data of parseSse(response as AsyncIterable<Uint8Array>)) {
    received++;
    last = data;
  }
  expect(received).toBe(events + 1);
  expect(last).toBe(DONE);
});
