// `npm start`: the whole system on one machine — generates the demo models if missing, starts every node of
// config/examples/local.yaml that lives on this machine as an in-process model node, then the gateway.
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  DEFAULT_MODELS_DIR,
  DEFAULT_SHARED_TOKENIZER_DIR,
  ensureDemoModels,
} from "#backends/demo-models/generate-all.ts";
import { startModelNode } from "#backends/node.ts";
import { loadConfigFile } from "#config/load.ts";
import type { NodeEntry } from "#config/schema.ts";
import { createLogger } from "#gateway/logging.ts";
import { reloadOnSighup } from "#gateway/reload/sighup.ts";
import { startGateway } from "#gateway/server.ts";
import { shutDownOnSignals } from "#gateway/shutdown-signals.ts";

const started = performance.now();
const { values } = parseArgs({
  options: { config: { type: "string", short: "c", default: "config/examples/local.yaml" } },
});
const config = await loadConfigFile(values.config!).catch((error: Error) => {
  console.error(error.message);
  process.exit(2);
});
const logger = createLogger(config.logging.level);

const models = await ensureDemoModels({
  modelsDir: DEFAULT_MODELS_DIR,
  sharedTokenizerDir: DEFAULT_SHARED_TOKENIZER_DIR,
});
if (models.generated.length) logger.info({ generated: models.generated }, "generated demo models");

const isLocal = (node: NodeEntry) => ["127.0.0.1", "localhost", "[::1]"].includes(new URL(node.url).hostname);
const nodes = await Promise.all(
  config.nodes.filter(isLocal).map((node) =>
    startModelNode(
      {
        listen: { host: new URL(node.url).hostname.replace(/^\[|\]$/g, ""), port: Number(new URL(node.url).port) },
        tier: node.tier,
        models: node.models.map((id) => ({ id, path: join(DEFAULT_MODELS_DIR, id) })),
      },
      logger.child({ node: node.id }),
    ),
  ),
);
const gateway = await startGateway(config, { logger, configPath: values.config });
reloadOnSighup(gateway.reloader);

const seconds = ((performance.now() - started) / 1000).toFixed(1);
const key = config.auth.keys[0]?.key ?? "<none: auth.allowAnonymous>";
const chatModel = config.nodes[0]?.models[0] ?? "demo-gpt";
console.log(`
Switchyard is ready in ${seconds}s: gateway ${gateway.url}, ${nodes.length} local model node(s) (${nodes.map((n) => `${n.config.tier}@${n.url}`).join(", ")}).

  curl ${gateway.url}/v1/chat/completions -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" \\
    -d '{"model":"${chatModel}","messages":[{"role":"user","content":"Hello!"}],"max_tokens":32}'

  OpenAI SDK: new OpenAI({ baseURL: "${gateway.url}/v1", apiKey: "${key}" })
  Models: ${gateway.url}/v1/models   Metrics: ${gateway.url}/metrics   Readiness: ${gateway.url}/readyz
`);

// Ctrl-C drains like a deployment does: the gateway finishes what is in flight (the nodes still serve it), then
// the nodes drain whatever else reached them; each within its shutdownGraceMs. A second Ctrl-C exits at once.
shutDownOnSignals(logger, {
  drain: async () => {
    await gateway.close();
    await Promise.all(nodes.map((n) => n.close()));
  },
});
