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
    let controller: Dispatcher.DispatchController | undefined;
    let response: WholeResponse | undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    const done = source.onAbort(() => controller?.abort(source.reason as Error));
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
        if (source.aborted) started.abort(source.reason as Error);
      },
      onResponseStart(started, statusCode, headers) {
        if (statusCode < 200) return; // informational (1xx): the real answer follows
        response = { statusCode, headers, text: undefined };
        try {
          onHeaders?.(headers);
        } catch (error) {
          started.abort(error as Error);
        }
      },
      onResponseData(_controller, chunk) {
        chunks.push(chunk);
        size += chunk.byteLength;
      },
      onResponseEnd() {
        done();
        if (!response) return reject(new Error("the response ended before its headers"));
        response.text =
          chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks, size).toString("utf8");
        resolve(response);
      },
      onResponseError(_controller, error) {
        done();
        if (!response) return reject(error);
        response.bodyError = error;
        resolve(response);
      },
    };
    try {
      dispatcher.dispatch(options, handler);
    } catch (error) {
      done();
      reject(error);
    }
  });
}
