// CLI: runs the gateway alone against a config file, for real deployments: `npm run gateway -- --config file.yaml`.
import { parseArgs } from "node:util";
import { loadConfigFile } from "#config/load.ts";
import { reloadOnSighup } from "./reload/sighup.ts";
import { startGateway } from "./server.ts";

const { values } = parseArgs({ options: { config: { type: "string", short: "c" } } });
const configPath = values.config ?? "config/examples/gateway.yaml";
const config = await loadConfigFile(configPath).catch((error: Error) => {
  console.error(error.message);
  process.exit(2);
});
const gateway = await startGateway(config, { configPath });
reloadOnSighup(gateway.reloader);
gateway.runtime.services.logger.info(
  { url: gateway.url, configPath, version: gateway.runtime.snapshot.hash },
  "gateway listening",
);

// SIGTERM (Kubernetes) or Ctrl-C: stop accepting, let in-flight requests finish within server.shutdownGraceMs,
// then exit; a second signal exits at once.
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    const graceMs = gateway.runtime.snapshot.config.server.shutdownGraceMs;
    gateway.runtime.services.logger.info({ signal, graceMs }, "shutting down: finishing in-flight requests");
    void gateway.close({ graceMs }).then(
      () => process.exit(0),
      (error: unknown) => {
        gateway.runtime.services.logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}
