// Long soaks against the real kernel (numbers, not pass/fail):
//   npx vitest run --config bench/micro/vitest.soak.config.mjs
import { defineConfig } from "vitest/config";
export default defineConfig({ test: { include: ["bench/micro/*.soak.ts"], environment: "node", testTimeout: 1_800_000, hookTimeout: 120_000 } });
