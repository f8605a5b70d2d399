// The config as the admin API shows it: every secret the schema holds (API keys, node keys, the admin token,
// a password in the Redis URL) replaced, so `GET /admin/config` can be pasted into a ticket.
import type { SwitchyardConfig } from "#config/schema.ts";

export const REDACTED = "[redacted]";

export function redactConfig(config: SwitchyardConfig): SwitchyardConfig {
  return {
    ...config,
    auth: { ...config.auth, keys: config.auth.keys.map((k) => ({ ...k, key: REDACTED })) },
    nodes: config.nodes.map((n) => (n.apiKey === undefined ? n : { ...n, apiKey: REDACTED })),
    redis: { ...config.redis, url: redactUrlPassword(config.redis.url) },
    admin: config.admin.token === undefined ? config.admin : { ...config.admin, token: REDACTED },
  };
}

/**
 * `redis://user:secret@host` → `redis://user:[redacted]@host`. Userinfo without a colon is redacted whole, since
 * some clients read a lone userinfo as the password. A `password=` query parameter is redacted too.
 */
export function redactUrlPassword(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i, (_, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(":");
      return `${scheme}${colon >= 0 ? userinfo.slice(0, colon + 1) : ""}${REDACTED}@`;
    })
    .replace(/([?&]password=)[^&#]*/i, `$1${REDACTED}`);
}
