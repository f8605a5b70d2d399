// Starts the operator-facing side of a running gateway: the config reloader (every trigger goes through it),
// the config-file watch (`admin.watchConfigFile`, when started from a file) and the admin listener
// (`admin.enabled`, on `admin.listen`, a port of its own so it never shares exposure with the public API).
import type { Env } from "#config/load.ts";
import { type Listener, listenOn } from "#gateway/listen.ts";
import { ConfigReloader } from "#gateway/reload/reloader.ts";
import { type FileWatch, watchConfigFile } from "#gateway/reload/watch-file.ts";
import type { GatewayRuntime } from "#gateway/runtime/runtime.ts";
import { createAdminApp } from "./app.ts";

export type Operations = {
  reloader: ConfigReloader;
  /** The admin API's address, when enabled. */
  admin?: { url: string; port: number };
  close(): Promise<void>;
};

export type OperationsOptions = { configPath?: string; env?: Env };

export async function startOperations(runtime: GatewayRuntime, opts: OperationsOptions = {}): Promise<Operations> {
  const { logger, metrics } = runtime.services;
  const config = runtime.snapshot.config;
  const reloader = new ConfigReloader({ runtime, logger, metrics, configPath: opts.configPath, env: opts.env });

  let watch: FileWatch | undefined;
  if (opts.configPath && config.admin.watchConfigFile) {
    watch = await watchConfigFile(opts.configPath, { logger, onChange: () => reloader.reload({ trigger: "file" }) });
  }
  let listener: Listener | undefined;
  if (config.admin.enabled) {
    listener = await listenOn(createAdminApp({ runtime, reloader }).fetch, config.admin.listen);
    logger.info({ url: listener.url }, "admin API listening");
  }
  return {
    reloader,
    admin: listener && { url: listener.url, port: listener.port },
    async close() {
      watch?.close();
      await listener?.close();
    },
  };
}
