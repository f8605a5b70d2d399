// The one configuration schema for the gateway and the model node: every setting, its default and its
// validation live here, and the TypeScript types are inferred from it (nothing else defines config shape).
import { z } from "zod";

const port = z.number().int().min(0).max(65535);
const listen = (defaultPort: number) =>
  z.object({ host: z.string().default("127.0.0.1"), port: port.default(defaultPort) }).prefault({});
const tier = z.enum(["gpu", "cpu"]);
export type Tier = z.infer<typeof tier>;

const apiKey = z.object({
  /** The bearer secret itself; prefer `${ENV_VAR}` interpolation in YAML over a literal. */
  key: z.string().min(8, "API keys must be at least 8 characters"),
  tenant: z.string().min(1),
  /** A label for logs and metrics; the key itself is never logged. */
  name: z.string().min(1).optional(),
  /** The models this key may use (served names or aliases; an alias's model covers the alias). Absent: all. */
  models: z.array(z.string().min(1)).optional(),
});

const node = z.object({
  id: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9._-]+$/, "node ids use letters, digits, '.', '_' and '-'"),
  url: z.url(),
  tier: tier.default("cpu"),
  models: z.array(z.string().min(1)).min(1, "a node must serve at least one model"),
  weight: z.number().positive().default(1),
  /** Bearer key the gateway sends to this node (vLLM, TGI and others may require one). */
  apiKey: z.string().optional(),
  maxConnections: z.number().int().positive().default(128),
});
export type NodeEntry = z.infer<typeof node>;

const limits = z
  .object({
    maxBodyBytes: z.number().int().positive().default(1_048_576),
    maxJsonDepth: z.number().int().positive().default(64),
    maxMessages: z.number().int().positive().default(2048),
    maxTokens: z.number().int().positive().default(32_768),
    maxInputItems: z.number().int().positive().default(2048),
  })
  .prefault({});

const tierPolicy = z.array(tier).min(1);
const routing = z
  .object({
    strategy: z.enum(["latency", "round-robin", "least-inflight"]).default("latency"),
    /** Order in which tiers are tried; later tiers take spill-over. Per-model and per-tenant overrides win. */
    tiers: z
      .object({
        default: tierPolicy.default(["gpu", "cpu"]),
        models: z.record(z.string(), tierPolicy).default({}),
        tenants: z.record(z.string(), tierPolicy).default({}),
      })
      .prefault({}),
    /** A tier counts as saturated (and traffic spills to the next) past either threshold on every node. */
    spill: z
      .object({
        queueDepth: z.number().int().nonnegative().default(32),
        predictedLatencyMs: z.number().positive().default(5000),
      })
      .prefault({}),
    ewma: z.object({ decayMs: z.number().positive().default(10_000) }).prefault({}),
    health: z
      .object({
        path: z.string().default("/health"),
        intervalMs: z.number().int().positive().default(2000),
        timeoutMs: z.number().int().positive().default(1000),
        healthyThreshold: z.number().int().positive().default(1),
        unhealthyThreshold: z.number().int().positive().default(2),
      })
      .prefault({}),
    breaker: z
      .object({
        errorThresholdPercentage: z.number().min(1).max(100).default(50),
        volumeThreshold: z.number().int().positive().default(5),
        rollingCountTimeoutMs: z.number().int().positive().default(10_000),
        resetTimeoutMs: z.number().int().positive().default(5_000),
      })
      .prefault({}),
    retries: z
      .object({
        maxAttempts: z.number().int().min(1).max(10).default(3),
        /** Retries may add at most this share of the request rate (retry budget). */
        budgetRatio: z.number().min(0).max(1).default(0.2),
        /** Retries always allowed per second regardless of the ratio, so low traffic still fails over. */
        minPerSecond: z.number().nonnegative().default(10),
        backoffMs: z.number().nonnegative().default(0),
      })
      .prefault({}),
    deadlines: z
      .object({
        defaultMs: z.number().int().positive().default(60_000),
        maxMs: z.number().int().positive().default(600_000),
        /** Header a client may send to shorten (never extend past maxMs) its own budget. */
        header: z.string().default("x-request-timeout-ms"),
        firstTokenMs: z.number().int().positive().default(30_000),
        interTokenMs: z.number().int().positive().default(30_000),
      })
      .prefault({}),
    hedging: z
      .object({
        enabled: z.boolean().default(false),
        /** Latency quantile of recent requests after which a second attempt is sent. */
        quantile: z.number().min(0.5).max(0.999).default(0.95),
        minDelayMs: z.number().nonnegative().default(20),
      })
      .prefault({}),
    /**
     * Public model names mapped to models the nodes serve ("gpt-4o-mini": "demo-gpt"), so existing clients work
     * unchanged. Requests are routed, cached and limited as the served model; /v1/models lists both.
     */
    aliases: z.record(z.string().min(1), z.string().min(1)).default({}),
  })
  .prefault({});

const cacheModel = z.object({
  ttlSeconds: z.number().int().positive().optional(),
  maxEntryBytes: z.number().int().positive().optional(),
  enabled: z.boolean().optional(),
});
const cache = z
  .object({
    store: z.enum(["memory", "redis", "off"]).default("memory"),
    ttlSeconds: z.number().int().positive().default(300),
    maxEntryBytes: z.number().int().positive().default(262_144),
    /** Memory store only: total bytes before least-recently-used entries are evicted. */
    maxBytes: z
      .number()
      .int()
      .positive()
      .default(64 * 1_048_576),
    /** Cache sampled (temperature > 0) requests too; off because their answers are meant to vary. */
    cacheNonDeterministic: z.boolean().default(false),
    coalesce: z.boolean().default(true),
    models: z.record(z.string(), cacheModel).default({}),
  })
  .prefault({});

const bucket = z.object({
  requestsPerMinute: z.number().positive().optional(),
  tokensPerMinute: z.number().positive().optional(),
});

const quota = z.object({
  /** Tokens per UTC calendar day. */
  tokensPerDay: z.number().int().positive().optional(),
  /** Tokens per UTC calendar month. */
  tokensPerMonth: z.number().int().positive().optional(),
});
export type QuotaLimits = z.infer<typeof quota>;
/**
 * Token quotas (budgets) per tenant and per API key name, over UTC days and months. A caller whose quota is spent
 * gets OpenAI's 429 insufficient_quota until the window turns. Counted from real usage after each answer, so the
 * request that crosses the line finishes; cached answers cost nothing. On Redis they are shared by every replica.
 */
const quotas = z
  .object({
    store: z.enum(["memory", "redis"]).default("memory"),
    tenants: z.record(z.string(), quota).default({}),
    keys: z.record(z.string(), quota).default({}),
  })
  .prefault({});
export type BucketLimits = z.infer<typeof bucket>;
const rateLimit = z
  .object({
    store: z.enum(["memory", "redis", "off"]).default("memory"),
    /** With Redis unreachable: `open` falls back to in-memory buckets, `closed` refuses with 503. */
    failMode: z.enum(["open", "closed"]).default("open"),
    /** Per API key unless overridden in `keys` (by key name or tenant). */
    perKey: bucket.default({ requestsPerMinute: 600, tokensPerMinute: 200_000 }),
    keys: z.record(z.string(), bucket).default({}),
    tenants: z.record(z.string(), bucket).default({}),
    models: z.record(z.string(), bucket).default({}),
    /** Completion tokens reserved up front when a request sets no max_tokens; the difference is refunded. */
    defaultMaxTokens: z.number().int().positive().default(1024),
  })
  .prefault({});

const redis = z
  .object({
    url: z.string().default("redis://127.0.0.1:6379"),
    keyPrefix: z.string().default("switchyard:"),
    commandTimeoutMs: z.number().int().positive().default(50),
    connectTimeoutMs: z.number().int().positive().default(500),
  })
  .prefault({});

const admin = z
  .object({
    enabled: z.boolean().default(false),
    listen: listen(9090),
    token: z.string().min(16, "the admin token must be at least 16 characters").optional(),
    watchConfigFile: z.boolean().default(true),
  })
  .prefault({})
  .refine((a) => !a.enabled || a.token, {
    message: "admin.token is required when admin.enabled is true",
    path: ["token"],
  });

/** Settings of one model node process (backends/). */
const modelNode = z
  .object({
    listen: listen(8001),
    tier: tier.default("cpu"),
    models: z.array(z.object({ path: z.string().min(1), id: z.string().min(1).optional() })).default([]),
    cpuThreads: z.number().int().nonnegative().default(0),
    /** Worker threads per model; each owns its own onnxruntime session. */
    workers: z.number().int().positive().default(1),
    encoderBatching: z
      .object({
        enabled: z.boolean().default(true),
        maxBatchSize: z.number().int().positive().default(32),
        maxQueueDelayMs: z.number().nonnegative().default(2),
        maxQueueLength: z.number().int().positive().default(1024),
      })
      .prefault({}),
    decoderBatching: z
      .object({
        maxRunningSequences: z.number().int().positive().default(16),
        maxBatchTokens: z.number().int().positive().default(8192),
        maxQueueLength: z.number().int().positive().default(256),
      })
      .prefault({}),
    maxBodyBytes: z.number().int().positive().default(1_048_576),
    /** On shutdown, how long admitted requests (queued, running, streaming) may finish before they are cut. */
    shutdownGraceMs: z.number().int().nonnegative().default(30_000),
    /** A worker that dies is restarted after initialMs, doubling after each failed attempt up to maxMs. */
    workerRestartBackoff: z
      .object({
        initialMs: z.number().int().positive().default(100),
        maxMs: z.number().int().positive().default(10_000),
      })
      .prefault({}),
  })
  .prefault({});
export type ModelNodeConfig = z.infer<typeof modelNode>;

export const configSchema = z
  .object({
    server: z
      .object({
        listen: listen(8080),
        limits,
        trustRequestIdHeader: z.boolean().default(true),
        /** Browser clients (CORS). Off while allowOrigins is empty. */
        cors: z
          .object({
            /** Origins allowed to call the API, such as "https://app.example.com"; "*" allows any. */
            allowOrigins: z.array(z.string().min(1)).default([]),
            /** How long a browser may reuse a preflight answer. */
            maxAgeSeconds: z.number().int().nonnegative().default(600),
          })
          .prefault({}),
        /** On SIGTERM/SIGINT, how long in-flight requests may finish before the gateway exits anyway. */
        shutdownGraceMs: z.number().int().nonnegative().default(30_000),
      })
      .prefault({}),
    auth: z
      .object({
        keys: z.array(apiKey).default([]),
        /** Accept requests without a key (tenant "anonymous"); only for local development. */
        allowAnonymous: z.boolean().default(false),
      })
      .prefault({}),
    nodes: z.array(node).default([]),
    routing,
    cache,
    rateLimit,
    quotas,
    redis,
    admin,
    logging: z
      .object({ level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info") })
      .prefault({}),
    modelNode,
  })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.nodes.forEach((n, i) => {
      if (seen.has(n.id))
        ctx.addIssue({ code: "custom", message: `duplicate node id "${n.id}"`, path: ["nodes", i, "id"] });
      seen.add(n.id);
    });
    const served = new Set(cfg.nodes.flatMap((n) => n.models));
    for (const [alias, model] of Object.entries(cfg.routing.aliases)) {
      const path = ["routing", "aliases", alias];
      if (served.has(alias))
        ctx.addIssue({ code: "custom", message: `"${alias}" is served by a node and cannot be an alias`, path });
      else if (!served.has(model))
        ctx.addIssue({ code: "custom", message: `alias target "${model}" is not served by any node`, path });
    }
    cfg.auth.keys.forEach((k, i) => {
      k.models?.forEach((model, j) => {
        if (!served.has(model) && !Object.hasOwn(cfg.routing.aliases, model))
          ctx.addIssue({
            code: "custom",
            message: `"${model}" is neither served by a node nor an alias`,
            path: ["auth", "keys", i, "models", j],
          });
      });
    });
    const keys = new Set<string>();
    cfg.auth.keys.forEach((k, i) => {
      if (keys.has(k.key))
        ctx.addIssue({ code: "custom", message: "duplicate API key", path: ["auth", "keys", i, "key"] });
      keys.add(k.key);
    });
  });

export type SwitchyardConfig = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
