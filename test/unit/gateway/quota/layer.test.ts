// The quota layer alone, with a fake store: it lets requests through uncounted while the store fails (a quota is
// a budget; a dead Redis must not stop traffic), and says so in the log once per outage.
import pino from "pino";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createQuotaLayer } from "#gateway/quota/layer.ts";
import { quotaMetrics } from "#gateway/quota/metrics.ts";
import type { QuotaStore } from "#gateway/quota/store.ts";
import { chatAnswer, chatRequest, fakeNext, json } from "#test/unit/gateway/cache/fixtures.ts";

const config = { store: "redis" as const, tenants: { acme: { tokensPerDay: 10 } }, keys: {} };

function capturingLogger() {
  const lines: string[] = [];
  return { lines, logger: pino({ level: "warn" }, { write: (line: string) => void lines.push(line) }) };
}

describe("quota layer", () => {
  it("passes requests through uncounted while the store is down, warning once for the outage", async () => {
    const down: QuotaStore = {
      used: () => Promise.reject(new Error("connection refused")),
      add: () => Promise.reject(new Error("connection refused")),
    };
    const { lines, logger } = capturingLogger();
    const next = fakeNext(() => json(chatAnswer()));
    const layer = createQuotaLayer({ config, store: down, metrics: quotaMetrics(new Registry()), logger })(next);
    for (let i = 0; i < 3; i++) expect((await layer(chatRequest())).status).toBe(200);
    expect(next.calls).toHaveLength(3);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("quota store unavailable");
  });

  it("survives a store that fails only when charging", async () => {
    let charged = 0;
    const flaky: QuotaStore = {
      used: () => [0],
      add: () => {
        charged++;
        throw new Error("write failed");
      },
    };
    const { lines, logger } = capturingLogger();
    const layer = createQuotaLayer({ config, store: flaky, metrics: quotaMetrics(new Registry()), logger })(
      fakeNext(() => json(chatAnswer())),
    );
    const result = await layer(chatRequest());
    expect(result.headers["x-switchyard-quota-remaining-tokens"]).toBe("10");
    await expect.poll(() => charged).toBe(1);
    await expect.poll(() => lines.length).toBe(1);
  });
});
