// The k6 scripts cannot run here (no k6), so this checks them against k6's documented contract: each script
// loads, every scenario uses an executor with its required options, every `exec` names an exported function,
// and every threshold names a metric that exists (built in or created by the script) with a valid expression.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";

type Scenario = Record<string, unknown> & { executor: string; exec?: string };
type Loaded = {
  options: { scenarios: Record<string, Scenario>; thresholds: Record<string, Array<string | { threshold: string }>> };
  exports: Record<string, string>;
  metrics: Array<{ type: string; name: string }>;
};

const scripts = readdirSync("load-tests/k6").filter((f) => f.endsWith(".js"));

function load(script: string, env: Record<string, string> = {}): Loaded {
  const program = `
    const m = await import(${JSON.stringify(`./load-tests/k6/${script}`)});
    const exports = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v]));
    console.log(JSON.stringify({ options: m.options, exports, metrics: globalThis.__k6Metrics ?? [] }));`;
  const out = execFileSync(
    process.execPath,
    ["--import", "./test/unit/load-tests/k6-stubs.ts", "--input-type=module", "-e", program],
    {
      env: { ...process.env, ...env },
      encoding: "utf8",
    },
  );
  return JSON.parse(out) as Loaded;
}

// From k6's executor docs: the options each arrival-rate executor requires.
const required: Record<string, string[]> = {
  "constant-arrival-rate": ["rate", "duration", "preAllocatedVUs"],
  "ramping-arrival-rate": ["stages", "preAllocatedVUs"],
};
const builtInMetrics = ["http_req_failed", "http_req_duration", "checks", "http_reqs", "iteration_duration"];
const expression =
  /^(rate|count|value|avg|min|max|med|p\(\d+(\.\d+)?\))\s*(<|<=|>|>=|==|===|!=)\s*\d+(\.\d+)?(e-?\d+)?$/;

describe.each(scripts)("load-tests/k6/%s", (script) => {
  const loaded = load(script, { RATE: "7", DURATION: "42s" });

  it("defines open-model scenarios with the options k6 requires", () => {
    const scenarios = Object.values(loaded.options.scenarios);
    expect(scenarios.length).toBeGreaterThan(0);
    for (const scenario of scenarios) {
      expect(Object.keys(required)).toContain(scenario.executor);
      for (const option of required[scenario.executor]!) expect(scenario[option], option).toBeDefined();
      expect(scenario.maxVUs as number).toBeGreaterThanOrEqual(scenario.preAllocatedVUs as number);
      const stages = (scenario.stages as Array<{ target: number; duration: string }> | undefined) ?? [];
      for (const stage of stages) expect(stage.duration).toMatch(/^\d+(ms|s|m|h)$/);
      if (scenario.exec) expect(loaded.exports[scenario.exec]).toBe("function");
      else expect(loaded.exports.default).toBe("function");
    }
  });

  it("takes RATE and DURATION from the environment", () => {
    const text = JSON.stringify(loaded.options.scenarios);
    expect(text).toContain('"duration":"42s"');
    // The smoke test runs at a fixed trickle; every other test scales from RATE.
    if (script !== "smoke.js") expect(text).toMatch(/"(rate|startRate|target)":7\b/);
  });

  it("holds every threshold to an existing metric with a valid expression", () => {
    const known = new Set([...builtInMetrics, ...loaded.metrics.map((m) => m.name)]);
    const thresholds = Object.entries(loaded.options.thresholds);
    expect(thresholds.map(([name]) => name)).toEqual(
      expect.arrayContaining(["http_req_failed", "http_req_duration", "checks"]),
    );
    for (const [name, rules] of thresholds) {
      expect(known, name).toContain(name.replace(/\{.*\}$/, ""));
      for (const rule of rules) expect(typeof rule === "string" ? rule : rule.threshold).toMatch(expression);
    }
  });
});
