// The JSON text a request body was parsed from, so the body can be forwarded as the client sent it instead of being
// serialized again: JSON.stringify costs time in proportion to the body (about a microsecond for a short chat,
// milliseconds for a long context or a large embeddings batch). The text belongs to one exact object. Layers copy a
// body to change it and never mutate one, so a changed body is a different object and is serialized afresh.
const texts = new WeakMap<object, string>();

export function recordJsonText(body: object, text: string): void {
  texts.set(body, text);
}

/** Gives `to` (a validated copy of `from`, equal in content) the text `from` was parsed from. */
export function carryJsonText(from: unknown, to: object): void {
  const text = typeof from === "object" && from !== null ? texts.get(from) : undefined;
  if (text !== undefined) texts.set(to, text);
}

/** The body as JSON text: the client's own when it is unchanged, else freshly serialized. */
export function jsonTextOf(body: object): string {
  return texts.get(body) ?? JSON.stringify(body);
}
