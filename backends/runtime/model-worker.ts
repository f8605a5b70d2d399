// Worker thread entry: owns one onnxruntime session (session.run blocks its thread, never the HTTP one) and,
// for decoders, the continuous batcher and KV cache, so caches never cross threads; only tokens come back.
import { parentPort, workerData } from "node:worker_threads";
import { ContinuousBatcher } from "#backends/batching/continuous-batcher.ts";
import { DecoderModel } from "#backends/models/decoder.ts";
import { EncoderModel } from "#backends/models/encoder.ts";
import { describeModel } from "./model-io.ts";
import type { FromWorker, ToWorker, WorkerInit } from "./protocol.ts";
import { createSession } from "./session.ts";

const port = parentPort!;
const init = workerData as WorkerInit;
const send = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

// Handled between onnxruntime runs (message events never interleave a synchronous session.run), so the thread
// dies the way an uncaught bug would kill it without tearing onnxruntime down mid-run.
port.on("message", (message: ToWorker) => {
  if (message.type === "crash") throw new Error(message.reason);
});

try {
  const { session, provider, fallbackReason } = await createSession(init.onnxPath, init.provider, init.intraOpThreads);
  const io = describeModel(session, init.kvHints);
  if (io.kind === "decoder") {
    const batcher = new ContinuousBatcher(new DecoderModel(session, io, init.padId), init.limits, (report) =>
      send({ type: "step", report }),
    );
    port.on("message", (message: ToWorker) => {
      if (message.type === "add") batcher.add(message.request);
      else if (message.type === "cancel") batcher.cancel(message.id);
    });
  } else {
    const encoder = new EncoderModel(session, io);
    port.on("message", async (message: ToWorker) => {
      if (message.type !== "encode") return;
      try {
        const started = performance.now();
        const { embeddings, dim } = await encoder.embed(message);
        send({ type: "encoded", id: message.id, embeddings, dim, ms: performance.now() - started }, [
          embeddings.buffer as ArrayBuffer,
        ]);
      } catch (error) {
        send({ type: "encode-error", id: message.id, message: (error as Error).message });
      }
    });
  }
  send({ type: "ready", io, provider, fallbackReason });
} catch (error) {
  send({ type: "init-error", message: (error as Error).message });
}
