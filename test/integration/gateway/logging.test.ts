// Logs carry a request id on every request line and never an API key or node key, whatever the request sends.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufferedDestination, createLogger } from "#gateway/logging.ts";
import type { RunningGateway } from "#gateway/server.ts";
import { type FakeNode, startFakeNode } from "#test/support/fake-node.ts";
import { authHeaders, startTestGateway, testKey } from "#test/support/gateway.ts";
import { waitFor } from "#test/support/wait.ts";

const lines: string[] = [];
const capture = new Writable({
  write(chunk, _encoding, done) {
    lines.push(...String(chunk).split("\n").filter(Boolean));
    done();
  },
});
const nodeKey = "node-secret-abcdef123456";
const wrongKey = "sk-wrong-but-secret-999999";
let node: FakeNode;
let gateway: RunningGateway;

beforeAll(async () => {
  node = await startFakeNode("n1");
  gateway = await startTestGateway(
    { nodes: [{ id: "n1", url: node.url, models: ["m1"], apiKey: nodeKey }], logging: { level: "debug" } },
    { logger: createLogger("debug", capture) },
  );
});
afterAll(async () => {
  await gateway.close();
  await node.close();
});

describe("logging", () => {
  it("writes request lines with ids and no secrets", async () => {
    const chat = JSON.stringify({ model: "m1", messages: [{ role: "user", content: "hi" }] });
    const ok = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: authHeaders(),
      body: chat,
    });
    expect(ok.status).toBe(200);
    const denied = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: authHeaders(wrongKey),
      body: chat,
    });
    expect(denied.status).toBe(401);
    // The node received its key: the secret was used, so its absence from the logs means redaction, not disuse.
    expect(node.calls.at(-1)!.headers.authorization).toBe(`Bearer ${nodeKey}`);
    // Also log the whole config, as an operator's debug dump would.
    gateway.runtime.services.logger.info({ config: gateway.runtime.snapshot.config }, "config dump");

    const requestLines = lines
      .map((l) => JSON.parse(l) as { msg: string; requestId?: string; status?: number })
      .filter((l) => l.msg === "request");
    expect(requestLines.map((l) => l.status)).toEqual([200, 401]);
    expect(requestLines.every((l) => typeof l.requestId === "string" && l.requestId.length > 0)).toBe(true);
    const all = lines.join("\n");
    expect(all).toContain("config dump");
    for (const secret of [testKey, wrongKey, nodeKey]) expect(all).not.toContain(secret);
  });
});

describe("buffered log destination", () => {
  it("batches lines yet shows a quiet gateway's line without an explicit flush", async () => {
    const dir = await mkdtemp(join(tmpdir(), "switchyard-log-"));
    const path = join(dir, "gateway.log");
    const sink = bufferedDestination(path);
    try {
      const logger = createLogger("info", sink);
      logger.info({ requestId: "req_quiet" }, "request");
      // Far below the batch size, so only the periodic flush can write it.
      await waitFor(
        async () => (await readFile(path, "utf8").catch(() => "")).includes("req_quiet"),
        "the line in the log file",
        3_000,
      );
    } finally {
      sink.end();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
