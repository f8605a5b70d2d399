// A raw request handler served on 127.0.0.1:0, with an undici Pool to it: for tests of the gateway's upstream calls
// that need answers no well-behaved node gives (broken JSON, a node that never answers). Suites call closeServed()
// after each test.
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Pool } from "undici";

const served: Array<{ server: Server; pool: Pool }> = [];

export async function serveOnLoopback(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; pool: Pool }> {
  const server = createServer(handler);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const pool = new Pool(url);
  served.push({ server, pool });
  return { url, pool };
}

/** Closes every server served so far, cutting open connections (a handler that never answers holds one). */
export async function closeServed(): Promise<void> {
  for (const { server, pool } of served.splice(0)) {
    await pool.destroy();
    server.closeAllConnections();
    server.close();
  }
}
