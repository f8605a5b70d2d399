// `npm run node` flags: parsed into modelNode overrides that win over the config file and pass the one schema.
import { describe, expect, it } from "vitest";
import { applyOverrides, parseCliArgs } from "#backends/cli-args.ts";
import { parseConfig } from "#config/load.ts";

describe("model node CLI arguments", () => {
  it("turns flags into modelNode settings validated by the config schema", () => {
    const args = parseCliArgs([
      "--model",
      "models/demo-gpt",
      "--model",
      "embed=models/demo-embed",
      "--tier",
      "gpu",
      "--port",
      "0",
      "--threads",
      "2",
    ]);
    const config = parseConfig(applyOverrides({}, args.overrides), "flags", {});
    expect(config.modelNode).toMatchObject({
      tier: "gpu",
      cpuThreads: 2,
      listen: { host: "127.0.0.1", port: 0 },
      models: [{ path: "models/demo-gpt" }, { id: "embed", path: "models/demo-embed" }],
    });
  });

  it("overrides the config file field by field", () => {
    const document = {
      modelNode: { listen: { host: "0.0.0.0", port: 8001 }, tier: "cpu", models: [{ path: "a" }] },
      logging: { level: "warn" },
    };
    const config = parseConfig(applyOverrides(document, parseCliArgs(["--port", "9000"]).overrides), "file", {});
    expect(config.modelNode.listen).toEqual({ host: "0.0.0.0", port: 9000 });
    expect(config.modelNode.models).toEqual([{ path: "a" }]);
    expect(config.logging.level).toBe("warn");
  });

  it("reports bad values through the schema, naming the field", () => {
    expect(() => parseConfig(applyOverrides({}, parseCliArgs(["--tier", "tpu"]).overrides), "flags", {})).toThrow(
      /modelNode\.tier/,
    );
    expect(() => parseConfig(applyOverrides({}, parseCliArgs(["--port", "http"]).overrides), "flags", {})).toThrow(
      /modelNode\.listen\.port/,
    );
    expect(() => parseCliArgs(["--bogus"])).toThrow();
  });
});
