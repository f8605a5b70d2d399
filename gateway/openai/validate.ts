// Turns a zod failure into OpenAI's 400 shape, naming the offending parameter the way OpenAI does ("messages[0].role").
import type { z } from "zod";
import { InvalidRequestError } from "./errors.ts";

export function validateBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue ? formatPath(issue.path) : null;
  const message = issue ? describe(issue, param) : "Invalid request body.";
  throw new InvalidRequestError(message, param, issue?.code === "invalid_type" ? "invalid_type" : "invalid_value");
}

function describe(issue: z.core.$ZodIssue, param: string | null): string {
  if (issue.code === "invalid_type" && issue.input === undefined) return `Missing required parameter: '${param}'.`;
  return param ? `Invalid '${param}': ${issue.message}` : issue.message;
}

function formatPath(path: PropertyKey[]): string | null {
  if (!path.length) return null;
  return path.reduce<string>(
    (out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    "",
  );
}
