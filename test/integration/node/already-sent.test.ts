// A stream the handler writes itself must stay intact even when a server replaced the global Response before the
// node's modules loaded (the marker telling @hono/node-server "already sent" is then its lightweight Response).
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterEach, expect, it } from "vitest";

const servers: ReturnType<typeof serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function listen(fetch: (req: Request, env: unknown) => Response | Promise<Response>): Promise<string> {
  const server = serve({ fetch, hostname: "127.0.0.1", port: 0 });
  servers.push(server);
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

it("keeps a directly written stream intact when the global Response was replaced first", async () => {
  await listen(() => new Response("first server"));
  // Only now load what imports the marker, as a node started after a gateway in one process would.
  const { Hono } = await import("hono");
  const { sseTarget } = await import("#backends/server/sse-target.ts");
  const encode = (text: string) => new TextEncoder().encode(text);
  const app = new Hono();
  app.get("/", (c) => {
    const target = sseTarget(c);
    target.open({ "content-type": "text/plain" }, encode("one "));
    setTimeout(() => {
      target.write(encode("two "));
      target.end(encode("three"));
    }, 20);
    return target.response();
  });
  const url = await listen(app.fetch);
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(await response.text()).toBe("one two three");
});
