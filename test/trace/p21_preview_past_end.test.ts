/**
 * Session 21, finding 1 (a users' pass): a preview past a CosineAnnealingLR's T_max drew the cosine
 * rising again (PyTorch's schedule: it goes on with a period of 2 × T_max) with nothing saying the
 * steps had passed T_max, and a student took the rise for the schedule. The preview's text (and the
 * plot's note over lr) now names T_max and the step where the preview passes it: for a class line,
 * a scheduler variable, lrlab.preview, and a cosine inside SequentialLR / ChainedScheduler. The
 * rates are unchanged (PyTorch 2.13's below). Schedules that hold their last rate past their end
 * (LinearLR, ConstantLR, PolynomialLR, SWALR) or cycle by design get no note.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const load = createRequire(__filename);
const DIST = join(__dirname, "../../kernel/dist");
const { previewLines } = load(join(DIST, "magics/lr_schedule.js")) as typeof import("../../kernel/src/magics/lr_schedule");
const { preview } = load(join(DIST, "trace/preview.js")) as typeof import("../../kernel/src/trace/preview");
const { bundle } = load(join(DIST, "plot/bundle.js")) as typeof import("../../kernel/src/plot/bundle");
const torch = load(join(DIST, "index.js")) as typeof import("../../kernel/src/index");
const { lr_scheduler } = torch.optim;

/**
 * PyTorch 2.13 (/work/torchvenv), CosineAnnealingLR(T_max=50) on SGD lr 0.1, steps 48..53 of 100:
 *   import torch; o = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
 *   s = torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=50); lrs = []
 *   for _ in range(100): lrs.append(o.param_groups[0]["lr"]); o.step(); s.step()
 *   print(lrs[48:54])
 */
const PYTORCH_48_53 = [0.00039426493427611173, 9.866357858642205e-05, 0.0, 9.866357858642206e-05, 0.0003942649342761062, 0.0008856374635655695];

const text = (p: object) => String((bundle(p as any) as Record<string, unknown>)["text/plain"]);
const plotNotes = (p: object) => ((bundle(p as any) as any)["application/vnd.lrlab.plot+json"].notes ?? []) as { metrics: string[]; text: string }[];
const NOTE = "note: step 51 is past T_max=50 of the CosineAnnealingLR: from there its cosine rises again (PyTorch's goes on, a period every 2 × T_max steps)";

describe("a preview past a CosineAnnealingLR's T_max says so", () => {
  it("the users' line: T_max=50 over 100 steps; PyTorch's rates, and the note in the text, the plot and console.log", () => {
    const [p] = previewLines(["CosineAnnealingLR T_max=50 --lr 0.1 --steps 100"]);
    p.lrs[0].slice(48, 54).forEach((v, i) => expect(v).toBeCloseTo(PYTORCH_48_53[i], 15));
    expect(p.notes).toHaveLength(1);
    expect(text(p)).toContain(`\n  ${NOTE}; T_max=100 anneals over all 100 steps, or preview 51 steps to stop at its minimum`);
    // the first line stays the schedule's (tests and the overlay read it)
    expect(String(p)).toBe("CosineAnnealingLR(T_max=50): 100 steps, lr 0.1 → 0.0999 (min 0, max 0.1)");
    expect(plotNotes(p)).toEqual([{ metrics: ["lr"], text: `CosineAnnealingLR(T_max=50): ${NOTE.slice(6)}; T_max=100 anneals over all 100 steps, or preview 51 steps to stop at its minimum` }]);
    expect((p as any)[Symbol.for("nodejs.util.inspect.custom")]()).toContain(NOTE);
  });

  it("up to T_max, or T_max's own length without --steps: no note", () => {
    for (const line of ["CosineAnnealingLR T_max=50 --steps 51", "CosineAnnealingLR T_max=50", "CosineAnnealingLR T_max=100 --steps 100"]) {
      const [p] = previewLines([line]);
      expect(p.notes, line).toEqual([]);
      expect(text(p), line).not.toContain("note:");
      expect(plotNotes(p), line).toEqual([]);
    }
  });

  it("a resumed line already past T_max: the note from its first step, no advice on T_max", () => {
    const [p] = previewLines(["CosineAnnealingLR T_max=50 last_epoch=60 --steps 10"]);
    expect(p.notes).toEqual(["step 61 is past T_max=50 of the CosineAnnealingLR: from there its cosine rises again (PyTorch's goes on, a period every 2 × T_max steps)"]);
  });

  it("a scheduler variable and lrlab.preview of an instance: the same note; the instance is put back", () => {
    const o = new torch.optim.SGD([torch.zeros([1], { requires_grad: true })], { lr: 0.1 });
    const s = new lr_scheduler.CosineAnnealingLR(o, { T_max: 50 });
    const [v] = previewLines(["sched --steps 100"], { sched: s });
    expect(text(v)).toContain(NOTE);
    expect(preview(s, { steps: 100 }).notes[0]).toContain("step 51 is past T_max=50");
    expect(s.last_epoch).toBe(0);
    // a factory too
    expect(preview((opt) => new lr_scheduler.CosineAnnealingLR(opt, { T_max: 20 }), { steps: 30 }).notes[0]).toMatch(/^step 21 is past T_max=20 of the CosineAnnealingLR: .*T_max=30 anneals over all 30 steps, or preview 21 steps/);
  });

  it("a cosine inside SequentialLR (its step once in charge) and ChainedScheduler: named by its place", () => {
    const seq = preview((opt) => new lr_scheduler.SequentialLR(opt, {
      schedulers: [new lr_scheduler.LinearLR(opt, { start_factor: 0.125, total_iters: 7 }), new lr_scheduler.CosineAnnealingLR(opt, { T_max: 56 })], milestones: [8],
    }), { steps: 100 });
    expect(seq.notes).toEqual(["step 65 is past T_max=56 of the CosineAnnealingLR in schedulers[1]: from there its cosine rises again (PyTorch's goes on, a period every 2 × T_max steps)"]);
    // the rate's minimum is at 64 and it rises at 65, where the note puts it
    expect(seq.lrs[0][64]).toBe(0);
    expect(seq.lrs[0][65]).toBeGreaterThan(0);
    expect(preview((opt) => new lr_scheduler.SequentialLR(opt, {
      schedulers: [new lr_scheduler.LinearLR(opt, { start_factor: 0.125, total_iters: 7 }), new lr_scheduler.CosineAnnealingLR(opt, { T_max: 56 })], milestones: [8],
    }), { steps: 65 }).notes).toEqual([]);
    const chained = preview((opt) => new lr_scheduler.ChainedScheduler([new lr_scheduler.ExponentialLR(opt, { gamma: 0.99 }), new lr_scheduler.CosineAnnealingLR(opt, { T_max: 10 })]), { steps: 15 });
    expect(chained.notes).toEqual(["step 11 is past T_max=10 of the CosineAnnealingLR in schedulers[1]: from there its cosine rises again (PyTorch's goes on, a period every 2 × T_max steps)"]);
  });

  it("an overlay: each line's note under it, the plot's notes named by line", () => {
    const ps = previewLines(["CosineAnnealingLR T_max=50 --steps 100", "StepLR step_size=10 --steps 100"]);
    const t = text(ps);
    expect(t.split("\n").filter((l) => l.includes("note:"))).toHaveLength(1);
    expect(t).toMatch(/CosineAnnealingLR\(T_max=50\): 100 steps.*\n {2}note: step 51 is past T_max=50/);
  });

  it("schedules that hold or cycle past their end get no note", () => {
    for (const line of [
      "LinearLR start_factor=0.1 total_iters=10 --steps 50", "ConstantLR factor=0.5 total_iters=10 --steps 50",
      "PolynomialLR total_iters=10 --steps 50", "SWALR swa_lr=0.05 anneal_epochs=5 --steps 50",
      "CyclicLR base_lr=0.01 max_lr=0.1 step_size_up=5 --steps 50", "CosineAnnealingWarmRestarts T_0=10 --steps 50",
      "OneCycleLR max_lr=0.1 total_steps=50",
    ]) {
      const [p] = previewLines([line]);
      expect(p.notes, line).toEqual([]);
    }
  });
});
