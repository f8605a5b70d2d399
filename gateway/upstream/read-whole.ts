// Sends one request and collects the whole response body through undici's dispatch handler API: for answers
// read in full (non-streaming requests) this skips the per-response Readable stream that `pool.request` builds.
import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher } from "undici";
import { asCancelSource, type CancelSource } from "#gateway/pipeline/cancel-source.ts";

export type WholeResponse = {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** The body as UTF-8 text, or undefined when it broke off after the headers (see `bodyError`). */
  text: string | undefined;
  bodyError?: unknown;
};

/**
 * Rejects only when no response headers arrived (connection failure, abort before the answer); after that it
 * resolves, with `bodyError` set if the body could not be read to its end. An abort of `cancel` stops the request.
 */
export function requestWhole(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  cancel: CancelSource | AbortSignal,
  onHeaders?: (headers: IncomingHttpHeaders) => void,
): Promise<WholeResponse> {
  const source = asCancelSource(cancel);
  return new Promise((resolve, reject) => {
    if (source.aborted) return reject(source.reason);
    const handler = new WholeResponseHandler(source, onHeaders, resolve, reject);
    try {
      dispatcher.dispatch(options, handler);
    } catch (error) {
      handler.done();
      reject(error);
    }
  });
}

// A class rather than an object literal of closures: this runs once per request, and one object with its methods on
// the prototype costs less to make than a literal that captures six closures.
class WholeResponseHandler implements Dispatcher.DispatchHandler {
  readonly #source: CancelSource;
  readonly #onHeaders: ((headers: IncomingHttpHeaders) => void) | undefined;
  readonly #resolve: (response: WholeResponse) => void;
  readonly #reject: (error: unknown) => void;
  readonly done: () => void;
  #controller: Dispatcher.DispatchController | undefined = undefined;
  #response: WholeResponse | undefined = undefined;
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(
    source: CancelSource,
    onHeaders: ((headers: IncomingHttpHeaders) => void) | undefined,
    resolve: (response: WholeResponse) => void,
    reject: (error: unknown) => void,
  ) {
    this.#source = source;
    this.#onHeaders = onHeaders;
    this.#resolve = resolve;
    this.#reject = reject;
    this.done = source.onAbort(() => this.#controller?.abort(source.reason as Error));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#source.aborted) controller.abort(this.#source.reason as Error);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // informational (1xx): the real answer follows
    this.#response = { statusCode, headers, text: undefined };
    try {
      this.#onHeaders?.(headers);
    } catch (error) {
      controller.abort(error as Error);
    }
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#size += chunk.byteLength;
  }

  onResponseEnd(): void {
    this.done();
    const response = this.#response;
    if (!response) {
      this.#reject(new Error("the response ended before its headers"));
      return;
    }
    const chunks = this.#chunks;
    response.text =
      chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks, this.#size).toString("utf8");
    this.#resolve(response);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.done();
    const response = this.#response;
    if (!response) {
      this.#reject(error);
      return;
    }
    response.bodyError = error;
    this.#resolve(response);
  }
}
