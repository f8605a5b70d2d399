// SIGHUP reloads the config file, the Unix convention for daemons (`kill -HUP <pid>`, `docker kill -s HUP`).
import type { ConfigReloader } from "./reloader.ts";

/** Installs the handler; returns its removal. Only the CLI installs it: tests may run many gateways per process. */
export function reloadOnSighup(reloader: ConfigReloader): () => void {
  const handler = (): void => void reloader.reload({ trigger: "sighup" });
  process.on("SIGHUP", handler);
  return () => process.off("SIGHUP", handler);
}
