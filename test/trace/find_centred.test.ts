/**
 * The range test's curve and suggestions without the running average's lag (a teacher's pass,
 * /work/scratch/s15/userD findings.md 4). On the tutorial's cell 7 (an MLP on seeded regression
 * data, SGD, the default sweep 1e-7..10 in 100 rates) the raw loss falls between lr 0.066 and
 * 0.17, is flat at its floor to 0.29 and blows up from 0.42; on the running average (weight 0.05,
 * a mean delay of 19 rates) "steepest" was 0.1668, where the raw loss had already reached its
 * floor. On notebook 03's range test (a linear model, 1e-4..10) "minimum/10" (0.087) came out
 * above "valley" (0.076) and "steepest" (0.048). The curve is now a centred running median of the
 * losses before the blow-up; the plot leaves the blow-up's losses out, with a marker.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import type { Tensor } from "../../kernel/src/tensor/tensor";
import { find, type RangeTest } from "../../kernel/src/trace/index";
import { blowUpStart, centredMedian, EXPLOSION_CAP, smoothHalfWidth, startLevel } from "../../kernel/src/trace/find";
import { PLOT_MIME, type PlotPayload } from "../../kernel/src/plot/index";
import { loaderStep } from "./loader_step";

/** %lr_find on regression data (512 samples of 10 features, batches of 32), as the magic runs it. */
function rangeTest(which: "tutorial" | "notebook03"): RangeTest {
  torch.manual_seed(0);
  const X = torch.randn(512, 10);
  const Y = which === "tutorial"
    ? X.matmul(torch.randn(10, 1)).add(torch.randn(512, 1).mul(0.1))
    : X.matmul(torch.randn(10, 1)).add(torch.randn(512, 1).mul(0.3));
  const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(X, Y), { batch_size: 32, shuffle: true });
  let model;
  if (which === "tutorial") {
    torch.manual_seed(1);
    model = new torch.nn.Sequential(new torch.nn.Linear(10, 32), new torch.nn.ReLU(), new torch.nn.Linear(32, 1));
  } else {
    model = new torch.nn.Linear(10, 1);
    torch.manual_seed(1);
  }
  const loss_fn = new torch.nn.MSELoss();
  const opt = new torch.optim.SGD(model.parameters(), { lr: 1e-7 });
  const step_fn = loaderStep(loader, model, loss_fn, opt);
  return find(opt, step_fn, { model, ...(which === "notebook03" ? { start_lr: 1e-4, end_lr: 10, num_iter: 100 } : {}) });
}

/**
 * The rates over which the raw loss falls: from the last batch above three quarters of the start's
 * level (batch noise dips below the level itself) to the smallest loss before the blow-up.
 */
function rawFall(r: RangeTest): { from: number; to: number } {
  const n = r.diverged_at ?? r.lrs.length;
  const cut = blowUpStart(r.losses, n, r.diverged_at !== null);
  const level = startLevel(r.losses, n);
  let to = 0;
  for (let i = 0; i < cut; i++) if (r.losses[i] < r.losses[to]) to = i;
  let from = to;
  while (from > 0 && r.losses[from - 1] < 0.75 * level) from--;
  return { from: r.lrs[Math.max(0, from - 1)], to: r.lrs[to] };
}

describe("range-test suggestions where the raw loss falls (teacher's pass, finding 4)", () => {
  it("the tutorial's cell 7: steepest and valley in the fall (0.066..0.17), not at its floor; minimum/10 the lowest", () => {
    const r = rangeTest("tutorial");
    const { from, to } = rawFall(r);
    expect(from).toBeGreaterThan(0.03);
    expect(to).toBeLessThan(0.3);
    const s = r.suggestions;
    for (const k of ["steepest", "valley"] as const) {
      expect(s[k], `${k}: ${r.summary().join(" / ")}`).toBeGreaterThanOrEqual(from);
      expect(s[k], `${k}: ${r.summary().join(" / ")}`).toBeLessThan(to);
    }
    // it was 0.1668, where the raw loss had already reached its floor (0.173)
    expect(s.steepest!).toBeLessThan(0.12);
    // minimum/10: a tenth of a rate where the raw loss is at its floor, below the other two
    expect(s["minimum/10"]! * 10).toBeGreaterThanOrEqual(to * 0.99);
    expect(s["minimum/10"]! * 10).toBeLessThan(r.lrs[r.diverged_at!]);
    expect(s["minimum/10"]!).toBeLessThan(s.valley!);
    expect(s["minimum/10"]!).toBeLessThan(s.steepest!);
  });

  it("notebook 03: minimum/10 is no longer above valley and steepest; both in the raw fall", () => {
    const r = rangeTest("notebook03");
    const { from, to } = rawFall(r);
    const s = r.suggestions;
    for (const k of ["steepest", "valley"] as const) {
      expect(s[k], k).toBeGreaterThanOrEqual(from);
      expect(s[k], k).toBeLessThan(to);
    }
    expect(s["minimum/10"]!).toBeLessThanOrEqual(s.valley!);
    expect(s["minimum/10"]!).toBeLessThanOrEqual(s.steepest!);
  });

  it("the plot: the blow-up's losses over 3× the start's level are left out, a divergence marker says how high they went", () => {
    const r = rangeTest("tutorial");
    const p = r.bundle()[PLOT_MIME] as PlotPayload;
    const n = r.diverged_at!;
    const level = startLevel(r.losses, n);
    const loss = p.series.find((s) => s.metric === "loss")!;
    expect(Math.max(...(loss.mean as number[]))).toBeLessThanOrEqual(EXPLOSION_CAP * level);
    // (the losses were 26.6, 43.4, 17.3 and 423 past the floor: a linear axis to 43 before)
    expect(Math.max(...r.losses.slice(0, n))).toBeGreaterThan(EXPLOSION_CAP * level);
    const marker = p.markers.filter((m) => m.kind === "divergence");
    expect(marker).toHaveLength(1);
    const first = r.lrs.findIndex((_, i) => i >= loss.x.length);
    expect(marker[0].x).toBe(r.lrs[first]);
    expect(marker[0].label).toMatch(/^loss off the scale from lr 0\.5\d+ \(26\.6\d*, up to 423\)$/);
    // the smoothed line ends before the blow-up: its median does not take the blow-up's losses in
    const smoothed = p.series.find((s) => s.metric === "smoothed_loss")!;
    expect(smoothed.x.length).toBe(r.smoothed.length);
    expect(r.smoothed.length).toBeLessThan(n);
    expect(Math.max(...r.smoothed)).toBeLessThan(level * 1.5);
  });
});

describe("the centred smoothing", () => {
  it("has no lag: a step down in the losses is a step down at the same rate; a single wild batch does not move it", () => {
    const losses: number[] = Array.from({ length: 40 }, (_, i) => (i < 20 ? 5 : 1));
    losses[8] = 50;
    const s = centredMedian(losses, 5);
    expect(s.slice(0, 20).every((v) => v === 5)).toBe(true);
    expect(s.slice(20).every((v) => v === 1)).toBe(true);
  });

  it("narrows its window evenly at the ends (the first and last points are their own losses)", () => {
    const s = centredMedian([3, 1, 2, 9, 4], 2);
    // medians of [3], [3, 1, 2], all five, [2, 9, 4], [4]
    expect(s).toEqual([3, 2, 3, 4, 4]);
  });

  it("half width: a twentieth of the sweep, a quarter of the running average's delay at most; none at smooth_f 1", () => {
    expect(smoothHalfWidth(100, 0.05)).toBe(5);
    expect(smoothHalfWidth(40, 0.05)).toBe(2);
    expect(smoothHalfWidth(100, 0.2)).toBe(1);
    expect(smoothHalfWidth(100, 1)).toBe(0);
  });

  it("smooth_f 1: the curve is the losses themselves (before the blow-up)", () => {
    const a = [1, 2, 3, 4];
    const p = new torch.Tensor(Float64Array.from([1, -1, 1, -1]), [4], "float64", true);
    const step_fn = () => {
      p.grad = new torch.Tensor(Float64Array.from(a.map((ak, k) => ak * p.data[k])), [4], "float64");
      return a.reduce((s, ak, k) => s + 0.5 * ak * p.data[k] ** 2, 0);
    };
    const r = find(new torch.optim.SGD([p], { lr: 0.1 }), step_fn, { start_lr: 1e-3, end_lr: 5, num_iter: 60, smooth_f: 1 });
    expect(r.smoothed).toEqual(r.losses.slice(0, r.smoothed.length));
  });

  it("a flat sweep ending in a few losses above its level by chance keeps them (only a blow-up is cut)", () => {
    const losses = [5, 5.1, 4.9, 5, 5.05, 4.95, 5, 5.2, 5.1];
    expect(blowUpStart(losses, losses.length, false)).toBe(losses.length);
    expect(blowUpStart([...losses.slice(0, 6), 4, 30, 60], 9, false)).toBe(7);
    expect(blowUpStart([...losses.slice(0, 6), 4, 6, 7], 9, true)).toBe(7);
  });
});
