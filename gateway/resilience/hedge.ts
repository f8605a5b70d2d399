// Hedged requests ("The Tail at Scale"): if the first attempt has not answered after `delayMs`, launch one
// more on another node; the first success wins and the other is cancelled. A failure while nothing else is
// running is returned at once (no hedge is launched after it), so the retry loop can act on it.
import type { ForwardResult } from "#gateway/pipeline/types.ts";
import { AttemptCancelledError } from "./errors.ts";

export type RunningAttempt = { result: Promise<ForwardResult>; cancel(reason: Error): void };

export function raceWithHedge(
  primary: RunningAttempt,
  delayMs: number,
  launchHedge: () => RunningAttempt | undefined,
  onHedgeWon: () => void = () => {},
): Promise<ForwardResult> {
  return new Promise((resolve, reject) => {
    const running: RunningAttempt[] = [];
    let settled = false;
    let failed = 0;

    const timer = setTimeout(() => {
      if (settled) return;
      const hedge = launchHedge();
      if (hedge) watch(hedge);
    }, delayMs);

    function watch(attempt: RunningAttempt): void {
      running.push(attempt);
      attempt.result.then(
        (result) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          for (const other of running) if (other !== attempt) other.cancel(new AttemptCancelledError());
          if (attempt !== primary) onHedgeWon();
          resolve(result);
        },
        (error: unknown) => {
          failed += 1;
          if (settled || failed < running.length) return;
          settled = true;
          clearTimeout(timer);
          reject(error);
        },
      );
    }

    watch(primary);
  });
}
