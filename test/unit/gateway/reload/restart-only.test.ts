// Restart-only settings: a reload keeps their running values and names each change, and passes everything
// else through untouched.
import { describe, expect, it } from "vitest";
import { parseConfig } from "#config/load.ts";
import type { ConfigInput } from "#config/schema.ts";
import { pinRestartOnlySettings } from "#gateway/reload/restart-only.ts";

const base: ConfigInput = {
  server: { listen: { host: "127.0.0.1", port: 8080 } },
  nodes: [{ id: "n1", url: "http://n1:8001", models: ["m"] }],
  admin: { enabled: true, token: "admin-token-0123456789abcdef", listen: { port: 9090 } },
  redis: { url: "redis://:secret-pw@redis:6379" },
};
const load = (input: ConfigInput) => parseConfig(input, "test", {});

describe("pinRestartOnlySettings", () => {
  it("passes a config through when only live settings changed", () => {
    const next = load({ ...base, nodes: [{ id: "n2", url: "http://n2:8001", models: ["m"] }] });
    const { config, restartRequired } = pinRestartOnlySettings(load(base), next);
    expect(config).toBe(next);
    expect(restartRequired).toEqual([]);
  });

  it("keeps the running listen addresses, admin switches and Redis, and says what needs a restart", () => {
    const running = load(base);
    const next = load({
      ...base,
      server: { listen: { host: "0.0.0.0", port: 8081 } },
      admin: { enabled: true, token: "another-admin-token-0123", listen: { port: 9191 }, watchConfigFile: false },
      redis: { url: "redis://:new-secret@redis2:6379" },
      routing: { strategy: "round-robin" },
    });
    const { config, restartRequired } = pinRestartOnlySettings(running, next);
    expect(config.server.listen).toEqual({ host: "127.0.0.1", port: 8080 });
    expect(config.admin).toMatchObject({
      listen: { host: "127.0.0.1", port: 9090 },
      watchConfigFile: true,
      token: "another-admin-token-0123",
    });
    expect(config.redis).toBe(running.redis);
    expect(config.routing.strategy).toBe("round-robin");
    expect(Object.isFrozen(config) && Object.isFrozen(config.server) && Object.isFrozen(config.admin)).toBe(true);
    expect(restartRequired).toEqual([
      "server.listen changed from 127.0.0.1:8080 to 0.0.0.0:8081: restart to apply (still using 127.0.0.1:8080)",
      "admin.listen changed from 127.0.0.1:9090 to 127.0.0.1:9191: restart to apply (still using 127.0.0.1:9090)",
      "admin.watchConfigFile changed from true to false: restart to apply (still using true)",
      expect.stringMatching(/^redis changed from .*redis2.*: restart to apply/),
    ]);
    expect(restartRequired.join()).not.toContain("secret");
  });
});
