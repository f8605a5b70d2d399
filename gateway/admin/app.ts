// The admin API's Hono app (no listener): the running config, node state, reload and drain, all behind the
// admin token, answering in JSON with OpenAI-style error bodies like the public API.
import "#gateway/middleware/context.ts";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId, requestLog } from "#gateway/middleware/request-id.ts";
import type { NodeSnapshot } from "#gateway/nodes/upstream-node.ts";
import { GatewayError, InvalidRequestError, NotFoundError, PayloadTooLargeError } from "#gateway/openai/errors.ts";
import type { ConfigReloader, ReloadResult } from "#gateway/reload/reloader.ts";
import { errorReply } from "#gateway/routes/error-reply.ts";
import { jsonReply } from "#gateway/routes/reply.ts";
import type { GatewayRuntime } from "#gateway/runtime/runtime.ts";
import { adminAuth } from "./auth.ts";
import { redactConfig } from "./redact.ts";

export type AdminDeps = { runtime: GatewayRuntime; reloader: ConfigReloader };

const maxConfigBytes = 1_048_576;

export function createAdminApp({ runtime, reloader }: AdminDeps): Hono {
  const nodes = runtime.services.nodes;
  const app = new Hono();
  app.use(requestId({ logger: runtime.services.logger.child({ component: "admin" }), trustHeader: () => true }));
  app.use(
    "/admin/*",
    adminAuth(() => runtime.snapshot.config.admin.token),
  );

  app.get("/admin/config", (c) => {
    const { version, hash, loadedAt, config } = runtime.snapshot;
    return jsonReply(c, 200, {
      version,
      hash,
      loadedAt,
      configPath: reloader.configPath ?? null,
      config: redactConfig(config),
    });
  });

  app.get("/admin/nodes", (c) => jsonReply(c, 200, { version: runtime.snapshot.version, nodes: nodeViews(runtime) }));

  app.post(
    "/admin/reload",
    bodyLimit({
      maxSize: maxConfigBytes,
      onError: (c) => jsonReply(c, 413, new PayloadTooLargeError(maxConfigBytes).toBody()),
    }),
    async (c) => {
      const body = await c.req.text();
      const text = body.trim() ? body : undefined;
      if (text === undefined && !reloader.configPath) {
        throw new InvalidRequestError(
          "This gateway was started without a config file: send the new config (YAML or JSON) as the body.",
          null,
          "no_config_file",
        );
      }
      const result = await reloader.reload({ trigger: "admin", text });
      if (result.outcome === "rejected")
        return jsonReply(c, 400, { ...reloadError(result, 400, "invalid_config").toBody(), reload: result });
      if (result.outcome === "failed")
        return jsonReply(c, 500, { ...reloadError(result, 500, "reload_failed").toBody(), reload: result });
      return jsonReply(c, 200, result);
    },
  );

  for (const action of ["drain", "undrain"] as const) {
    app.post(`/admin/nodes/:id/${action}`, (c) => {
      const id = c.req.param("id");
      // The registry survives reloads, so a drained node stays drained until undrained (or removed).
      if (!nodes[action](id)) throw new NotFoundError(`No node with id \`${id}\`.`, "node_not_found", "id");
      requestLog(c)?.info({ node: id }, `node ${action}ed by the admin API`);
      return jsonReply(c, 200, {
        id,
        drained: action === "drain",
        node: nodeViews(runtime).find((n) => n.id === id) ?? null,
      });
    });
  }

  app.notFound((c) =>
    jsonReply(c, 404, new NotFoundError(`Unknown admin URL: ${c.req.method} ${c.req.path}.`, "unknown_url").toBody()),
  );
  app.onError((err, c) => errorReply(c, err, "admin request failed"));
  return app;
}

/** The registry's live view of each node (health, breaker, EWMA, in-flight, drained) plus its configured weight. */
function nodeViews(runtime: GatewayRuntime): Array<NodeSnapshot & { weight: number | null }> {
  const weights = new Map(runtime.snapshot.config.nodes.map((n) => [n.id, n.weight]));
  return runtime.services.nodes.snapshot().map((node) => ({ ...node, weight: weights.get(node.id) ?? null }));
}

/** A refused reload as an OpenAI error whose message lists every issue and whose `param` names the first field. */
function reloadError(result: ReloadResult, status: number, code: string): GatewayError {
  const field = /^([\w.-]+): /.exec(result.issues[0] ?? "")?.[1] ?? null;
  const message = `Config reload ${result.outcome} (${result.source}); still running version ${result.version}. ${result.issues.join("; ")}`;
  return new GatewayError(status, message, {
    type: status < 500 ? "invalid_request_error" : "server_error",
    code,
    param: field,
  });
}
