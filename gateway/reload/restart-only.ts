// Settings a running gateway cannot change in place (bound sockets, the file watch, the Redis connection): a
// reload keeps their running values and reports each change, so an operator knows a restart is needed.
import type { SwitchyardConfig } from "#config/schema.ts";
import { redactUrlPassword } from "#gateway/admin/redact.ts";

type Pinned = { config: SwitchyardConfig; restartRequired: string[] };

export function pinRestartOnlySettings(running: SwitchyardConfig, next: SwitchyardConfig): Pinned {
  const restartRequired: string[] = [];
  const note = (field: string, was: unknown, wants: unknown): void => {
    if (JSON.stringify(was) === JSON.stringify(wants)) return;
    restartRequired.push(
      `${field} changed from ${describe(was)} to ${describe(wants)}: restart to apply (still using ${describe(was)})`,
    );
  };
  note("server.listen", running.server.listen, next.server.listen);
  note("admin.enabled", running.admin.enabled, next.admin.enabled);
  note("admin.listen", running.admin.listen, next.admin.listen);
  note("admin.watchConfigFile", running.admin.watchConfigFile, next.admin.watchConfigFile);
  note("redis", redactedRedis(running.redis), redactedRedis(next.redis));
  if (!restartRequired.length) return { config: next, restartRequired };
  // The loader deep-freezes configs; the copies made here are frozen too, so no snapshot is ever mutable.
  const config: SwitchyardConfig = Object.freeze({
    ...next,
    server: Object.freeze({ ...next.server, listen: running.server.listen }),
    admin: Object.freeze({
      ...next.admin,
      enabled: running.admin.enabled,
      listen: running.admin.listen,
      watchConfigFile: running.admin.watchConfigFile,
    }),
    redis: running.redis,
  });
  return { config, restartRequired };
}

function describe(value: unknown): string {
  if (value && typeof value === "object" && "host" in value && "port" in value) return `${value.host}:${value.port}`;
  return JSON.stringify(value);
}

/** The Redis section without its URL password, since these messages reach logs and admin responses. */
function redactedRedis(redis: SwitchyardConfig["redis"]): SwitchyardConfig["redis"] {
  return { ...redis, url: redactUrlPassword(redis.url) };
}
