/**
 * A scheduler constructed without a required option, in a typed cell: one error in PyTorch's
 * terms, the message the constructor itself throws in untyped code (optim/lr_scheduler/needs.ts),
 * at the options object, or at the call when there is none. It was TypeScript's overload error,
 * "No overload matches this call." and seven lines under it, the useful one ("Property
 * 'step_size' is missing ...") followed by the positional overload's ("'{ gamma: number; }' is
 * not assignable to type 'number'"); without options, three errors about `Positional<[...]>`.
 */
import { describe, expect, it } from "vitest";
import { errorEngine } from "./cell_errors";

const { engine: e, traceback } = errorEngine("const model = new torch.nn.Linear(2, 1); const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });");

/** The traceback of a one-line cell with one error, `code` and `message`, at `column` (1-based). */
function oneError(src: string, column: number, code: number, message: string): string[] {
  return [`1:${column} - error TS${code}: ${message}`, `   1 | ${src}`, `     | ${" ".repeat(column - 1)}^`];
}

const S = "torch.optim.lr_scheduler";
const STEP_LR = "StepLR.__init__() missing 1 required argument: 'step_size' (step_size: int, epochs between decays), "
  + `e.g. new ${S}.StepLR(optimizer, { step_size: 30 }); optional: gamma=0.1, last_epoch=-1`;
const CYCLIC_OPTIONAL = "; optional: step_size_up=2000, step_size_down=null, mode=triangular, gamma=1, scale_fn=null, scale_mode=cycle, "
  + "cycle_momentum=true, base_momentum=0.8, max_momentum=0.9, last_epoch=-1";
const CYCLIC_WHAT = "(base_lr: float, the cycle's lowest lr; max_lr: float, the cycle's highest lr), "
  + `e.g. new ${S}.CyclicLR(optimizer, { base_lr: 0.001, max_lr: 0.1 })${CYCLIC_OPTIONAL}`;

describe("a scheduler's required option left out of a typed cell", () => {
  it("StepLR with { gamma: 0.5 }: one line, the runtime's, at the options object", () => {
    const src = `new ${S}.StepLR(opt, { gamma: 0.5 })`;
    expect(traceback(src)).toEqual(oneError(src, src.indexOf("{") + 1, 2741, STEP_LR));
  }, 60_000);

  it("StepLR with {}: the same", () => {
    const src = `new ${S}.StepLR(opt, {})`;
    expect(traceback(src)).toEqual(oneError(src, src.indexOf("{") + 1, 2741, STEP_LR));
  }, 60_000);

  it("StepLR with no options at all: the same, at the call (it was three errors about Positional<...>)", () => {
    const src = `new ${S}.StepLR(opt)`;
    expect(traceback(src)).toEqual(oneError(src, 1, 2345, STEP_LR));
  }, 60_000);

  it("an options object in a variable: at the argument", () => {
    const src = `const o = { gamma: 0.5 }; new ${S}.StepLR(opt, o)`;
    expect(traceback(src)).toEqual(oneError(src, src.lastIndexOf("o") + 1, 2741, STEP_LR));
  }, 60_000);

  it("the example calls the class as the cell does", () => {
    const src = `const { StepLR } = ${S}; new StepLR(opt, {})`;
    expect(traceback(src)[0]).toBe(`1:${src.lastIndexOf("{") + 1} - error TS2741: ${STEP_LR.replace(`new ${S}.StepLR(`, "new StepLR(")}`);
  }, 60_000);

  it("MultiStepLR, CosineAnnealingLR, LambdaLR", () => {
    const multi = `new ${S}.MultiStepLR(opt, { gamma: 0.5 })`;
    expect(traceback(multi)).toEqual(oneError(multi, multi.indexOf("{") + 1, 2741,
      "MultiStepLR.__init__() missing 1 required argument: 'milestones' (milestones: [30,60], the epochs at which lr is multiplied by gamma), "
      + `e.g. new ${S}.MultiStepLR(optimizer, { milestones: [30, 60] }); optional: gamma=0.1, last_epoch=-1`));
    const cosine = `new ${S}.CosineAnnealingLR(opt)`;
    expect(traceback(cosine)).toEqual(oneError(cosine, 1, 2345,
      "CosineAnnealingLR.__init__() missing 1 required argument: 'T_max' (T_max: int, epochs from the initial lr down to eta_min), "
      + `e.g. new ${S}.CosineAnnealingLR(optimizer, { T_max: 100 }); optional: eta_min=0, last_epoch=-1`));
    const lambda = `new ${S}.LambdaLR(opt, {})`;
    expect(traceback(lambda)).toEqual(oneError(lambda, lambda.indexOf("{") + 1, 2741,
      "LambdaLR.__init__() missing 1 required argument: 'lr_lambda' (lr_lambda: function, (epoch) => the factor of the initial lr), "
      + `e.g. new ${S}.LambdaLR(optimizer, { lr_lambda: (epoch) => 0.95 ** epoch }); optional: last_epoch=-1`));
  }, 60_000);

  it("CyclicLR: both required keys missing, or one (at the object, where TypeScript placed it at `new`)", () => {
    const both = `new ${S}.CyclicLR(opt, {})`;
    expect(traceback(both)).toEqual(oneError(both, both.indexOf("{") + 1, 2739, `CyclicLR.__init__() missing 2 required arguments: 'base_lr' and 'max_lr' ${CYCLIC_WHAT}`));
    const none = `new ${S}.CyclicLR(opt)`;
    expect(traceback(none)).toEqual(oneError(none, 1, 2345, `CyclicLR.__init__() missing 2 required arguments: 'base_lr' and 'max_lr' ${CYCLIC_WHAT}`));
    const one = `new ${S}.CyclicLR(opt, { max_lr: 1 })`;
    expect(traceback(one)).toEqual(oneError(one, one.indexOf("{") + 1, 2741, `CyclicLR.__init__() missing 1 required argument: 'base_lr' ${CYCLIC_WHAT}`));
  }, 60_000);

  it("every scheduler of needs.ts, through its options object and without one", () => {
    for (const [cls, ns] of [["MultiplicativeLR", S], ["ExponentialLR", S], ["CosineAnnealingWarmRestarts", S], ["OneCycleLR", S],
      ["SequentialLR", S], ["SWALR", "torch.optim.swa_utils"]]) {
      for (const src of [`new ${ns}.${cls}(opt, {})`, `new ${ns}.${cls}(opt)`]) {
        const tb = traceback(src);
        expect(tb).toHaveLength(3);
        expect(tb[0]).toMatch(new RegExp(`^1:\\d+ - error TS\\d+: ${cls}\\.__init__\\(\\) missing \\d required arguments?: '`));
        expect(tb[0]).toContain(`e.g. new ${ns}.${cls}(optimizer, { `);
      }
    }
    // OneCycleLR's example has its length too (needs.ts `also`)
    expect(traceback(`new ${S}.OneCycleLR(opt, {})`)[0]).toContain(`e.g. new ${S}.OneCycleLR(optimizer, { max_lr: 0.1, total_steps: 100 }); optional: pct_start=0.3, `);
  }, 60_000);

  it("a cell with every required option still runs", () => {
    expect(() => e().run(`const s1 = new ${S}.StepLR(opt, { step_size: 30, gamma: 0.5 }); opt.step(); s1.step();`)).not.toThrow();
    expect(() => e().run(`new ${S}.StepLR(opt, 30); new ${S}.CyclicLR(opt, { base_lr: 0.01, max_lr: 0.1 }); new ${S}.CyclicLR(opt, 0.01, 0.1)`)).not.toThrow();
  }, 60_000);

  it("other overload errors are TypeScript's as before", () => {
    // a wrong value's type (step_size is missing too, but TypeScript names the value): the chain
    const wrong = traceback(`new ${S}.StepLR(opt, { gamma: "x" })`);
    expect(wrong[0]).toBe("1:1 - error TS2769: No overload matches this call.");
    expect(wrong).toContain("  Type 'string' is not assignable to type 'number'.");
    // a misspelt key: its own one line
    const typo = `new ${S}.StepLR(opt, { gama: 0.5 })`;
    expect(traceback(typo)[0]).toBe(`1:${typo.indexOf("gama") + 1} - error TS2561: StepLR has no option 'gama' (did you mean gamma?); accepted: step_size, gamma, last_epoch`);
    const up = traceback(`new torch.nn.Upsample({ scale_factor: 2, mode: "bicubic" })`);
    expect(up[0]).toBe("1:42 - error TS2769: No overload matches this call.");
    expect(up.some((l) => /^ {2}Overload 2 of 2, /.test(l))).toBe(true);
    // a missing property of another type: TypeScript's error
    const other = traceback("function f(o: { a: number }) { return o.a; }\nf({})");
    expect(other[0]).toBe("2:3 - error TS2345: Argument of type '{}' is not assignable to parameter of type '{ a: number; }'.");
  }, 60_000);
});
