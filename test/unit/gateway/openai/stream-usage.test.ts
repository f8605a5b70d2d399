import { describe, expect, it } from "vitest";
import { type StreamUsage, trackStreamUsage, withUsageRequested } from "#gateway/openai/stream-usage.ts";
import { usageTokens } from "#gateway/openai/usage.ts";
import type { ForwardRequest } from "#gateway/pipeline/types.ts";
import { chatRequest, chatStream, collect, fromArray } from "#test/unit/gateway/cache/fixtures.ts";

/** A request as the route makes it: the body parsed from exactly this text. */
function sentAs(text: string): ForwardRequest {
  const body = JSON.parse(text) as Record<string, unknown>;
  return { ...chatRequest(), body, stream: true, sent: { body, text } };
}

describe("usage tracking", () => {
  it("reads total tokens, or prompt + completion", () => {
    expect(usageTokens({ total_tokens: 9 })).toBe(9);
    expect(usageTokens({ prompt_tokens: 2, completion_tokens: 3 })).toBe(5);
    expect(usageTokens(null)).toBeUndefined();
  });

  it("reports the usage chunk and strips it when asked to", async () => {
    const seen: StreamUsage[] = [];
    const events = chatStream(["a", "b"], { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
    const out = await collect(trackStreamUsage(fromArray(events), true, (u) => seen.push(u)));
    expect(out).toEqual(events.filter((e) => !e.includes('"choices":[]')));
    expect(seen).toEqual([
      {
        totalTokens: 5,
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
        dataChunks: 4,
        completed: true,
      },
    ]);
  });

  it("reports once when the consumer stops early or the stream breaks", async () => {
    const seen: StreamUsage[] = [];
    const iterator = trackStreamUsage(fromArray(chatStream()), false, (u) => seen.push(u))[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.return(undefined);
    await expect(collect(trackStreamUsage(fromArray(chatStream(), 2), false, (u) => seen.push(u)))).rejects.toThrow();
    expect(seen).toEqual([
      { totalTokens: undefined, dataChunks: 1, completed: false },
      { totalTokens: undefined, dataChunks: 2, completed: false },
    ]);
  });

  it("reports exactly once however the end comes: a return() after the last event, or a second return()", async () => {
    const seen: StreamUsage[] = [];
    const watched = trackStreamUsage(fromArray(chatStream(["a"])), true, (u) => seen.push(u));
    const iterator = watched[Symbol.asyncIterator]();
    while (!(await iterator.next()).done) {}
    await iterator.return();
    await iterator.return();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.completed).toBe(true);
  });

  it("lets several layers watch one stream in one pass, stripping when any of them asks", async () => {
    const heard: string[] = [];
    const events = chatStream(["a"], { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 });
    const inner = trackStreamUsage(fromArray(events), false, (u) => heard.push(`inner ${u.totalTokens}`));
    const outer = trackStreamUsage(inner, true, (u) => heard.push(`outer ${u.totalTokens}`));
    expect(outer).toBe(inner);
    expect(await collect(outer)).toEqual(events.filter((e) => !e.includes('"choices":[]')));
    expect(heard).toEqual(["inner 4", "outer 4"]);
  });

  describe("asking the node for a stream's usage", () => {
    it("adds the field to the client's own text, so the body is not serialized again", () => {
      for (const text of [
        '{"model":"m","stream":true,"messages":[{"role":"user","content":"} {"}]}',
        '{\n  "model": "m",\n  "stream": true,\n  "messages": [{"role": "user", "content": "hi"}]\n}\r\n ',
      ]) {
        const asked = withUsageRequested(sentAs(text));
        expect(asked.body.stream_options).toEqual({ include_usage: true });
        expect(asked.sent?.body).toBe(asked.body);
        // What the node gets parses to the body the layers see, and keeps the client's bytes before the field.
        expect(JSON.parse(asked.sent!.text)).toEqual(asked.body);
        expect(asked.sent!.text.startsWith(text.trimEnd().slice(0, -1))).toBe(true);
      }
    });

    it("leaves a client's own stream_options to be merged and serialized, never sent twice", () => {
      const req = sentAs('{"model":"m","stream":true,"stream_options":{"include_usage":false},"messages":[]}');
      const asked = withUsageRequested(req);
      expect(asked.body.stream_options).toEqual({ include_usage: true });
      // The text no longer says what the body says: it must not be sent as is.
      expect(asked.sent?.body).not.toBe(asked.body);
    });

    it("serializes the body when no text came with it", () => {
      const asked = withUsageRequested(chatRequest({ body: { stream: true } }));
      expect(asked.sent).toBeUndefined();
      expect(asked.body.stream_options).toEqual({ include_usage: true });
    });
  });
});
