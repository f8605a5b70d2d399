// CLI: runs the gateway alone against a config file, for real deployments: `npm run gateway -- --config file.yaml`.
import { parseArgs } from "node:util";
import { loadConfigFile } from "#config/load.ts";
import { reloadOnSighup } from "./reload/sighup.ts";
import { startGateway } from "./server.ts";
import { shutDownOnSignals } from "./shutdown-signals.ts";

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

// SIGTERM or Ctrl-C: in-flight requests finish within server.shutdownGraceMs; a second signal exits at once.
shutDownOnSignals(gateway.runtime.services.logger, {
  drain: () => gateway.close({ graceMs: gateway.runtime.snapshot.config.server.shutdownGraceMs }),
});
