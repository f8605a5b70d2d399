// The request's time budget: config default, optionally shortened (never lengthened past maxMs) by a client
// header, combined with the client's disconnect signal into the one signal every attempt inherits.
import type { SwitchyardConfig } from "#config/schema.ts";
import { ClientClosedError, UpstreamTimeoutError } from "#gateway/openai/errors.ts";

export type RequestBudget = { signal: AbortSignal; deadline: number; dispose(): void };

export function requestBudget(
  deadlines: SwitchyardConfig["routing"]["deadlines"],
  headerValue: string | undefined,
  clientSignal: AbortSignal,
): RequestBudget {
  const asked = Number(headerValue);
  const budgetMs = Number.isFinite(asked) && asked > 0 ? Math.min(asked, deadlines.maxMs) : deadlines.defaultMs;
  const deadline = Date.now() + budgetMs;
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new UpstreamTimeoutError(`The request exceeded its deadline of ${budgetMs} ms.`)),
    budgetMs,
  );
  const onClientGone = () => controller.abort(new ClientClosedError());
  if (clientSignal.aborted) onClientGone();
  else clientSignal.addEventListener("abort", onClientGone, { once: true });
  return {
    signal: controller.signal,
    deadline,
    dispose() {
      clearTimeout(timer);
      clientSignal.removeEventListener("abort", onClientGone);
    },
  };
}
