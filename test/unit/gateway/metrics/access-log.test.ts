// The hand-serialized access line must be byte-for-byte what pino itself would write for the same entry.
import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createLogger } from "#gateway/logging.ts";
import { type AccessEntry, writeAccessLine } from "#gateway/metrics/access-log.ts";

function capture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { stream, lines };
}

const withoutTime = (line: string) => line.replace(/"time":\d+/, '"time":0');

const entries: AccessEntry[] = [
  { method: "POST", path: "/v1/chat/completions", status: 200, ms: 1.2, model: "m1", tenant: "team-a" },
  { method: "GET", path: '/v1/models/we"ird\\päth', status: 404, ms: 0, model: undefined, tenant: undefined },
];

describe("access line", () => {
  it("matches pino's own line for the gateway's logger and a request child", () => {
    const { stream, lines } = capture();
    const root = createLogger("info", stream);
    const child = root.child({ requestId: "req_1" });
    for (const entry of entries) {
      // The request id given with the entry writes what a child bound to it writes.
      writeAccessLine(root, entry, "req_1");
      child.info({ ...entry }, "request");
    }
    expect(lines).toHaveLength(4);
    expect(withoutTime(lines[0]!)).toBe(withoutTime(lines[1]!));
    expect(withoutTime(lines[2]!)).toBe(withoutTime(lines[3]!));
    expect(JSON.parse(lines[0]!)).toMatchObject({ requestId: "req_1", status: 200, model: "m1", msg: "request" });
  });

  it("writes an existing child's bindings as they are", () => {
    const { stream, lines } = capture();
    const child = createLogger("info", stream).child({ component: "admin" });
    writeAccessLine(child, entries[0]!);
    child.info({ ...entries[0]! }, "request");
    expect(withoutTime(lines[0]!)).toBe(withoutTime(lines[1]!));
  });

  it("leaves the line to pino when a hook could change it, and writes nothing below info", () => {
    const { stream, lines } = capture();
    const mixed = pino({ mixin: () => ({ zone: "eu" }) }, stream);
    writeAccessLine(mixed, entries[0]!, "req_2");
    expect(JSON.parse(lines[0]!)).toMatchObject({ zone: "eu", path: "/v1/chat/completions", requestId: "req_2" });
    writeAccessLine(createLogger("warn", stream), entries[0]!);
    expect(lines).toHaveLength(1);
  });

  it("follows a logger's later changes: bindings set after its first line, and its level", () => {
    const { stream, lines } = capture();
    const log = createLogger("info", stream).child({ component: "gateway" });
    writeAccessLine(log, entries[0]!);
    log.setBindings({ zone: "eu" });
    writeAccessLine(log, entries[0]!);
    log.info({ ...entries[0]! }, "request");
    expect(withoutTime(lines[1]!)).toBe(withoutTime(lines[2]!));
    expect(JSON.parse(lines[1]!)).toMatchObject({ component: "gateway", zone: "eu" });
    log.level = "warn";
    writeAccessLine(log, entries[0]!);
    expect(lines).toHaveLength(3);
    log.level = "info";
    writeAccessLine(log, entries[1]!);
    expect(JSON.parse(lines[3]!)).toMatchObject({ status: 404, zone: "eu" });
  });
});
