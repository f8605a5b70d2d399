// Checks values against the official OpenAI OpenAPI schemas (<shared>/openai-openapi/openapi.yaml) with ajv:
// the spec is read once per test file and only the schemas a test names (plus what they reference) are compiled.
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { fullFormats } from "ajv-formats/dist/formats.js";
import { parse } from "yaml";

type Json = Record<string, unknown>;

const sharedDir = process.env.SWITCHYARD_SHARED_DIR;

/** Path of the spec, or null when SWITCHYARD_SHARED_DIR is unset (suites that need it skip). */
export const openApiSpecPath: string | null = sharedDir ? join(sharedDir, "openai-openapi", "openapi.yaml") : null;
export const openApiSkipReason = "skipped: SWITCHYARD_SHARED_DIR is not set, so the OpenAI OpenAPI spec is unavailable";

let schemas: Json | undefined;
let ajv: Ajv2020 | undefined;
const validators = new Map<string, ValidateFunction>();

/** Readable validation errors of `value` against `#/components/schemas/<schemaName>`; empty when it conforms. */
export function validateAgainst(schemaName: string, value: unknown): string[] {
  const validate = validatorFor(schemaName);
  if (validate(value)) return [];
  return [...new Set((validate.errors ?? []).map((e) => describeError(schemaName, e)))];
}

function validatorFor(schemaName: string): ValidateFunction {
  const cached = validators.get(schemaName);
  if (cached) return cached;
  const all = componentSchemas();
  if (!(schemaName in all)) throw new Error(`the OpenAI spec has no schema named ${schemaName}`);
  const subset: Json = {};
  for (const name of referencedSchemas(schemaName, all)) subset[name] = rewriteNullable(all[name]);
  // Each validator is its own small document, so refs resolve inside it and nothing else is compiled.
  const validate = compiler().compile({
    $id: `https://switchyard.test/openai/${schemaName}`,
    $ref: `#/components/schemas/${schemaName}`,
    components: { schemas: subset },
  });
  validators.set(schemaName, validate);
  return validate;
}

function compiler(): Ajv2020 {
  if (ajv) return ajv;
  // strict: false because the spec carries x-oaiMeta / x-stainless-const and other non-JSON-Schema keys.
  ajv = new Ajv2020({ strict: false, allErrors: true });
  for (const [name, format] of Object.entries(fullFormats)) ajv.addFormat(name, format);
  // "unixtime" is seconds: an integer a millisecond clock (1.7e12 today) would overshoot by far.
  ajv.addFormat("unixtime", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= 0 && n < 1e11 });
  return ajv;
}

function componentSchemas(): Json {
  if (schemas) return schemas;
  if (!openApiSpecPath) throw new Error(`the OpenAI spec is unavailable: ${openApiSkipReason}`);
  const spec = readSpec(openApiSpecPath) as { components?: { schemas?: Json } };
  schemas = spec.components?.schemas ?? {};
  return schemas;
}

/** YAML parsing of the 2+ MB spec takes about a second; a JSON copy in the temp dir makes later files instant. */
function readSpec(path: string): unknown {
  const { size, mtimeMs } = statSync(path);
  const jsonCopy = join(tmpdir(), `switchyard-openapi-${size}-${Math.round(mtimeMs)}.json`);
  if (existsSync(jsonCopy)) return JSON.parse(readFileSync(jsonCopy, "utf8"));
  const spec: unknown = parse(readFileSync(path, "utf8"));
  // Written under a unique name then renamed, so a parallel test file never reads half a file.
  const partial = `${jsonCopy}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(spec));
  renameSync(partial, jsonCopy);
  return spec;
}

/** The schema and every component schema it reaches through `$ref`. */
function referencedSchemas(root: string, all: Json): Set<string> {
  const found = new Set<string>([root]);
  const pending = [all[root]];
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) pending.push(...node);
    else if (node && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if (key === "$ref" && typeof value === "string" && value.startsWith("#/components/schemas/")) {
          const name = value.slice("#/components/schemas/".length);
          if (!found.has(name)) {
            found.add(name);
            pending.push(all[name]);
          }
        } else pending.push(value);
      }
    }
  }
  return found;
}

/** OpenAPI 3.0's `nullable: true` is not JSON Schema: turn it into a union with null (and null in enums). */
function rewriteNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteNullable);
  if (!node || typeof node !== "object") return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) if (key !== "nullable") out[key] = rewriteNullable(value);
  if ((node as { nullable?: unknown }).nullable !== true) return out;
  if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  if (typeof out.type === "string" || Array.isArray(out.type)) {
    out.type = [...[out.type].flat(), "null"];
    return out;
  }
  return { anyOf: [out, { type: "null" }] };
}

function describeError(schemaName: string, error: ErrorObject): string {
  const at = `${schemaName}${error.instancePath || ""}`;
  const params = error.params as { allowedValues?: unknown; additionalProperty?: string };
  if (params.allowedValues !== undefined) return `${at}: ${error.message} ${JSON.stringify(params.allowedValues)}`;
  return `${at}: ${error.message}`;
}
