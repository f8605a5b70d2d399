// Registers every Lua script in ./scripts as an ioredis command (BullMQ style): the file name
// `<name>-<numKeys>.lua` gives the command name (camelCased) and its key count, so scripts stay plain files.
import { readdirSync, readFileSync } from "node:fs";
import type { Redis } from "ioredis";

export type ScriptDefinition = { command: string; numberOfKeys: number; lua: string };

/** The script commands the gateway calls; each resolves to the script's raw reply. */
export type ScriptCommands = {
  tokenBuckets(...keysAndArgs: (string | number)[]): Promise<unknown>;
};
export type ScriptedRedis = Redis & ScriptCommands;

const scriptsDir = new URL("./scripts/", import.meta.url);
const expected: (keyof ScriptCommands)[] = ["tokenBuckets"];

/** `token-buckets-3.lua` → { command: "tokenBuckets", numberOfKeys: 3 }. */
export function parseScriptName(file: string): { command: string; numberOfKeys: number } {
  const match = /^([a-z][a-z0-9-]*)-(\d+)\.lua$/.exec(file);
  if (!match) throw new Error(`Redis script "${file}" must be named <name>-<numKeys>.lua`);
  const command = match[1]!.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return { command, numberOfKeys: Number(match[2]) };
}

let cached: ScriptDefinition[] | undefined;

export function readScripts(): ScriptDefinition[] {
  cached ??= readdirSync(scriptsDir)
    .filter((file) => file.endsWith(".lua"))
    .map((file) => ({ ...parseScriptName(file), lua: readFileSync(new URL(file, scriptsDir), "utf8") }));
  return cached;
}

export function loadScripts(client: Redis): ScriptedRedis {
  const scripts = readScripts();
  for (const script of scripts) {
    client.defineCommand(script.command, { numberOfKeys: script.numberOfKeys, lua: script.lua });
  }
  const missing = expected.filter((name) => !scripts.some((s) => s.command === name));
  if (missing.length) throw new Error(`missing Redis scripts: ${missing.join(", ")}`);
  return client as ScriptedRedis;
}
