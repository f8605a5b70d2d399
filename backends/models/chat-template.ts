// Renders chat messages into the prompt text a model was trained on, using the Jinja chat template from the
// model's tokenizer files (rendered with @huggingface/jinja, as transformers' apply_chat_template does).
import { Template } from "@huggingface/jinja";
import { InvalidRequestError } from "#gateway/openai/errors.ts";
import type { ModelDir } from "./model-dir.ts";
import type { SpecialTokens } from "./tokenizer.ts";

export type ChatMessage = { role: string; content?: unknown; name?: string };

export class ChatTemplate {
  readonly #template: Template;
  readonly #specialTokens: SpecialTokens;

  constructor(source: string, specialTokens: SpecialTokens) {
    this.#template = new Template(source);
    this.#specialTokens = specialTokens;
  }

  /** Template errors (e.g. Llama-2's "roles must alternate") are the caller's fault: a 400, not a 500. */
  render(messages: readonly ChatMessage[]): string {
    const normalised = messages.map((m) => ({
      role: m.role,
      content: contentText(m.content),
      ...(m.name ? { name: m.name } : {}),
    }));
    try {
      return this.#template.render({ messages: normalised, add_generation_prompt: true, ...this.#specialTokens });
    } catch (error) {
      throw new InvalidRequestError(`The chat template rejected the messages: ${(error as Error).message}`, "messages");
    }
  }
}

/** The template source: chat_template.jinja, else tokenizer_config's chat_template (a string or named list). */
export function chatTemplateSource(model: Pick<ModelDir, "chatTemplateFile" | "tokenizerConfig">): string | null {
  if (model.chatTemplateFile) return model.chatTemplateFile;
  const value = model.tokenizerConfig["chat_template"];
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    const named = value as { name?: unknown; template?: unknown }[];
    const chosen = named.find((t) => t.name === "default") ?? named[0];
    return typeof chosen?.template === "string" ? chosen.template : null;
  }
  return null;
}

/** OpenAI content is a string, null, or a list of parts; text parts are joined, other parts are refused. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (content === null || content === undefined) return "";
  if (Array.isArray(content)) {
    return content
      .map((part: { type?: unknown; text?: unknown }) => {
        if (part.type === "text" && typeof part.text === "string") return part.text;
        throw new InvalidRequestError(
          `Content parts of type '${String(part.type)}' are not supported by this model.`,
          "messages",
        );
      })
      .join("");
  }
  throw new InvalidRequestError("Message content must be a string or a list of text parts.", "messages");
}
