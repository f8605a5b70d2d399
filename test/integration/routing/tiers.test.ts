// Tier policy: GPU first, spilling to CPU only when every GPU node is saturated (reported queue depth or
// predicted latency at the configured threshold) or unusable; tenants and models can pin a tier.
import { describe, expect, it } from "vitest";
import type { FakeNode } from "#test/support/fake-node.ts";
import { chat, consume, metricValue, type Routing, runLoad, startFakeNode, startRouting, waitFor } from "./harness.ts";

describe("tiers and spill-over", () => {
  let nodes: FakeNode[] = [];
  let routing: Routing | undefined;

  async function gpuAndCpu(
    gpuBehaviour: Parameters<typeof startFakeNode>[1],
    routingInput = {},
  ): Promise<[FakeNode, FakeNode, Routing]> {
    nodes = await Promise.all([startFakeNode("gpu", gpuBehaviour), startFakeNode("cpu")]);
    const [gpu, cpu] = nodes as [FakeNode, FakeNode];
    // Probe once at start only: afterwards the node's load is what its responses report.
    routing = startRouting(
      [
        { id: "gpu", url: gpu.url, tier: "gpu" },
        { id: "cpu", url: cpu.url, tier: "cpu" },
      ],
      { health: { intervalMs: 60_000 }, ...routingInput },
    );
    const r = routing;
    await waitFor(() => r.registry.readiness().models.m?.healthy === 2, "both nodes probed");
    return [gpu, cpu, r];
  }

  it("spills to CPU at the configured GPU queue depth and not before", async () => {
    const [gpu, cpu, r] = await gpuAndCpu({ headers: { "x-queue-depth": "3" } }, { spill: { queueDepth: 4 } });
    await runLoad(20, 2, async () => consume(await r.forward(chat())));
    expect(gpu.calls).toHaveLength(20);
    expect(cpu.calls).toHaveLength(0);

    gpu.behaviour.headers = { "x-queue-depth": "4" };
    await consume(await r.forward(chat())); // the GPU node reports its new depth on this response
    expect(r.registry.get("gpu")?.queueDepth).toBe(4);
    await runLoad(20, 2, async () => consume(await r.forward(chat())));
    expect(gpu.calls).toHaveLength(21);
    expect(cpu.calls).toHaveLength(20);
    expect(await metricValue(r.metrics, "switchyard_balancer_spills_total", { from: "gpu", to: "cpu" })).toBe(20);
  });

  it("spills when the GPU node's predicted latency reaches the threshold", async () => {
    // Wide margins: a loaded test machine must not make the CPU node look saturated too.
    const [gpu, cpu, r] = await gpuAndCpu({ delayMs: 400 }, { spill: { predictedLatencyMs: 250 } });
    await consume(await r.forward(chat()));
    expect(gpu.calls).toHaveLength(1);
    await runLoad(10, 1, async () => consume(await r.forward(chat())));
    expect(cpu.calls).toHaveLength(10);
  });

  it("stays on a fast GPU node under the predicted-latency threshold", async () => {
    const [gpu, cpu, r] = await gpuAndCpu({ delayMs: 5 }, { spill: { predictedLatencyMs: 500 } });
    await runLoad(20, 2, async () => consume(await r.forward(chat())));
    expect(gpu.calls).toHaveLength(20);
    expect(cpu.calls).toHaveLength(0);
  });

  it("spills when the GPU tier is broken, with no client-visible error", async () => {
    const [gpu, cpu, r] = await gpuAndCpu({});
    await gpu.close();
    const { failures } = await runLoad(10, 1, async () => consume(await r.forward(chat())));
    expect(failures).toEqual([]);
    expect(cpu.calls).toHaveLength(10);
  });

  it("sends a tenant pinned to CPU to CPU even when the GPU is idle", async () => {
    const [gpu, cpu, r] = await gpuAndCpu({}, { tiers: { tenants: { batch: ["cpu"] } } });
    await runLoad(10, 2, async () => consume(await r.forward(chat({ caller: { tenant: "batch", keyName: "k" } }))));
    expect(cpu.calls).toHaveLength(10);
    expect(gpu.calls).toHaveLength(0);
    await consume(await r.forward(chat()));
    expect(gpu.calls).toHaveLength(1);
  });
});
