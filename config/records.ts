// Config records (per-tenant, per-key and per-model settings) are plain objects keyed by names that users choose: a
// name such as "constructor" or "toString" must find nothing, not what every object inherits.

/** The record's own entry for `name`, if it has one. */
export function ownEntry<T>(record: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}
