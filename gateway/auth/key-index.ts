// Looks up API keys by their SHA-256 digest, so lookups do not compare secrets byte by byte (no timing leak)
// and the secret itself is not kept as a map key.
import { hash } from "node:crypto";
import type { SwitchyardConfig } from "#config/schema.ts";
import type { Caller } from "#gateway/pipeline/types.ts";

export type KeyIndex = { find(secret: string): Caller | undefined; size: number };

export function digestKey(secret: string): string {
  // One-shot hash: no Hash object per request.
  return hash("sha256", secret, "base64url");
}

export function buildKeyIndex(auth: SwitchyardConfig["auth"]): KeyIndex {
  const byDigest = new Map<string, Caller>(
    auth.keys.map((k, i) => [
      digestKey(k.key),
      {
        tenant: k.tenant,
        keyName: k.name ?? `${k.tenant}-key-${i}`,
        // Always present (undefined for "all"), so every Caller has the same shape.
        models: k.models ? new Set(k.models) : undefined,
      },
    ]),
  );
  return { find: (secret) => byDigest.get(digestKey(secret)), size: byDigest.size };
}
