// `npm run node`: starts a model node from flags and/or a config file, and shuts it down on SIGINT/SIGTERM.
import { readFile } from "node:fs/promises";
import pino from "pino";
import { ConfigError, parseConfig, parseConfigText } from "#config/load.ts";
import { shutDownOnSignals } from "#gateway/shutdown-signals.ts";
import { applyOverrides, parseCliArgs, usage } from "./cli-args.ts";
import { ModelLoadError } from "./models/model-dir.ts";
import { startModelNode } from "./node.ts";
import { UnsupportedModelError } from "./runtime/model-io.ts";

async function main(): Promise<void> {
  let args: ReturnType<typeof parseCliArgs>;
  try {
    args = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    fail(`${(error as Error).message}\n${usage}`);
  }
  if (args.help) {
    console.log(usage);
    return;
  }
  const document = args.configPath ? parseConfigText(await readFile(args.configPath, "utf8"), args.configPath) : {};
  const config = parseConfig(applyOverrides(document, args.overrides), args.configPath ?? "flags");
  if (!config.modelNode.models.length)
    fail(`no models to serve: pass --model <dir> or list modelNode.models in the config file\n${usage}`);
  const logger = pino({ level: args.logLevel ?? config.logging.level, base: { service: "switchyard-node" } });
  const node = await startModelNode(config.modelNode, logger);
  // SIGTERM or Ctrl-C: drain within modelNode.shutdownGraceMs; a second signal cuts the drain short.
  shutDownOnSignals(logger, {
    drain: () => node.close({ graceMs: node.config.shutdownGraceMs }),
    force: () => node.close({ graceMs: 0 }),
  });
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) fail(error.message);
  // Unreadable model directories and unsupported graphs are operator errors: the message says what to fix.
  if (error instanceof ModelLoadError || error instanceof UnsupportedModelError)
    fail(`model node failed to start: ${error.message}`);
  console.error(error);
  process.exit(1);
});
