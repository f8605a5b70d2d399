// `npm run node` as a real process: SIGTERM drains (streams in flight and queued end with [DONE], /health and
// new work get 503) and the process exits 0; a second signal cuts a long drain short.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MODELS_DIR } from "#backends/demo-models/generate-all.ts";
import { longCompletion, openStream } from "./support.ts";

let child: ChildProcess | undefined;
let configDir: string | undefined;
beforeAll(async () => {
  configDir = await mkdtemp(join(tmpdir(), "switchyard-signals-"));
  // One running sequence at a time: queued streams keep the drain going long enough to observe it.
  await writeFile(join(configDir, "node.yaml"), "modelNode:\n  decoderBatching:\n    maxRunningSequences: 1\n");
});
afterAll(async () => {
  if (configDir) await rm(configDir, { recursive: true, force: true });
});
afterEach(() => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
});

/** Starts the node CLI on a free port and resolves with its URL once it logs that it listens. */
async function startNodeProcess(extraArgs: string[]): Promise<{ process: ChildProcess; url: string }> {
  const args = ["backends/main.ts", "--model", join(DEFAULT_MODELS_DIR, "demo-gpt"), "--host", "127.0.0.1"];
  args.push("--config", join(configDir!, "node.yaml"));
  const started = spawn(process.execPath, [...args, "--port", "0", "--log-level", "info", ...extraArgs], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  child = started;
  for await (const line of createInterface({ input: started.stdout! })) {
    const record = JSON.parse(line) as { msg?: string; url?: string };
    if (record.msg === "model node listening" && record.url) {
      started.stdout!.resume();
      return { process: started, url: record.url };
    }
  }
  throw new Error("the node process exited before listening");
}

describe("model node process signals", () => {
  it("drains on SIGTERM and exits 0 once the stream in flight is done", async () => {
    const node = await startNodeProcess([]);
    const streams = Array.from({ length: 3 }, () => openStream(`${node.url}/v1/completions`, longCompletion(480)));
    await streams[0]!.first;
    const exited = once(node.process, "exit");
    node.process.kill("SIGTERM");
    await expect
      .poll(async () => (await fetch(`${node.url}/health`)).status, { timeout: 5_000, interval: 5 })
      .toBe(503);
    const refused = await fetch(`${node.url}/v1/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: longCompletion(4, false),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBeTruthy();
    for (const outcome of await Promise.all(streams.map((s) => s.outcome)))
      expect(outcome).toMatchObject({ status: 200, done: true });
    const [code] = await exited;
    expect(code).toBe(0);
  });

  it("exits soon on a second signal even with a long grace", async () => {
    const node = await startNodeProcess(["--shutdown-grace-ms", "60000"]);
    const streams = Array.from({ length: 8 }, () => openStream(`${node.url}/v1/completions`, longCompletion(480)));
    await streams[0]!.first;
    const exited = once(node.process, "exit");
    node.process.kill("SIGTERM");
    await expect
      .poll(async () => (await fetch(`${node.url}/health`)).status, { timeout: 5_000, interval: 5 })
      .toBe(503);
    const secondAt = performance.now();
    node.process.kill("SIGINT");
    await exited;
    expect(performance.now() - secondAt).toBeLessThan(5_000);
    const outcomes = await Promise.all(streams.map((s) => s.outcome));
    expect(outcomes.some((o) => !o.done)).toBe(true);
  });
});
