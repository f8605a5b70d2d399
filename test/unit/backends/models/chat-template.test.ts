// Chat templates from tokenizer files rendered with @huggingface/jinja: generation prompt, special tokens,
// content parts, and template errors as 400s.
import { describe, expect, it } from "vitest";
import { ChatTemplate, chatTemplateSource } from "#backends/models/chat-template.ts";
import { InvalidRequestError } from "#gateway/openai/errors.ts";

const chatml =
  "{%- for message in messages %}{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";
const llama2 =
  "{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate') }}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + message['content'].strip() + ' [/INST]' }}{% else %}{{ ' ' + message['content'].strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

describe("chat template", () => {
  it("renders ChatML with the generation prompt", () => {
    const template = new ChatTemplate(chatml, {});
    expect(
      template.render([
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
      ]),
    ).toBe("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
  });

  it("passes bos/eos tokens and joins text content parts", () => {
    const template = new ChatTemplate(llama2, { bos_token: "<s>", eos_token: "</s>" });
    const messages = [
      {
        role: "user",
        content: [
          { type: "text", text: "Hello " },
          { type: "text", text: "there" },
        ],
      },
      { role: "assistant", content: "Hi!" },
      { role: "user", content: "Bye" },
    ];
    expect(template.render(messages)).toBe("<s>[INST] Hello there [/INST] Hi! </s><s>[INST] Bye [/INST]");
  });

  it("turns template exceptions and unsupported content into 400s", () => {
    const template = new ChatTemplate(llama2, { bos_token: "<s>", eos_token: "</s>" });
    expect(() => template.render([{ role: "assistant", content: "first" }])).toThrow(InvalidRequestError);
    expect(() => template.render([{ role: "user", content: [{ type: "image_url" }] }])).toThrow(/image_url/);
  });

  it("takes the template from chat_template.jinja, a string, or the default of a named list", () => {
    expect(chatTemplateSource({ chatTemplateFile: "file", tokenizerConfig: { chat_template: "config" } })).toBe("file");
    expect(chatTemplateSource({ chatTemplateFile: null, tokenizerConfig: { chat_template: "config" } })).toBe("config");
    const named = [
      { name: "tool_use", template: "tools" },
      { name: "default", template: "default" },
    ];
    expect(chatTemplateSource({ chatTemplateFile: null, tokenizerConfig: { chat_template: named } })).toBe("default");
    expect(chatTemplateSource({ chatTemplateFile: null, tokenizerConfig: {} })).toBeNull();
  });
});
