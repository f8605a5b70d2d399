// The benchmark's foil: the least a Hono + undici proxy can do (no auth, validation, metrics, logs or routing).
// Streams are piped through as they come.
import { Readable } from "node:stream";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { Pool } from "undici";

const upstream = new Pool(`http://127.0.0.1:${process.argv[2]}`, { connections: 128 });
const app = new Hono();
app.post("/v1/chat/completions", async (c) => {
  const body = await c.req.text();
  const res = await upstream.request({
    method: "POST",
    path: "/v1/chat/completions",
    headers: { "content-type": "application/json" },
    body,
  });
  const contentType = String(res.headers["content-type"] ?? "application/json");
  if (contentType.startsWith("text/event-stream"))
    return c.body(Readable.toWeb(res.body) as ReadableStream, res.statusCode as 200, { "content-type": contentType });
  return c.body(await res.body.text(), res.statusCode as 200, { "content-type": contentType });
});
const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) =>
  process.send?.({ port: info.port }),
);
void server;
// SIGINT (rather than a kill) lets a profiled run (--cpu-prof) write its profile.
process.on("SIGINT", () => process.exit(0));
// A benchmark that dies (or is cut short) takes its children with it: the IPC channel closes with the parent.
process.on("disconnect", () => process.exit(0));
