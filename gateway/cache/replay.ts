// Turns a cached entry into the result the request asked for: the same shape replays exactly (a stream's usage
// chunk only if this client asked for one), the other shape goes through convert.ts. Undefined = serve a miss.

import { chunkUsage, withoutNullUsage } from "#gateway/openai/usage.ts";
import type { ForwardRequest, ForwardResult, SseData } from "#gateway/pipeline/types.ts";
import { eventsToJson, jsonToEvents } from "./convert.ts";
import type { CachedEntry } from "./store.ts";

export function serveEntry(
  entry: CachedEntry,
  req: Pick<ForwardRequest, "endpoint" | "body" | "stream">,
): ForwardResult | undefined {
  const includeUsage =
    (req.body.stream_options as { include_usage?: unknown } | null | undefined)?.include_usage === true;
  if (!req.stream) {
    const body = entry.kind === "json" ? entry.body : eventsToJson(req.endpoint, entry.events);
    return body === undefined ? undefined : { kind: "json", status: 200, body, headers: {} };
  }
  const events =
    entry.kind === "stream"
      ? selectUsage(entry.events, includeUsage)
      : jsonToEvents(req.endpoint, entry.body, includeUsage);
  return events ? { kind: "stream", status: 200, headers: {}, events: replay(events) } : undefined;
}

function selectUsage(events: string[], includeUsage: boolean): SseData[] | undefined {
  const usageOnly = (data: SseData) => chunkUsage(data)?.usageOnly === true;
  if (includeUsage) return events.some(usageOnly) ? events : undefined;
  return events.filter((data) => !usageOnly(data)).map(withoutNullUsage);
}

/**
 * The stored events one by one: a plain iterator over the array rather than an async generator, whose every step
 * costs promise turns of its own (see openai/stream-usage.ts).
 */
function replay(events: readonly SseData[]): AsyncIterableIterator<SseData> {
  let next = 0;
  const iterator: AsyncIterableIterator<SseData> = {
    next: () =>
      Promise.resolve(
        next < events.length ? { done: false, value: events[next++]! } : { done: true, value: undefined },
      ),
    return: (value?: unknown) => {
      next = events.length;
      return Promise.resolve({ done: true, value });
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
