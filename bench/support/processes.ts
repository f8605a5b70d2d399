// Starts a benchmark participant as a child process (its own event loop, like in production) and waits for its port.
import { type ChildProcess, fork } from "node:child_process";

export type Child = { port: number; process: ChildProcess; stop(): void };

/**
 * The V8 flags the gateway runs with in production (Dockerfile, `npm run gateway`). Every benchmark participant gets
 * them, the bare proxy included, so a comparison weighs the code and not the runtime's settings.
 */
export const productionNodeFlags = ["--max-semi-space-size=32"];

export async function startChild(
  script: string,
  args: string[] = [],
  /** `stdout: "pipe"` keeps the child's standard output readable (V8's trace flags write there). */
  opts: { execArgv?: string[]; stdout?: "pipe" } = {},
): Promise<Child> {
  const child = fork(script, args, {
    stdio: ["ignore", opts.stdout ?? "ignore", "inherit", "ipc"],
    execArgv: [...productionNodeFlags, ...(opts.execArgv ?? [])],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (m) => resolve((m as { port: number }).port));
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  // SIGINT lets a profiled child (--cpu-prof) write its profile before it exits.
  return { port, process: child, stop: () => child.kill(opts.execArgv?.length ? "SIGINT" : "SIGKILL") };
}
