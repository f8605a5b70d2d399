// Remembers, per client connection, the Authorization header it last authenticated with and whose key that was.
// A keep-alive client sends the same header on every request; hashing it again each time (key-index.ts) cost
// ~4% of the gateway's CPU per request (bench:compare). The remembered caller holds only while the key index is
// the one it came from, so a config reload that drops a key shuts out connections that used it at once.
// The header is compared in constant time: behind a proxy one connection may carry many clients' requests, and
// a comparison that stopped at the first differing character would tell one client how much of another's key
// it had guessed.
import type { Caller } from "#gateway/pipeline/types.ts";
import type { KeyIndex } from "./key-index.ts";

type Remembered = { keys: KeyIndex; header: string; caller: Caller };

const byConnection = new WeakMap<object, Remembered>();

/** The caller this connection last authenticated as with exactly `header`, under the same key index. */
export function rememberedCaller(connection: object | undefined, keys: KeyIndex, header: string): Caller | undefined {
  if (connection === undefined) return undefined;
  const seen = byConnection.get(connection);
  return seen !== undefined && seen.keys === keys && sameText(seen.header, header) ? seen.caller : undefined;
}

export function rememberCaller(connection: object | undefined, keys: KeyIndex, header: string, caller: Caller): void {
  if (connection !== undefined) byConnection.set(connection, { keys, header, caller });
}

/** Equality that takes as long wherever the texts differ (the length is no secret: keys share a format). */
export function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
