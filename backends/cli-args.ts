// Turns `npm run node` flags into config input: flags override the --config file's modelNode section, and the
// result is validated by the one config schema (config/load.ts), so flags and files share every rule.
import { parseArgs } from "node:util";

export const usage = `Usage: npm run node -- --model <dir> [--model [id=]<dir> ...] [--tier gpu|cpu] [--port N] [--host H]
                        [--threads N] [--workers N] [--shutdown-grace-ms N] [--config file.yaml] [--log-level info]`;

export type CliArgs = {
  configPath: string | null;
  overrides: Record<string, unknown>;
  logLevel: string | null;
  help: boolean;
};

export function parseCliArgs(argv: string[]): CliArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: "string", multiple: true },
      tier: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      threads: { type: "string" },
      workers: { type: "string" },
      "shutdown-grace-ms": { type: "string" },
      config: { type: "string" },
      "log-level": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  const overrides: Record<string, unknown> = {};
  if (values.model?.length) overrides["models"] = values.model.map(modelEntry);
  if (values.tier !== undefined) overrides["tier"] = values.tier;
  if (values.threads !== undefined) overrides["cpuThreads"] = numeric(values.threads);
  if (values.workers !== undefined) overrides["workers"] = numeric(values.workers);
  if (values["shutdown-grace-ms"] !== undefined) overrides["shutdownGraceMs"] = numeric(values["shutdown-grace-ms"]);
  const listen: Record<string, unknown> = {};
  if (values.port !== undefined) listen["port"] = numeric(values.port);
  if (values.host !== undefined) listen["host"] = values.host;
  if (Object.keys(listen).length) overrides["listen"] = listen;
  return {
    configPath: values.config ?? null,
    overrides,
    logLevel: values["log-level"] ?? null,
    help: values.help ?? false,
  };
}

/** Merges flag overrides into a parsed config document's modelNode section (listen merges field by field). */
export function applyOverrides(document: unknown, overrides: Record<string, unknown>): Record<string, unknown> {
  const root = document && typeof document === "object" ? { ...(document as Record<string, unknown>) } : {};
  const section = { ...((root["modelNode"] as Record<string, unknown> | undefined) ?? {}) };
  for (const [key, value] of Object.entries(overrides)) {
    section[key] =
      key === "listen" ? { ...((section["listen"] as object | undefined) ?? {}), ...(value as object) } : value;
  }
  root["modelNode"] = section;
  return root;
}

/** `--model path` or `--model my-id=path`. */
function modelEntry(value: string): { path: string; id?: string } {
  const eq = value.indexOf("=");
  if (eq > 0 && !value.slice(0, eq).includes("/")) return { id: value.slice(0, eq), path: value.slice(eq + 1) };
  return { path: value };
}

/** Leaves non-numbers as strings so the schema reports them with the field's name. */
function numeric(value: string): number | string {
  return /^-?\d+$/.test(value) ? Number(value) : value;
}
