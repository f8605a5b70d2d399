// The official openai SDK, unmodified but for baseURL and apiKey, works against the gateway.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "#gateway/server.ts";
import { type FakeNode, startFakeNode } from "#test/support/fake-node.ts";
import { startTestGateway, testKey } from "#test/support/gateway.ts";

let node: FakeNode;
let gateway: RunningGateway;
let client: OpenAI;

beforeAll(async () => {
  node = await startFakeNode("n1");
  gateway = await startTestGateway({ nodes: [{ id: "n1", url: node.url, models: ["m1", "embed-1"] }] });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: testKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
  await node.close();
});

describe("openai SDK", () => {
  it("creates a chat completion", async () => {
    const completion = await client.chat.completions.create({
      model: "m1",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(completion.choices[0]?.message.content).toBe("hello from n1");
  });

  it("streams a chat completion with usage", async () => {
    const stream = await client.chat.completions.create({
      model: "m1",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: number | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage.total_tokens;
    }
    expect(text).toBe("n1-0 n1-1 n1-2 ");
    expect(usage).toBe(6);
  });

  it("creates embeddings", async () => {
    const result = await client.embeddings.create({ model: "embed-1", input: ["a", "b"], encoding_format: "float" });
    expect(result.data.map((d) => d.index)).toEqual([0, 1]);
  });

  it("lists and retrieves models", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(["embed-1", "m1"]);
    expect((await client.models.retrieve("m1")).id).toBe("m1");
  });

  it("surfaces gateway errors as typed SDK errors", async () => {
    const failure = await client.chat.completions
      .create({ model: "nope", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OpenAI.NotFoundError);
    expect((failure as InstanceType<typeof OpenAI.NotFoundError>).code).toBe("model_not_found");
  });
});
