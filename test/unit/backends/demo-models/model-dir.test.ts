// Model directories appear atomically, carry a marker naming what generated them, and crashed writers are swept.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isCurrent, jsonBytes, sweepLeftovers, writeModelDir } from "#backends/demo-models/model-dir.ts";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "model-dir-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const files = (text: string) =>
  new Map([
    ["config.json", jsonBytes({ text })],
    ["onnx/model.onnx", new TextEncoder().encode(text)],
  ]);

describe("writeModelDir", () => {
  it("writes nested files and a marker that isCurrent recognises", async () => {
    const dir = await writeModelDir(root, "m", files("one"), "fp-1");
    expect(await readFile(join(dir, "onnx/model.onnx"), "utf8")).toBe("one");
    expect(await isCurrent(dir, "fp-1")).toBe(true);
    expect(await isCurrent(dir, "fp-2")).toBe(false);
    expect(await isCurrent(join(root, "absent"), "fp-1")).toBe(false);
  });

  it("replaces an existing directory and leaves no temporary siblings", async () => {
    await writeModelDir(root, "m", files("one"), "fp-1");
    await writeModelDir(root, "m", files("two"), "fp-2");
    expect(await readFile(join(root, "m/onnx/model.onnx"), "utf8")).toBe("two");
    expect(await readdir(root)).toEqual(["m"]);
  });

  it("survives concurrent writers of the same model", async () => {
    await Promise.all([1, 2, 3].map(() => writeModelDir(root, "m", files("same"), "fp")));
    expect(await isCurrent(join(root, "m"), "fp")).toBe(true);
    expect(await readFile(join(root, "m/config.json"), "utf8")).toContain("same");
    expect(await readdir(root)).toEqual(["m"]);
  });
});

describe("sweepLeftovers", () => {
  it("removes old temp directories and keeps fresh ones and models", async () => {
    const stale = join(root, ".m.tmp-abc");
    const fresh = join(root, ".m.tmp-def");
    for (const dir of [stale, fresh, join(root, "m")]) await mkdir(dir);
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(stale, hourAgo, hourAgo);
    await sweepLeftovers(root);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(join(root, "m"))).toBe(true);
  });
});
