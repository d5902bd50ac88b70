/**
 * Errors built by the shared Python-exception helpers (kernel/src/errors.ts, re-exported from
 * optim/lr_scheduler/errors.ts) start their stack at the op that raised them: the user's traceback
 * showed `at named (lrlab/optim/lr_scheduler/errors.js:9:19)` as its first frame for a
 * MultiheadAttention AssertionError and a ctc_loss RuntimeError.
 */
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DIST, Engine, makePrelude } from "./dist";

const load = createRequire(__filename);
const { errorContent } = load(join(DIST, "kernel/errors.js")) as typeof import("../../kernel/src/kernel/errors");
const errors = load(join(DIST, "errors.js")) as typeof import("../../kernel/src/errors");
const schedulerErrors = load(join(DIST, "optim/lr_scheduler/errors.js")) as typeof import("../../kernel/src/optim/lr_scheduler/errors");

const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");
function thrown(e: InstanceType<typeof Engine>, src: string): Error {
  try { e.run(src); } catch (err) { return err as Error; }
  throw new Error(`cell did not throw: ${src}`);
}
/** The stack's frame lines ("    at ..."). */
const frames = (stack: string | undefined) => (stack ?? "").split("\n").filter((l) => /^\s+at /.test(l));

describe("the Python-exception helpers", () => {
  it("name the error and start its stack at the caller", () => {
    function raiser(): Error { return errors.ValueError("bad value"); }
    const err = raiser();
    expect(err.name).toBe("ValueError");
    expect(err.message).toBe("bad value");
    expect(err.stack).toMatch(/^ValueError: bad value\n/);
    expect(frames(err.stack)[0]).toMatch(/at raiser /);
    const te = errors.TypeError_("t");
    expect(te).toBeInstanceOf(TypeError);
    expect(te.name).toBe("TypeError");
    // the scheduler's old import path gives the same helpers
    expect(schedulerErrors.RuntimeError).toBe(errors.RuntimeError);
  });

  it("leave no helper frame in an nn error's traceback", () => {
    const e = new Engine(makePrelude(DIST), tmpdir());
    const cases: [string, RegExp][] = [
      ["new torch.nn.MultiheadAttention(5, 2)", /^AssertionError: embed_dim must be divisible by num_heads$/m],
      [
        "torch.nn.functional.ctc_loss(torch.randn([4, 2, 3]).log_softmax(2), torch.tensor([[1, 1], [1, 1]], { dtype: 'int64' }), [4, 4, 4], [2, 2])",
        /^RuntimeError: input_lengths must be of size batch_size/m,
      ],
    ];
    for (const [src, head] of cases) {
      const err = thrown(e, src);
      // (Node may put the throwing source line and a caret above the header line)
      expect(err.stack, src).toMatch(head);
      const first = frames(err.stack)[0];
      expect(first, src).toBeDefined();
      expect(first, src).not.toMatch(/errors\.js|\bat named\b|\bat (AssertionError|RuntimeError) /);
      const tb = errorContent(err, e).traceback.map(plain).join("\n");
      expect(tb, src).not.toMatch(/errors\.js:\d+/);
    }
    e.close();
  }, 60_000);
});
