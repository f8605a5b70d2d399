// Serves a Hono app on a host and port (port 0 picks a free one) and closes it without waiting on idle keep-alives.
// Shared by the gateway, its admin API and the model node.
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";

export type Listener = {
  url: string;
  port: number;
  server: ServerType;
  /** In-flight responses finish unless `force`, which also cuts open streams (a node whose workers are stopping). */
  close(opts?: { force?: boolean }): Promise<void>;
};

export function listenOn(
  fetch: (req: Request, env: unknown) => Response | Promise<Response>,
  at: { host: string; port: number },
): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: at.host, port: at.port }, () => {
      const { port } = server.address() as AddressInfo;
      const host = at.host.includes(":") ? `[${at.host}]` : at.host;
      resolve({ url: `http://${host}:${port}`, port, server, close: (opts) => closeServer(server, opts?.force) });
    });
    server.once("error", reject);
  });
}

function closeServer(server: ServerType, force = false): Promise<void> {
  type Closable = { closeIdleConnections?: () => void; closeAllConnections?: () => void };
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Idle keep-alive sockets would hold close() open forever.
    (server as Closable).closeIdleConnections?.();
    if (force) (server as Closable).closeAllConnections?.();
  });
}
