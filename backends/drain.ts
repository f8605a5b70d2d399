// Graceful drain for the model node: once draining, new work is refused with 503 + Retry-After and /health
// answers 503 `status: "draining"` (the gateway's prober takes any non-2xx as unhealthy), while admitted
// requests, streams included, are counted until their responses close so shutdown can wait for them.
import type { HttpBindings } from "@hono/node-server";
import { NodeDrainingError } from "./errors.ts";

type Fetch = (req: Request, env: unknown) => Response | Promise<Response>;

/** Paths that stay answerable while draining: health reports the drain, metrics stay scrapeable. */
const observability = new Set(["/health", "/metrics"]);

export class DrainGate {
  #draining = false;
  #inFlight = 0;
  #idleWaiters: (() => void)[] = [];

  get draining(): boolean {
    return this.#draining;
  }

  /** Admitted requests whose responses have not closed yet (queued, generating or still streaming). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Wraps the app's fetch: counts admitted work and, once draining, refuses new work. */
  wrap(fetch: Fetch): Fetch {
    return (req, env) => {
      const path = pathOf(req, env);
      if (observability.has(path))
        return this.#draining && path === "/health" ? drainingHealth(fetch, req, env) : fetch(req, env);
      if (this.#draining) return refusal();
      this.#track(env);
      return fetch(req, env);
    };
  }

  startDraining(): void {
    this.#draining = true;
    if (this.#inFlight === 0) this.#settle();
  }

  /** Resolves once draining has started and no admitted request is left. */
  idle(): Promise<void> {
    if (this.#draining && this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #track(env: unknown): void {
    // The response's `close` fires when the last byte is written or the socket is cut, so streams count to the end.
    const outgoing = (env as Partial<HttpBindings> | undefined)?.outgoing;
    if (!outgoing) return;
    this.#inFlight += 1;
    outgoing.once("close", () => {
      this.#inFlight -= 1;
      if (this.#draining && this.#inFlight === 0) this.#settle();
    });
  }

  #settle(): void {
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}

/** The raw request target when Node's request is at hand: cheaper than parsing a URL on every request. */
function pathOf(req: Request, env: unknown): string {
  const target = (env as Partial<HttpBindings> | undefined)?.incoming?.url;
  if (target === undefined) return new URL(req.url).pathname;
  const query = target.indexOf("?");
  return query === -1 ? target : target.slice(0, query);
}

function refusal(): Response {
  const error = new NodeDrainingError();
  return Response.json(error.toBody(), { status: error.status, headers: error.headers });
}

/** The usual health body (load, models) with `status: "draining"`, as 503 so probes mark the node unhealthy. */
async function drainingHealth(fetch: Fetch, req: Request, env: unknown): Promise<Response> {
  const response = await fetch(req, env);
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  return Response.json({ ...body, status: "draining" }, { status: 503, headers });
}
