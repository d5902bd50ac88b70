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
 * Suggestions, on the smoothed curve:
 *   steepest:   the rate where ds/d(log γ) is most negative (torch-lr-finder's suggestion);
 *   valley:     fastai's "valley": the longest run of decreasing loss, taken at 2/3 of the way
 *               down it (its rate, not the minimum's, is robust to noise at the bottom);
 *   minimum/10: the rate of the smallest smoothed loss divided by ten (fastai's "minimum").
 *
 * Afterwards every parameter of the optimizer, the optimizer's state (state_dict) and its
 * groups' rates are restored, and `model.load_state_dict(model.state_dict())` (taken before) when
 * a model is given — so the range test leaves training where it was.
 */
import type { Tensor } from "../tensor/tensor";
import { bundle, type BundleOptions, type MimeBundle, type Plottable } from "../plot/bundle";
import { bucketsOf } from "../plot/downsample";
import type { FigureSource } from "../plot/figure";
import { fmt } from "../plot/text";
import { withoutTracing } from "./suspend";
import { with_cleanup } from "../interrupt_cleanup";

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
  /** Restore the parameters and optimizer state afterwards. Default true. */
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

  /** Text summary lines: the rates tested, where the loss diverged, the suggestions. */
  summary(): string[] {
    return [
      `${this.name}: ${this.lrs.length} rates from ${fmt(this.lrs[0])} to ${fmt(this.lrs[this.lrs.length - 1])}` +
        (this.diverged_at !== null ? ` (stopped: loss diverged at lr ${fmt(this.lrs[this.diverged_at])})` : ""),
      `  suggestions: steepest ${fmt(this.suggestions.steepest)}, valley ${fmt(this.suggestions.valley)}, minimum/10 ${fmt(this.suggestions["minimum/10"])}`,
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
 * The skips shrink for short sweeps (a tenth and a twentieth of the points at most).
 */
export function steepestIndex(lrs: readonly number[], s: readonly number[]): number | null {
  const n = s.length;
  if (n < 3) return null;
  const x = lrs.map((v) => Math.log(v));
  const skipStart = Math.min(10, Math.floor(n / 10));
  const skipEnd = Math.min(5, Math.floor(n / 20));
  let best = -1;
  let bestSlope = Infinity;
  for (let i = skipStart; i < n - skipEnd; i++) {
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

/** fastai's valley: longest decreasing subsequence run, 2/3 of the way down. O(n²), n ≤ num_iter. */
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
  return Math.min(n - 1, maxStart + Math.floor(sections) + Math.floor(sections / 2));
}

/** Run the range test. `step_fn(i)` must zero the gradients, run forward and backward, and return the loss. */
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
    model: options.model ? options.model.state_dict() : null,
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
  const s = smoothed.slice(0, n);
  const l = lrs.slice(0, n);
  const st = steepestIndex(l, s);
  const va = valleyIndex(s);
  let mi = -1;
  s.forEach((v, i) => {
    if (mi < 0 || v < s[mi]) mi = i;
  });
  const suggestions: Suggestions = {
    steepest: st === null ? null : l[st],
    valley: va === null ? null : l[va],
    "minimum/10": mi < 0 ? null : l[mi] / 10,
  };
  return new RangeTest(options.name ?? "lr range test", lrs, losses, smoothed, suggestions, diverged);
}
