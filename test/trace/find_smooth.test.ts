/**
 * The range test's smoothed loss is smooth (a teacher's pass: "%lr_find's smoothed loss looks like
 * stairs"). It was the centred running median alone, whose value is one of its window's losses:
 * neighbouring windows share all but two, so it stayed on one loss for several rates and jumped
 * (33 of the README run's 88 points repeated the one before). The curve is now that median
 * followed by fastai's / Lightning's bias-corrected EMA, run forwards and backwards (no lag).
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import type { Tensor } from "../../kernel/src/tensor/tensor";
import { find, type RangeTest } from "../../kernel/src/trace/index";
import { blowUpStart, centredMedian, smoothHalfWidth } from "../../kernel/src/trace/find";
import { debiasedEma, emaBeta, zeroLagEma } from "../../kernel/src/trace/find_smooth";

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
  let it = loader[Symbol.iterator]();
  const step_fn = () => {
    let n = it.next();
    if (n.done) {
      it = loader[Symbol.iterator]();
      n = it.next();
    }
    const [x, y] = n.value as [Tensor, Tensor];
    opt.zero_grad();
    const l = loss_fn.forward(model.forward(x), y);
    l.backward();
    return l;
  };
  return find(opt, step_fn, { model });
}

describe("fastai's bias-corrected EMA", () => {
  it("a_i = β a_{i−1} + (1 − β) x_i, r_i = a_i / (1 − β^{i+1}): by hand for [1, 2, 3], β = 0.5", () => {
    // a = 0.5, 1.25, 2.125; 1 − β^{i+1} = 0.5, 0.75, 0.875
    const r = debiasedEma([1, 2, 3], 0.5);
    expect(r[0]).toBeCloseTo(1, 15);
    expect(r[1]).toBeCloseTo(1.25 / 0.75, 15);
    expect(r[2]).toBeCloseTo(2.125 / 0.875, 15);
    // the correction: a constant is its own average from the first point (no start at 0)
    expect(debiasedEma([4, 4, 4, 4], 0.9).every((v) => Math.abs(v - 4) < 1e-12)).toBe(true);
  });

  it("forwards then backwards: no lag, a step is crossed half way where it is", () => {
    const step = Array.from({ length: 40 }, (_, i) => (i < 20 ? 5 : 1));
    const one = debiasedEma(step, 2 / 3);
    const both = zeroLagEma(step, 2 / 3);
    // one pass is still above the midpoint 3 one rate past the step (lag); both passes are symmetric about it
    expect(one[20]).toBeGreaterThan(3);
    expect(both[19] + both[20]).toBeCloseTo(6, 1);
    for (let k = 0; k < 10; k++) expect(both[19 - k] - 3).toBeCloseTo(3 - both[20 + k], 1);
    // a constant stays itself; β = 0 changes nothing
    expect(zeroLagEma([2, 2, 2], 0.6).every((v) => Math.abs(v - 2) < 1e-12)).toBe(true);
    expect(zeroLagEma([3, 1, 2], 0)).toEqual([3, 1, 2]);
  });

  it("β from the median's half width: 2/3 for the default 5, none at 1 or 0", () => {
    expect(emaBeta(5)).toBeCloseTo(2 / 3, 15);
    expect(emaBeta(1)).toBe(0);
    expect(emaBeta(0)).toBe(0);
  });
});

describe("%lr_find's curve on the README example", () => {
  const r = readmeRangeTest();
  const n = r.diverged_at ?? r.lrs.length;
  const cut = blowUpStart(r.losses, n, r.diverged_at !== null);
  const h = smoothHalfWidth(100, 0.05);
  const median = centredMedian(r.losses.slice(0, cut), h);
  const variation = (v: readonly number[]) => v.slice(1).reduce((a, x, i) => a + Math.abs(x - v[i]), 0);

  it("has no stairs: no point repeats the one before (the median alone repeated a third of them)", () => {
    expect(r.smoothed.length).toBe(median.length);
    const repeats = (v: readonly number[]) => v.slice(1).filter((x, i) => x === v[i]).length;
    expect(repeats(median)).toBeGreaterThan(median.length / 5);
    expect(repeats(r.smoothed)).toBe(0);
    // and no jumps back and forth: it travels far less up and down than the median
    expect(variation(r.smoothed)).toBeLessThan(0.7 * variation(median));
  });

  it("is the median's zero-lag EMA: the same numbers, and its bottom at the median's (within two rates)", () => {
    const expected = zeroLagEma(median, emaBeta(h));
    r.smoothed.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
    const argmin = (v: readonly number[]) => v.reduce((m, x, i) => (x < v[m] ? i : m), 0);
    expect(Math.abs(argmin(r.smoothed) - argmin(median))).toBeLessThanOrEqual(2);
  });

  it("keeps the suggestions on the fall (made on the median, as before)", () => {
    expect(r.suggestions.valley).not.toBeNull();
    const i = r.lrs.findIndex((x) => x === r.suggestions.valley);
    // the valley is where the drawn curve descends
    expect(r.smoothed[i + 1]).toBeLessThan(r.smoothed[i - 1]);
  });
});
