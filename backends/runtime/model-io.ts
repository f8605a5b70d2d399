// Works out from an ONNX session's inputs and outputs what kind of model it is (a KV-cache decoder or an
// encoder) and how to feed it: past/present names per layer, KV heads, head size and dtype, optional inputs.
import type { InferenceSession } from "onnxruntime-node";

export type FloatDtype = "float32" | "float16";

export type DecoderIo = {
  kind: "decoder";
  numLayers: number;
  kvHeads: number;
  headDim: number;
  kvDtype: FloatDtype;
  logitsDtype: FloatDtype;
  past: { key: string; value: string }[];
  present: { key: string; value: string }[];
  hasPositionIds: boolean;
  /** Optimum's merged decoders switch between the no-past and with-past subgraphs with this bool input. */
  hasUseCacheBranch: boolean;
};

export type EncoderIo = {
  kind: "encoder";
  hasTokenTypeIds: boolean;
  output: string;
  outputDtype: FloatDtype;
};

export type ModelIo = DecoderIo | EncoderIo;
export type IoHints = { kvHeads?: number; headDim?: number };

export class UnsupportedModelError extends Error {}

type Meta = InferenceSession.ValueMetadata;
type Session = Pick<InferenceSession, "inputMetadata" | "outputMetadata">;

export function describeModel(session: Session, hints: IoHints): ModelIo {
  const inputs = new Map(session.inputMetadata.map((m) => [m.name, m]));
  const outputs = new Map(session.outputMetadata.map((m) => [m.name, m]));
  if (!inputs.has("input_ids")) throw new UnsupportedModelError("the model has no input_ids input");
  if (outputs.has("logits")) return decoderIo(inputs, outputs, hints);
  const hidden = outputs.get("last_hidden_state") ?? outputs.get("token_embeddings");
  if (hidden) {
    return {
      kind: "encoder",
      hasTokenTypeIds: inputs.has("token_type_ids"),
      output: hidden.name,
      outputDtype: floatType(hidden),
    };
  }
  throw new UnsupportedModelError(`no logits or last_hidden_state output (outputs: ${[...outputs.keys()].join(", ")})`);
}

function decoderIo(inputs: Map<string, Meta>, outputs: Map<string, Meta>, hints: IoHints): DecoderIo {
  const past = layerNames([...inputs.keys()], /^past_key_values\.(\d+)\.(key|value)$/);
  const present = layerNames([...outputs.keys()], /^present(?:_key_values)?\.(\d+)\.(key|value)$/);
  if (!past.length)
    throw new UnsupportedModelError("decoders need past_key_values.N.key/value inputs (export with KV cache)");
  if (present.length !== past.length)
    throw new UnsupportedModelError("past_key_values inputs and present outputs do not match");
  const first = inputs.get(past[0]!.key)!;
  const shape = first.isTensor ? first.shape : [];
  const kvHeads = typeof shape[1] === "number" ? shape[1] : hints.kvHeads;
  const headDim = typeof shape[3] === "number" ? shape[3] : hints.headDim;
  if (!kvHeads || !headDim)
    throw new UnsupportedModelError("cannot tell the KV head count or head size (no static shape, no config)");
  return {
    kind: "decoder",
    numLayers: past.length,
    kvHeads,
    headDim,
    kvDtype: floatType(first),
    logitsDtype: floatType(outputs.get("logits")!),
    past,
    present,
    hasPositionIds: inputs.has("position_ids"),
    hasUseCacheBranch: inputs.has("use_cache_branch"),
  };
}

/** Groups names like `past_key_values.3.key` into per-layer {key, value} pairs ordered by layer. */
function layerNames(names: string[], pattern: RegExp): { key: string; value: string }[] {
  const layers = new Map<number, { key?: string; value?: string }>();
  for (const name of names) {
    const match = pattern.exec(name);
    if (!match) continue;
    const layer = layers.get(Number(match[1])) ?? {};
    layer[match[2] as "key" | "value"] = name;
    layers.set(Number(match[1]), layer);
  }
  const ordered = [...layers.entries()].sort((a, b) => a[0] - b[0]);
  return ordered.map(([n, l], i) => {
    if (n !== i || !l.key || !l.value) throw new UnsupportedModelError(`incomplete KV names for layer ${n}`);
    return { key: l.key, value: l.value };
  });
}

function floatType(meta: Meta): FloatDtype {
  if (meta.isTensor && meta.type === "float16") return "float16";
  if (meta.isTensor && meta.type !== "float32")
    throw new UnsupportedModelError(`${meta.name} has unsupported type ${meta.type}`);
  return "float32";
}
