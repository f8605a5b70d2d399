// The config watch on a real temporary directory: in-place saves, editor-style rename-over saves, writes behind
// a symlink (caught by the stat poll) and a burst of writes settle into one callback with the final content.
import { mkdtemp, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FileWatch, watchConfigFile } from "#gateway/reload/watch-file.ts";

let dir: string;
let watch: FileWatch | undefined;
const seen: string[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-watch-"));
  seen.length = 0;
});
afterEach(async () => {
  watch?.close();
  await rm(dir, { recursive: true, force: true });
});

async function startWatch(path: string): Promise<void> {
  watch = await watchConfigFile(path, {
    logger: pino({ level: "silent" }),
    debounceMs: 20,
    pollMs: 50,
    onChange: async () => {
      seen.push(await readFile(path, "utf8"));
    },
  });
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out; saw ${JSON.stringify(seen)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("watchConfigFile", () => {
  it("calls back after an in-place save", async () => {
    const file = join(dir, "config.yaml");
    await writeFile(file, "v: 1\n");
    await startWatch(file);
    await writeFile(file, "v: 2\n");
    // writeFile truncates then writes: a loaded machine may deliver a callback between the two.
    await until(() => seen.at(-1) === "v: 2\n");
    expect(seen.filter((content) => content !== "")).toEqual(["v: 2\n"]);
  });

  it("survives editors that save by renaming a new file over the old one, twice", async () => {
    const file = join(dir, "config.yaml");
    await writeFile(file, "v: 1\n");
    await startWatch(file);
    for (const version of [2, 3]) {
      await writeFile(join(dir, ".config.yaml.swp"), `v: ${version}\n`);
      await rename(join(dir, ".config.yaml.swp"), file);
      await until(() => seen.length === version - 1);
    }
    expect(seen).toEqual(["v: 2\n", "v: 3\n"]);
  });

  it("sees a write to the target of a symlinked config", async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), "switchyard-target-"));
    try {
      await writeFile(join(elsewhere, "real.yaml"), "v: 1\n");
      await symlink(join(elsewhere, "real.yaml"), join(dir, "config.yaml"));
      await startWatch(join(dir, "config.yaml"));
      await writeFile(join(elsewhere, "real.yaml"), "v: 22\n");
      await until(() => seen.length === 1);
      expect(seen).toEqual(["v: 22\n"]);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it("after a burst of writes, calls back with the final content", async () => {
    const file = join(dir, "config.yaml");
    await writeFile(file, "v: 0\n");
    await startWatch(file);
    for (let i = 1; i <= 5; i++) await writeFile(file, `v: ${i}\n`);
    // Under load the burst may outlast one debounce window (an early callback may see an earlier version);
    // what must hold is that the watch settles on the final content, with fewer callbacks than writes.
    await until(() => seen.at(-1) === "v: 5\n");
    expect(seen.length).toBeLessThanOrEqual(5);
  });
});
