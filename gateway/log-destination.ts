// The gateway's log sink: lines are gathered in memory and written ~15 KB at a time, plus a timer so a quiet
// gateway's lines still appear within half a second. Two costs of pino.destination (sonic-boom) are avoided:
// - its write() measured the UTF-8 length of the whole pending batch on every line (~1–2 µs per access line);
// - its asynchronous mode hands every batch to libuv's thread pool, whose wake-ups competed with the event loop for
//   the core (in the pinned benchmark, ~2 µs per request).
// Batches to stdout or stderr go through the process's own stream: a non-blocking write for a pipe (a container's
// log collector never stalls the event loop), a synchronous one for a file or terminal. A path is written
// synchronously too: one local write per batch costs microseconds.
import { closeSync, openSync, writeSync } from "node:fs";
import type { Writable } from "node:stream";

export type BatchedDestinationOptions = {
  /** 1 (stdout), 2 (stderr), another open file descriptor, or a path opened for appending. */
  dest: number | string;
  /** Characters gathered before a batch is written. */
  batchChars?: number;
  /** A partial batch is written after this long. */
  flushMs?: number;
  /** Above this many characters not yet written (a sink that cannot keep up), lines are dropped and counted. */
  maxPendingChars?: number;
};

export class BatchedDestination {
  readonly #fd: number;
  readonly #ownsFd: boolean;
  readonly #stream: Writable | undefined;
  readonly #batchChars: number;
  readonly #maxPendingChars: number;
  readonly #timer: NodeJS.Timeout;
  #pending: string[] = [];
  #pendingChars = 0;
  /** What the process stream still held after the last batch went out; read then, not on every line. */
  #streamBacklog = 0;
  #dropped = 0;
  #ended = false;

  constructor(opts: BatchedDestinationOptions) {
    this.#ownsFd = typeof opts.dest === "string";
    this.#fd = typeof opts.dest === "string" ? openSync(opts.dest, "a") : opts.dest;
    this.#stream = this.#fd === 1 ? process.stdout : this.#fd === 2 ? process.stderr : undefined;
    this.#batchChars = opts.batchChars ?? 15 * 1024;
    this.#maxPendingChars = opts.maxPendingChars ?? 64 * 1024 * 1024;
    this.#timer = setInterval(() => this.flush(), opts.flushMs ?? 500);
    this.#timer.unref();
  }

  /** pino's stream contract: one serialized line (with its newline) per call. */
  write(line: string): boolean {
    if (this.#ended) return false;
    if (this.#pendingChars + line.length + this.#streamBacklog > this.#maxPendingChars) {
      this.#dropped++;
      return false;
    }
    this.#pending.push(line);
    this.#pendingChars += line.length;
    if (this.#pendingChars >= this.#batchChars) this.flush();
    return true;
  }

  /** Writes whatever is pending (pino's logger.flush() calls this). */
  flush(done?: (error?: Error) => void): void {
    if (this.#pendingChars > 0 || this.#dropped > 0) this.#writeOut(this.#take());
    done?.();
  }

  end(): void {
    if (this.#ended) return;
    this.flush();
    this.#ended = true;
    clearInterval(this.#timer);
    if (this.#ownsFd) closeSync(this.#fd);
  }

  #take(): string {
    if (this.#dropped > 0) {
      this.#pending.push(`{"level":40,"time":${Date.now()},"msg":"log lines dropped","dropped":${this.#dropped}}\n`);
      this.#dropped = 0;
    }
    const text = this.#pending.length === 1 ? this.#pending[0]! : this.#pending.join("");
    this.#pending = [];
    this.#pendingChars = 0;
    return text;
  }

  #writeOut(text: string): void {
    if (this.#stream) {
      this.#stream.write(text);
      this.#streamBacklog = this.#stream.writableLength;
      return;
    }
    const bytes = Buffer.from(text, "utf8");
    let offset = 0;
    for (let tries = 0; offset < bytes.length && tries < 1000; tries++) {
      try {
        offset += writeSync(this.#fd, bytes, offset);
      } catch (error) {
        // A full non-blocking descriptor: try again, a bounded number of times; any other failure loses this
        // batch, never the gateway.
        if ((error as NodeJS.ErrnoException).code !== "EAGAIN") return;
      }
    }
  }
}
