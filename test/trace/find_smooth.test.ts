/**
 * The range test's smoothed loss is smooth (a teacher's pass: "%lr_find's smoothed loss looks like
 * stairs"). It was the centred running median alone, whose value is one of its window's losses:
 * neighbouring windows share all but two, so it stayed on one loss for several rates and jumped
 * (33 of the README run's 88 points repeated the one before). The curve is now that median with
 * straight lines between the middles of its treads (find_smooth.ts withoutStairs). A moving
 * average over it, tried first, lifted notebook 03's floor (0.15) to 0.37 next to the blow-up.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import type { Tensor } from "../../kernel/src/tensor/tensor";
import { find, type RangeTest } from "../../kernel/src/trace/index";
import { blowUpStart, centredMedian, smoothHalfWidth } from "../../kernel/src/trace/find";
import { withoutStairs } from "../../kernel/src/trace/find_smooth";
import { loaderStep } from "./loader_step";

/** The README's notebook example as %lr_find runs it (Adam, one batch per step, the loader restarting). */
function readmeRangeTest(): RangeTest {
  torch.manual_seed(0);
  const X = torch.randn(256, 10);
  const Y = X.matmul(torch.randn(10, 1)).add(torch.randn(256, 1).mul(0.1));
  const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(X, Y), { batch_size: 32, shuffle: true });
  torch.manual_seed(1);
  const model = new torch.nn.Sequential(new torch.nn.Linear(10, 32), new torch.nn.ReLU(), new torch.nn.Linear(32, 1));
  const loss_fn = new torch.nn.MSELoss();
  const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
  const step_fn = loaderStep(loader, model, loss_fn, opt);
  return find(opt, step_fn, { model });
}

describe("withoutStairs: straight lines between the middles of the median's treads", () => {
  it("by hand: treads [5,5] [3] [1,1,1] -> centres 0.5, 2, 4", () => {
    // i=0 is before the first centre: 5; i=1: 5 + (3-5)(1-0.5)/(2-0.5) = 5 - 2/3;
    // i=2: the lone 3 kept; i=3: 3 + (1-3)(3-2)/(4-2) = 2; i=4: 1; i=5 after the last centre: 1
    const out = withoutStairs([5, 5, 3, 1, 1, 1]);
    expect(out[0]).toBe(5);
    expect(out[1]).toBeCloseTo(5 - 2 / 3, 15);
    expect(out.slice(2)).toEqual([3, 2, 1, 1]);
  });

  it("a point that is a tread of its own keeps its value: a sharp jump stays where it is", () => {
    const step = [1, 1.2, 1, 1.1, 5, 9];
    expect(withoutStairs(step)).toEqual(step);
  });

  it("never leaves the neighbouring treads' values; a constant stays itself", () => {
    const m = [4, 4, 4, 2, 2, 6, 6, 6, 6, 3];
    const out = withoutStairs(m);
    out.forEach((v) => { expect(v).toBeGreaterThanOrEqual(2); expect(v).toBeLessThanOrEqual(6); });
    expect(withoutStairs([2, 2, 2])).toEqual([2, 2, 2]);
    expect(withoutStairs([])).toEqual([]);
  });
});

describe("%lr_find's curve on the README example", () => {
  const r = readmeRangeTest();
  const n = r.diverged_at ?? r.lrs.length;
  const cut = blowUpStart(r.losses, n, r.diverged_at !== null);
  const h = smoothHalfWidth(100, 0.05);
  const median = centredMedian(r.losses.slice(0, cut), h);
  const variation = (v: readonly number[]) => v.slice(1).reduce((a, x, i) => a + Math.abs(x - v[i]), 0);

  it("has no stairs: hardly a point repeats the one before (the median alone repeated a third of them)", () => {
    expect(r.smoothed.length).toBe(median.length);
    const repeats = (v: readonly number[]) => v.slice(1).filter((x, i) => x === v[i]).length;
    expect(repeats(median)).toBeGreaterThan(median.length / 5);
    // none between the first tread's middle and the last's (before and after them the curve is that
    // tread's value: half a tread flat at each end)
    const run = (v: readonly number[]) => v.findIndex((x) => x !== v[0]);
    const inner = r.smoothed.slice(Math.floor(run(median) / 2), median.length - Math.floor(run([...median].reverse()) / 2));
    // ... but where a tread sits between two equal ones (a, a, b, b, a, a: the two points of b's
    // tread are both three quarters of the way from a to b): 2 such on this run, against 33 stairs
    expect(repeats(inner)).toBeLessThanOrEqual(2);
    // and it goes up and down no more than the median does (only its treads are replaced)
    expect(variation(r.smoothed)).toBeLessThanOrEqual(variation(median) + 1e-9);
  });

  it("is the median without its stairs: the same numbers, its bottom the median's (value, and within two rates)", () => {
    const expected = withoutStairs(median);
    r.smoothed.forEach((v, i) => expect(v).toBe(expected[i]));
    const argmin = (v: readonly number[]) => v.reduce((m, x, i) => (x < v[m] ? i : m), 0);
    expect(Math.abs(argmin(r.smoothed) - argmin(median))).toBeLessThanOrEqual(2);
    expect(Math.min(...r.smoothed)).toBeGreaterThanOrEqual(Math.min(...median));
    expect(Math.max(...r.smoothed)).toBeLessThanOrEqual(Math.max(...median));
  });

  it("keeps the suggestions on the fall (made on the median, as before)", () => {
    expect(r.suggestions.valley).not.toBeNull();
    const i = r.lrs.findIndex((x) => x === r.suggestions.valley);
    // the valley is where the drawn curve descends
    expect(r.smoothed[i + 1]).toBeLessThan(r.smoothed[i - 1]);
  });
});
