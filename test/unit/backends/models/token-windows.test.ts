// Token windows decoded from cached per-token pieces must equal the tokenizer's own decode, byte for byte: for the
// demo GPT's byte-level BPE (every pair of byte tokens, random windows with split characters and special tokens,
// a non-special added token, an extra special token from the config) and for the real Llama's SentencePiece.
import { Tokenizer } from "@huggingface/tokenizers";
import { describe, expect, it, vi } from "vitest";
import { DEFAULT_MODELS_DIR } from "#backends/demo-models/generate-all.ts";
import { loadModelDir } from "#backends/models/model-dir.ts";
import { type LibraryTokenizer, TokenWindows } from "#backends/models/token-windows.ts";
import { llamaDir } from "#test/integration/node/support.ts";

type Files = { tokenizerJson: Record<string, unknown>; tokenizerConfig: Record<string, unknown> };

const gpt = await loadModelDir(`${DEFAULT_MODELS_DIR}/demo-gpt`);
const llama = llamaDir ? await loadModelDir(llamaDir) : null;

function build(files: Files) {
  const tokenizer: LibraryTokenizer & {
    encode(text: string, o: object): { ids: number[] };
    get_vocab(a: boolean): Map<string, number>;
  } = new Tokenizer(files.tokenizerJson, files.tokenizerConfig);
  return { tokenizer, windows: new TokenWindows(tokenizer, files.tokenizerJson, files.tokenizerConfig) };
}

/** The demo GPT plus a non-special added token and a vocabulary token the config declares special. */
function gptVariant(): Files & { added: number; extraSpecial: number } {
  const json = structuredClone(gpt.tokenizerJson) as { added_tokens: Record<string, unknown>[] };
  const plain = new Tokenizer(gpt.tokenizerJson, gpt.tokenizerConfig);
  const added = plain.get_vocab(true).size;
  json.added_tokens.push({
    id: added,
    content: "<tool>",
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: false,
  });
  const extraSpecial = plain.encode(" the", { add_special_tokens: false }).ids[0]!;
  const tokenizerConfig = { ...gpt.tokenizerConfig, additional_special_tokens: [plain.id_to_token(extraSpecial)] };
  return { tokenizerJson: json as unknown as Record<string, unknown>, tokenizerConfig, added, extraSpecial };
}

/** Deterministic windows mixing text, split characters, special and arbitrary ids. */
function windowsOf(tokenizer: ReturnType<typeof build>["tokenizer"], extra: number[] = []): number[][] {
  let state = 7;
  const rand = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  const vocab = tokenizer.get_vocab(true).size;
  const texts = ["Once upon a time", " Crème brûlée 🦊 5€ — naïve café!", "日本語のテキスト", "a\n\n  b\tc"];
  const encoded = texts.map((text) => tokenizer.encode(text, { add_special_tokens: false }).ids);
  const special = [...tokenizer.get_added_tokens_decoder().keys()];
  return Array.from({ length: 400 }, () =>
    Array.from({ length: 2 + rand(6) }, () => {
      const pick = rand(10);
      if (pick < 5) {
        const source = encoded[rand(encoded.length)]!;
        return source[rand(source.length)]!;
      }
      if (pick < 6) return special[rand(special.length)]!;
      if (pick < 7 && extra.length) return extra[rand(extra.length)]!;
      return rand(vocab);
    }),
  );
}

function expectSameAsDecode(files: Files, extra: number[] = []): void {
  const { tokenizer, windows } = build(files);
  for (const ids of windowsOf(tokenizer, extra)) {
    for (let from = 0; from < ids.length; from++)
      for (let to = from + 1; to <= ids.length; to++)
        expect(windows.decode(ids, from, to)).toBe(
          tokenizer.decode(ids.slice(from, to), { skip_special_tokens: true }),
        );
  }
}

describe("token windows", () => {
  it("equal decode() for every pair of byte tokens (split and invalid UTF-8 included)", () => {
    const { tokenizer, windows } = build(gpt);
    const bytes = [...tokenizer.get_vocab(true)].filter(([token]) => [...token].length === 1).map(([, id]) => id);
    expect(bytes.length).toBeGreaterThanOrEqual(256);
    for (const a of bytes)
      for (const b of bytes) {
        const pair = [a, b];
        const expected = tokenizer.decode(pair, { skip_special_tokens: true });
        if (windows.decode(pair, 0, 2) !== expected) expect(windows.decode(pair, 0, 2)).toBe(expected);
      }
  });

  it("equal decode() for random byte-level windows", () => {
    expectSameAsDecode(gpt);
  });

  it("equal decode() with a non-special added token and a config-declared special token", () => {
    const variant = gptVariant();
    expectSameAsDecode(variant, [variant.added, variant.extraSpecial]);
  });

  it.skipIf(!llama)("equal decode() for the Llama tokenizer", () => {
    expectSameAsDecode(llama!);
  });

  it("decode windows of byte-level tokens without the tokenizer once each token is known", () => {
    const { tokenizer, windows } = build(gpt);
    const ids = tokenizer.encode("Crème brûlée 🦊 costs 5€", { add_special_tokens: false }).ids;
    const all = () => ids.map((_, i) => windows.decode(ids, Math.max(0, i - 2), i + 1));
    const first = all();
    const decode = vi.spyOn(tokenizer, "decode");
    expect(all()).toEqual(first);
    expect(decode).not.toHaveBeenCalled();
  });
});
