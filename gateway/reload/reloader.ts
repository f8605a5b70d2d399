// The one path every config reload takes (admin API, SIGHUP, file watch): read the file or take the sent config,
// validate all of it, keep restart-only settings, and swap it into the runtime atomically. Requests already in
// flight finish on the snapshot they started with; an invalid config changes nothing.
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { ConfigError, type Env, loadConfigFile, parseConfig, parseConfigText } from "#config/load.ts";
import type { SwitchyardConfig } from "#config/schema.ts";
import { configHash, type GatewayRuntime } from "#gateway/runtime/runtime.ts";
import { createReloadMetrics, type ReloadMetrics, type ReloadOutcome, type ReloadTrigger } from "./metrics.ts";
import { pinRestartOnlySettings } from "./restart-only.ts";

export type ReloadRequest = {
  trigger: ReloadTrigger;
  /** A whole config (YAML or JSON) sent with the request; absent: re-read the config file. */
  text?: string;
};

export type ReloadResult = {
  outcome: ReloadOutcome;
  trigger: ReloadTrigger;
  /** Where the new config came from: the file path or "admin request body". */
  source: string;
  /** The running config after this reload (unchanged unless the outcome is "applied"). */
  version: number;
  hash: string;
  previousVersion: number;
  /** Changed settings that only a restart applies; the running values were kept. */
  restartRequired: string[];
  /** Why a rejected or failed reload was refused, each naming its field (`nodes.1.url: Invalid URL`). */
  issues: string[];
};

export type ReloaderOptions = {
  runtime: GatewayRuntime;
  logger: Logger;
  metrics: Registry;
  configPath?: string;
  /** Environment for `${VAR}` interpolation and SWITCHYARD__* overrides; the process environment by default. */
  env?: Env;
};

export class ConfigReloader {
  readonly configPath: string | undefined;
  readonly #runtime: GatewayRuntime;
  readonly #rootLogger: Logger;
  readonly #logger: Logger;
  readonly #env: Env | undefined;
  readonly #metrics: ReloadMetrics;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(opts: ReloaderOptions) {
    this.configPath = opts.configPath;
    this.#runtime = opts.runtime;
    this.#rootLogger = opts.logger;
    this.#logger = opts.logger.child({ component: "config-reload" });
    this.#env = opts.env;
    this.#metrics = createReloadMetrics(opts.metrics, () => this.#runtime.snapshot.version);
  }

  /** Reloads run one at a time, so a slow file read can never swap in an older config after a newer one. */
  reload(request: ReloadRequest): Promise<ReloadResult> {
    const result = this.#queue.then(() => this.#reload(request));
    this.#queue = result.catch(() => {});
    return result;
  }

  async #reload({ trigger, text }: ReloadRequest): Promise<ReloadResult> {
    const source = text !== undefined ? `${trigger} request body` : (this.configPath ?? "(no config file)");
    const previous = this.#runtime.snapshot;
    const finish = (outcome: ReloadOutcome, extra: Partial<ReloadResult> = {}): ReloadResult => {
      const current = this.#runtime.snapshot;
      const result = {
        outcome,
        trigger,
        source,
        version: current.version,
        hash: current.hash,
        previousVersion: previous.version,
        restartRequired: [],
        issues: [],
        ...extra,
      };
      this.#metrics.count(outcome, trigger);
      this.#log(result);
      return result;
    };

    let next: SwitchyardConfig;
    try {
      next = await this.#read(source, text);
    } catch (error) {
      if (error instanceof ConfigError) return finish("rejected", { issues: error.issues });
      return finish("failed", { issues: [(error as Error).message] });
    }
    const { config, restartRequired } = pinRestartOnlySettings(previous.config, next);
    if (configHash(config) === previous.hash) return finish("unchanged", { restartRequired });
    try {
      this.#runtime.reload(config);
    } catch (error) {
      return finish("failed", { issues: [`the new config could not be applied: ${(error as Error).message}`] });
    }
    // Loggers derived afterwards (every request's) take the new level; long-lived children keep theirs.
    if (config.logging.level !== previous.config.logging.level) this.#rootLogger.level = config.logging.level;
    return finish("applied", { restartRequired });
  }

  async #read(source: string, text: string | undefined): Promise<SwitchyardConfig> {
    if (text !== undefined) return parseConfig(parseConfigText(text, source), source, this.#env);
    if (!this.configPath) {
      throw new Error("the gateway was started without a config file: send the new config as the request body");
    }
    return loadConfigFile(this.configPath, this.#env);
  }

  #log(result: ReloadResult): void {
    const fields = { trigger: result.trigger, source: result.source, version: result.version, hash: result.hash };
    if (result.outcome === "applied")
      this.#logger.info({ ...fields, previousVersion: result.previousVersion }, "config reloaded");
    else if (result.outcome === "unchanged") this.#logger.info(fields, "config reload: nothing changed");
    else
      this.#logger.warn({ ...fields, issues: result.issues }, `config reload ${result.outcome}: running config kept`);
    for (const message of result.restartRequired) this.#logger.warn(fields, message);
  }
}
