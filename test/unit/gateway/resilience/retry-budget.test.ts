import { describe, expect, it } from "vitest";
import { RetryBudget } from "#gateway/resilience/retry-budget.ts";

function withdrawAll(budget: RetryBudget, now: number): number {
  let granted = 0;
  while (budget.tryWithdraw(now) && granted < 10_000) granted++;
  return granted;
}

describe("RetryBudget", () => {
  it("allows minPerSecond × window retries with no traffic at all", () => {
    expect(withdrawAll(new RetryBudget({ budgetRatio: 0.2, minPerSecond: 1 }, 10_000), 1000)).toBe(10);
  });

  it("adds budgetRatio of the requests in the window", () => {
    const budget = new RetryBudget({ budgetRatio: 0.2, minPerSecond: 0 }, 10_000);
    for (let i = 0; i < 100; i++) budget.deposit(1000);
    expect(withdrawAll(budget, 1000)).toBe(20);
  });

  it("forgets requests and retries that left the window", () => {
    const budget = new RetryBudget({ budgetRatio: 0.5, minPerSecond: 0 }, 3000);
    for (let i = 0; i < 10; i++) budget.deposit(1000);
    expect(withdrawAll(budget, 1000)).toBe(5);
    expect(withdrawAll(budget, 2500)).toBe(0);
    // Three seconds later both the deposits and the withdrawals have expired.
    expect(withdrawAll(budget, 4100)).toBe(0);
    for (let i = 0; i < 4; i++) budget.deposit(4100);
    expect(withdrawAll(budget, 4100)).toBe(2);
  });

  it("allows no retries at all with a zero budget", () => {
    const budget = new RetryBudget({ budgetRatio: 0, minPerSecond: 0 });
    for (let i = 0; i < 100; i++) budget.deposit(1);
    expect(budget.tryWithdraw(1)).toBe(false);
  });
});
