import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BatchedDestination } from "#gateway/log-destination.ts";
import { waitFor } from "#test/support/wait.ts";

let dir: string;
let path: string;
const read = () => readFile(path, "utf8").catch(() => "");
const line = (i: number) => `{"n":${i},"msg":"réquest"}\n`;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-dest-"));
  path = join(dir, "log");
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("BatchedDestination", () => {
  it("holds lines below the batch size until flushed, then writes them in order", async () => {
    const dest = new BatchedDestination({ dest: path, batchChars: 10_000, flushMs: 60_000 });
    try {
      for (let i = 0; i < 3; i++) dest.write(line(i));
      expect(await read()).toBe("");
      dest.flush();
      await waitFor(async () => (await read()).length > 0, "the flushed lines");
      expect(await read()).toBe(line(0) + line(1) + line(2));
    } finally {
      dest.end();
    }
  });

  it("writes on its own once a batch fills, keeping every line whole and in order", async () => {
    const dest = new BatchedDestination({ dest: path, batchChars: 200, flushMs: 60_000 });
    try {
      for (let i = 0; i < 1000; i++) dest.write(line(i));
      await waitFor(async () => (await read()).split("\n").length > 900, "batches written without a flush");
    } finally {
      dest.end();
    }
    const written = (await read()).trimEnd().split("\n");
    expect(written).toEqual(Array.from({ length: 1000 }, (_, i) => line(i).trimEnd()));
  });

  it("writes a partial batch on its timer", async () => {
    const dest = new BatchedDestination({ dest: path, batchChars: 10_000, flushMs: 20 });
    try {
      dest.write(line(7));
      await waitFor(async () => (await read()) === line(7), "the timer's flush");
    } finally {
      dest.end();
    }
  });

  it("end() writes what is still pending", async () => {
    const dest = new BatchedDestination({ dest: path, batchChars: 10_000, flushMs: 60_000 });
    dest.write(line(1));
    dest.end();
    expect(await read()).toBe(line(1));
    expect(dest.write(line(2))).toBe(false);
  });

  it("drops lines beyond its memory cap and says how many", async () => {
    const dest = new BatchedDestination({ dest: path, batchChars: 10_000, flushMs: 60_000, maxPendingChars: 60 });
    for (let i = 0; i < 5; i++) dest.write(line(i));
    dest.end();
    const written = (await read()).trimEnd().split("\n");
    expect(written.slice(0, 2)).toEqual([line(0).trimEnd(), line(1).trimEnd()]);
    expect(JSON.parse(written[2]!)).toMatchObject({ msg: "log lines dropped", dropped: 3 });
  });
});
