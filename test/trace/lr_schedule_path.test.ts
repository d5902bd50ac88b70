/**
 * `%lr_schedule rq.sched --steps N`: a line naming a scheduler by a path into a variable (a
 * property, an element, or both: kernel/src/magics/value_path.ts), in-process (previewLines with
 * the variables given). A porter's helper returned `{ opt, sched }` and the line said "unknown
 * scheduler "rq.sched"" (userS's pass, 4.1), so each case here failed before. The line gives
 * lrlab.preview(sched, { steps })'s numbers labelled with the path; a path that does not hold a
 * scheduler is named with what it holds (and, for a missing property, the close one and the
 * properties that hold a scheduler). Through the real kernel: test/kernel/lr_schedule_path.test.ts.
 * The plain variable's cases: lr_schedule_variable.test.ts.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const load = createRequire(__filename);
const DIST = join(__dirname, "../../kernel/dist");
const { previewLines } = load(join(DIST, "magics/lr_schedule.js")) as typeof import("../../kernel/src/magics/lr_schedule");
const { schedulerVariables } = load(join(DIST, "magics/scheduler_variable.js")) as typeof import("../../kernel/src/magics/scheduler_variable");
const { parsePath } = load(join(DIST, "magics/value_path.js")) as typeof import("../../kernel/src/magics/value_path");
const { preview } = load(join(DIST, "trace/preview.js")) as typeof import("../../kernel/src/trace/preview");
const torch = load(join(DIST, "index.js")) as typeof import("../../kernel/src/index");
const { lr_scheduler } = torch.optim;

/** A porter's make_opt(): the optimizer and its scheduler, returned together. */
function makeOpt(step_size = 5) {
  const opt = new torch.optim.SGD([torch.zeros([1], { requires_grad: true })], { lr: 0.1 });
  return { opt, sched: new lr_scheduler.StepLR(opt, { step_size, gamma: 0.5 }) };
}

function thrown(f: () => unknown): string {
  try {
    f();
  } catch (e: any) {
    return `${e.name}: ${e.message}`;
  }
  return "no error";
}

describe("%lr_schedule <path>: a scheduler held by a property or an element of a variable", () => {
  it("rq.sched gives lrlab.preview's rates and text, labelled with the path", () => {
    const rq = makeOpt();
    const [p] = previewLines(["rq.sched --steps 23"], { rq });
    const expected = preview(rq.sched, { steps: 23 });
    expect(p.lrs).toEqual(expected.lrs);
    expect(p.name).toBe("rq.sched");
    expect(String(p)).toBe("rq.sched: 23 steps, lr 0.1 → 0.00625 (min 0.00625, max 0.1)");
  });

  it("element access and mixed paths: runs[1].sched, scheds[0], cfg[\"warm up\"], a.b.c", () => {
    const runs = [makeOpt(5), makeOpt(2)];
    const scheds = [makeOpt(3).sched];
    const cfg = { "warm up": makeOpt(4).sched };
    const a = { b: { c: makeOpt(6).sched } };
    const out = previewLines(["runs[1].sched --steps 10", "scheds[0] --steps 10", `cfg["warm up"] --steps 10`, "a.b.c --steps 10"], { runs, scheds, cfg, a });
    expect(out.map((p) => p.name)).toEqual(["runs[1].sched", "scheds[0]", `cfg["warm up"]`, "a.b.c"]);
    expect(out[0].lrs).toEqual(preview(runs[1].sched, { steps: 10 }).lrs);
    expect(out[1].lrs).toEqual(preview(scheds[0], { steps: 10 }).lrs);
    expect(out[2].lrs).toEqual(preview(cfg["warm up"], { steps: 10 }).lrs);
    expect(out[3].lrs).toEqual(preview(a.b.c, { steps: 10 }).lrs);
    // a path's line overlays with a class line, as a variable's does
    const mixed = previewLines(["runs[0].sched --steps 10", "StepLR step_size=5 gamma=0.5 --steps 10"], { runs });
    expect(mixed[1].lrs).toEqual(mixed[0].lrs);
  });

  it("a path holding something else is named with what it holds, as a variable is", () => {
    const rq = makeOpt();
    expect(thrown(() => previewLines(["rq.opt --steps 10"], { rq }))).toMatch(
      /^UsageError: rq\.opt holds an SGD optimizer, not a learning-rate scheduler \(an LRScheduler\); %lr_schedule takes .*; a scheduler is built on an optimizer \(new torch\.optim\.lr_scheduler\.StepLR\(rq\.opt, /);
    expect(thrown(() => previewLines(["cfg.steps --steps 10"], { cfg: { steps: 5 } }))).toMatch(/^UsageError: cfg\.steps holds the number 5, not a learning-rate scheduler/);
    // class-line options on a path's line: the scheduler has its own optimizer, as for a variable
    expect(thrown(() => previewLines(["rq.sched --lr 0.1 --steps 10"], { rq }))).toMatch(/^UsageError: --lr 0\.1: rq\.sched holds a StepLR your code built, which already has its optimizer and options/);
  });

  it("a missing step of a path names the path so far, what it holds, the close property and the schedulers in it", () => {
    const rq = makeOpt();
    expect(thrown(() => previewLines(["rq.shed --steps 10"], { rq }))).toBe(
      "UsageError: rq.shed: rq holds an Object, which has no .shed (did you mean sched?); its properties: opt, sched; rq.sched holds a scheduler");
    expect(thrown(() => previewLines(["runs[2].sched --steps 10"], { runs: [rq, rq] }))).toBe(
      "UsageError: runs[2].sched: runs holds an Array of 2 elements (runs[0] to runs[1]), which has no [2]");
    expect(thrown(() => previewLines(["u.sched --steps 10"], { u: undefined }))).toBe("UsageError: u.sched: u holds undefined, which has no .sched");
    expect(thrown(() => previewLines(["n.x.sched --steps 10"], { n: { x: null } }))).toBe("UsageError: n.x.sched: n.x holds null, which has no .sched");
    // a getter that throws is said, not a crash
    const g = { get sched(): never { throw new Error("not built yet"); } };
    expect(thrown(() => previewLines(["g.sched --steps 10"], { g }))).toBe("UsageError: g.sched: reading g.sched threw Error: not built yet");
    const px = new Proxy({}, { has() { throw new TypeError("revoked"); } });
    expect(thrown(() => previewLines(["px.sched --steps 10"], { px }))).toBe("UsageError: px.sched: reading px.sched threw TypeError: revoked");
  });

  it("a path whose variable is not defined is the unknown scheduler's error; a misspelt class path stays one", () => {
    expect(thrown(() => previewLines(["rq.sched --steps 10"], {}))).toMatch(/^UsageError: unknown scheduler "rq\.sched"; valid names: .*; or a variable \(or a property of one: rq\.sched\) holding a scheduler your code built/);
    expect(thrown(() => previewLines(["lr_scheduler.StepLRR step_size=2 --steps 5"], {}))).toMatch(/^UsageError: unknown scheduler "lr_scheduler\.StepLRR"/);
    // and the full class path still names the class
    expect(previewLines(["torch.optim.lr_scheduler.StepLR step_size=2 --steps 5"])[0].name).toBe("StepLR(step_size=2)");
  });

  it("a call or an operator is no path (it runs no code): parsePath", () => {
    expect(parsePath("rq.sched")).toEqual({ root: "rq", steps: ["sched"] });
    expect(parsePath(`runs[0]['a b'].x`)).toEqual({ root: "runs", steps: [0, "a b", "x"] });
    for (const text of ["make().sched", "a+b", "a[i]", "a.", "a..b", "1a", "a[-1]", "a?.b"]) expect(parsePath(text), text).toBeUndefined();
  });

  it("Tab's list: the variables holding a scheduler, and the paths one step into a plain object or array (no getter run)", () => {
    const rq = makeOpt();
    let ran = false;
    const lazy = { get sched() { ran = true; return rq.sched; } };
    const scope = () => Object.entries({ rq, runs: [makeOpt().sched, 5], s: rq.sched, opt: rq.opt, lazy, _hidden: rq, inst: new (class Holder { sched = rq.sched })() }) as [string, unknown][];
    // a class instance (inst) is not looked into: its properties may be getters of its class
    expect(schedulerVariables(scope)).toEqual(["rq.sched", "runs[0]", "s"]);
    expect(ran).toBe(false);
    expect(thrown(() => previewLines(["rq.shed --steps 3"], { rq, s: rq.sched }))).toContain("did you mean sched?");
  });
});
