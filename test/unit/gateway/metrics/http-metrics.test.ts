// The HTTP recorder takes each request's duration when it is called and writes the metrics and access lines of one
// event-loop turn together, after the turn: every request is recorded exactly once, with its own duration.
import { Writable } from "node:stream";
import { Hono } from "hono";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createLogger } from "#gateway/logging.ts";
import { httpRecorder } from "#gateway/metrics/http-metrics.ts";

describe("http recorder", () => {
  it("records every request of a turn once, after the turn, with its own duration", async () => {
    const lines: string[] = [];
    const logger = createLogger(
      "info",
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(...String(chunk).split("\n").filter(Boolean));
          done();
        },
      }),
    );
    const registry = new Registry();
    const record = httpRecorder(registry);
    const app = new Hono();
    const startedAt = performance.now() - 1500; // every request 1.5 s old when recorded
    app.get("/r/:i", (c) => {
      c.set("baseLog", logger);
      c.set("requestId", `req_${c.req.param("i")}`);
      const res = new Response("ok", { status: Number(c.req.param("i")) % 2 ? 200 : 404 });
      record(c, "/r/:i", res, startedAt);
      return res;
    });
    await Promise.all(Array.from({ length: 10 }, (_, i) => app.request(`/r/${i}`)));
    // Nothing yet: the turn's records wait for a setImmediate.
    expect((await registry.getSingleMetric("switchyard_http_requests_total")?.get())?.values ?? []).toEqual([]);

    await new Promise((resolve) => setImmediate(resolve));
    logger.flush();
    const counted = (await registry.getSingleMetric("switchyard_http_requests_total")!.get()).values;
    expect(counted.map((v) => [v.labels.status, v.value]).sort()).toEqual([
      [200, 5],
      [404, 5],
    ]);
    const access = lines.map((line) => JSON.parse(line) as { requestId: string; ms: number; status: number });
    expect(access.map((line) => line.requestId).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `req_${i}`).sort(),
    );
    // Each line carries its request's own age (1.5 s), in milliseconds.
    for (const line of access) expect(line.ms).toBeGreaterThanOrEqual(1500);
    for (const line of access) expect(line.ms).toBeLessThan(60_000);
  });
});
