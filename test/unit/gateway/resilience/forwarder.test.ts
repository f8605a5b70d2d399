// The routing forwarder over a real NodeRegistry (health checks off) with a scripted node caller in place of
// HTTP: fail-over, what is and is not retried, per-attempt signals, load reports, hedging and half-open trials.
import pino from "pino";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseConfig } from "#config/load.ts";
import type { ConfigInput } from "#config/schema.ts";
import { NodeRegistry } from "#gateway/nodes/registry.ts";
import type { UpstreamNode } from "#gateway/nodes/upstream-node.ts";
import {
  ClientClosedError,
  ModelNotFoundError,
  NoHealthyNodeError,
  UpstreamError,
  UpstreamTimeoutError,
} from "#gateway/openai/errors.ts";
import type { ForwardRequest, ForwardResult } from "#gateway/pipeline/types.ts";
import type { NodeCaller } from "#gateway/resilience/attempt.ts";
import { createRoutingForwarder } from "#gateway/resilience/forwarder.ts";
import type { CallOptions } from "#gateway/upstream/call-node.ts";

type Call = { node: string; signal: AbortSignal };
type Script = (node: UpstreamNode, opts: CallOptions, call: number) => Promise<ForwardResult>;

const ok = (body: unknown = "ok"): ForwardResult => ({ kind: "json", status: 200, body, headers: {} });
const nodeIds = ["a", "b", "c"];

function setup(script: Script, routing: ConfigInput["routing"] = {}, nodes = nodeIds) {
  const config = parseConfig(
    { nodes: nodes.map((id) => ({ id, url: `http://127.0.0.1:1/${id}`, models: ["m"] })), routing },
    "test",
    {},
  );
  const logger = pino({ level: "silent" });
  const registry = new NodeRegistry({ nodes: config.nodes, routing: config.routing, logger, probes: false });
  for (const node of registry.nodes()) node.health.recordSuccess();
  const calls: Call[] = [];
  const call: NodeCaller = (node, _req, opts) => {
    calls.push({ node: node.id, signal: opts.signal });
    return script(node, opts, calls.length);
  };
  const metrics = new Registry();
  const forward = createRoutingForwarder({ registry, config, metricsRegistry: metrics, logger, call });
  return { registry, forward, calls, metrics };
}

function request(over: Partial<ForwardRequest> = {}): ForwardRequest {
  return {
    endpoint: "chat.completions",
    model: "m",
    body: {},
    stream: false,
    caller: { tenant: "t", keyName: "k" },
    requestId: "r",
    signal: new AbortController().signal,
    deadline: Date.now() + 5000,
    headers: {},
    ...over,
  };
}

const waitAbort = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));

describe("routing forwarder", () => {
  let registry: NodeRegistry | undefined;
  afterEach(async () => {
    await registry?.close(100);
  });

  it("fails over to another node on a node fault, trying each node at most once", async () => {
    const s = setup(async (node) => {
      if (node.id !== "c") throw new UpstreamError(`${node.id} down`, { nodeId: node.id });
      return ok("from c");
    });
    registry = s.registry;
    const result = await s.forward(request());
    expect(result).toMatchObject({ kind: "json", body: "from c" });
    expect(new Set(s.calls.map((c) => c.node)).size).toBe(s.calls.length);
  });

  it("fails over as well when a node call throws before it returns a promise", async () => {
    const s = setup(((node: UpstreamNode, _opts: CallOptions, call: number) => {
      if (call === 1) throw new UpstreamError(`${node.id} down`, { nodeId: node.id });
      return Promise.resolve(ok(`from ${node.id}`));
    }) as Script);
    registry = s.registry;
    const result = await s.forward(request());
    expect(s.calls).toHaveLength(2);
    expect(s.calls[1]!.node).not.toBe(s.calls[0]!.node);
    expect(result).toMatchObject({ kind: "json", body: `from ${s.calls[1]!.node}` });
  });

  it("stops after maxAttempts and reports the last node error", async () => {
    const s = setup(async (node) => Promise.reject(new UpstreamError(`${node.id} down`, { nodeId: node.id })), {
      retries: { maxAttempts: 2 },
    });
    registry = s.registry;
    await expect(s.forward(request())).rejects.toBeInstanceOf(UpstreamError);
    expect(s.calls).toHaveLength(2);
  });

  it("relays a node's 4xx answer without retrying", async () => {
    const s = setup(async () => ({ kind: "json", status: 400, body: { error: "bad" }, headers: {} }));
    registry = s.registry;
    expect(await s.forward(request())).toMatchObject({ status: 400 });
    expect(s.calls).toHaveLength(1);
  });

  it("gives every attempt its own signal, linked to the request", async () => {
    const client = new AbortController();
    const s = setup(async (node, opts) => {
      if (node.id === s.calls[0]?.node) throw new UpstreamError("down");
      return waitAbort(opts.signal);
    });
    registry = s.registry;
    const pending = s.forward(request({ signal: client.signal }));
    await vi.waitFor(() => expect(s.calls).toHaveLength(2));
    expect(s.calls[0]?.signal).not.toBe(s.calls[1]?.signal);
    client.abort(new ClientClosedError());
    await expect(pending).rejects.toBeInstanceOf(ClientClosedError);
    expect(s.calls[1]?.signal.aborted).toBe(true);
    expect(s.calls).toHaveLength(2); // no retry after the client left
  });

  it("enforces the deadline itself and does not retry past it", async () => {
    const s = setup(async (_node, opts) => waitAbort(opts.signal));
    registry = s.registry;
    await expect(s.forward(request({ deadline: Date.now() + 30 }))).rejects.toBeInstanceOf(UpstreamTimeoutError);
    expect(s.calls).toHaveLength(1);
    expect(s.registry.nodes().every((n) => n.inflight === 0)).toBe(true);
  });

  it("says 503 when no node can take the model, 404 when none serves it", async () => {
    const s = setup(async () => ok());
    registry = s.registry;
    for (const node of s.registry.nodes()) for (let i = 0; i < 2; i++) node.health.recordFailure("down");
    await expect(s.forward(request())).rejects.toBeInstanceOf(NoHealthyNodeError);
    await expect(s.forward(request({ model: "nope" }))).rejects.toBeInstanceOf(ModelNotFoundError);
    expect(s.calls).toHaveLength(0);
  });

  it("feeds the node's reported load and latency back into the registry", async () => {
    const s = setup(
      async (_node, opts) => {
        opts.onHeaders?.({ "x-queue-depth": "5", "x-running-sequences": "2" });
        return ok();
      },
      {},
      ["a"],
    );
    registry = s.registry;
    await s.forward(request());
    expect(s.registry.get("a")?.snapshot()).toMatchObject({ queueDepth: 5, runningSequences: 2, inflight: 0 });
    expect(s.registry.get("a")?.latency.observed).toBe(true);
  });

  it("retries a stream that fails before its first event, invisibly", async () => {
    const s = setup(async (node) => {
      async function* events(): AsyncGenerator<string> {
        if (node.id === s.calls[0]?.node) throw new UpstreamError("died before first token");
        yield "one";
        yield "[DONE]";
      }
      return { kind: "stream", status: 200, headers: {}, events: events() };
    });
    registry = s.registry;
    const result = await s.forward(request({ stream: true }));
    const seen: string[] = [];
    if (result.kind === "stream") for await (const data of result.events) seen.push(data);
    expect(seen).toEqual(["one", "[DONE]"]);
    expect(s.calls).toHaveLength(2);
    expect(s.registry.nodes().every((n) => n.inflight === 0)).toBe(true);
  });

  it("hedges a slow request on another node and cancels the loser", async () => {
    let slowSignal: AbortSignal | undefined;
    let slow = false;
    const s = setup(
      async (_node, opts) => {
        if (!slow) return ok("warm");
        if (!slowSignal) {
          slowSignal = opts.signal;
          return waitAbort(opts.signal);
        }
        return ok("hedge");
      },
      { hedging: { enabled: true, minDelayMs: 5 } },
    );
    registry = s.registry;
    for (let i = 0; i < 30; i++) await s.forward(request());
    slow = true;
    expect(await s.forward(request())).toMatchObject({ body: "hedge" });
    expect(slowSignal?.aborted).toBe(true);
    // The loser winds down right after the winner answered.
    await vi.waitFor(() => expect(s.registry.nodes().every((n) => n.inflight === 0)).toBe(true));
  });

  it("re-opens a half-open breaker whose trial ended without a verdict", async () => {
    const client = new AbortController();
    const s = setup(async (_node, opts) => waitAbort(opts.signal), { breaker: { resetTimeoutMs: 10 } }, ["a"]);
    registry = s.registry;
    const breaker = s.registry.get("a")?.breaker;
    breaker?.open();
    await new Promise<void>((resolve) => breaker?.once("halfOpen", () => resolve()));
    const pending = s.forward(request({ signal: client.signal }));
    client.abort(new ClientClosedError());
    await expect(pending).rejects.toBeInstanceOf(ClientClosedError);
    expect(breaker?.opened).toBe(true);
  });
});
