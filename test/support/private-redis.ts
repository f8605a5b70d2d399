// A throw-away redis-server on a spare loopback port, started as a child process so a test can kill it
// mid-traffic and bring it back on the same port (outage and recovery tests). Never touches the shared Redis.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";

export type PrivateRedis = {
  port: number;
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT: a server that accepts connections but answers nothing (a slow or hung Redis). */
  pause(): void;
  resume(): void;
};

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await sparePort();
  let child: ChildProcess | undefined;
  const redis: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const proc = spawn(
        "redis-server",
        ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        {
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      child = proc;
      await new Promise<void>((resolve, reject) => {
        let output = "";
        const timer = setTimeout(() => reject(new Error(`redis-server did not start on ${port}: ${output}`)), 5000);
        proc.stdout?.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes("Ready to accept connections")) {
            clearTimeout(timer);
            resolve();
          }
        });
        proc.once("exit", (code) => {
          clearTimeout(timer);
          reject(new Error(`redis-server exited with ${code}: ${output}`));
        });
      });
    },
    pause: () => void child?.kill("SIGSTOP"),
    resume: () => void child?.kill("SIGCONT"),
    async stop() {
      const proc = child;
      child = undefined;
      if (!proc || proc.exitCode !== null) return;
      const exited = once(proc, "exit");
      proc.kill("SIGCONT");
      proc.kill("SIGKILL");
      await exited;
    },
  };
  await redis.start();
  return redis;
}

function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}
