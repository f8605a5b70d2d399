// fp32 vs int8 demo models: file size and onnxruntime-node latency, measured side by side in one run.
import { stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import {
  decoderFeeds,
  emptyPast,
  encoderFeeds,
  type Feeds,
  leftPad,
  pastFromPresent,
} from "#backends/demo-models/feeds.ts";
import { DEFAULT_MODELS_DIR, ensureDemoModels } from "#backends/demo-models/generate-all.ts";
import { DEMO_DECODER } from "#backends/demo-models/specs.ts";

const PROMPT_TOKENS = 64;
const ENCODER_BATCH = 8;
const ENCODER_TOKENS = 32;

type Variant = { fp32: string; int8: string };
type Workload = { name: string; model: "decoder" | "encoder"; iterations: number; feeds: () => Promise<Feeds> | Feeds };
export type LatencyRow = { name: string; fp32Ms: number; int8Ms: number };
export type SizeRow = { name: string; fp32Bytes: number; int8Bytes: number };
export type QuantizationBenchResult = { sizes: SizeRow[]; latencies: LatencyRow[] };

export async function runQuantizationBench(
  options: { modelsDir?: string; log?: (line: string) => void } = {},
): Promise<QuantizationBenchResult> {
  const log = options.log ?? console.log;
  const { dirs } = await ensureDemoModels({ modelsDir: options.modelsDir ?? DEFAULT_MODELS_DIR });
  const files: Record<"decoder" | "encoder", Variant> = {
    decoder: {
      fp32: join(dirs["demo-gpt"], "onnx/model.onnx"),
      int8: join(dirs["demo-gpt-int8"], "onnx/model_quantized.onnx"),
    },
    encoder: {
      fp32: join(dirs["demo-embed"], "onnx/model.onnx"),
      int8: join(dirs["demo-embed-int8"], "onnx/model_quantized.onnx"),
    },
  };

  const sizes: SizeRow[] = [];
  for (const [name, variant] of [
    ["demo-gpt", files.decoder],
    ["demo-embed", files.encoder],
  ] as const) {
    sizes.push({ name, fp32Bytes: (await stat(variant.fp32)).size, int8Bytes: (await stat(variant.int8)).size });
  }

  const sessions = {
    decoder: await openBoth(files.decoder),
    encoder: await openBoth(files.encoder),
  };
  const prompt = Array.from({ length: PROMPT_TOKENS }, (_, i) => (i * 37) % 700);
  const prefillFeeds = () => decoderFeeds(leftPad([prompt], 0), emptyPast(DEMO_DECODER, 1));
  const workloads: Workload[] = [
    { name: `decoder prefill 1×${PROMPT_TOKENS}`, model: "decoder", iterations: 50, feeds: prefillFeeds },
    {
      name: `decoder step 1×1, past ${PROMPT_TOKENS}`,
      model: "decoder",
      iterations: 200,
      feeds: async () => {
        const past = pastFromPresent(await sessions.decoder.fp32.run(prefillFeeds()), DEMO_DECODER.numLayers);
        const step = {
          inputIds: [[5]],
          attentionMask: [Array(PROMPT_TOKENS + 1).fill(1)],
          positionIds: [[PROMPT_TOKENS]],
        };
        return decoderFeeds(step, past);
      },
    },
    {
      name: `encoder batch ${ENCODER_BATCH}×${ENCODER_TOKENS}`,
      model: "encoder",
      iterations: 20,
      feeds: () =>
        encoderFeeds(
          Array.from({ length: ENCODER_BATCH }, (_, row) =>
            Array.from({ length: ENCODER_TOKENS - row }, (_, i) => 5 + ((row * 131 + i * 17) % 250)),
          ),
          0,
        ),
    },
  ];
  const latencies: LatencyRow[] = [];
  for (const workload of workloads) {
    const feeds = await workload.feeds();
    const pair = sessions[workload.model];
    latencies.push({
      name: workload.name,
      fp32Ms: await medianRunMs(pair.fp32, feeds, workload.iterations),
      int8Ms: await medianRunMs(pair.int8, feeds, workload.iterations),
    });
  }
  for (const pair of Object.values(sessions)) await Promise.all([pair.fp32.release(), pair.int8.release()]);

  report(log, sizes, latencies);
  return { sizes, latencies };
}

async function openBoth(variant: Variant) {
  const [fp32, int8] = await Promise.all([
    ort.InferenceSession.create(variant.fp32),
    ort.InferenceSession.create(variant.int8),
  ]);
  return { fp32, int8 };
}

async function medianRunMs(session: ort.InferenceSession, feeds: Feeds, iterations: number): Promise<number> {
  for (let i = 0; i < 3; i++) await session.run(feeds);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await session.run(feeds);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

function report(log: (line: string) => void, sizes: SizeRow[], latencies: LatencyRow[]): void {
  const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(2)} MiB`;
  const ms = (value: number) => `${value.toFixed(3)} ms`;
  const cell = (text: string, width: number) => text.padEnd(width);
  log(`quantization bench: onnxruntime-node ${ort.env.versions.node}, CPU, ${availableParallelism()} cores, medians`);
  log(`${cell("model", 30)}${cell("fp32", 14)}${cell("int8", 14)}fp32/int8 size`);
  for (const row of sizes) {
    const ratio = (row.fp32Bytes / row.int8Bytes).toFixed(2);
    log(`${cell(row.name, 30)}${cell(mib(row.fp32Bytes), 14)}${cell(mib(row.int8Bytes), 14)}${ratio}x`);
  }
  log(`${cell("latency", 30)}${cell("fp32", 14)}${cell("int8", 14)}int8 speed-up`);
  for (const row of latencies) {
    const speedup = (row.fp32Ms / row.int8Ms).toFixed(2);
    log(`${cell(row.name, 30)}${cell(ms(row.fp32Ms), 14)}${cell(ms(row.int8Ms), 14)}${speedup}x`);
  }
}

if (import.meta.main) await runQuantizationBench();
