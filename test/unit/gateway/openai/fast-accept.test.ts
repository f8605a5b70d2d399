// The fast path past zod must never say yes where zod says no, nor where zod would return something other than the
// body itself. Checked differentially: thousands of bodies mutated from valid ones, each judged by both.
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compileFastAccept } from "#gateway/openai/fast-accept.ts";
import { chatCompletionRequest, completionRequest, embeddingRequest } from "#gateway/openai/schemas.ts";

const validBodies = {
  chat: [
    { model: "m", messages: [{ role: "user", content: "Hi" }] },
    {
      model: "demo-gpt",
      temperature: 0.7,
      top_p: 1,
      max_tokens: 16,
      n: 1,
      stream: true,
      stream_options: { include_usage: true },
      stop: ["\n", "END"],
      seed: 7,
      user: "u-1",
      logprobs: true,
      top_logprobs: 3,
      vendor_extension: { any: ["thing"] },
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Say something about foxes.", name: "ann" },
        { role: "assistant", content: null, tool_calls: [] },
      ],
    },
  ],
  completion: [
    { model: "m", prompt: "Once" },
    { model: "m", prompt: [1, 2, 3], max_tokens: 4, echo: false, logprobs: 2 },
    { model: "m", prompt: ["a", "b"], stop: "." },
    { model: "m", prompt: [[1], [2, 3]] },
  ],
  embeddings: [
    { model: "e", input: "text" },
    { model: "e", input: ["a", "b"], encoding_format: "base64", dimensions: 8 },
    { model: "e", input: [[1, 2]] },
  ],
};
const schemas = { chat: chatCompletionRequest, completion: completionRequest, embeddings: embeddingRequest };

// Values chosen around the schemas' edges: bounds, wrong types, empties, surrogate pairs, integers and not.
const tricky: unknown[] = [
  undefined,
  null,
  true,
  false,
  0,
  -0,
  1,
  -1,
  0.5,
  2,
  2.0001,
  20,
  21,
  128,
  129,
  -2,
  -2.5,
  1e21,
  2 ** 53,
  "",
  "x",
  "😀",
  "\ud83d",
  "user",
  "wizard",
  "text",
  [],
  [""],
  ["a", "b", "c", "d", "e"],
  [1, 2],
  [-1],
  [1.5],
  [[1]],
  [[]],
  ["a", 1],
  {},
  { type: "text" },
  { type: "text", text: "hi" },
  { type: "image_url" },
  { include_usage: "yes" },
  { "5": 1 },
  [{ role: "user", content: "hi" }],
  [{ role: "user", content: [{ type: "text", text: "a" }] }],
  [{ role: "user", content: [{ type: "text" }] }],
  [{ role: "robot", content: "hi" }],
  [{ content: "hi" }],
  [{ role: "user", content: 5 }],
  [{ role: "user", name: 3 }],
];

/** A small deterministic generator, so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function mutate(body: Record<string, unknown>, keys: string[], next: () => number): Record<string, unknown> {
  const copy = structuredClone(body);
  const mutations = 1 + Math.floor(next() * 3);
  for (let i = 0; i < mutations; i++) {
    const key = keys[Math.floor(next() * keys.length)]!;
    const value = tricky[Math.floor(next() * tricky.length)];
    if (value === undefined) delete copy[key];
    // As JSON.parse makes it: an own "__proto__" property, not a new prototype.
    else
      Object.defineProperty(copy, key, {
        value: structuredClone(value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return copy;
}

describe("compileFastAccept", () => {
  for (const [name, schema] of Object.entries(schemas)) {
    const accepts = compileFastAccept(schema);
    const keys = [...Object.keys((schema as unknown as { shape: object }).shape), "extra", "__proto__"];

    it(`${name}: takes the fast path for every valid body, which zod accepts and returns equal`, () => {
      for (const body of validBodies[name as keyof typeof validBodies]) {
        expect(accepts(body), JSON.stringify(body)).toBe(true);
        const parsed = schema.safeParse(body);
        expect(parsed.success).toBe(true);
        expect(parsed.data).toEqual(body);
      }
    });

    it(`${name}: never accepts a mutated body that zod refuses or would change`, () => {
      const next = random(name.length * 7919);
      let fast = 0;
      let slow = 0;
      for (let i = 0; i < 4000; i++) {
        const valid = validBodies[name as keyof typeof validBodies];
        const body = mutate(valid[i % valid.length]!, keys, next);
        const parsed = schema.safeParse(body);
        if (accepts(body)) {
          fast++;
          expect(parsed.success, JSON.stringify(body)).toBe(true);
          expect(isDeepStrictEqual(parsed.data, body), JSON.stringify(body)).toBe(true);
        } else slow++;
      }
      // Both paths were exercised, or the test proves nothing.
      expect(fast).toBeGreaterThan(200);
      expect(slow).toBeGreaterThan(200);
    });
  }

  it("leaves to zod whatever it does not model (refinements, records, transforms, regexes)", () => {
    expect(compileFastAccept(z.string().refine(() => true))("a")).toBe(false);
    expect(compileFastAccept(z.record(z.string(), z.number()))({ a: 1 })).toBe(false);
    expect(compileFastAccept(z.string().transform((s) => s.length))("a")).toBe(false);
    expect(compileFastAccept(z.string().regex(/a/))("a")).toBe(false);
    expect(compileFastAccept(z.number().default(1))(1)).toBe(false);
    // z.xor refuses a value both options accept; a plain union takes it.
    expect(compileFastAccept(z.xor([z.string(), z.string().min(1)]))("a")).toBe(false);
    expect(compileFastAccept(z.union([z.string(), z.string().min(1)]))("a")).toBe(true);
    const discriminated = z.discriminatedUnion("kind", [z.object({ kind: z.literal("a") })]);
    expect(compileFastAccept(discriminated)({ kind: "a" })).toBe(false);
    // A numeric TypeScript enum (written out: this project compiles without enums) admits its values, not the
    // names its reverse mapping adds.
    const Level = { Low: 0, High: 1, 0: "Low", 1: "High" } as const;
    const level = compileFastAccept(z.enum(Level));
    expect([level(0), level(1), level("Low"), level(2)]).toEqual([true, true, false, false]);
    expect(z.enum(Level).safeParse("Low").success).toBe(false);
    expect(compileFastAccept(z.literal(["a", 3]))(3)).toBe(true);
    // A chat with a logit_bias record or array content parts is still valid: zod judges it.
    const chat = compileFastAccept(chatCompletionRequest);
    expect(chat({ model: "m", messages: [{ role: "user", content: "a" }], logit_bias: { "5": 1 } })).toBe(false);
    expect(chat({ model: "m", messages: [{ role: "user", content: [{ type: "text", text: "a" }] }] })).toBe(false);
  });

  it("compiles a schema that contains itself, leaving its recursion to zod", () => {
    const node = z
      .object({
        name: z.string(),
        get children() {
          return z.array(node).optional();
        },
      })
      .loose();
    const accepts = compileFastAccept(node);
    expect(accepts({ name: "leaf" })).toBe(true);
    expect(accepts({ name: "root", children: [{ name: "leaf" }] })).toBe(false);
    expect(node.safeParse({ name: "root", children: [{ name: "leaf" }] }).success).toBe(true);
  });

  it("refuses extra keys on objects that strip or forbid them, and an own __proto__ key anywhere", () => {
    expect(compileFastAccept(z.object({ a: z.string() }))({ a: "x", b: 1 })).toBe(false);
    expect(compileFastAccept(z.object({ a: z.string() }).strict())({ a: "x", b: 1 })).toBe(false);
    expect(compileFastAccept(z.object({ a: z.string() }))({ a: "x" })).toBe(true);
    const withProto = JSON.parse('{"model":"m","messages":[{"role":"user","content":"a"}],"__proto__":{"x":1}}');
    expect(compileFastAccept(chatCompletionRequest)(withProto)).toBe(false);
  });

  it("counts string lengths in code points, as zod does", () => {
    expect(compileFastAccept(z.string().max(1))("😀")).toBe(true);
    expect(compileFastAccept(z.string().min(2))("😀")).toBe(false);
    expect(z.string().max(1).safeParse("😀").success).toBe(true);
  });
});
