/**
 * The built kernel's engine modules (npm test builds kernel/dist first), loaded as the kernel
 * loads them: the engine requires the prelude's modules with Node's require, and Shift-Tab's docs
 * name dist's declaration files, so these tests use dist, not the TypeScript sources.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";

export const DIST = join(__dirname, "../../kernel/dist");
const load = createRequire(__filename);

export const { Engine, WARM_CELL } = load(join(DIST, "kernel/engine.js")) as typeof import("../../kernel/src/kernel/engine");
export const { latestProgram } = load(join(DIST, "kernel/engine_tslab.js")) as typeof import("../../kernel/src/kernel/engine_tslab");
export const { moduleDoc } = load(join(DIST, "kernel/module_docs.js")) as typeof import("../../kernel/src/kernel/module_docs");
export const { makePrelude } = load(join(DIST, "kernel/prelude_source.js")) as typeof import("../../kernel/src/kernel/prelude_source");

/** Sets environment variable `name` to `value` for the tests of the calling suite, then puts it back. */
export function envForSuite(name: string, value: string): void {
  let saved: string | undefined;
  beforeAll(() => {
    saved = process.env[name];
    process.env[name] = value;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  });
}
