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
  let buffer = "";
  let data: string[] = [];
  for await (const chunk of chunks) {
    buffer += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    let newline = buffer.indexOf("\n");
    while (newline !== -1) {
      const line = buffer.slice(0, newline).replace(/\r$/, "");
      buffer = buffer.slice(newline + 1);
      if (line === "") {
        if (data.length) yield data.join("\n");
        data = [];
      } else if (line.startsWith("data:")) {
        data.push(line.slice(line[5] === " " ? 6 : 5));
      }
      newline = buffer.indexOf("\n");
    }
  }
  if (data.length) yield data.join("\n");
}
