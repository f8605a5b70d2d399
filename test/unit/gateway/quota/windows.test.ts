// Quota counters: which a caller draws from, named by scope and UTC window, ending when the window turns.
import { describe, expect, it } from "vitest";
import { createMemoryQuotaStore } from "#gateway/quota/store.ts";
import { quotaCounters } from "#gateway/quota/windows.ts";

const caller = { tenant: "acme", keyName: "ci", models: undefined };
const at = Date.UTC(2026, 11, 31, 23, 59, 30); // the last 30 s of a day, a month and a year

describe("quota counters", () => {
  it("name the tenant's and the key's windows, each ending at the next UTC day or month", () => {
    const counters = quotaCounters(
      {
        store: "memory",
        tenants: { acme: { tokensPerDay: 100, tokensPerMonth: 1000 } },
        keys: { ci: { tokensPerDay: 10 } },
      },
      caller,
      at,
    );
    expect(counters.map((c) => [c.id, c.limit, new Date(c.endsAt).toISOString()])).toEqual([
      ["tenant/acme/day/2026-12-31", 100, "2027-01-01T00:00:00.000Z"],
      ["tenant/acme/month/2026-12", 1000, "2027-01-01T00:00:00.000Z"],
      ["key/ci/day/2026-12-31", 10, "2027-01-01T00:00:00.000Z"],
    ]);
  });

  it("are none for a caller without quotas", () => {
    expect(quotaCounters({ store: "memory", tenants: { other: { tokensPerDay: 1 } }, keys: {} }, caller, at)).toEqual(
      [],
    );
  });
});

describe("memory quota store", () => {
  it("adds up usage per counter and forgets a counter once its window has ended", () => {
    let now = at;
    const store = createMemoryQuotaStore(() => now);
    const day = { id: "tenant/acme/day/2026-12-31", endsAt: at + 30_000 };
    const month = { id: "tenant/acme/month/2026-12", endsAt: at + 30_000 + 1 };
    store.add([day, month], 40);
    store.add([day], 2);
    expect(store.used([day, month, { id: "never", endsAt: at + 1 }])).toEqual([42, 40, 0]);
    now = at + 30_000;
    expect(store.used([day, month])).toEqual([0, 40]);
  });
});
