// The node's responses checked against the official OpenAI OpenAPI schemas (shared/openai-openapi) with ajv:
// chat completion, stream chunks (including the usage chunk), text completion, embeddings, model list, errors.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { RunningModelNode } from "#backends/node.ts";
import { demoModel, post, readSse, startTestNode } from "./support.ts";

const shared = process.env.SWITCHYARD_SHARED_DIR;

describe.skipIf(!shared)(
  `responses match the OpenAI OpenAPI schemas${shared ? "" : " — skipped: SWITCHYARD_SHARED_DIR is not set"}`,
  () => {
    let node: RunningModelNode;
    let validate: (schema: string, value: unknown) => void;

    beforeAll(async () => {
      const spec = parse(await readFile(join(shared!, "openai-openapi", "openapi.yaml"), "utf8")) as Record<
        string,
        unknown
      >;
      const ajv = new Ajv2020({ strict: false, allErrors: true });
      ajv.addFormat("unixtime", true);
      ajv.addSchema({ $id: "openai", components: (rewriteNullable(spec) as { components: unknown }).components });
      validate = (schema, value) => {
        const check = ajv.getSchema(`openai#/components/schemas/${schema}`);
        if (!check) throw new Error(`no schema ${schema}`);
        if (!check(value))
          throw new Error(`${schema}: ${ajv.errorsText(check.errors)}\n${JSON.stringify(value).slice(0, 500)}`);
      };
      node = await startTestNode({
        cpuThreads: 1,
        models: [{ path: demoModel("demo-gpt") }, { path: demoModel("demo-embed") }],
      });
    });
    afterAll(async () => {
      await node?.close();
    });

    const messages = [{ role: "user", content: "Hi" }];

    it("chat completions, JSON and every stream chunk", async () => {
      const json = await post(node, "/v1/chat/completions", { model: "demo-gpt", messages, max_tokens: 4 });
      validate("CreateChatCompletionResponse", await json.json());
      const stream = await post(node, "/v1/chat/completions", {
        model: "demo-gpt",
        messages,
        max_tokens: 4,
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks = (await readSse(stream)).filter((p) => p !== "[DONE]");
      expect(chunks.length).toBeGreaterThan(2);
      for (const chunk of chunks) validate("CreateChatCompletionStreamResponse", JSON.parse(chunk));
    });

    it("text completions, embeddings and the model list", async () => {
      validate(
        "CreateCompletionResponse",
        await (await post(node, "/v1/completions", { model: "demo-gpt", prompt: "Hi", max_tokens: 3 })).json(),
      );
      validate(
        "CreateEmbeddingResponse",
        await (await post(node, "/v1/embeddings", { model: "demo-embed", input: ["a", "b"] })).json(),
      );
      validate("ListModelsResponse", await (await fetch(`${node.url}/v1/models`)).json());
    });

    it("errors", async () => {
      validate("ErrorResponse", await (await post(node, "/v1/chat/completions", { model: "nope", messages })).json());
      validate("ErrorResponse", await (await post(node, "/v1/chat/completions", "{bad")).json());
    });
  },
);

/** OpenAPI 3.0's `nullable: true` is not JSON Schema: turn it into a union with null (and null in enums). */
function rewriteNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteNullable);
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) if (key !== "nullable") out[key] = rewriteNullable(value);
  if ((node as { nullable?: unknown }).nullable !== true) return out;
  if (Array.isArray(out["enum"])) out["enum"] = [...(out["enum"] as unknown[]), null];
  if (typeof out["type"] === "string") {
    out["type"] = [out["type"], "null"];
    return out;
  }
  return { anyOf: [out, { type: "null" }] };
}
