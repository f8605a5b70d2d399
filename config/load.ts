// Loads configuration once: YAML file (with ${ENV} interpolation) + SWITCHYARD__* environment overrides +
// schema defaults, validated with messages naming the bad field, then deep-frozen. The only reader of process.env.
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { configSchema, type SwitchyardConfig } from "./schema.ts";

export class ConfigError extends Error {
  readonly issues: string[];
  constructor(source: string, issues: string[]) {
    super(`invalid configuration (${source}):\n  - ${issues.join("\n  - ")}`);
    this.name = "ConfigError";
    this.issues = issues;
  }
}

export type Env = Record<string, string | undefined>;

/** Formats zod issues as `path.to.field: message` so an operator can find the bad line. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`);
}

/** Validates an already-parsed config object (used by the file loader and by the admin API's reload body). */
export function parseConfig(input: unknown, source = "config", env: Env = process.env): SwitchyardConfig {
  const withEnv = applyEnvOverrides(interpolate(input ?? {}, env), env);
  const result = configSchema.safeParse(withEnv);
  if (!result.success) throw new ConfigError(source, describeIssues(result.error));
  return deepFreeze(result.data);
}

export async function loadConfigFile(path: string, env: Env = process.env): Promise<SwitchyardConfig> {
  const text = await readFile(path, "utf8");
  return parseConfig(parseConfigText(text, path), path, env);
}

export function parseConfigText(text: string, source: string): unknown {
  // An empty file is refused rather than read as "all defaults, no nodes": a reload that catches a file mid-write
  // (truncated, not yet written) must not empty the routing table.
  if (!text.trim()) throw new ConfigError(source, ["the config is empty"]);
  try {
    return parseYaml(text) ?? {};
  } catch (error) {
    throw new ConfigError(source, [`not valid YAML: ${(error as Error).message}`]);
  }
}

/** Replaces `${NAME}` and `${NAME:-default}` in every string so secrets can stay in the environment. */
function interpolate(value: unknown, env: Env): unknown {
  if (typeof value === "string") {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, fallback?: string) => {
      const found = env[name];
      if (found !== undefined) return found;
      if (fallback !== undefined) return fallback;
      throw new ConfigError("environment", [`\${${name}} is referenced by the config but not set`]);
    });
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  }
  return value;
}

/**
 * `SWITCHYARD__ROUTING__STRATEGY=round-robin` sets routing.strategy; segments are matched to existing keys
 * case-insensitively (camelCase keys survive upper-case env names); values parse as JSON when they can.
 * `REDIS_URL` is honoured as the conventional shortcut for redis.url.
 */
function applyEnvOverrides(input: unknown, env: Env): unknown {
  const root = structuredClone(input) as Record<string, unknown>;
  if (env.REDIS_URL) setPath(root, ["redis", "url"], env.REDIS_URL);
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith("SWITCHYARD__") || raw === undefined) continue;
    const segments = name.slice("SWITCHYARD__".length).split("__").filter(Boolean);
    if (segments.length) setPath(root, segments, parseScalar(raw));
  }
  return root;
}

const knownKeys = collectSchemaKeys();

function setPath(root: Record<string, unknown>, segments: string[], value: unknown): void {
  let cursor = root;
  segments.forEach((segment, i) => {
    const key = knownKeys.get(segment.toLowerCase().replaceAll("_", "")) ?? segment;
    if (i === segments.length - 1) {
      cursor[key] = value;
      return;
    }
    const next = cursor[key];
    cursor[key] = next && typeof next === "object" ? next : {};
    cursor = cursor[key] as Record<string, unknown>;
  });
}

function parseScalar(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Every object key the schema knows, by its lower-cased underscore-free spelling. */
function collectSchemaKeys(): Map<string, string> {
  const keys = new Map<string, string>();
  const walk = (node: unknown): void => {
    if (!node || typeof node !== "object") return;
    const properties = (node as { properties?: Record<string, unknown> }).properties;
    if (properties) {
      for (const [key, child] of Object.entries(properties)) {
        keys.set(key.toLowerCase(), key);
        walk(child);
      }
    }
    for (const value of Object.values(node)) if (value && typeof value === "object") walk(value);
  };
  walk(configJsonSchema());
  return keys;
}

/** The schema as JSON Schema, describing what a user may write (defaults make fields optional). */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
