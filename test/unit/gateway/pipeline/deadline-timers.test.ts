// Budget deadline timers: one list and one Node timer per budget length instead of a Timeout per request.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { armDeadline, Deadline, deadlineListCount, disarmDeadline } from "#gateway/pipeline/deadline-timers.ts";

/** A deadline that records when it expired (ms after `start`) and resolves `expired`. */
function tracked(log: string[], name: string) {
  let resolve!: () => void;
  const expired = new Promise<void>((r) => {
    resolve = r;
  });
  const deadline = new Deadline(() => {
    log.push(name);
    resolve();
  });
  return { deadline, expired };
}

describe("deadline timers", () => {
  it("expires deadlines of one length in arming order, no earlier than their length", async () => {
    const log: string[] = [];
    const a = tracked(log, "a");
    const b = tracked(log, "b");
    const started = performance.now();
    armDeadline(a.deadline, 25);
    armDeadline(b.deadline, 25);
    await b.expired;
    expect(log).toEqual(["a", "b"]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(24);
  });

  it("never expires a disarmed deadline, and still expires the next one when the disarmed one was first", async () => {
    const log: string[] = [];
    const first = tracked(log, "first");
    const second = tracked(log, "second");
    armDeadline(first.deadline, 20);
    armDeadline(second.deadline, 20);
    disarmDeadline(first.deadline);
    disarmDeadline(first.deadline); // twice is harmless
    await second.expired;
    expect(log).toEqual(["second"]);
  });

  it("keeps lengths apart: a short deadline armed after a long one expires first", async () => {
    const log: string[] = [];
    const long = tracked(log, "long");
    const short = tracked(log, "short");
    armDeadline(long.deadline, 60);
    armDeadline(short.deadline, 10);
    await long.expired;
    expect(log).toEqual(["short", "long"]);
  });

  it("re-arming moves a deadline to the end of its new length", async () => {
    const log: string[] = [];
    const moved = tracked(log, "moved");
    const other = tracked(log, "other");
    armDeadline(moved.deadline, 10);
    armDeadline(other.deadline, 30);
    armDeadline(moved.deadline, 30);
    await moved.expired;
    expect(log).toEqual(["other", "moved"]);
  });

  it("drops a length's list once nothing is armed on it, so client-chosen lengths do not pile up", async () => {
    const before = deadlineListCount();
    const log: string[] = [];
    const done = tracked(log, "done");
    for (let ms = 1001; ms < 1101; ms++) {
      const deadline = new Deadline(() => log.push("unexpected"));
      armDeadline(deadline, ms);
      disarmDeadline(deadline);
    }
    armDeadline(done.deadline, 5);
    expect(deadlineListCount()).toBeGreaterThanOrEqual(before + 100);
    await done.expired;
    // Each emptied list is dropped when its timer fires; wait for that with a deadline rather than a fixed sleep.
    await expect.poll(() => deadlineListCount(), { timeout: 3000, interval: 50 }).toBeLessThanOrEqual(before);
    expect(log).toEqual(["done"]);
  });

  it("does not hold a process open: one that armed a 60 s deadline and has nothing else to do exits", async () => {
    const module = fileURLToPath(new URL("../../../../gateway/pipeline/deadline-timers.ts", import.meta.url));
    const script = `const m = await import(${JSON.stringify(module)}); m.armDeadline(new m.Deadline(() => {}), 60000);`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "inherit" });
    const started = performance.now();
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    expect(performance.now() - started).toBeLessThan(30_000);
  }, 40_000);
});
