// The config loader: defaults, env overrides, ${VAR} interpolation, field-naming errors, frozen results,
// and the committed JSON Schema staying in step with the zod schema.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { ConfigError, configJsonSchema, loadConfigFile, parseConfig, parseConfigText } from "#config/load.ts";

describe("parseConfig", () => {
  it("fills defaults for an empty config", () => {
    const config = parseConfig({}, "test", {});
    expect(config.server.listen).toEqual({ host: "127.0.0.1", port: 8080 });
    expect(config.routing.strategy).toBe("latency");
    expect(config.cache.store).toBe("memory");
  });

  it("names every bad field", () => {
    const attempt = () =>
      parseConfig({ nodes: [{ id: "a b", url: "nope", models: [] }], cache: { ttlSeconds: -1 } }, "test", {});
    expect(attempt).toThrow(ConfigError);
    const issues = (() => {
      try {
        attempt();
      } catch (error) {
        return (error as ConfigError).issues;
      }
      return [];
    })();
    expect(issues.some((i) => i.startsWith("nodes.0.url:"))).toBe(true);
    expect(issues.some((i) => i.startsWith("nodes.0.id:"))).toBe(true);
    expect(issues.some((i) => i.startsWith("nodes.0.models:"))).toBe(true);
    expect(issues.some((i) => i.startsWith("cache.ttlSeconds:"))).toBe(true);
  });

  it("rejects duplicate node ids and enabled admin without a token", () => {
    const node = { id: "a", url: "http://127.0.0.1:1", models: ["m"] };
    expect(() => parseConfig({ nodes: [node, node] }, "test", {})).toThrow(/nodes\.1\.id: duplicate node id/);
    expect(() => parseConfig({ admin: { enabled: true } }, "test", {})).toThrow(/admin\.token/);
  });

  it("accepts aliases of served models, and names the alias that shadows a served model or points nowhere", () => {
    const nodes = [{ id: "a", url: "http://127.0.0.1:1", models: ["m", "n"] }];
    const ok = parseConfig({ nodes, routing: { aliases: { "gpt-4o-mini": "m" } } }, "test", {});
    expect(ok.routing.aliases).toEqual({ "gpt-4o-mini": "m" });
    expect(() => parseConfig({ nodes, routing: { aliases: { x: "missing" } } }, "test", {})).toThrow(
      /routing\.aliases\.x: alias target "missing" is not served by any node/,
    );
    expect(() => parseConfig({ nodes, routing: { aliases: { n: "m" } } }, "test", {})).toThrow(
      /routing\.aliases\.n: "n" is served by a node/,
    );
  });

  it("names a key's model that is neither served nor an alias", () => {
    const nodes = [{ id: "a", url: "http://127.0.0.1:1", models: ["m"] }];
    const keys = [{ key: "sk-0123456789", tenant: "t", models: ["m", "typo"] }];
    expect(() => parseConfig({ nodes, auth: { keys } }, "test", {})).toThrow(
      /auth\.keys\.0\.models\.1: "typo" is neither served by a node nor an alias/,
    );
    // A name every object inherits is no alias either.
    const inherited = [{ key: "sk-0123456789", tenant: "t", models: ["m", "toString"] }];
    expect(() => parseConfig({ nodes, auth: { keys: inherited } }, "test", {})).toThrow(
      /auth\.keys\.0\.models\.1: "toString" is neither served by a node nor an alias/,
    );
  });

  it("applies SWITCHYARD__ overrides with camelCase matching and JSON values", () => {
    const config = parseConfig({}, "test", {
      SWITCHYARD__ROUTING__STRATEGY: "round-robin",
      SWITCHYARD__CACHE__TTL_SECONDS: "42",
      SWITCHYARD__SERVER__LISTEN__PORT: "9999",
      REDIS_URL: "redis://10.0.0.1:6380",
    });
    expect(config.routing.strategy).toBe("round-robin");
    expect(config.cache.ttlSeconds).toBe(42);
    expect(config.server.listen.port).toBe(9999);
    expect(config.redis.url).toBe("redis://10.0.0.1:6380");
  });

  it("interpolates ${VAR} and ${VAR:-default}, and fails on a missing variable", () => {
    const input = {
      auth: {
        keys: [
          { key: "${KEY_A}", tenant: "a" },
          { key: "${KEY_B:-sk-default-123}", tenant: "b" },
        ],
      },
    };
    const config = parseConfig(input, "test", { KEY_A: "sk-from-env-123" });
    expect(config.auth.keys.map((k) => k.key)).toEqual(["sk-from-env-123", "sk-default-123"]);
    expect(() => parseConfig(input, "test", {})).toThrow(/KEY_A/);
  });

  it("returns a frozen config", () => {
    const config = parseConfig({}, "test", {});
    expect(Object.isFrozen(config.routing.retries)).toBe(true);
  });

  it("refuses an empty file instead of reading it as a config without nodes", () => {
    expect(() => parseConfigText("  \n", "half-written.yaml")).toThrow(/half-written\.yaml[\s\S]*the config is empty/);
  });

  it("reports YAML syntax errors with the source", () => {
    expect(() => parseConfigText("nodes: [", "broken.yaml")).toThrow(/broken\.yaml/);
  });
});

describe("examples and JSON Schema", () => {
  it("every example config validates", async () => {
    const env = { SWITCHYARD_KEY_TEAM_A: "sk-team-a-000000", SWITCHYARD_ADMIN_TOKEN: "admin-token-0123456789" };
    for (const name of ["gateway.yaml", "node.yaml", "local.yaml"]) {
      await expect(
        loadConfigFile(new URL(`../../../config/examples/${name}`, import.meta.url).pathname, env),
      ).resolves.toBeTruthy();
    }
  });

  it("the committed switchyard.schema.json matches the zod schema (run `npm run config:schema`)", async () => {
    const committed = JSON.parse(
      await readFile(new URL("../../../config/switchyard.schema.json", import.meta.url), "utf8"),
    );
    expect(committed).toEqual(configJsonSchema());
  });
});
