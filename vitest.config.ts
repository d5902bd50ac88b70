import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    globals: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // The kernel and browser suites start real processes; two cores, so keep the pool small.
    maxWorkers: 2,
  },
});
