// `npm run bench:node`: the model node's batching, measured in one bounded run (about a minute).
//  1. Embeddings at concurrency 64 through HTTP vs a raw onnxruntime loop at its best batch size (target ≥ 0.9×)
//     and vs the same node with batching disabled (target ≥ 3×).
//  2. Aggregate decode tokens/s with 16 concurrent streams vs 1 stream (target ≥ 6×).
//  3. fp32 vs int8 demo models (bench/quantization.ts).
// The node runs in a child process (its own event loop, as in production); load generator and raw loops run here.
// `--only embeddings|decode|quantization` runs one part. Both sides use the same intra-op thread count (--threads,
// default 1). Raw onnxruntime ceilings are printed next to each ratio: a node cannot batch better than the session it
// drives. Figures are best of interleaved rounds.
import { fork } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as ort from "onnxruntime-node";
import pino from "pino";
import { Pool } from "undici";
import { paddingGroups } from "#backends/batching/padding-groups.ts";
import { DEFAULT_MODELS_DIR, ensureDemoModels } from "#backends/demo-models/generate-all.ts";
import { loadModelDir } from "#backends/models/model-dir.ts";
import { ModelTokenizer } from "#backends/models/tokenizer.ts";
import { type ModelNodeConfigInput, startModelNode } from "#backends/node.ts";
import { describeModel } from "#backends/runtime/model-io.ts";
import { parseSse } from "#gateway/openai/sse.ts";
import { runQuantizationBench } from "./quantization.ts";

const embedDir = join(DEFAULT_MODELS_DIR, "demo-embed");
const gptDir = join(DEFAULT_MODELS_DIR, "demo-gpt");
const seconds = { raw: 0.8, embed: 3, decode: 1.5 };
/** Other processes share this machine's cores: every figure is the best of a few interleaved rounds. */
const rounds = 3;
/** Completions of 32–96 tokens (mean 64): varied lengths keep concurrent streams from finishing in lockstep. */
const completionTokens = (i: number) => 32 + ((i * 37) % 65);
const meanContext = 4 + 32;

if (process.argv.includes("--child")) await runChild();
else await main();

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { threads: { type: "string", default: "1" }, only: { type: "string" } },
  });
  const threads = Number(values.threads);
  const only = values.only;
  if (only !== undefined && !["embeddings", "decode", "quantization"].includes(only))
    throw new Error(`--only takes embeddings, decode or quantization (got ${only})`);
  await ensureDemoModels({ modelsDir: DEFAULT_MODELS_DIR });
  const load = loadavg()[0]!.toFixed(2);
  console.log(
    `model node bench: onnxruntime-node ${ort.env.versions.node}, ${availableParallelism()} cores (load ${load}), ${threads} intra-op thread(s) per session`,
  );
  if (!only || only === "embeddings") await embeddingsBench(threads);
  if (!only || only === "decode") await decodeBench(threads);
  if (!only || only === "quantization") {
    console.log("");
    await runQuantizationBench();
  }
}

async function embeddingsBench(threads: number): Promise<void> {
  const texts = sentences(512);

  const raw = await rawEncoder(texts, threads);
  const batched = await withNode({ cpuThreads: threads, models: [{ path: embedDir }] }, (url) =>
    embeddingLoad(url, texts, 64),
  );
  const unbatched = await withNode(
    { cpuThreads: threads, models: [{ path: embedDir }], encoderBatching: { enabled: false } },
    (url) => embeddingLoad(url, texts, 64),
  );
  const rawOne = raw.rates[0]![1];
  console.log(
    "\nembeddings: demo-embed, one sentence (8–22 tokens) per request, 64 concurrent clients; raw batches are split by length as the node splits them",
  );
  for (const [size, rate] of raw.rates)
    console.log(
      `  raw onnxruntime loop, batches of ${String(size).padStart(2)}: ${rate.toFixed(0).padStart(6)} inputs/s`,
    );
  console.log(
    `  node, dynamic batching:          ${batched.toFixed(0).padStart(6)} inputs/s = ${(batched / raw.best).toFixed(2)}× the raw best (batches of ${raw.bestSize}; target ≥ 0.9×)`,
  );
  console.log(
    `  node, batching disabled:         ${unbatched.toFixed(0).padStart(6)} inputs/s → batching gives ${(batched / unbatched).toFixed(2)}× (target ≥ 3×;`,
  );
  console.log(
    `                                   raw ceiling on this machine: best batches / batches of 1 = ${(raw.best / rawOne).toFixed(2)}×)`,
  );
}

async function decodeBench(threads: number): Promise<void> {
  const ceiling = await rawDecodeCeiling(threads);
  const decode = await withNode({ cpuThreads: threads, models: [{ path: gptDir }] }, async (url) => {
    const best = { one: 0, sixteen: 0 };
    for (let round = 0; round < rounds; round++) {
      best.one = Math.max(best.one, await decodeLoad(url, 1));
      best.sixteen = Math.max(best.sixteen, await decodeLoad(url, 16));
    }
    return best;
  });
  console.log("\ndecode: demo-gpt, streaming completions of 32–96 tokens (ignore_eos, greedy)");
  console.log(`  1 stream:   ${decode.one.toFixed(0).padStart(6)} tokens/s`);
  console.log(
    `  16 streams: ${decode.sixteen.toFixed(0).padStart(6)} tokens/s aggregate = ${(decode.sixteen / decode.one).toFixed(2)}× (target ≥ 6×)`,
  );
  console.log(
    `  raw onnxruntime decode steps at context ${meanContext}: batch 1 ${ceiling.one.toFixed(0)} tokens/s, batch 16 ${ceiling.sixteen.toFixed(0)} tokens/s = ${(ceiling.sixteen / ceiling.one).toFixed(2)}× ceiling`,
  );
}

/** Pre-tokenized inputs, each batch split into similar-length groups exactly as the node splits it; inputs/s per batch size. */
async function rawEncoder(
  texts: string[],
  threads: number,
): Promise<{ rates: [number, number][]; best: number; bestSize: number }> {
  const model = await loadModelDir(embedDir);
  const tokenizer = new ModelTokenizer(model);
  const ids = texts.map((t) => tokenizer.encode(t, true));
  const session = await ort.InferenceSession.create(model.onnxPath, {
    graphOptimizationLevel: "all",
    intraOpNumThreads: threads,
  });
  const sizes = [1, 8, 16, 32, 64];
  const best = new Map<number, number>();
  let next = 0;
  const runGroup = async (rows: number[][]) => {
    const cols = Math.max(...rows.map((b) => b.length));
    const input = new BigInt64Array(rows.length * cols);
    const mask = new BigInt64Array(rows.length * cols);
    for (const [r, row] of rows.entries()) {
      for (const [c, id] of row.entries()) {
        input[r * cols + c] = BigInt(id);
        mask[r * cols + c] = 1n;
      }
    }
    const dims = [rows.length, cols];
    const zeros = new BigInt64Array(rows.length * cols);
    await session.run({
      input_ids: new ort.Tensor("int64", input, dims),
      attention_mask: new ort.Tensor("int64", mask, dims),
      token_type_ids: new ort.Tensor("int64", zeros, dims),
    });
  };
  for (let round = 0; round < rounds; round++) {
    for (const size of sizes) {
      const run = async () => {
        const batch = Array.from({ length: size }, () => ids[next++ % ids.length]!);
        for (const group of paddingGroups(batch.map((b) => b.length))) await runGroup(group.map((i) => batch[i]!));
      };
      best.set(size, Math.max(best.get(size) ?? 0, size * (await timedLoop(seconds.raw, run))));
    }
  }
  await session.release();
  const rates = sizes.map((size): [number, number] => [size, best.get(size)!]);
  const [bestSize, bestRate] = rates.reduce((a, b) => (b[1] > a[1] ? b : a));
  return { rates, best: bestRate, bestSize };
}

/** Plain session.run decode steps over a zero KV cache: tokens/s for batch 1 and 16, the most batching can give. */
async function rawDecodeCeiling(threads: number): Promise<{ one: number; sixteen: number }> {
  const model = await loadModelDir(gptDir);
  const session = await ort.InferenceSession.create(model.onnxPath, {
    graphOptimizationLevel: "all",
    intraOpNumThreads: threads,
  });
  const io = describeModel(session, model.kvHints);
  if (io.kind !== "decoder") throw new Error("demo-gpt should be a decoder");
  const rate = async (rows: number) => {
    const L = meanContext;
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor("int64", new BigInt64Array(rows).fill(5n), [rows, 1]),
      attention_mask: new ort.Tensor("int64", new BigInt64Array(rows * (L + 1)).fill(1n), [rows, L + 1]),
      position_ids: new ort.Tensor("int64", new BigInt64Array(rows).fill(BigInt(L)), [rows, 1]),
    };
    for (const names of io.past) {
      for (const name of [names.key, names.value])
        feeds[name] = new ort.Tensor("float32", new Float32Array(rows * io.kvHeads * L * io.headDim), [
          rows,
          io.kvHeads,
          L,
          io.headDim,
        ]);
    }
    return rows * (await timedLoop(seconds.raw, () => session.run(feeds)));
  };
  const result = { one: 0, sixteen: 0 };
  for (let round = 0; round < rounds; round++) {
    result.one = Math.max(result.one, await rate(1));
    result.sixteen = Math.max(result.sixteen, await rate(16));
  }
  await session.release();
  return result;
}

/** Runs `step` back to back for `durationS` after one warm-up call; returns calls per second. */
async function timedLoop(durationS: number, step: () => Promise<unknown>): Promise<number> {
  await step();
  let calls = 0;
  const started = performance.now();
  while (performance.now() - started < durationS * 1000) {
    await step();
    calls++;
  }
  return calls / ((performance.now() - started) / 1000);
}

async function embeddingLoad(url: string, texts: string[], concurrency: number): Promise<number> {
  const pool = new Pool(url, { connections: concurrency });
  let next = 0;
  const request = async () => {
    const body = JSON.stringify({ model: "demo-embed", input: texts[next++ % texts.length] });
    const res = await pool.request({
      method: "POST",
      path: "/v1/embeddings",
      headers: { "content-type": "application/json" },
      body,
    });
    await res.body.text();
    if (res.statusCode !== 200) throw new Error(`embeddings answered ${res.statusCode}`);
  };
  await Promise.all(Array.from({ length: concurrency }, request));
  let best = 0;
  for (let round = 0; round < rounds; round++)
    best = Math.max(best, (await closedLoop(concurrency, seconds.embed, request)) / seconds.embed);
  await pool.close();
  return best;
}

/** Aggregate generated tokens/s over `streams` concurrent streaming requests (counted from the usage chunks). */
async function decodeLoad(url: string, streams: number): Promise<number> {
  const pool = new Pool(url, { connections: streams });
  let tokens = 0;
  let sent = 0;
  const request = async () => {
    const max_tokens = completionTokens(sent++);
    const body = JSON.stringify({
      model: "demo-gpt",
      prompt: "Once upon a time",
      max_tokens,
      ignore_eos: true,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    const res = await pool.request({
      method: "POST",
      path: "/v1/completions",
      headers: { "content-type": "application/json" },
      body,
    });
    for await (const data of parseSse(res.body)) {
      // Only the usage chunk is parsed, so the load generator stays cheap next to the node it measures.
      if (data.includes('"usage":{'))
        tokens += (JSON.parse(data) as { usage: { completion_tokens: number } }).usage.completion_tokens;
    }
  };
  await Promise.all(Array.from({ length: streams }, request));
  tokens = 0;
  const started = performance.now();
  await closedLoop(streams, seconds.decode, request);
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  return tokens / elapsed;
}

/** `workers` loops issue requests back to back until time is up; returns how many completed within it. */
async function closedLoop(workers: number, durationS: number, request: () => Promise<void>): Promise<number> {
  const end = performance.now() + durationS * 1000;
  let completed = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < end) {
        await request();
        if (performance.now() <= end) completed++;
      }
    }),
  );
  return completed;
}

async function withNode<T>(config: Omit<ModelNodeConfigInput, "listen">, use: (url: string) => Promise<T>): Promise<T> {
  const child = fork(import.meta.filename, ["--child", JSON.stringify(config)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.once("message", (m) => resolve((m as { url: string }).url));
      child.once("exit", (code) => reject(new Error(`model node child exited with ${code}`)));
    });
    return await use(url);
  } finally {
    child.kill("SIGKILL");
  }
}

async function runChild(): Promise<void> {
  const config = JSON.parse(process.argv.at(-1)!) as ModelNodeConfigInput;
  const node = await startModelNode({ ...config, listen: { host: "127.0.0.1", port: 0 } }, pino({ level: "warn" }));
  process.send?.({ url: node.url });
}

/** Deterministic English-ish sentences of 6–20 words. */
function sentences(count: number): string[] {
  const words =
    "the quick brown fox jumps over lazy dog model node batches requests from many clients into one tensor while streams wait".split(
      " ",
    );
  let state = 12345;
  const rand = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  return Array.from({ length: count }, () =>
    Array.from({ length: 6 + Math.floor(rand() * 15) }, () => words[Math.floor(rand() * words.length)]).join(" "),
  );
}
