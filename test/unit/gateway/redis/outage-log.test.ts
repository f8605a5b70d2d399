import pino from "pino";
import { describe, expect, it } from "vitest";
import { outageLog } from "#gateway/redis/outage-log.ts";

describe("outageLog", () => {
  it("warns once when a store starts failing and says once when it works again", () => {
    const lines: Array<{ level: number; msg: string; op?: string }> = [];
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const outage = outageLog(log, { failing: "store failing", recovered: "store recovered" });
    outage.worked();
    for (let i = 0; i < 3; i++) outage.failed({ op: "get" });
    outage.worked();
    outage.worked();
    outage.failed({ op: "set" });
    expect(lines.map(({ level, msg, op }) => ({ level, msg, op }))).toEqual([
      { level: 40, msg: "store failing", op: "get" },
      { level: 30, msg: "store recovered", op: undefined },
      { level: 40, msg: "store failing", op: "set" },
    ]);
  });
});
