// Test runner settings: unit and integration suites run in one `npm test`; integration suites start real
// servers on port 0, real onnxruntime sessions and talk to a real Redis, so they get generous timeouts.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    globalSetup: ["test/global-setup.ts"],
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
