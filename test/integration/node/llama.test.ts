// The real onnxruntime-genai Llama export (fp16, contrib ops, external data, Llama-2 chat template) served over
// HTTP: it loads, batches, streams and applies its template; skipped when the shared material is unavailable.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModelDir } from "#backends/models/model-dir.ts";
import { ModelTokenizer } from "#backends/models/tokenizer.ts";
import type { RunningModelNode } from "#backends/node.ts";
import { health, llamaDir, llamaSkipReason, metricValue, post, readSse, startTestNode } from "./support.ts";

describe.skipIf(!llamaDir)(
  `tiny-random-llama-fp16 over HTTP${llamaDir ? "" : ` — skipped: ${llamaSkipReason}`}`,
  () => {
    let node: RunningModelNode;
    let tokenizer: ModelTokenizer;
    const model = "tiny-random-llama-fp16";

    beforeAll(async () => {
      tokenizer = new ModelTokenizer(await loadModelDir(llamaDir!));
      node = await startTestNode({ cpuThreads: 1, models: [{ path: llamaDir! }] });
    });
    afterAll(async () => {
      await node?.close();
    });

    it("loads the genai layout with bos/eos from the tokenizer files, not genai_config", async () => {
      expect(tokenizer.bosId).toBe(1);
      expect(tokenizer.eosIds).toEqual([2]);
      expect((await health(node)).models).toEqual([
        expect.objectContaining({ id: model, kind: "decoder", contextLength: 2048 }),
      ]);
    });

    it("renders the Llama-2 template (one BOS) and answers chat completions", async () => {
      const messages = [{ role: "user", content: "Hello there" }];
      const response = await post(node, "/v1/chat/completions", {
        model,
        messages,
        max_tokens: 4,
        temperature: 0,
        ignore_eos: true,
      });
      const body = (await response.json()) as {
        choices: { message: { content: string } }[];
        usage: { prompt_tokens: number; completion_tokens: number };
      };
      // "<s>[INST] Hello there [/INST]": BOS comes from the template, so tokenizing must not add a second one.
      const expected = tokenizer.encode("<s>[INST] Hello there [/INST]", false);
      expect(expected.filter((t) => t === 1)).toHaveLength(1);
      expect(body.usage).toMatchObject({ prompt_tokens: expected.length, completion_tokens: 4 });
      const streamed = await post(node, "/v1/chat/completions", {
        model,
        messages,
        max_tokens: 4,
        temperature: 0,
        ignore_eos: true,
        stream: true,
      });
      const payloads = await readSse(streamed);
      expect(payloads.at(-1)).toBe("[DONE]");
      const text = payloads
        .slice(0, -1)
        .map((p) => (JSON.parse(p) as { choices: { delta: { content?: string } }[] }).choices[0]!.delta.content ?? "")
        .join("");
      expect(text).toBe(body.choices[0]!.message.content);
    });

    it("turns template errors (roles must alternate) into a 400", async () => {
      const messages = [
        { role: "user", content: "a" },
        { role: "user", content: "b" },
      ];
      const response = await post(node, "/v1/chat/completions", { model, messages, max_tokens: 2 });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain("alternate");
    });

    it("batches concurrent Llama requests and keeps each one's greedy text", async () => {
      const ask = (prompt: string) =>
        post(node, "/v1/completions", { model, prompt, max_tokens: 6, temperature: 0, ignore_eos: true }).then(
          (r) => r.json() as Promise<{ choices: { text: string }[] }>,
        );
      const alone = await ask("The capital of France");
      const together = await Promise.all(["The capital of France", "A b c d e f g", "Why"].map(ask));
      expect(together[0]!.choices[0]!.text).toBe(alone.choices[0]!.text);
      expect(await metricValue(node, "switchyard_node_batch_size_count", { model, phase: "decode" })).toBeGreaterThan(
        0,
      );
    });
  },
);
