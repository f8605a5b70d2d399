// A short run of `npm run load:ci`: a real gateway process behind autocannon answers every request of the mix,
// streams finish with [DONE], repeated temperature-0 requests hit the cache, and the check does fail when the
// gateway refuses requests.
import { describe, expect, it } from "vitest";
import { failures, runLoadCheck } from "../../../load-tests/ci-load-check.ts";

describe("load:ci", () => {
  it("passes a 2-second run with no errors and a working cache", async () => {
    const result = await runLoadCheck({ seconds: 2, connections: 8 });
    expect(failures(result)).toEqual([]);
    expect(result.requests).toBeGreaterThan(200);
    expect(result.cacheHits).toBeGreaterThan(result.cacheableRequests / 2);
  });

  it("fails when the gateway answers with errors", async () => {
    const result = await runLoadCheck({ seconds: 1, connections: 2, apiKey: "sk-not-a-valid-key" });
    expect(result.non2xx).toBe(result.requests);
    expect(failures(result)).toContain(`${result.non2xx} non-2xx responses`);
  });
});
