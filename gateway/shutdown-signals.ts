// Shutdown on SIGTERM (Kubernetes) or Ctrl-C, shared by the gateway, the model node and `npm start`: the first
// signal drains in-flight work, a second one forces; the process exits 0 when done, 1 if shutting down failed.
import type { Logger } from "pino";

export type ShutdownSteps = {
  /** Stop accepting and let admitted work finish (within the caller's grace period). */
  drain(): Promise<void>;
  /** What a second signal does; without it the process exits at once. */
  force?(): Promise<void>;
};

export function shutDownOnSignals(logger: Logger, steps: ShutdownSteps): void {
  let signals = 0;
  const finish = (work: Promise<void>) =>
    void work.then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      logger.info({ signal }, "shutting down: draining in-flight work (signal again to stop now)");
      finish(steps.drain());
    } else if (steps.force) {
      logger.info({ signal }, "shutting down now");
      finish(steps.force());
    } else process.exit(1);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
