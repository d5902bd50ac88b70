/**
 * An engine for tests of a cell's error path (type check, then errors.ts), built on first use
 * with a set-up cell, and the traceback a failing cell shows (colours taken out).
 */
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { DIST, Engine, makePrelude } from "./dist";

const { errorContent } = createRequire(__filename)(join(DIST, "kernel/errors.js")) as typeof import("../../kernel/src/kernel/errors");

export const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");

/** `engine()`: the suite's engine (`setup` run first); `traceback(src)`: what the error `src` raises shows (it must raise). Closed after the suite. */
export function errorEngine(setup: string): { engine: () => InstanceType<typeof Engine>; traceback: (src: string) => string[] } {
  let engine: InstanceType<typeof Engine> | null = null;
  const e = (): InstanceType<typeof Engine> => {
    if (engine === null) {
      engine = new Engine(makePrelude(DIST), tmpdir());
      engine.run(setup);
    }
    return engine;
  };
  afterAll(() => engine?.close());
  const traceback = (src: string): string[] => {
    try {
      e().run(src);
    } catch (err) {
      return errorContent(err, e(), src).traceback.map(plain);
    }
    throw new Error(`cell did not throw: ${src}`);
  };
  return { engine: e, traceback };
}
