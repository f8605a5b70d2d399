// Server-sent events as OpenAI streams them: framing `data: <json>\n\n` and parsing a byte stream back into
// data payloads. Both directions live here so every route and test speaks the same framing.

export const DONE = "[DONE]";
const encoder = new TextEncoder();

export function frameData(data: string): Uint8Array {
  return encoder.encode(`data: ${data}\n\n`);
}

/** An error event after headers were sent: OpenAI-style error body in a data frame (clients then see the stream end). */
export function frameError(body: unknown): Uint8Array {
  return encoder.encode(`data: ${JSON.stringify(body)}\n\n`);
}

/**
 * Parses SSE bytes into the payloads of `data:` fields (multi-line data joined with "\n"), ignoring comments
 * and other fields. Yields as soon as an event's blank line arrives: no buffering beyond one event.
 */
export async function* parseSse(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const parser = new SseParser();
  for await (const chunk of chunks) {
    parser.feed(typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
    for (let data = parser.next(); data !== undefined; data = parser.next()) yield data;
  }
  const last = parser.end();
  if (last !== undefined) yield last;
}

/**
 * The same parsing as parseSse, without a generator of its own: a relay that already runs one (the gateway's read
 * of a node's stream) feeds text in and takes events out, sparing every event a generator step. Lines are found by
 * index in the text as it came, rather than cut out and trimmed one by one.
 */
export class SseParser {
  #buffer = "";
  /** Where the first line not yet read starts in #buffer. */
  #start = 0;
  /** The data lines of the event being read, joined; undefined before its first. */
  #data: string | undefined = undefined;

  feed(text: string): void {
    this.#buffer = this.#start < this.#buffer.length ? this.#buffer.slice(this.#start) + text : text;
    this.#start = 0;
  }

  /** The next complete event's data, or undefined until more text is fed. */
  next(): string | undefined {
    const buffer = this.#buffer;
    for (let newline = buffer.indexOf("\n", this.#start); newline !== -1; newline = buffer.indexOf("\n", this.#start)) {
      const lineStart = this.#start;
      const lineEnd = newline > lineStart && buffer.charCodeAt(newline - 1) === carriageReturn ? newline - 1 : newline;
      this.#start = newline + 1;
      if (lineEnd === lineStart) {
        const data = this.#data;
        this.#data = undefined;
        if (data !== undefined) return data;
      } else if (buffer.startsWith("data:", lineStart)) {
        const from = Math.min(lineEnd, lineStart + (buffer.charCodeAt(lineStart + 5) === space ? 6 : 5));
        const value = buffer.slice(from, lineEnd);
        this.#data = this.#data === undefined ? value : `${this.#data}\n${value}`;
      }
    }
    return undefined;
  }

  /** Once the stream is over: the data of an event whose closing blank line never came. */
  end(): string | undefined {
    const data = this.#data;
    this.#data = undefined;
    return data;
  }
}

const carriageReturn = 13;
const space = 32;
