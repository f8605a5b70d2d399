// Request coalescing within one gateway: identical deterministic requests in flight at the same time reach a
// node once, and every caller gets the answer (streams too, through a broadcast each caller replays from the
// start). The upstream call runs on its own signal that aborts only when every caller has gone, so one
// impatient client cannot break the stream for the rest. Callers share the first caller's deadline.
import { ClientClosedError, GatewayError } from "#gateway/openai/errors.ts";
import type { Forwarder, ForwardLayer, ForwardRequest, ForwardResult } from "#gateway/pipeline/types.ts";
import { type Broadcast, broadcast } from "./broadcast.ts";
import { cacheKey } from "./canonical.ts";
import type { CacheMetrics } from "./metrics.ts";
import { type CacheConfig, isDeterministic, readControl } from "./policy.ts";

type Shared =
  | ForwardResult
  | { kind: "broadcast"; status: number; headers: Record<string, string>; broadcast: Broadcast };
type Flight = { join(req: ForwardRequest): Promise<ForwardResult> };

export function createCoalesceLayer({ config, metrics }: { config: CacheConfig; metrics: CacheMetrics }): ForwardLayer {
  return (next) => {
    const flights = new Map<string, Flight>();
    // Not async: most requests pass straight through, and wrapping next()'s promise would cost microtask turns.
    return function coalesce(req) {
      if (readControl(req.headers) === "bypass" || !isDeterministic(req, config)) return next(req);
      const key = flightKey(req);
      const existing = flights.get(key);
      if (existing) {
        metrics.coalesced.inc({ endpoint: req.endpoint });
        return existing.join(req);
      }
      const flight = launch(req, next, () => {
        if (flights.get(key) === flight) flights.delete(key);
      });
      flights.set(key, flight);
      return flight.join(req);
    };
  };
}

function flightKey(req: ForwardRequest): string {
  const usage = (req.body.stream_options as { include_usage?: unknown } | null | undefined)?.include_usage === true;
  return `${cacheKey(req)}|${req.stream ? "stream" : "json"}|${usage}`;
}

function launch(first: ForwardRequest, next: Forwarder, forget: () => void): Flight {
  const controller = new AbortController();
  let members = 0;
  let settled = false;
  const settle = () => {
    settled = true;
    forget();
  };
  const leave = () => {
    if (--members > 0 || settled) return;
    forget();
    controller.abort(new ClientClosedError());
  };
  const shared: Promise<Shared> = next({ ...first, signal: controller.signal }).then(
    (result) => {
      if (result.kind === "json") {
        settle();
        return result;
      }
      return {
        kind: "broadcast",
        status: result.status,
        headers: result.headers,
        broadcast: broadcast(result.events, settle),
      };
    },
    (error: unknown) => {
      settle();
      throw error;
    },
  );
  shared.catch(() => {});

  return {
    async join(req) {
      members++;
      let left = false;
      const leaveOnce = () => {
        if (left) return;
        left = true;
        req.signal.removeEventListener("abort", leaveOnce);
        leave();
      };
      req.signal.addEventListener("abort", leaveOnce, { once: true });
      try {
        const result = await untilAborted(shared, req.signal);
        if (result.kind !== "broadcast") {
          leaveOnce();
          return result;
        }
        const events = result.broadcast.subscribe(req.signal, leaveOnce);
        return { kind: "stream", status: result.status, headers: result.headers, events };
      } catch (error) {
        leaveOnce();
        throw error;
      }
    },
  };
}

/** The shared answer, or this caller's own abort reason as soon as its signal fires. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason instanceof GatewayError ? signal.reason : new ClientClosedError();
}
