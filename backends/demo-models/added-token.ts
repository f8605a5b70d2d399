// One entry of tokenizer.json's `added_tokens`: a special token matched whole, never split or normalised.
export function addedToken(id: number, content: string) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}
