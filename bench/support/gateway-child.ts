// Runs a gateway from a config file in a child process and reports its port to the parent over IPC.
import { loadConfigFile } from "#config/load.ts";
import { createLogger } from "#gateway/logging.ts";
import { startGateway } from "#gateway/server.ts";

const config = await loadConfigFile(process.argv[2]!);
// Real logging cost stays in the measurement: pino writes every access line (to a discarded stdout).
const gateway = await startGateway(config, { logger: createLogger(config.logging.level) });
process.send?.({ port: gateway.port });
process.on("SIGINT", () => process.exit(0));
// A benchmark that dies (or is cut short) takes its children with it: the IPC channel closes with the parent.
process.on("disconnect", () => process.exit(0));
