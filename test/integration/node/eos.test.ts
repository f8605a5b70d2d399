// EOS ends generation with finish_reason "stop" and is never emitted. The demo GPT has random weights, so the test
// makes EOS happen: it finds the greedy continuation in-process, then serves a copy of the model whose
// config names the third greedy token as EOS.
import { copyFile, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DecoderModel } from "#backends/models/decoder.ts";
import { loadModelDir } from "#backends/models/model-dir.ts";
import { argmax } from "#backends/models/sampling.ts";
import { ModelTokenizer } from "#backends/models/tokenizer.ts";
import type { RunningModelNode } from "#backends/node.ts";
import { describeModel } from "#backends/runtime/model-io.ts";
import { createSession } from "#backends/runtime/session.ts";
import { demoModel, post, readSse, startTestNode } from "./support.ts";

const prompt = [40, 41, 42, 43, 44];
let greedy: number[];
let tokenizer: ModelTokenizer;
let dir: string;
let node: RunningModelNode;

beforeAll(async () => {
  const source = demoModel("demo-gpt");
  const model = await loadModelDir(source);
  tokenizer = new ModelTokenizer(model);
  const { session } = await createSession(model.onnxPath, "cpu", 1);
  const io = describeModel(session, model.kvHints);
  if (io.kind !== "decoder") throw new Error("demo-gpt should be a decoder");
  const decoder = new DecoderModel(session, io, tokenizer.padId);
  let result = await decoder.prefill([prompt]);
  greedy = [];
  for (let i = 0; i < 3; i++) {
    greedy.push(argmax(result.logits, 0, result.vocab));
    result = await decoder.step(result.kv, [greedy.at(-1)!]);
  }
  const eos = greedy[2]!;
  // The test needs EOS to come third, not earlier.
  expect(greedy.slice(0, 2)).not.toContain(eos);
  dir = await mkdtemp(join(tmpdir(), "switchyard-eos-"));
  for (const file of ["tokenizer.json", "tokenizer_config.json"]) await copyFile(join(source, file), join(dir, file));
  await symlink(join(source, "onnx"), join(dir, "onnx"));
  const config = JSON.parse(await readFile(join(source, "config.json"), "utf8")) as Record<string, unknown>;
  await writeFile(join(dir, "config.json"), JSON.stringify({ ...config, eos_token_id: eos }));
  node = await startTestNode({ cpuThreads: 1, models: [{ path: dir, id: "eos-gpt" }] });
});

afterAll(async () => {
  await node?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("EOS", () => {
  it("stops at EOS with finish_reason stop, counting but not emitting the EOS token", async () => {
    const response = await post(node, "/v1/completions", { model: "eos-gpt", prompt, max_tokens: 10, temperature: 0 });
    const body = (await response.json()) as {
      choices: { text: string; finish_reason: string }[];
      usage: { completion_tokens: number };
    };
    expect(body.choices[0]).toEqual(
      expect.objectContaining({ finish_reason: "stop", text: tokenizer.decode(greedy.slice(0, 2)) }),
    );
    expect(body.usage.completion_tokens).toBe(3);
  });

  it("stops a stream at EOS too, and ignore_eos runs on to max_tokens", async () => {
    const stream = await post(node, "/v1/completions", {
      model: "eos-gpt",
      prompt,
      max_tokens: 10,
      temperature: 0,
      stream: true,
    });
    const chunks = (await readSse(stream))
      .slice(0, -1)
      .map((p) => JSON.parse(p) as { choices: { text: string; finish_reason: string | null }[] });
    expect(chunks.map((c) => c.choices[0]!.text).join("")).toBe(tokenizer.decode(greedy.slice(0, 2)));
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
    const ignoring = await post(node, "/v1/completions", {
      model: "eos-gpt",
      prompt,
      max_tokens: 10,
      temperature: 0,
      ignore_eos: true,
    });
    const body = (await ignoring.json()) as {
      choices: { finish_reason: string }[];
      usage: { completion_tokens: number };
    };
    expect(body.choices[0]!.finish_reason).toBe("length");
    expect(body.usage.completion_tokens).toBe(10);
  });
});
