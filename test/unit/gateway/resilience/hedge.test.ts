import { describe, expect, it, vi } from "vitest";
import type { ForwardResult } from "#gateway/pipeline/types.ts";
import { AttemptCancelledError } from "#gateway/resilience/errors.ts";
import { type RunningAttempt, raceWithHedge } from "#gateway/resilience/hedge.ts";

type Controlled = RunningAttempt & { succeed(body: string): void; fail(error: Error): void; cancelledWith?: Error };

function controlled(): Controlled {
  let succeed = (_: string) => {};
  let fail = (_: Error) => {};
  const result = new Promise<ForwardResult>((resolve, reject) => {
    succeed = (body) => resolve({ kind: "json", status: 200, body, headers: {} });
    fail = reject;
  });
  const attempt: Controlled = {
    result,
    succeed: (body) => succeed(body),
    fail: (error) => fail(error),
    cancel(reason) {
      attempt.cancelledWith = reason;
      fail(reason);
    },
  };
  return attempt;
}

const bodyOf = (r: ForwardResult) => (r.kind === "json" ? r.body : null);

describe("raceWithHedge", () => {
  it("answers with the primary and launches nothing when it is fast", async () => {
    vi.useFakeTimers();
    try {
      const primary = controlled();
      let launched = 0;
      const race = raceWithHedge(primary, 50, () => {
        launched++;
        return controlled();
      });
      primary.succeed("primary");
      expect(bodyOf(await race)).toBe("primary");
      vi.advanceTimersByTime(1000);
      expect(launched).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("launches a hedge after the delay; the first answer wins and the loser is cancelled", async () => {
    const primary = controlled();
    const hedge = controlled();
    let won = false;
    const race = raceWithHedge(
      primary,
      10,
      () => {
        queueMicrotask(() => hedge.succeed("hedge"));
        return hedge;
      },
      () => (won = true),
    );
    expect(bodyOf(await race)).toBe("hedge");
    expect(won).toBe(true);
    expect(primary.cancelledWith).toBeInstanceOf(AttemptCancelledError);
  });

  it("returns a primary failure at once when no hedge is running", async () => {
    const primary = controlled();
    let launched = 0;
    const race = raceWithHedge(primary, 1000, () => {
      launched++;
      return controlled();
    });
    primary.fail(new Error("boom"));
    await expect(race).rejects.toThrow("boom");
    expect(launched).toBe(0);
  });

  it("waits for the hedge when the primary fails after it was launched", async () => {
    const primary = controlled();
    const hedge = controlled();
    const race = raceWithHedge(primary, 1, () => {
      queueMicrotask(() => {
        primary.fail(new Error("primary died"));
        setTimeout(() => hedge.succeed("hedge"), 5);
      });
      return hedge;
    });
    expect(bodyOf(await race)).toBe("hedge");
  });

  it("fails with the last error when every attempt fails", async () => {
    const primary = controlled();
    const hedge = controlled();
    const race = raceWithHedge(primary, 1, () => {
      queueMicrotask(() => {
        primary.fail(new Error("first"));
        hedge.fail(new Error("second"));
      });
      return hedge;
    });
    await expect(race).rejects.toThrow("second");
  });

  it("keeps waiting on the primary when no hedge can be launched", async () => {
    const primary = controlled();
    const race = raceWithHedge(primary, 1, () => {
      setTimeout(() => primary.succeed("late"), 5);
      return undefined;
    });
    expect(bodyOf(await race)).toBe("late");
  });
});
