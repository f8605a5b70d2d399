// A fixed, fast OpenAI-compatible upstream for gateway benchmarks: every chat request gets the same answer at once;
// a streaming request gets 32 content chunks (written in bursts of 4, as a batching node would), usage and [DONE].
import { createServer } from "node:http";

const body = JSON.stringify({
  id: "chatcmpl-bench",
  object: "chat.completion",
  created: 1,
  model: "bench-model",
  choices: [
    {
      index: 0,
      message: { role: "assistant", content: "The quick brown fox jumps over the lazy dog." },
      finish_reason: "stop",
    },
  ],
  usage: { prompt_tokens: 12, completion_tokens: 10, total_tokens: 22 },
});

const streamedChunks = 32;
const chunk = (i: number) =>
  `data: ${JSON.stringify({
    id: "chatcmpl-bench",
    object: "chat.completion.chunk",
    created: 1,
    model: "bench-model",
    choices: [{ index: 0, delta: { content: ` word${i}` }, finish_reason: null }],
  })}\n\n`;
const streamEnd = `data: ${JSON.stringify({
  id: "chatcmpl-bench",
  object: "chat.completion.chunk",
  created: 1,
  model: "bench-model",
  choices: [],
  usage: { prompt_tokens: 12, completion_tokens: streamedChunks, total_tokens: 12 + streamedChunks },
})}\n\ndata: [DONE]\n\n`;

const server = createServer((req, res) => {
  let text = "";
  req.setEncoding("utf8");
  req.on("data", (part: string) => {
    text += part;
  });
  req.on("end", () => {
    if (req.method === "GET") {
      res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok","queueDepth":0}');
      return;
    }
    if (text.includes('"stream":true')) {
      res.writeHead(200, { "content-type": "text/event-stream" });
      let sent = 0;
      const burst = () => {
        for (let i = 0; i < 4 && sent < streamedChunks; i++) res.write(chunk(sent++));
        if (sent < streamedChunks) setImmediate(burst);
        else res.end(streamEnd);
      };
      burst();
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  const address = server.address();
  process.send?.({ port: typeof address === "object" && address ? address.port : 0 });
});
// SIGINT (rather than a kill) lets a profiled run (--cpu-prof) write its profile.
process.on("SIGINT", () => process.exit(0));
// A benchmark that dies (or is cut short) takes its children with it: the IPC channel closes with the parent.
process.on("disconnect", () => process.exit(0));
