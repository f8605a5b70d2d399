// Shared setup of the OpenAPI conformance suites: one real model node on the demo models with the real gateway
// in front, raw HTTP helpers (bodies are checked exactly as sent, no SDK in between) and the spec assertions.
import { join } from "node:path";
import pino from "pino";
import { expect } from "vitest";
import { DEFAULT_MODELS_DIR } from "#backends/demo-models/generate-all.ts";
import { startModelNode } from "#backends/node.ts";
import { authHeaders, readSse, startTestGateway, testKey } from "#test/support/gateway.ts";
import { openApiSkipReason, openApiSpecPath, validateAgainst } from "#test/support/openapi.ts";

export const specMissing = openApiSpecPath === null;
export const suiteTitle = (title: string) => (specMissing ? `${title} — ${openApiSkipReason}` : title);

/** A second key whose bucket holds one request per minute, so its second request is refused with 429. */
export const tinyKey = "sk-tiny-0123456789";
export const gatewayBodyLimit = 65_536;

export type Target = { name: "gateway" | "node"; url: string; headers: Record<string, string> };
export type Stack = { gateway: Target; node: Target; close(): Promise<void> };

export async function startStack(): Promise<Stack> {
  const logger = pino({ level: process.env.SWITCHYARD_TEST_LOGS ? "debug" : "silent" });
  const ids = ["demo-gpt", "demo-embed"];
  const node = await startModelNode(
    {
      listen: { host: "127.0.0.1", port: 0 },
      cpuThreads: 1,
      models: ids.map((id) => ({ id, path: join(DEFAULT_MODELS_DIR, id) })),
    },
    logger,
  );
  try {
    const gateway = await startTestGateway({
      auth: {
        keys: [
          { key: testKey, tenant: "team-a", name: "test" },
          { key: tinyKey, tenant: "team-b", name: "tiny" },
        ],
      },
      server: { limits: { maxBodyBytes: gatewayBodyLimit } },
      rateLimit: { keys: { tiny: { requestsPerMinute: 1 } } },
      nodes: [{ id: "node-1", url: node.url, models: ids }],
    });
    return {
      gateway: { name: "gateway", url: gateway.url, headers: authHeaders() },
      node: { name: "node", url: node.url, headers: { "content-type": "application/json" } },
      async close() {
        await gateway.close();
        await node.close();
      },
    };
  } catch (error) {
    await node.close();
    throw error;
  }
}

/** POSTs a JSON body (or raw text, to send malformed JSON) to a target. */
export function post(target: Target, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${target.url}${path}`, {
    method: "POST",
    headers: { ...target.headers, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export function get(target: Target, path: string) {
  return fetch(`${target.url}${path}`, { headers: target.headers });
}

/** Fails with the spec's complaints (and the offending value) unless `value` conforms to the named schema. */
export function expectConforms(schemaName: string, value: unknown): void {
  expect(validateAgainst(schemaName, value), JSON.stringify(value).slice(0, 600)).toEqual([]);
}

/** The JSON chunks of an SSE answer; OpenAI's streams end with `data: [DONE]`, which is checked and dropped. */
export async function streamChunks(response: Response): Promise<Record<string, unknown>[]> {
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const payloads = await readSse(response);
  expect(payloads.at(-1)).toBe("[DONE]");
  expect(payloads.indexOf("[DONE]")).toBe(payloads.length - 1);
  return payloads.slice(0, -1).map((data) => JSON.parse(data) as Record<string, unknown>);
}

/**
 * Rules the schema cannot express but its descriptions state: every chunk has the same id and created; with
 * `include_usage` every chunk but the last carries `usage: null` and the last has `choices: []` and the usage;
 * without it `usage` is absent ("only present when you set stream_options.include_usage").
 */
export function expectStreamRules(chunks: Record<string, unknown>[], includeUsage: boolean): void {
  expect(chunks.length).toBeGreaterThan(0);
  expect(new Set(chunks.map((c) => c.id)).size, "every chunk has the same id").toBe(1);
  expect(new Set(chunks.map((c) => c.created)).size, "every chunk has the same created").toBe(1);
  const last = chunks.at(-1)!;
  if (includeUsage) {
    for (const chunk of chunks.slice(0, -1)) expect(chunk.usage, "usage on a non-final chunk").toBeNull();
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
  } else {
    for (const chunk of chunks) expect(Object.keys(chunk), "usage without include_usage").not.toContain("usage");
  }
}

export function expectChatStreamConforms(chunks: Record<string, unknown>[], includeUsage: boolean): void {
  for (const chunk of chunks) expectConforms("CreateChatCompletionStreamResponse", chunk);
  expectStreamRules(chunks, includeUsage);
}

/**
 * Text-completion chunks share CreateCompletionResponse ("both the streamed and non-streamed response objects
 * share the same shape"), but that schema predates streaming details OpenAI documents elsewhere: a chunk's
 * `finish_reason` is null until the last one, and with include_usage the other chunks carry `usage: null`
 * (ChatCompletionStreamOptions). Exactly those two nulls are tolerated; anything else must conform.
 */
export function expectCompletionStreamConforms(chunks: Record<string, unknown>[], includeUsage: boolean): void {
  for (const chunk of chunks) {
    const choices = (chunk.choices ?? []) as { finish_reason?: unknown }[];
    const tolerated = choices.flatMap((choice, i) =>
      choice.finish_reason === null ? [`CreateCompletionResponse/choices/${i}/finish_reason:`] : [],
    );
    if (includeUsage && chunk.usage === null) tolerated.push("CreateCompletionResponse/usage:");
    const errors = validateAgainst("CreateCompletionResponse", chunk).filter(
      (error) => !tolerated.some((prefix) => error.startsWith(prefix)),
    );
    expect(errors, JSON.stringify(chunk).slice(0, 600)).toEqual([]);
  }
  expectStreamRules(chunks, includeUsage);
}

/** Concatenated text of a chat or text-completion stream. */
export function streamedText(chunks: Record<string, unknown>[]): string {
  return chunks
    .flatMap((c) => (c.choices ?? []) as { delta?: { content?: string | null }; text?: string }[])
    .map((choice) => choice.delta?.content ?? choice.text ?? "")
    .join("");
}
