import { describe, expect, it } from "vitest";
import { configSchema } from "#config/schema.ts";
import { createCoalesceLayer } from "#gateway/cache/coalesce.ts";
import { createCacheMetrics } from "#gateway/cache/metrics.ts";
import { UpstreamError } from "#gateway/openai/errors.ts";
import type { ForwardRequest, ForwardResult, SseData } from "#gateway/pipeline/types.ts";
import {
  chatAnswer,
  chatRequest,
  chatStream,
  collect,
  fakeNext,
  json,
  newRegistry,
  readResult,
  stream,
} from "./fixtures.ts";

function layer(next: Parameters<ReturnType<typeof createCoalesceLayer>>[0]) {
  const metrics = createCacheMetrics(newRegistry());
  return { forward: createCoalesceLayer({ config: configSchema.parse({}).cache, metrics })(next), metrics };
}

/** A stream the test feeds by hand, to hold requests in flight. */
function controlledStream() {
  const queue: SseData[] = [];
  let wake: () => void = () => {};
  let ended = false;
  async function* events(): AsyncGenerator<SseData> {
    while (true) {
      if (queue.length) yield queue.shift()!;
      else if (ended) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  return {
    events: events(),
    push: (...data: SseData[]) => {
      queue.push(...data);
      wake();
    },
    end: () => {
      ended = true;
      wake();
    },
  };
}

const withSignal = (req: ForwardRequest, controller: AbortController) => ({ ...req, signal: controller.signal });

describe("coalescing layer", () => {
  it("sends N concurrent identical requests upstream once and answers all of them", async () => {
    const next = fakeNext(() => json(chatAnswer()), { hold: true });
    const { forward, metrics } = layer(next);
    const pending = Array.from({ length: 5 }, () => forward(chatRequest()));
    next.release();
    const results = await Promise.all(pending);
    expect(next.calls).toHaveLength(1);
    for (const result of results) expect(await readResult(result)).toEqual(chatAnswer());
    expect((await metrics.coalesced.get()).values[0]?.value).toBe(4);
    // Once answered, the next identical request goes upstream again.
    await forward(chatRequest());
    expect(next.calls).toHaveLength(2);
  });

  it("does not coalesce different, sampled or bypassing requests", async () => {
    const next = fakeNext(() => json(chatAnswer()), { hold: true });
    const { forward } = layer(next);
    const pending = [
      forward(chatRequest()),
      forward(chatRequest({ body: { messages: [{ role: "user", content: "other" }] } })),
      forward(chatRequest({ body: { temperature: 0.8 } })),
      forward(chatRequest({ body: { temperature: 0.8 } })),
      forward({ ...chatRequest(), headers: { "x-switchyard-cache": "bypass" } }),
      forward(chatRequest({ body: { stream: true } })),
    ];
    await new Promise((resolve) => setImmediate(resolve));
    expect(next.calls).toHaveLength(6);
    next.release();
    await Promise.all(pending);
  });

  it("fans one upstream stream out to every caller, late joiners included, identically", async () => {
    const upstream = controlledStream();
    const next = fakeNext(() => stream(upstream.events));
    const { forward } = layer(next);
    const req = chatRequest({ body: { stream: true } });
    const events = chatStream();
    const first = (await forward(req)) as Extract<ForwardResult, { kind: "stream" }>;
    const firstIterator = first.events[Symbol.asyncIterator]();
    upstream.push(events[0]!, events[1]!);
    expect((await firstIterator.next()).value).toBe(events[0]);
    const late = await forward(req); // joins mid-stream
    upstream.push(...events.slice(2));
    upstream.end();
    const rest: SseData[] = [];
    for (let r = await firstIterator.next(); !r.done; r = await firstIterator.next()) rest.push(r.value);
    expect([events[0], ...rest]).toEqual(events);
    expect(await readResult(late)).toEqual(events);
    expect(next.calls).toHaveLength(1);
  });

  it("keeps the upstream call alive while any caller remains, and aborts it when all have gone", async () => {
    const next = fakeNext(() => json(chatAnswer()), { hold: true });
    const { forward } = layer(next);
    const callers = [new AbortController(), new AbortController(), new AbortController()];
    const pending = callers.map((c) => forward(withSignal(chatRequest(), c)));
    const upstreamSignal = next.calls[0]!.signal;
    callers[0]!.abort();
    await expect(pending[0]).rejects.toMatchObject({ status: 499 });
    expect(upstreamSignal.aborted).toBe(false);
    next.release();
    expect(await readResult(await pending[1]!)).toEqual(chatAnswer());

    const held = fakeNext(() => json(chatAnswer()), { hold: true });
    const { forward: forward2 } = layer(held);
    const all = [new AbortController(), new AbortController()];
    const abandoned = all.map((c) => forward2(withSignal(chatRequest(), c)).catch((e: unknown) => e));
    all.forEach((c) => {
      c.abort();
    });
    await Promise.all(abandoned);
    expect(held.calls[0]!.signal.aborted).toBe(true);
  });

  it("aborts a shared stream only when the last reader leaves", async () => {
    const upstream = controlledStream();
    const next = fakeNext(() => stream(upstream.events));
    const { forward } = layer(next);
    const req = chatRequest({ body: { stream: true } });
    const a = new AbortController();
    const b = new AbortController();
    const [ra, rb] = (await Promise.all([forward(withSignal(req, a)), forward(withSignal(req, b))])) as Extract<
      ForwardResult,
      { kind: "stream" }
    >[];
    const ia = ra!.events[Symbol.asyncIterator]();
    const ib = rb!.events[Symbol.asyncIterator]();
    upstream.push("one");
    expect((await ia.next()).value).toBe("one");
    expect((await ib.next()).value).toBe("one");
    await ia.return?.();
    expect(next.calls[0]!.signal.aborted).toBe(false);
    const waiting = ib.next();
    b.abort();
    await expect(waiting).rejects.toBeDefined();
    expect(next.calls[0]!.signal.aborted).toBe(true);
  });

  it("shares an upstream failure with every caller", async () => {
    const next = fakeNext(
      () => {
        throw new UpstreamError("node down");
      },
      { hold: true },
    );
    const { forward } = layer(next);
    const pending = [forward(chatRequest()), forward(chatRequest())];
    next.release();
    for (const p of pending) await expect(p).rejects.toBeInstanceOf(UpstreamError);
    expect(next.calls).toHaveLength(1);
  });

  it("shares a broken stream's failure with every reader", async () => {
    async function* breaks(): AsyncGenerator<SseData> {
      yield "one";
      throw new UpstreamError("broke");
    }
    const next = fakeNext(() => stream(breaks()), { hold: true });
    const { forward } = layer(next);
    const req = chatRequest({ body: { stream: true } });
    const pending = [forward(req), forward(req)];
    next.release();
    for (const result of await Promise.all(pending)) {
      await expect(collect((result as Extract<ForwardResult, { kind: "stream" }>).events)).rejects.toBeInstanceOf(
        UpstreamError,
      );
    }
  });
});
