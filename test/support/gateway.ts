// Starts a real gateway on 127.0.0.1:0 from a config object, silent unless SWITCHYARD_TEST_LOGS is set.
import pino, { type Logger } from "pino";
import { parseConfig } from "#config/load.ts";
import type { ConfigInput } from "#config/schema.ts";
import { type RunningGateway, startGateway } from "#gateway/server.ts";

export const testKey = "sk-test-0123456789";

export async function startTestGateway(input: ConfigInput, opts: { logger?: Logger } = {}): Promise<RunningGateway> {
  const config = parseConfig(
    {
      auth: { keys: [{ key: testKey, tenant: "team-a", name: "test" }] },
      ...input,
      server: { ...input.server, listen: { host: "127.0.0.1", port: 0 } },
    },
    "test",
    {},
  );
  const logger = opts.logger ?? pino({ level: process.env.SWITCHYARD_TEST_LOGS ? "debug" : "silent" });
  return startGateway(config, { logger });
}

export function authHeaders(key = testKey): Record<string, string> {
  return { authorization: `Bearer ${key}`, "content-type": "application/json" };
}

/** Reads an SSE response into its data payloads. */
export async function readSse(response: Response): Promise<string[]> {
  const { parseSse } = await import("#gateway/openai/sse.ts");
  const out: string[] = [];
  if (!response.body) return out;
  for await (const data of parseSse(response.body as AsyncIterable<Uint8Array>)) out.push(data);
  return out;
}
