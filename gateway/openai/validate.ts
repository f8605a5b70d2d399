// Turns a zod failure into OpenAI's 400, worded the way OpenAI words it: "Missing required parameter: 'model'.",
// "Invalid type for 'model': expected a string, but got an integer instead.", "Invalid 'stop': array too long.
// …", with the offending parameter named as OpenAI names it ("messages[0].role") and OpenAI's error codes.
import type { z } from "zod";
import { InvalidRequestError } from "./errors.ts";
import { compileFastAccept, type FastAccept } from "./fast-accept.ts";

type Issue = z.core.$ZodIssue;

/** Schemas are module constants, so each is compiled once. */
const fastAccepts = new WeakMap<z.ZodType, FastAccept>();

/**
 * The body as the schema accepts it, or OpenAI's 400. A plainly valid body is returned as it is, without zod's
 * parse (which would return an equal copy); anything else goes through zod.
 */
export function validateBody<T>(schema: z.ZodType<T>, body: unknown): T {
  let accepts = fastAccepts.get(schema);
  if (accepts === undefined) {
    accepts = compileFastAccept(schema);
    fastAccepts.set(schema, accepts);
  }
  if (accepts(body)) return body as T;
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw requestError(result.error.issues[0], body);
}

/** The 400 for one zod issue; `body` is what was validated (zod's issues do not carry the offending value). */
export function requestError(issue: Issue | undefined, body: unknown): InvalidRequestError {
  if (!issue) return new InvalidRequestError("Invalid request body.");
  const param = formatPath(issue.path);
  const value = valueAt(body, issue.path);
  const fail = (message: string, code: string) => new InvalidRequestError(message, param, code);
  // Whatever zod says about an absent field (wrong type, no union alternative, not an allowed value), it is missing.
  if (value === undefined && param !== null && issue.code !== "custom")
    return fail(`Missing required parameter: '${param}'.`, "missing_required_parameter");
  switch (issue.code) {
    case "invalid_type":
    case "invalid_union": {
      if (issue.code === "invalid_union") {
        // A value of one alternative's type that breaks its rules is explained by that alternative.
        const branch = closestBranch(issue.errors);
        if (branch) return requestError({ ...branch, path: [...issue.path, ...branch.path] } as Issue, body);
      }
      const expected =
        issue.code === "invalid_type"
          ? typeName(issue.expected)
          : `one of ${listOf(issue.errors.map((branch) => typeName(rootExpectation(branch))))}`;
      return fail(
        `Invalid type for '${param}': expected ${expected}, but got ${describeValue(value)} instead.`,
        "invalid_type",
      );
    }
    case "too_big":
    case "too_small":
      return boundError(issue, param, value, fail);
    case "invalid_key": {
      // zod names the key in the path; OpenAI names the object and quotes the key.
      const owner = formatPath(issue.path.slice(0, -1));
      const why = issue.issues[0]?.message;
      return new InvalidRequestError(
        `Invalid key in '${owner}': ${quote(issue.path.at(-1))}${why ? ` (${why})` : ""}.`,
        owner,
        "invalid_value",
      );
    }
    case "invalid_value":
      return fail(
        `Invalid value: ${quote(value)}. Supported values are: ${listOf(issue.values.map(quote), "and")}.`,
        "invalid_value",
      );
    default:
      return fail(param ? `Invalid '${param}': ${issue.message}` : issue.message, "invalid_value");
  }
}

type Fail = (message: string, code: string) => InvalidRequestError;

function boundError(
  issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall,
  param: string | null,
  value: unknown,
  fail: Fail,
) {
  const above = issue.code === "too_big";
  const bound = Number(above ? issue.maximum : issue.minimum);
  if (issue.origin === "array" && Array.isArray(value)) {
    if (!above && value.length === 0)
      return fail(
        `Invalid '${param}': empty array. Expected an array with minimum length ${bound}, but got an empty array instead.`,
        "empty_array",
      );
    return fail(
      `Invalid '${param}': array too ${above ? "long" : "short"}. Expected an array with ${above ? "maximum" : "minimum"} length ${bound}, but got an array with length ${value.length} instead.`,
      above ? "array_above_max_length" : "array_below_min_length",
    );
  }
  if (issue.origin === "string" && typeof value === "string")
    return fail(
      `Invalid '${param}': string too ${above ? "long" : "short"}. Expected a string with ${above ? "maximum" : "minimum"} length ${bound}, but got ${value.length ? `a string with length ${value.length}` : "an empty string"} instead.`,
      above ? "string_above_max_length" : "string_too_short",
    );
  if (typeof value === "number") {
    const kind = issue.origin === "int" || Number.isInteger(value) ? "integer" : "decimal";
    const exclusive = !issue.inclusive;
    return fail(
      `Invalid '${param}': ${kind} ${above ? "above maximum" : "below minimum"} value. Expected a value ${above ? "<" : ">"}${exclusive ? "" : "="} ${bound}, but got ${value} instead.`,
      `${kind}_${above ? "above_max" : "below_min"}_value`,
    );
  }
  return fail(`Invalid '${param}': ${issue.message}`, "invalid_value");
}

/**
 * The union alternative the value came closest to matching: one whose type it has (its first complaint is not about
 * the value's own type), preferring the one that got furthest into it ("input[3]" over "input[0]").
 */
function closestBranch(branches: Issue[][]): Issue | undefined {
  let best: Issue | undefined;
  for (const branch of branches) {
    const first = branch[0];
    if (!first || (first.path.length === 0 && first.code === "invalid_type")) continue;
    if (!best || comparePaths(first.path, best.path) > 0) best = first;
  }
  return best;
}

function comparePaths(a: PropertyKey[], b: PropertyKey[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [x, y] = [a[i], b[i]];
    if (typeof x === "number" && typeof y === "number" && x !== y) return x - y;
  }
  return a.length - b.length;
}

function rootExpectation(branch: Issue[]): string {
  const first = branch[0];
  return first?.code === "invalid_type" ? first.expected : "value";
}

const typeNames: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "a boolean",
  array: "an array",
  object: "an object",
  record: "an object",
  null: "null",
};

function typeName(expected: string): string {
  return typeNames[expected] ?? expected;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a decimal number";
  return typeName(typeof value);
}

function quote(value: unknown): string {
  return typeof value === "string" ? `'${value}'` : (JSON.stringify(value) ?? String(value));
}

/** "a, b or c" (and "a, b, and c" with `and`, as OpenAI lists supported values). */
function listOf(items: string[], conjunction: "or" | "and" = "or"): string {
  const unique = [...new Set(items)];
  if (unique.length <= 1) return unique[0] ?? "";
  if (conjunction === "and") return `${unique.slice(0, -1).join(", ")}, and ${unique.at(-1)}`;
  return `${unique.slice(0, -1).join(", ")} or ${unique.at(-1)}`;
}

function valueAt(body: unknown, path: PropertyKey[]): unknown {
  let value = body;
  for (const key of path) {
    // Own properties only: a missing "constructor" must read as missing, not as Object's constructor.
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function formatPath(path: PropertyKey[]): string | null {
  if (!path.length) return null;
  return path.reduce<string>(
    (out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    "",
  );
}
