// The demo decoder's tokenizer files: a byte-level BPE learned from the embedded sample, ChatML special tokens.
import { addedToken } from "./added-token.ts";
import { trainByteLevelBpe } from "./bpe-trainer.ts";
import { ENGLISH_SAMPLE } from "./english-sample.ts";

export const END_OF_TEXT = "<|endoftext|>";
export const IM_START = "<|im_start|>";
export const IM_END = "<|im_end|>";
const SPECIAL_TOKENS = [END_OF_TEXT, IM_START, IM_END];

/** ChatML, as Qwen-style instruct models ship it; the node renders it with @huggingface/jinja. */
export const CHATML_TEMPLATE =
  "{%- for message in messages %}" +
  "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}" +
  "{%- endfor %}" +
  "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

export type DecoderTokenizer = {
  vocabSize: number;
  ids: { endOfText: number; imStart: number; imEnd: number };
  files: Record<"tokenizer.json" | "tokenizer_config.json" | "special_tokens_map.json", unknown>;
};

export function buildDecoderTokenizer(vocabSize: number): DecoderTokenizer {
  const bpe = trainByteLevelBpe(ENGLISH_SAMPLE, vocabSize - SPECIAL_TOKENS.length);
  const vocab: Record<string, number> = {};
  for (const [id, token] of [...bpe.vocab, ...SPECIAL_TOKENS].entries()) vocab[token] = id;
  const specialId = (token: string) => vocab[token]!;
  const byteLevel = { add_prefix_space: false, trim_offsets: true, use_regex: true };
  const tokenizer = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content) => addedToken(specialId(content), content)),
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", ...byteLevel },
    post_processor: { type: "ByteLevel", ...byteLevel, trim_offsets: false },
    decoder: { type: "ByteLevel", ...byteLevel },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: "",
      end_of_word_suffix: "",
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: bpe.merges.map(([left, right]) => `${left} ${right}`),
    },
  };
  const addedTokensDecoder = Object.fromEntries(
    SPECIAL_TOKENS.map((content) => {
      const { id, ...rest } = addedToken(specialId(content), content);
      return [String(id), rest];
    }),
  );
  const tokenizerConfig = {
    add_bos_token: false,
    add_prefix_space: false,
    added_tokens_decoder: addedTokensDecoder,
    additional_special_tokens: [IM_START, IM_END],
    bos_token: END_OF_TEXT,
    eos_token: IM_END,
    pad_token: END_OF_TEXT,
    unk_token: null,
    chat_template: CHATML_TEMPLATE,
    clean_up_tokenization_spaces: false,
    errors: "replace",
    model_max_length: 512,
    tokenizer_class: "GPT2Tokenizer",
  };
  const specialTokensMap = {
    additional_special_tokens: [IM_START, IM_END],
    bos_token: END_OF_TEXT,
    eos_token: IM_END,
    pad_token: END_OF_TEXT,
  };
  return {
    vocabSize: Object.keys(vocab).length,
    ids: { endOfText: specialId(END_OF_TEXT), imStart: specialId(IM_START), imEnd: specialId(IM_END) },
    files: {
      "tokenizer.json": tokenizer,
      "tokenizer_config.json": tokenizerConfig,
      "special_tokens_map.json": specialTokensMap,
    },
  };
}
