// Which models a key may use (auth.keys[].models). A refusal reads as OpenAI's 404 for a model that "does not
// exist or you do not have access to", so a key cannot tell models it is not given from models that do not exist.
import type { Caller } from "#gateway/pipeline/types.ts";

/** `requested` is the name the client sent, `served` what it resolves to (the same, unless it is an alias). */
export function mayUse(caller: Caller | undefined, requested: string, served: string): boolean {
  const allowed = caller?.models;
  return !allowed || allowed.has(requested) || allowed.has(served);
}
