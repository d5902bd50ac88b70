/**
 * A user's pass (session 16: /work/scratch/s16/userH findings 4 and 7) on the text summary under a
 * trace:
 * - "no divergence" was printed while the loss had grown 1e34-fold (SGD lr 30): divergence stays
 *   "not finite", but a loss grown more than 1e3-fold since its first steps, or an update ratio
 *   above 1, is now said instead of the all-clear. (Caught before: the line read "no divergence".)
 * - The summary gave the last step only, for a OneCycleLR run its annealed tail (lr 1.2e-8): when
 *   the configured lr changed over the run, a line now gives its range, the peak's step and the
 *   medians of lr_projected and update_ratio. (Caught before: no such line.)
 */
import { describe, expect, it } from "vitest";
import { fmt } from "../../kernel/src/plot/text";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { SGD, Adam, lr_scheduler } from "../../kernel/src/optim/index";
import { trace, Trace } from "../../kernel/src/trace/index";
import { seriesMedian } from "../../kernel/src/trace/summary_lines";
import { BoundedSeries } from "../../kernel/src/trace/series";

const param = (values: number[]) => new Tensor(Float64Array.from(values), [values.length], "float64", true);
const grad = (values: number[]) => new Tensor(Float64Array.from(values), [values.length], "float64");

describe("a finite run whose loss blew up is not 'no divergence'", () => {
  it("SGD with a rate far too large on a quadratic: the loss grows ×1e30, update_ratio above 1", () => {
    // f(θ) = θ², g = 2θ, θ ← θ − 2γθ = (1 − 2γ)θ: with γ = 30, |θ| grows 59-fold per step, and
    // ‖Δ‖/‖θ‖ = 2γ = 60
    const p = param([1]);
    const opt = new SGD([p], { lr: 30 });
    const t = trace(opt);
    for (let i = 0; i < 9; i++) {
      const th = p.data[0];
      p.grad = grad([2 * th]);
      t.log_loss(th * th);
      opt.step();
    }
    expect(t.diverged_at).toBeNull();
    const last = t.summary().at(-1)!;
    const growth = (p.data[0] / 59) ** 2; // the last logged loss (θ before the last step, squared) over the first (1)
    expect(last).toMatch(/^ {2}not diverged \(finite\), but the loss grew ×[0-9.]+e\+\d+ since step 0 and update_ratio is 60$/);
    expect(Number(/×([0-9.e+]+)/.exec(last)![1]) / growth).toBeCloseTo(1, 3);
    t.stop();
  });

  it("a healthy run still reads 'no divergence'; update_ratio above 1 alone is said too", () => {
    const p = param([1, 2]);
    const opt = new SGD([p], { lr: 0.1 });
    const t = trace(opt);
    for (let i = 0; i < 3; i++) {
      p.grad = grad([0.5, -1]);
      t.log_loss(1 + i); // grew, but threefold
      opt.step();
    }
    expect(t.summary().at(-1)).toBe("  no divergence");
    t.stop();
    const q = param([1e-3]);
    const big = new SGD([q], { lr: 1 });
    const t2 = trace(big);
    q.grad = grad([1]);
    big.step();
    expect(t2.summary().at(-1)).toBe("  not diverged (finite), but update_ratio is 1000");
    t2.stop();
  });
});

describe("over the run, when the lr changed or the run is long", () => {
  it("OneCycleLR: range, peak step and medians; a constant lr adds nothing", () => {
    const p = param([1, -2, 3]);
    const opt = new Adam([p], { lr: 0.003 });
    const sched = new lr_scheduler.OneCycleLR(opt, { max_lr: 0.003, total_steps: 20 });
    const t = trace(opt);
    const lrs: number[] = [];
    for (let i = 0; i < 20; i++) {
      p.grad = grad([0.1 * p.data[0], 0.2, -0.3 * (i + 1)]);
      lrs.push(opt.param_groups[0].lr);
      opt.step();
      sched.step();
    }
    const s = t.summary();
    const line = s[s.findIndex((l) => l.startsWith("  group 0:")) + 1];
    const peak = lrs.indexOf(Math.max(...lrs));
    const lo = Math.min(...lrs);
    // the medians are those of the steps' values (20 steps: one per bucket, exact)
    const median = (xs: number[]) => {
      const v = [...xs].sort((a, b) => a - b);
      return (v[9] + v[10]) / 2;
    };
    const proj: number[] = [], ratio: number[] = [];
    for (const b of t.series("lr_projected")!.buckets()) proj.push(b.mean!);
    for (const b of t.series("update_ratio")!.buckets()) ratio.push(b.mean!);
    expect(proj.length).toBe(20);
    expect(line).toBe(`    over the run: lr ${fmt(lo)}..0.003 (peak at step ${peak}), lr_projected median ${fmt(median(proj))}, update_ratio median ${fmt(median(ratio))}`);
    t.stop();
    const c = param([1]);
    const flat = new SGD([c], { lr: 0.1 });
    const t2 = trace(flat);
    for (let i = 0; i < 3; i++) {
      c.grad = grad([1]);
      flat.step();
    }
    expect(t2.summary().join("\n")).not.toContain("over the run");
    t2.stop();
    expect(Trace.from_json(JSON.parse(JSON.stringify(t.to_json()))).summary()).toEqual(s);
  });

  it("a constant lr from 10 steps: the medians alone (a noisy run's last step is one draw), not before", () => {
    // SGD with momentum 0.9 at lr 0.1 on gradients that flip sign every third step: the last
    // step's projected rate is one draw of a swinging series; the line gives its median
    const p = param([1, 2]);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    const t = trace(opt);
    const summaries: string[] = [];
    for (let i = 0; i < 11; i++) {
      p.grad = grad(i % 3 === 2 ? [-1, 0.5] : [1, 0.25 * (i + 1)]);
      opt.step();
      summaries.push(t.summary().join("\n"));
    }
    // 9 steps: nothing; 10 and 11 steps: the medians of the steps' values (one per bucket, exact)
    expect(summaries[8]).not.toContain("over the run");
    const proj: number[] = [], ratio: number[] = [];
    for (const b of t.series("lr_projected")!.buckets()) proj.push(b.mean!);
    for (const b of t.series("update_ratio")!.buckets()) ratio.push(b.mean!);
    const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[5]; // 11 values: the sixth
    const s = t.summary();
    expect(s[s.findIndex((l) => l.startsWith("  group 0:")) + 1]).toBe(`    over the run: lr_projected median ${fmt(mid(proj))}, update_ratio median ${fmt(mid(ratio))}`);
    expect(mid(proj)).not.toBe(proj[10]); // the last step is not the median here
    expect(summaries[9]).toContain("over the run: lr_projected median");
    t.stop();
  });

  it("seriesMedian: exact for one step per bucket, the middle of an even count", () => {
    const s = new BoundedSeries(8);
    for (const [i, v] of [5, 1, 4, 2].entries()) s.push(i, v);
    expect(seriesMedian(s)).toBe(3);
    s.push(4, null);
    s.push(5, 10);
    expect(seriesMedian(s)).toBe(4);
    expect(seriesMedian(undefined)).toBeNull();
  });
});
