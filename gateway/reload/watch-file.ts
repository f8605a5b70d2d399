// Watches the config file for changes and calls back once per settled change. It watches the file's directory,
// not the file: editors save by writing a new file and renaming it over the old one, and Kubernetes updates a
// mounted ConfigMap by swapping its `..data` symlink, and both leave a watch on the old file's inode deaf.
// A slow stat poll backs it up, for writes behind a symlink and for mounts that send no inotify events.
import { createHash } from "node:crypto";
import { type FSWatcher, type StatsListener, unwatchFile, watch, watchFile } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Logger } from "pino";

export type FileWatch = { close(): void };

export type FileWatchOptions = {
  onChange: () => Promise<unknown>;
  logger: Logger;
  /** Quiet time after the last event before the file is read: an editor's save is several events. */
  debounceMs?: number;
  /** Interval of the backup stat poll (which follows symlinks). */
  pollMs?: number;
};

export async function watchConfigFile(path: string, opts: FileWatchOptions): Promise<FileWatch> {
  const debounceMs = opts.debounceMs ?? 250;
  // Only a content change triggers: the directory also sees swap files, ConfigMap timestamps, unrelated files.
  let lastDigest = await digestOf(path);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const check = async (): Promise<void> => {
    const digest = await digestOf(path);
    // Missing (mid-rename) or unchanged: wait for the next event; the rename that completes a save sends one.
    if (closed || digest === undefined || digest === lastDigest) return;
    lastDigest = digest;
    opts.logger.info({ path }, "config file changed: reloading");
    await opts.onChange();
  };
  const schedule = (): void => {
    clearTimeout(timer);
    timer = setTimeout(
      () => void check().catch((err: unknown) => opts.logger.error({ err }, "config watch failed")),
      debounceMs,
    );
    timer.unref();
  };

  const watcher: FSWatcher = watch(dirname(resolve(path)), { persistent: false }, schedule);
  watcher.on("error", (err) =>
    opts.logger.error({ err, path }, "config directory watch stopped; the stat poll goes on"),
  );
  const poll: StatsListener = (current, previous) => {
    if (current.mtimeMs !== previous.mtimeMs || current.ino !== previous.ino || current.size !== previous.size)
      schedule();
  };
  watchFile(path, { persistent: false, interval: opts.pollMs ?? 2000 }, poll);
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      watcher.close();
      unwatchFile(path, poll);
    },
  };
}

async function digestOf(path: string): Promise<string | undefined> {
  try {
    return createHash("sha256")
      .update(await readFile(path))
      .digest("hex");
  } catch {
    return undefined;
  }
}
