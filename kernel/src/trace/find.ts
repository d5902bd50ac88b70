/**
 * `find(optimizer, step_fn, options)`: the learning-rate range test (Smith 2017, "Cyclical
 * Learning Rates for Training Neural Networks", arXiv:1506.01186 §3.3; popularised by fastai's
 * lr_find and torch-lr-finder).
 *
 * For i = 0..num_iter−1 the rate is set to
 *   exponential: γ_i = start_lr · (end_lr/start_lr)^(i/(num_iter−1))
 *   linear:      γ_i = start_lr + (end_lr − start_lr) · i/(num_iter−1)
 * then `step_fn(i)` runs one training step's forward and backward and returns the loss, and
 * `optimizer.step()` applies it. The loss is smoothed by a debiased exponential moving average
 * (a_i = β a_{i−1} + (1−β) ℓ_i, s_i = a_i / (1 − β^{i+1}), β = 1 − smooth_f). The test stops
 * early when the loss is not finite or s_i > diverge_th · min_j s_j.
 *
 * step_fn reads its batch itself, so from code any model and batch work: a forward of several
 * inputs (a transformer's forward(src, mask), a two-tower forward(a, b)), object batches
 * ({ x, y, mask }), a loss of more than (output, target); see find() for an example. %lr_find
 * builds this function from loss= and [x1, ..., xk, target] batches, or from its step= (the
 * forward and the loss of one batch; it adds zero_grad() and backward()).
 *
 * Suggestions, on the smoothed curve, from where it really falls. Mini-batch losses are noisy:
 * at rates too small to train, the smoothed loss still wanders by a few percent, and its steepest
 * wiggle there was once suggested as "steepest" (7.7e-7 for a loss that only fell between 0.1 and
 * 0.4). So first the falling region: the start's level and batch-to-batch noise σ are measured on
 * the first quarter of the sweep (σ from successive differences, so a slow trend barely counts);
 * a point has fallen when its smoothed loss lies FALL_Z standard deviations (of the smoothed loss
 * there and of the level, both from σ) below that level. The region is the run of fallen points
 * that ends at the smallest smoothed loss, extended back over the descent that led into it (the
 * smoothed loss lags the batches). If the smallest smoothed loss has not fallen, nothing is
 * suggested and the summary says why. Within the region, and the window fastai and
 * torch-lr-finder use (the first tenth and the last few points left out):
 *   steepest:   the rate where ds/d(log γ) is most negative (torch-lr-finder's suggestion);
 *   valley:     fastai's "valley": the longest decreasing run, taken half way down it (its rate,
 *               not the minimum's, is robust to noise at the bottom);
 *   minimum/10: the rate of the smallest smoothed loss divided by ten (fastai's "minimum"); left
 *               out, with a note, when that is below the first rate tested: it was never tried.
 *
 * Afterwards every parameter of the optimizer, the optimizer's state (state_dict) and its
 * groups' rates are restored, and `model.load_state_dict(model.state_dict())` (taken before) when
 * a model is given, and the default random generator's state (torch.get_rng_state(), which a
 * shuffling DataLoader and dropout draw from) — so the range test leaves training where it was:
 * run again, it draws the same batches and gives the same suggestions, and the training after it
 * is the one without it. A generator of the caller's own (a DataLoader's `generator`) is the
 * caller's to restore (%lr_find restores its data's).
 */
import type { Tensor } from "../tensor/tensor";
import { bundle, type BundleOptions, type MimeBundle, type Plottable } from "../plot/bundle";
import { bucketsOf } from "../plot/downsample";
import type { FigureSource } from "../plot/figure";
import { fmt } from "../plot/text";
import { withoutTracing } from "./suspend";
import { with_cleanup } from "../interrupt_cleanup";
import { deepCopyState } from "../optim/optimizer";
import { default_generator } from "../random/generator";

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface FindOptions {
  start_lr?: number;
  end_lr?: number;
  num_iter?: number;
  step_mode?: "exp" | "linear";
  /** Weight of the newest loss in the smoothing average (0 = none... 1 = no smoothing). Default 0.05. */
  smooth_f?: number;
  /** Stop when the smoothed loss exceeds diverge_th × its minimum. Default 5. */
  diverge_th?: number;
  /** Restore the parameters, optimizer state and the default random generator afterwards. Default true. */
  restore?: boolean;
  /** A module whose state_dict (buffers too) is restored afterwards. */
  model?: { state_dict(): any; load_state_dict(s: any): unknown };
  name?: string;
}

const OPTION_KEYS = ["start_lr", "end_lr", "num_iter", "step_mode", "smooth_f", "diverge_th", "restore", "model", "name"];

export interface Suggestions {
  steepest: number | null;
  valley: number | null;
  "minimum/10": number | null;
}

interface FindableOptimizer {
  param_groups: { params: Tensor[]; [k: string]: any }[];
  step(...a: any[]): unknown;
  state_dict?(): any;
  load_state_dict?(s: any): void;
}

/** The range test's result: rates, raw and smoothed losses, suggestions. */
export class RangeTest implements Plottable {
  readonly plot_kind = "range_test" as const;
  constructor(
    public name: string,
    readonly lrs: number[],
    readonly losses: number[],
    readonly smoothed: number[],
    readonly suggestions: Suggestions,
    /** Index at which the test stopped because the loss diverged, or null. */
    readonly diverged_at: number | null,
    /** Why a suggestion is missing (one line each); empty when all three were made. */
    readonly notes: readonly string[] = [],
  ) {}

  /** The suggested rate by one method (default valley). */
  suggestion(method: keyof Suggestions = "valley"): number | null {
    if (!(method in this.suggestions)) {
      throw new RangeError(`RangeTest.suggestion: unknown method ${JSON.stringify(method)}; valid: ${Object.keys(this.suggestions).join(", ")}`);
    }
    return this.suggestions[method];
  }

  to_figure_source(): FigureSource {
    const markers = (Object.keys(this.suggestions) as (keyof Suggestions)[]).flatMap((k) => {
      const lr = this.suggestions[k];
      if (lr === null) return [];
      // The marker sits on the smoothed curve at the tested rate nearest to it (in log scale;
      // minimum/10 is not itself a tested rate).
      let i = 0;
      this.lrs.forEach((x, j) => {
        if (Math.abs(Math.log(x / lr)) < Math.abs(Math.log(this.lrs[i] / lr))) i = j;
      });
      return [{ kind: "suggestion" as const, name: this.name, metric: "smoothed_loss", x: lr, y: this.smoothed[i], label: `${k} ${fmt(lr)}` }];
    });
    // The diverged point is left out of the curves: its loss is off the scale of the others
    // and would flatten the whole curve into the x axis.
    const n = this.diverged_at ?? this.lrs.length;
    return {
      name: this.name,
      series: [
        { metric: "loss", group: null, buckets: bucketsOf(this.lrs.slice(0, n), this.losses.slice(0, n)) },
        { metric: "smoothed_loss", group: null, buckets: bucketsOf(this.lrs.slice(0, n), this.smoothed.slice(0, n)) },
      ],
      markers,
      summary: this.summary(),
    };
  }

  /** Text summary lines: the rates tested, where the loss diverged, the suggestions and why any is missing. */
  summary(): string[] {
    return [
      `${this.name}: ${this.lrs.length} rates from ${fmt(this.lrs[0])} to ${fmt(this.lrs[this.lrs.length - 1])}` +
        (this.diverged_at !== null ? ` (stopped: loss diverged at lr ${fmt(this.lrs[this.diverged_at])})` : ""),
      `  suggestions: steepest ${fmt(this.suggestions.steepest)}, valley ${fmt(this.suggestions.valley)}, minimum/10 ${fmt(this.suggestions["minimum/10"])}`,
      ...this.notes.map((n) => `  ${n}`),
    ];
  }

  toString(): string {
    return this.summary().join("\n");
  }

  /** `console.log(result)` prints the summary, not every rate and loss tested. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  bundle(options: BundleOptions = {}): MimeBundle {
    return bundle(this, options);
  }

  _repr_mimebundle_(options: BundleOptions = {}): MimeBundle {
    return bundle(this, options);
  }
}

function validate(o: FindOptions): Required<Omit<FindOptions, "model" | "name">> {
  for (const k of Object.keys(o)) if (!OPTION_KEYS.includes(k)) throw new TypeError(`find: unknown option "${k}"; valid options: ${OPTION_KEYS.join(", ")}`);
  const r = {
    start_lr: o.start_lr ?? 1e-7, end_lr: o.end_lr ?? 10, num_iter: o.num_iter ?? 100, step_mode: o.step_mode ?? "exp",
    smooth_f: o.smooth_f ?? 0.05, diverge_th: o.diverge_th ?? 5, restore: o.restore ?? true,
  } as const;
  if (!(r.start_lr > 0 && Number.isFinite(r.start_lr))) throw new RangeError(`find: start_lr must be a finite number > 0, got ${r.start_lr}`);
  if (!(r.end_lr > r.start_lr && Number.isFinite(r.end_lr))) throw new RangeError(`find: end_lr must be finite and greater than start_lr (${r.start_lr}), got ${r.end_lr}`);
  if (!Number.isInteger(r.num_iter) || r.num_iter < 2) throw new RangeError(`find: num_iter must be an integer >= 2, got ${r.num_iter}`);
  if (r.step_mode !== "exp" && r.step_mode !== "linear") throw new RangeError(`find: step_mode must be "exp" or "linear", got ${JSON.stringify(r.step_mode)}`);
  if (!(r.smooth_f > 0 && r.smooth_f <= 1)) throw new RangeError(`find: smooth_f must be in (0, 1], got ${r.smooth_f}`);
  if (!(r.diverge_th > 1)) throw new RangeError(`find: diverge_th must be > 1, got ${r.diverge_th}`);
  return r;
}

function lossValue(x: unknown): number {
  if (typeof x === "number") return x;
  if (x !== null && typeof x === "object") {
    const t = x as { item?: () => number; data?: ArrayLike<number> };
    if (typeof t.item === "function") return Number(t.item());
    if (t.data && t.data.length === 1) return Number(t.data[0]);
  }
  throw new TypeError(`find: step_fn must return the loss (a number or a one-element tensor), got ${x === null ? "null" : typeof x}`);
}

/**
 * Index of the steepest descent of s against log γ (central differences, as numpy.gradient).
 * Like torch-lr-finder (whose plot skips the first 10 and last 5 points), the ends are left out:
 * the first points are batch noise under a barely-started smoothing, the last ones the blow-up.
 * The skips shrink for short sweeps (a tenth and a twentieth of the points at most). With
 * `from`/`to`, only indices in [from, to] are candidates (find() passes its falling region).
 */
export function steepestIndex(lrs: readonly number[], s: readonly number[], from = 0, to = Infinity): number | null {
  const n = s.length;
  if (n < 3) return null;
  const x = lrs.map((v) => Math.log(v));
  const skipStart = Math.min(10, Math.floor(n / 10));
  const skipEnd = Math.min(5, Math.floor(n / 20));
  let best = -1;
  let bestSlope = Infinity;
  for (let i = Math.max(skipStart, from); i < n - skipEnd && i <= to; i++) {
    const a = Math.max(0, i - 1);
    const b = Math.min(n - 1, i + 1);
    const slope = (s[b] - s[a]) / (x[b] - x[a]);
    if (slope < bestSlope) {
      bestSlope = slope;
      best = i;
    }
  }
  return bestSlope < 0 ? best : null;
}

/** fastai's valley: the longest decreasing subsequence, taken half way along it (start + ⌊len/3⌋ + ⌊len/6⌋). O(n²), n ≤ num_iter. */
export function valleyIndex(s: readonly number[]): number | null {
  const n = s.length;
  if (n < 2) return null;
  const lds = new Array<number>(n).fill(1);
  let maxStart = 0;
  let maxEnd = 0;
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (s[i] < s[j] && lds[i] < lds[j] + 1) lds[i] = lds[j] + 1;
    }
    if (lds[maxEnd] < lds[i]) {
      maxEnd = i;
      maxStart = maxEnd - lds[maxEnd];
    }
  }
  if (maxEnd === 0) return null;
  const sections = (maxEnd - maxStart) / 3;
  // fastai's start is one before the run's first point (end − length): for a run from index 0
  // of fewer than 3 points its index is −1, which Python reads as the last point; clamp instead.
  return Math.max(0, Math.min(n - 1, maxStart + Math.floor(sections) + Math.floor(sections / 2)));
}

/**
 * Run the range test. `step_fn(i, lr)` must zero the gradients, run forward and backward, and
 * return the loss (a one-element tensor or a number); find() sets the rate and calls
 * `optimizer.step()`. It takes its batch itself, so any model and batch shape work, e.g. a model
 * of two inputs on a DataLoader of [a, b, y] batches:
 *
 *   let it = loader[Symbol.iterator]();
 *   const result = lrlab.find(opt, () => {
 *     let n = it.next();
 *     if (n.done) { it = loader[Symbol.iterator](); n = it.next(); }
 *     const [a, b, y] = n.value;
 *     opt.zero_grad();
 *     const loss = loss_fn.forward(model.forward(a, b), y);
 *     loss.backward();
 *     return loss;
 *   }, { model, end_lr: 1 });
 */
export function find(optimizer: FindableOptimizer, step_fn: (i: number, lr: number) => unknown, options: FindOptions = {}): RangeTest {
  if (optimizer === null || typeof optimizer !== "object" || !Array.isArray(optimizer.param_groups) || typeof optimizer.step !== "function") {
    throw new TypeError("find: expected a torch.optim optimizer as the first argument");
  }
  if (typeof step_fn !== "function") throw new TypeError("find: step_fn must be a function (i, lr) => loss that runs forward and backward");
  const o = validate(options);
  const params = optimizer.param_groups.flatMap((g) => g.params);
  const saved = {
    data: params.map((p) => p.data.slice()),
    grads: params.map((p) => p.grad),
    lrs: optimizer.param_groups.map((g) => g.lr),
    state: typeof optimizer.state_dict === "function" ? optimizer.state_dict() : null,
    // state_dict() shares the module's tensors (as PyTorch's): copied, or the buffers the test's
    // forward passes update in place (BatchNorm's running stats) would come back changed
    model: options.model ? deepCopyState(options.model.state_dict()) : null,
    rng: default_generator.get_state(),
  };
  const lrs: number[] = [];
  const losses: number[] = [];
  const smoothed: number[] = [];
  let diverged: number | null = null;
  const beta = 1 - o.smooth_f;
  let avg = 0;
  let best = Infinity;
  const restore = () => {
    if (!o.restore) return;
    params.forEach((p, i) => {
      p.data.set(saved.data[i]);
      p.grad = saved.grads[i];
    });
    if (saved.state !== null && typeof optimizer.load_state_dict === "function") optimizer.load_state_dict(saved.state);
    optimizer.param_groups.forEach((g, i) => (g.lr = saved.lrs[i]));
    if (saved.model !== null) options.model!.load_state_dict(saved.model);
    default_generator.set_state(saved.rng);
  };
  // The model and optimizer come back even when a kernel interrupt ends the test (interrupt_cleanup.ts).
  with_cleanup(restore, () => {
    // Tracers (a Trace on this optimizer, %%lr_trace) do not see the range test's steps.
    withoutTracing(() => {
      for (let i = 0; i < o.num_iter; i++) {
        const f = i / (o.num_iter - 1);
        const lr = o.step_mode === "exp" ? o.start_lr * Math.pow(o.end_lr / o.start_lr, f) : o.start_lr + (o.end_lr - o.start_lr) * f;
        for (const g of optimizer.param_groups) g.lr = lr;
        const loss = lossValue(step_fn(i, lr));
        optimizer.step();
        avg = beta * avg + (1 - beta) * loss;
        const s = avg / (1 - Math.pow(beta, i + 1));
        lrs.push(lr);
        losses.push(loss);
        smoothed.push(s);
        if (!Number.isFinite(loss) || !Number.isFinite(s) || s > o.diverge_th * best) {
          diverged = i;
          break;
        }
        if (s < best) best = s;
      }
    });
  });
  // Suggestions ignore the diverged point itself (it would dominate the slope).
  const n = diverged !== null ? diverged : smoothed.length;
  const { suggestions, notes } = suggest(lrs.slice(0, n), losses.slice(0, n), smoothed.slice(0, n), { smooth_f: o.smooth_f, diverged: diverged !== null });
  return new RangeTest(options.name ?? "lr range test", lrs, losses, smoothed, suggestions, diverged, notes);
}

/**
 * How far below the start's level (in standard deviations of the batch noise, as it shows in the
 * smoothed loss and in the level) the smoothed loss must be to have fallen. With 2.5, flat sweeps
 * of 100 independent noisy losses pass by chance 2–7% of the time (simulated: Gaussian, χ² and
 * Student-t(4) noise), and 0 of 1000 seeded runs of the README model at rates too small to train
 * did; with 3, the README model with L1Loss (its smoothed loss falls by an eighth) went without
 * suggestions in 28 of 300 seeds instead of 6, and with SGD momentum and 50 steps in 241 instead
 * of 190.
 */
const FALL_Z = 2.5;

/**
 * The suggestions from one sweep's rates, losses and smoothed losses (the diverged point left
 * out), and a note for each suggestion that cannot be made; see the file's comment.
 */
export function suggest(
  lrs: readonly number[], losses: readonly number[], s: readonly number[], o: { smooth_f: number; diverged: boolean },
): { suggestions: Suggestions; notes: string[] } {
  const suggestions: Suggestions = { steepest: null, valley: null, "minimum/10": null };
  const n = s.length;
  const more = o.diverged ? "more iterations, so that more rates are tested before it diverges" : "a larger end lr or more iterations";
  const skipStart = Math.min(10, Math.floor(n / 10));
  const end = n - Math.min(5, Math.floor(n / 20));
  if (n < 4 || end - skipStart < 2) {
    return { suggestions, notes: [`no suggestion: only ${n} rates tested before ${o.diverged ? "the loss diverged" : "the end"}; rerun with ${more}`] };
  }
  // The start's level and its batch-to-batch noise σ, over the first quarter. σ from successive
  // differences (E(ℓ_{k+1} − ℓ_k)² = 2σ² for independent batches), so a slow trend adds next to
  // nothing; jumps over five times their typical size (median |Δ| / 0.6745, Gaussian) are a
  // sharp fall, not noise, and are left out. A full-batch loss has no noise: a fall must still
  // exceed 1e-4 of the level (not rounding).
  const w = Math.max(4, Math.floor(n / 4));
  const level = losses.slice(0, w).reduce((a, b) => a + b, 0) / w;
  const diffs = losses.slice(1, w).map((v, k) => v - losses[k]);
  const typical = [...diffs].map(Math.abs).sort((a, b) => a - b)[Math.floor((w - 1) / 2)] / 0.6745;
  const kept = diffs.filter((d) => Math.abs(d) <= 5 * typical);
  const sigma = Math.max(Math.sqrt(kept.reduce((a, d) => a + d * d, 0) / (2 * Math.max(1, kept.length))), 1e-4 * Math.abs(level));
  // Standard deviation (over σ) of the debiased average s_i = (1−β) Σ β^k ℓ_{i−k} / (1 − β^{i+1})
  // of independent losses: √((1−β)(1+β^{i+1}) / ((1+β)(1−β^{i+1}))); 1 at i = 0, √((1−β)/(1+β)) later.
  const beta = 1 - o.smooth_f;
  const threshold = (i: number) => {
    const b = beta ** (i + 1);
    const sdSmoothed = Math.sqrt(((1 - beta) * (1 + b)) / ((1 + beta) * (1 - b)));
    return level - FALL_Z * sigma * Math.sqrt(sdSmoothed ** 2 + 1 / w);
  };
  const fallen = (i: number) => s[i] < threshold(i);
  let m = skipStart;
  for (let i = skipStart; i < end; i++) if (s[i] < s[m]) m = i;
  if (!fallen(m)) {
    return {
      suggestions,
      notes: [`no suggestion: ${o.diverged ? "before the loss diverged, " : ""}the smoothed loss did not fall below its starting level ${fmt(level)} `
        + `by more than the batch-to-batch noise (its smallest, ${fmt(s[m])} at lr ${fmt(lrs[m])}, needed to be under ${fmt(threshold(m))})`
        + `${o.diverged ? "" : ": the rates tested did not train the model"}; rerun with ${more}`],
    };
  }
  // The falling region [from, m]: back from the minimum while fallen, then back while the
  // smoothed loss still descends (its descent starts before it is significant).
  let from = m;
  while (from - 1 >= skipStart && fallen(from - 1)) from--;
  while (from - 1 >= skipStart && s[from - 1] > s[from]) from--;
  const notes: string[] = [];
  const st = steepestIndex(lrs, s, from, m);
  if (st === null) notes.push(`steepest: none, the smoothed loss does not descend between lr ${fmt(lrs[from])} and ${fmt(lrs[m])}`);
  else suggestions.steepest = lrs[st];
  // Steepest at the first rate considered: the loss may have fallen faster below the sweep.
  if (st === skipStart) notes.push("steepest is the first rate considered: the loss was already falling fast there; a lower start lr shows where it starts to fall");
  const va = valleyIndex(s.slice(from, m + 1));
  if (va === null) notes.push(`valley: none, the smoothed loss falls at lr ${fmt(lrs[m])} only`);
  else suggestions.valley = lrs[from + va];
  // A tenth of a rate within a decade of the first one was never tested: no number for it.
  if (lrs[m] / 10 < lrs[0]) {
    notes.push(`minimum/10: none, the smallest loss is at lr ${fmt(lrs[m])}, less than ten times the first rate tested (${fmt(lrs[0])}); rerun with a lower start lr`);
  } else suggestions["minimum/10"] = lrs[m] / 10;
  return { suggestions, notes };
}
