// SSE parsing: the events a byte stream carries must not depend on where the network cut it into chunks.
import { describe, expect, it } from "vitest";
import { frameData, parseSse, SseParser } from "#gateway/openai/sse.ts";

async function* chunksOf(parts: (string | Uint8Array)[]): AsyncGenerator<string | Uint8Array> {
  for (const part of parts) yield part;
}

async function parseAll(parts: (string | Uint8Array)[]): Promise<string[]> {
  const events: string[] = [];
  for await (const data of parseSse(chunksOf(parts))) events.push(data);
  return events;
}

function parseWithParser(parts: string[]): string[] {
  const parser = new SseParser();
  const events: string[] = [];
  for (const part of parts) {
    parser.feed(part);
    for (let data = parser.next(); data !== undefined; data = parser.next()) events.push(data);
  }
  const last = parser.end();
  if (last !== undefined) events.push(last);
  return events;
}

// Every kind of line the spec allows, with LF and CRLF endings, a comment, other fields and multi-line data.
const stream = [
  ": keep-alive comment\n\n",
  'data: {"a":1}\n\n',
  'data:{"b":2}\r\n\r\n',
  "event: message\nid: 7\nretry: 100\ndata: first line\ndata: second line\n\n",
  "data:\n\n",
  "data: \r\n\r\n",
  "data:  two leading spaces\n\n",
  'data: {"text":"Grüße, 世界 🦊"}\n\n',
  "data: [DONE]\n\n",
].join("");
const expected = [
  '{"a":1}',
  '{"b":2}',
  "first line\nsecond line",
  "",
  "",
  " two leading spaces",
  '{"text":"Grüße, 世界 🦊"}',
  "[DONE]",
];

describe("parseSse", () => {
  it("reads every event of a stream that arrives in one chunk", async () => {
    expect(await parseAll([stream])).toEqual(expected);
  });

  it("reads the same events wherever the stream is cut, as text or as bytes", async () => {
    const bytes = new TextEncoder().encode(stream);
    for (let cut = 1; cut < stream.length; cut++) {
      expect(await parseAll([stream.slice(0, cut), stream.slice(cut)])).toEqual(expected);
    }
    // Cuts through multi-byte characters too: the decoder must carry a partial character over.
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await parseAll([bytes.slice(0, cut), bytes.slice(cut)])).toEqual(expected);
    }
  });

  it("reads the same events from a stream cut into single characters", async () => {
    expect(await parseAll([...stream])).toEqual(expected);
    expect(parseWithParser([...stream])).toEqual(expected);
  });

  it("yields an event whose closing blank line never came, but not a data line cut off before its end", async () => {
    expect(await parseAll(['data: {"a":1}\n\ndata: complete line\n'])).toEqual(['{"a":1}', "complete line"]);
    expect(await parseAll(['data: {"a":1}\n\ndata: cut off'])).toEqual(['{"a":1}']);
  });

  it("reads back what frameData writes", async () => {
    const payloads = ['{"x":"a\\nb"}', "[DONE]"];
    const framed = payloads.map((p) => new TextDecoder().decode(frameData(p))).join("");
    expect(await parseAll([framed])).toEqual(payloads);
  });
});

describe("SseParser", () => {
  it("hands out nothing until an event is complete, then exactly that event", () => {
    const parser = new SseParser();
    parser.feed("data: par");
    expect(parser.next()).toBeUndefined();
    parser.feed("tial\n");
    expect(parser.next()).toBeUndefined();
    parser.feed("\ndata: next\n\n");
    expect(parser.next()).toBe("partial");
    expect(parser.next()).toBe("next");
    expect(parser.next()).toBeUndefined();
    expect(parser.end()).toBeUndefined();
  });

  it("keeps only the unread part of what it was fed", () => {
    const parser = new SseParser();
    // 10,000 events fed one at a time: each feed must start from the unread rest, not from everything so far.
    for (let i = 0; i < 10_000; i++) {
      parser.feed(`data: ${i}\n\n`);
      expect(parser.next()).toBe(String(i));
    }
    parser.feed("data: x");
    parser.feed("y\n\n");
    expect(parser.next()).toBe("xy");
  });
});
