// Writes a generated model directory atomically and recognises directories written by the current generator.
import { randomUUID } from "node:crypto";
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** Relative path inside the model directory → file bytes. */
export type ModelFiles = Map<string, Uint8Array>;

export const MARKER_FILE = "switchyard-demo.json";
/** Leftovers of a writer that died mid-way are swept once they are this old. */
const STALE_TEMP_MS = 10 * 60_000;

const utf8 = new TextEncoder();
export const jsonBytes = (value: unknown): Uint8Array => utf8.encode(`${JSON.stringify(value, null, 2)}\n`);

/** True when `dir` holds a complete model written for `fingerprint` (the marker is written last). */
export async function isCurrent(dir: string, fingerprint: string): Promise<boolean> {
  try {
    const marker = JSON.parse(await readFile(join(dir, MARKER_FILE), "utf8")) as { fingerprint?: unknown };
    return marker.fingerprint === fingerprint;
  } catch {
    return false;
  }
}

/**
 * Writes into a temporary sibling, then renames it into place, so a concurrent reader sees either the old
 * complete directory or the new one, never a half-written model.
 */
export async function writeModelDir(
  modelsDir: string,
  name: string,
  files: ModelFiles,
  fingerprint: string,
): Promise<string> {
  await mkdir(modelsDir, { recursive: true });
  const temp = await mkdtemp(join(modelsDir, `.${name}.tmp-`));
  for (const [relative, bytes] of files) {
    await mkdir(dirname(join(temp, relative)), { recursive: true });
    await writeFile(join(temp, relative), bytes);
  }
  const marker = { generator: "switchyard backends/demo-models", fingerprint, note: "generated; safe to delete" };
  await writeFile(join(temp, MARKER_FILE), jsonBytes(marker));
  await chmod(temp, 0o755); // mkdtemp makes it private; the model node may run as another user

  const target = join(modelsDir, name);
  const retired = join(modelsDir, `.${name}.old-${randomUUID()}`);
  await rename(target, retired).catch(ignoreCode("ENOENT"));
  try {
    await rename(temp, target);
  } catch (error) {
    // Another process placed an identical model between our two renames: keep theirs.
    if (!hasCode(error, "ENOTEMPTY") && !hasCode(error, "EEXIST")) throw error;
    await rm(temp, { recursive: true, force: true });
  }
  await rm(retired, { recursive: true, force: true });
  return target;
}

/** Removes temp/retired directories left behind by writers that crashed. */
export async function sweepLeftovers(modelsDir: string): Promise<void> {
  const entries = await readdir(modelsDir).catch(() => [] as string[]);
  for (const entry of entries.filter((e) => /^\..+\.(tmp|old)-/.test(e))) {
    const path = join(modelsDir, entry);
    const info = await stat(path).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > STALE_TEMP_MS) await rm(path, { recursive: true, force: true });
  }
}

function hasCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

function ignoreCode(code: string) {
  return (error: unknown) => {
    if (!hasCode(error, code)) throw error;
  };
}
