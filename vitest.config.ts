import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // tensors compared by their fields, not as the iterables they are (test/setup/tensor_equality.ts)
    setupFiles: ["test/setup/tensor_equality.ts"],
    environment: "node",
    globals: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // The kernel and browser suites start real processes; two cores, so keep the pool small.
    maxWorkers: 2,
  },
});
