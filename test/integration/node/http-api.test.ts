// The model node's OpenAI surface over real HTTP and real onnxruntime workers (demo GPT + demo embedder):
// response shapes, streaming with usage, seeds, stop strings split across tokens, embeddings in both encodings.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModelDir } from "#backends/models/model-dir.ts";
import { ModelTokenizer } from "#backends/models/tokenizer.ts";
import type { RunningModelNode } from "#backends/node.ts";
import { demoModel, health, post, readSse, startTestNode } from "./support.ts";

let node: RunningModelNode;

beforeAll(async () => {
  node = await startTestNode({
    tier: "cpu",
    cpuThreads: 1,
    models: [{ path: demoModel("demo-gpt") }, { path: demoModel("demo-embed") }],
  });
});
afterAll(async () => {
  await node?.close();
});

type ChatResponse = {
  object: string;
  model: string;
  choices: { index: number; message: { role: string; content: string }; finish_reason: string }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
};
type Chunk = {
  object: string;
  choices: { delta?: { role?: string; content?: string }; finish_reason: string | null; text?: string }[];
  usage?: ChatResponse["usage"] | null;
};

const messages = [{ role: "user", content: "Tell me a story about a fox." }];

async function chat(body: Record<string, unknown>): Promise<ChatResponse> {
  const response = await post(node, "/v1/chat/completions", { model: "demo-gpt", messages, ...body });
  expect(response.status).toBe(200);
  return (await response.json()) as ChatResponse;
}

async function streamChat(body: Record<string, unknown>): Promise<{ chunks: Chunk[]; payloads: string[] }> {
  const response = await post(node, "/v1/chat/completions", { model: "demo-gpt", messages, stream: true, ...body });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/event-stream");
  const payloads = await readSse(response);
  return { payloads, chunks: payloads.filter((p) => p !== "[DONE]").map((p) => JSON.parse(p) as Chunk) };
}

const streamedText = (chunks: Chunk[]) =>
  chunks.map((c) => c.choices[0]?.delta?.content ?? c.choices[0]?.text ?? "").join("");

describe("model node HTTP API", () => {
  it("lists its models and reports health with load and the execution provider in use", async () => {
    const models = (await (await fetch(`${node.url}/v1/models`)).json()) as {
      object: string;
      data: { id: string; object: string }[];
    };
    expect(models.object).toBe("list");
    expect(models.data.map((m) => m.id).sort()).toEqual(["demo-embed", "demo-gpt"]);
    const one = await fetch(`${node.url}/v1/models/demo-gpt`);
    expect(((await one.json()) as { id: string }).id).toBe("demo-gpt");
    const missing = await fetch(`${node.url}/v1/models/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("model_not_found");
    const report = await health(node);
    expect(report).toMatchObject({
      status: "ok",
      tier: "cpu",
      executionProvider: "cpu",
      requestedExecutionProvider: "cpu",
      queueDepth: 0,
      runningSequences: 0,
    });
    expect(report.models).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: "demo-gpt", kind: "decoder" }),
        expect.objectContaining({ id: "demo-embed", kind: "encoder" }),
      ]),
    );
  });

  it("answers a chat completion with OpenAI's shape, real token counts and load headers", async () => {
    const response = await post(node, "/v1/chat/completions", {
      model: "demo-gpt",
      messages,
      max_tokens: 8,
      ignore_eos: true,
      temperature: 0,
    });
    expect(response.headers.get("x-queue-depth")).toBe("0");
    expect(response.headers.get("x-running-sequences")).toMatch(/^\d+$/);
    const body = (await response.json()) as ChatResponse;
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0]).toMatchObject({ index: 0, message: { role: "assistant" }, finish_reason: "length" });
    // ChatML: "<|im_start|>user\n...<|im_end|>\n<|im_start|>assistant\n" is more than the words themselves.
    expect(body.usage.prompt_tokens).toBeGreaterThan(10);
    expect(body.usage).toMatchObject({ completion_tokens: 8, total_tokens: body.usage.prompt_tokens + 8 });
  });

  it("streams chunks ending in [DONE], with a usage chunk carrying the same counts as the JSON answer", async () => {
    const sampling = { max_tokens: 6, ignore_eos: true, temperature: 0.8, seed: 7 };
    const json = await chat(sampling);
    const { chunks, payloads } = await streamChat({ ...sampling, stream_options: { include_usage: true } });
    expect(payloads.at(-1)).toBe("[DONE]");
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "" });
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toEqual(json.usage);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe("length");
    expect(streamedText(chunks)).toBe(json.choices[0]!.message.content);
  });

  it("serves text completions as JSON and as a stream, from a string or token ids", async () => {
    const sampling = { max_tokens: 5, ignore_eos: true, temperature: 0 };
    const json = (await (
      await post(node, "/v1/completions", { model: "demo-gpt", prompt: "Once upon a time", ...sampling })
    ).json()) as {
      object: string;
      choices: { text: string; finish_reason: string }[];
      usage: ChatResponse["usage"];
    };
    expect(json.object).toBe("text_completion");
    expect(json.choices[0]!.finish_reason).toBe("length");
    expect(json.usage.completion_tokens).toBe(5);
    const stream = await post(node, "/v1/completions", {
      model: "demo-gpt",
      prompt: "Once upon a time",
      stream: true,
      ...sampling,
    });
    const payloads = await readSse(stream);
    expect(payloads.at(-1)).toBe("[DONE]");
    const chunks = payloads.slice(0, -1).map((p) => JSON.parse(p) as Chunk);
    expect(chunks.every((c) => c.object === "text_completion")).toBe(true);
    expect(streamedText(chunks)).toBe(json.choices[0]!.text);
    const fromIds = await post(node, "/v1/completions", { model: "demo-gpt", prompt: [10, 20, 30, 40], ...sampling });
    expect(fromIds.status).toBe(200);
    expect(((await fromIds.json()) as { usage: ChatResponse["usage"] }).usage.prompt_tokens).toBe(4);
  });

  it("starts an empty text prompt from the model's BOS token, as OpenAI starts one from <|endoftext|>", async () => {
    const response = await post(node, "/v1/completions", {
      model: "demo-gpt",
      prompt: "",
      max_tokens: 3,
      ignore_eos: true,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { usage: ChatResponse["usage"] };
    expect(body.usage).toMatchObject({ prompt_tokens: 1, completion_tokens: 3 });
  });

  it("applies logit_bias and refuses token ids outside the vocabulary", async () => {
    const tokenizer = new ModelTokenizer(await loadModelDir(demoModel("demo-gpt")));
    const [token] = tokenizer.encode(" fox", false);
    const biased = await post(node, "/v1/completions", {
      model: "demo-gpt",
      prompt: "Once upon a time",
      max_tokens: 4,
      ignore_eos: true,
      temperature: 0.8,
      logit_bias: { [String(token)]: 100 },
    });
    expect(biased.status).toBe(200);
    // +100 outweighs anything this model's logits hold: every sampled token is the biased one.
    const piece = tokenizer.decode([token!]);
    expect(((await biased.json()) as { choices: { text: string }[] }).choices[0]!.text).toBe(piece.repeat(4));
    const outside = await post(node, "/v1/completions", {
      model: "demo-gpt",
      prompt: "x",
      logit_bias: { [String(tokenizer.vocabSize)]: 5 },
    });
    expect(outside.status).toBe(400);
    expect(((await outside.json()) as { error: { param: string } }).error.param).toBe("logit_bias");
  });

  it("reports each token's logprob and its top alternatives, in JSON and in the stream alike", async () => {
    type Entry = { token: string; logprob: number; bytes: number[]; top_logprobs: Omit<Entry, "top_logprobs">[] };
    const body = { temperature: 0, max_tokens: 5, ignore_eos: true, logprobs: true, top_logprobs: 3 };
    const json = (await (
      await post(node, "/v1/chat/completions", { model: "demo-gpt", messages, ...body })
    ).json()) as { choices: { message: { content: string }; logprobs: { content: Entry[] } }[] };
    const entries = json.choices[0]!.logprobs.content;
    expect(entries).toHaveLength(5);
    for (const entry of entries) {
      expect(entry.logprob).toBeLessThanOrEqual(0);
      expect(entry.bytes).toEqual([...Buffer.from(entry.token)]);
      expect(entry.top_logprobs).toHaveLength(3);
      const tops = entry.top_logprobs.map((t) => t.logprob);
      expect(tops).toEqual([...tops].sort((a, b) => b - a));
      // Greedy decoding picks the model's most likely token, so it heads its own alternatives.
      expect(entry.top_logprobs[0]!.logprob).toBe(entry.logprob);
    }
    const { chunks } = await streamChat(body);
    const streamed = chunks.flatMap(
      (c) => (c.choices[0] as { logprobs?: { content: Entry[] } | null })?.logprobs?.content ?? [],
    );
    expect(streamed).toEqual(entries);
    const refused = await post(node, "/v1/chat/completions", { model: "demo-gpt", messages, top_logprobs: 2 });
    expect(refused.status).toBe(400);
  });

  it("reports text completions' logprobs in the legacy shape, offsets running across stream chunks", async () => {
    type Legacy = {
      tokens: string[];
      token_logprobs: number[];
      top_logprobs: Record<string, number>[];
      text_offset: number[];
    };
    const body = {
      model: "demo-gpt",
      prompt: "Once upon a time",
      temperature: 0,
      max_tokens: 5,
      ignore_eos: true,
      logprobs: 2,
    };
    const json = (await (await post(node, "/v1/completions", body)).json()) as {
      choices: { text: string; logprobs: Legacy }[];
    };
    const { logprobs } = json.choices[0]!;
    expect(logprobs.tokens).toHaveLength(5);
    expect(logprobs.token_logprobs.every((lp) => lp <= 0)).toBe(true);
    expect(logprobs.text_offset).toEqual(logprobs.tokens.map((_, i) => logprobs.tokens.slice(0, i).join("").length));
    for (const top of logprobs.top_logprobs) expect(Object.keys(top).length).toBeGreaterThan(0);
    const payloads = await readSse(await post(node, "/v1/completions", { ...body, stream: true }));
    const parts = payloads
      .filter((p) => p !== "[DONE]")
      .map((p) => (JSON.parse(p) as { choices: { logprobs: Legacy | null }[] }).choices[0]?.logprobs)
      .filter((l): l is Legacy => !!l);
    expect(parts.flatMap((l) => l.text_offset)).toEqual(logprobs.text_offset);
    expect(parts.flatMap((l) => l.token_logprobs)).toEqual(logprobs.token_logprobs);
  });

  it("gives the same text for the same seed, even when batched with other requests", async () => {
    const sampling = { max_tokens: 16, ignore_eos: true, temperature: 1, seed: 1234 };
    const alone = (await chat(sampling)).choices[0]!.message.content;
    const crowd = await Promise.all([
      chat(sampling),
      ...[1, 2, 3, 4, 5].map((seed) =>
        chat({ ...sampling, seed, messages: [{ role: "user", content: `Other prompt number ${seed}` }] }),
      ),
    ]);
    expect(crowd[0]!.choices[0]!.message.content).toBe(alone);
    const other = (await chat({ ...sampling, seed: 99 })).choices[0]!.message.content;
    expect(other).not.toBe(alone);
  });

  it("stops at a stop string, even one split across tokens, without emitting it", async () => {
    const greedy = { max_tokens: 24, ignore_eos: true, temperature: 0 };
    const { chunks } = await streamChat(greedy);
    const pieces = chunks.map((c) => c.choices[0]?.delta?.content ?? "").filter((p) => p.length > 0);
    const full = pieces.join("");
    // The last character of one piece plus the first of the next: a stop string no single token contains.
    const at = Math.min(2, pieces.length - 2);
    const stop = pieces[at]!.slice(-1) + pieces[at + 1]!.slice(0, 1);
    const expected = full.slice(0, full.indexOf(stop));
    const json = await chat({ ...greedy, stop: [stop, "never-appears"] });
    expect(json.choices[0]!.message.content).toBe(expected);
    expect(json.choices[0]!.finish_reason).toBe("stop");
    const streamed = await streamChat({ ...greedy, stop });
    expect(streamedText(streamed.chunks)).toBe(expected);
    expect(streamed.chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
  });

  it("returns unit-length embeddings, identical as float arrays and as base64", async () => {
    const input = ["The quick brown fox", "jumps over the lazy dog", "The quick brown fox"];
    const asFloat = (await (await post(node, "/v1/embeddings", { model: "demo-embed", input })).json()) as {
      object: string;
      data: { object: string; index: number; embedding: number[] }[];
      usage: { prompt_tokens: number; total_tokens: number };
    };
    const asBase64 = (await (
      await post(node, "/v1/embeddings", { model: "demo-embed", input, encoding_format: "base64" })
    ).json()) as {
      data: { index: number; embedding: string }[];
    };
    expect(asFloat.object).toBe("list");
    expect(asFloat.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(asFloat.usage.prompt_tokens).toBeGreaterThan(6);
    for (const [i, item] of asFloat.data.entries()) {
      expect(item.embedding).toHaveLength(384);
      expect(Math.hypot(...item.embedding)).toBeCloseTo(1, 5);
      const bytes = Buffer.from(asBase64.data[i]!.embedding, "base64");
      const decoded = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      expect(Array.from(decoded)).toEqual(item.embedding);
    }
    expect(asFloat.data[0]!.embedding).toEqual(asFloat.data[2]!.embedding);
    expect(asFloat.data[0]!.embedding).not.toEqual(asFloat.data[1]!.embedding);
  });

  it("embeds a single string and token id inputs", async () => {
    const single = (await (await post(node, "/v1/embeddings", { model: "demo-embed", input: "hello" })).json()) as {
      data: unknown[];
    };
    expect(single.data).toHaveLength(1);
    const ids = await post(node, "/v1/embeddings", {
      model: "demo-embed",
      // Small ids, valid in the real MiniLM vocabulary and in the generated fallback one (bare clones).
      input: [
        [2, 43, 3],
        [2, 3],
      ],
    });
    expect(ids.status).toBe(200);
    expect(((await ids.json()) as { usage: { prompt_tokens: number } }).usage.prompt_tokens).toBe(5);
  });
});
