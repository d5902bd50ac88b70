/**
 * `find(optimizer, step_fn, options)`: the learning-rate range test (Smith 2017, "Cyclical
 * Learning Rates for Training Neural Networks", arXiv:1506.01186 §3.3; popularised by fastai's
 * lr_find and torch-lr-finder).
 *
 * For i = 0..num_iter−1 the rate is set to
 *   exponential: γ_i = start_lr · (end_lr/start_lr)^(i/(num_iter−1))
 *   linear:      γ_i = start_lr + (end_lr − start_lr) · i/(num_iter−1)
 * then `step_fn(i)` runs one training step's forward and backward and returns the loss, and
 * `optimizer.step()` applies it. While it runs, the loss is followed by a debiased exponential
 * moving average (a_i = β a_{i−1} + (1−β) ℓ_i, r_i = a_i / (1 − β^{i+1}), β = 1 − smooth_f, as
 * fastai's AvgSmoothLoss), and the test stops early when the loss is not finite or
 * r_i > diverge_th · min_j r_j (torch-lr-finder's rule; fastai's is 4 × the minimum).
 *
 * That running average lags: a batch's weight halves only after ln 2/smooth_f ≈ 14 batches, its
 * mean delay is β/(1−β) = 19 batches for smooth_f 0.05, about 1.5 decades of a 100-rate sweep
 * over 8 decades. Curves and suggestions made on it (fastai's and torch-lr-finder's are) sit at
 * rates where the raw loss had already reached its floor: a teacher's tutorial run (an MLP on
 * regression data, test/trace/find_centred.test.ts) read "steepest 0.17" where the loss fell
 * between 0.07 and 0.17 and was flat from there to its blow-up at 0.4, and in notebook 03
 * "minimum/10" came out above "valley" (the running average's minimum is just before the
 * blow-up). The sweep is over when the curve is drawn, so the curve need not be causal: the
 * suggestions are made on a CENTRED running median of the losses within ±h rates
 * (smoothHalfWidth: 5 of 100), the window narrowing evenly at the ends, which has no lag and keeps
 * a sharp fall sharp (centredMedian); the plotted `smoothed` loss is that median followed by a
 * straight lines between the middles of its treads, since a median alone is stair-stepped
 * (find_smooth.ts). The same tutorial run now reads steepest 0.079,
 * valley 0.066, minimum/10 0.024, in its fall from 0.066 to 0.17. And the blow-up at the end is
 * left out of it (blowUpStart): the final run of losses above the start's level (the first
 * quarter's mean), whose values (26, 43, 420 against 5) would fill the windows of the rates
 * before them and hide where the loss bottomed out.
 *
 * The plotted losses stop at the first one of that blow-up above EXPLOSION_CAP times the start's
 * level, with a divergence marker there naming how high it went: a linear axis up to the blow-up's
 * 43 flattened the whole interesting part (a fall from 5 to 0.2) into the x axis.
 *
 * step_fn reads its batch itself, so from code any model and batch work: a forward of several
 * inputs (a transformer's forward(src, mask), a two-tower forward(a, b)), object batches
 * ({ x, y, mask }), a loss of more than (output, target); see find() for an example. %lr_find
 * builds this function from loss= and [x1, ..., xk, target] batches, or from its step= (the
 * forward and the loss of one batch; it adds zero_grad() and backward()).
 *
 * Suggestions, on the (centred) smoothed curve, from where it really falls. Mini-batch losses are noisy:
 * at rates too small to train, the smoothed loss still wanders by a few percent, and its steepest
 * wiggle there was once suggested as "steepest" (7.7e-7 for a loss that only fell between 0.1 and
 * 0.4). So first the falling region: the start's level and batch-to-batch noise σ are measured on
 * the first quarter of the sweep (σ from successive differences, so a slow trend barely counts);
 * a point has fallen when its smoothed loss lies FALL_Z standard deviations (of the smoothed loss
 * there and of the level, both from σ) below that level. The region is the run of fallen points
 * that ends at the smallest smoothed loss, extended back over the descent that led into it (its
 * start is not yet significant). If the smallest smoothed loss has not fallen, nothing is
 * suggested and the summary says why. Within the region, the first tenth of the points left out
 * (as fastai and torch-lr-finder do), and the last point (after a divergence; the last h of a
 * sweep that did not diverge, whose narrowed windows are noisy):
 *   steepest:   the rate where ds/d(log γ) is most negative (torch-lr-finder's suggestion);
 *   valley:     fastai's "valley": the longest decreasing run, taken half way down it (its rate,
 *               not the minimum's, is robust to noise at the bottom);
 *   minimum/10: the rate of the smallest smoothed loss divided by ten (fastai's "minimum"); left
 *               out, with a note, when that is below the first rate tested: it was never tried.
 *
 * Several param groups (an embedding at 1e-2, the rest at 3e-3) are swept together at the ratio
 * of their rates: each group's lr is its own rate when the test starts times the sweep's factor,
 * γ_i / lr_ref, where γ_i above is the rate of the reference group, group 0 (the first group whose
 * rate is > 0, when group 0's is 0). So the rates tested, the plot's x axis and `suggestions` are
 * group 0's, and `suggestions_for(g)` / `suggestion(method, g)` give every group's (the same factor
 * times its rate); the summary names each group's. A group at lr 0 stays at 0 (frozen). All groups
 * were once set to the same rate: the configured 10:3 was not what was tested, and the one
 * suggestion named no group. One group, or groups of one rate: the same sweep as before.
 *
 * Afterwards every parameter of the optimizer, the optimizer's state (state_dict) and its
 * groups' rates are restored, and `model.load_state_dict(model.state_dict())` (taken before) when
 * a model is given, and the default random generator's state (torch.get_rng_state(), which a
 * shuffling DataLoader and dropout draw from) — so the range test leaves training where it was:
 * run again, it draws the same batches and gives the same suggestions, and the training after it
 * is the one without it. A generator of the caller's own (a DataLoader's `generator`) is the
 * caller's to restore (%lr_find restores its data's). The model (when given) trains in train mode,
 * as torch-lr-finder's test does, and each module gets its own mode back (find_mode.ts).
 */
import type { Tensor } from "../tensor/tensor";
import { bundle, type BundleOptions, type MimeBundle, type Plottable } from "../plot/bundle";
import { bucketsOf } from "../plot/downsample";
import type { FigureSource } from "../plot/figure";
import type { Marker } from "../plot/payload";
import { fmt } from "../plot/text";
import { withoutTracing } from "./suspend";
import { with_cleanup } from "../interrupt_cleanup";
import { deepCopyState } from "../optim/optimizer";
import { default_generator } from "../random/generator";
import { groupLabel } from "./group_label";
import { trainModeFor } from "./find_mode";
import { withoutStairs } from "./find_smooth";
import { listingOrder, recommendedMethod } from "./find_order";

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface FindOptions {
  start_lr?: number;
  end_lr?: number;
  num_iter?: number;
  step_mode?: "exp" | "linear";
  /**
   * Weight of the newest loss in the running average that decides when the loss diverged (1 = no
   * smoothing). Default 0.05. It also bounds the centred smoothing of the plotted curve (half
   * width at most a quarter of the running average's delay (1 − f)/f: none at f = 1).
   */
  smooth_f?: number;
  /** Stop when the smoothed loss exceeds diverge_th × its minimum. Default 5. */
  diverge_th?: number;
  /** Restore the parameters, optimizer state and the default random generator afterwards. Default true. */
  restore?: boolean;
  /** A module whose state_dict (buffers too) is restored afterwards; it trains in train mode during the test, its modes restored after. */
  model?: { state_dict(): any; load_state_dict(s: any): unknown };
  name?: string;
}

/** The longest range test (steps): fastai's valley below is O(n²), ~0.3 s at this n. */
export const MAX_NUM_ITER = 10_000;

const OPTION_KEYS = ["start_lr", "end_lr", "num_iter", "step_mode", "smooth_f", "diverge_th", "restore", "model", "name"];

export interface Suggestions {
  steepest: number | null;
  valley: number | null;
  "minimum/10": number | null;
}

/** One param group as the range test swept it. */
export interface SweptGroup {
  /** Its rate when the test started (param_groups[i].lr; a Tensor lr's value). */
  lr: number;
  /** Its rate during the sweep was ratio × the swept rate (the reference group's): lr / the reference group's lr. */
  ratio: number;
  /** What it holds, for the text: its `name` key, else its parameters' names (param_names, or the model's names); null when unknown. */
  label: string | null;
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
    /** Why a suggestion is missing, and what the test changed for its run (a model in eval mode trained in train mode): one line each. */
    readonly notes: readonly string[] = [],
    /** The optimizer's param groups as swept (their rates kept their ratio); empty: one group. */
    readonly groups: readonly SweptGroup[] = [],
    /** The group whose rates `lrs` and `suggestions` are (the x axis): 0, unless its lr was 0. */
    readonly reference_group: number = 0,
  ) {}

  /** Whether the groups had different rates (each group's suggestion is its own then). */
  private get scaled(): boolean {
    return this.groups.length > 1 && this.groups.some((g) => g.ratio !== 1);
  }

  private checkGroup(group: number, where: string): void {
    const n = Math.max(1, this.groups.length);
    if (!Number.isInteger(group) || group < 0 || group >= n) {
      throw new RangeError(`RangeTest.${where}: group must be an integer index of the optimizer's param groups (0..${n - 1}), got ${group}`);
    }
  }

  /** The suggestions for one param group: the reference group's times that group's ratio (a group at lr 0: 0). */
  suggestions_for(group: number): Suggestions {
    this.checkGroup(group, "suggestions_for");
    const r = this.groups[group]?.ratio ?? 1;
    const of = (v: number | null) => (v === null ? null : v * r);
    return { steepest: of(this.suggestions.steepest), valley: of(this.suggestions.valley), "minimum/10": of(this.suggestions["minimum/10"]) };
  }

  /** The rates one param group was set to during the sweep (`lrs` are the reference group's). */
  lrs_of(group: number): number[] {
    this.checkGroup(group, "lrs_of");
    const r = this.groups[group]?.ratio ?? 1;
    return r === 1 ? [...this.lrs] : this.lrs.map((x) => x * r);
  }
  // `smoothed` is the centred smoothed loss of the rates before the blow-up (see the file's
  // comment): shorter than `lrs` when the loss blew up at the end.

  /**
   * The method whose rate is recommended (listed first, "(recommended)"): valley, else steepest,
   * else minimum/10, the first that gave a rate; null when none did (find_order.ts).
   */
  get recommended(): keyof Suggestions | null {
    return recommendedMethod(this.suggestions);
  }

  /**
   * The suggested rate by one method (default: the recommended one, valley when it gave a rate),
   * for one param group (default: the reference group, `lrs`'s).
   */
  suggestion(method: keyof Suggestions = this.recommended ?? "valley", group: number = this.reference_group): number | null {
    if (!(method in this.suggestions)) {
      throw new RangeError(`RangeTest.suggestion: unknown method ${JSON.stringify(method)}; valid: ${Object.keys(this.suggestions).join(", ")}`);
    }
    return this.suggestions_for(group)[method];
  }

  to_figure_source(): FigureSource {
    // In the text's order, the recommended one first and flagged: the pictures single it out
    // (their three alike markers did not say which rate the text recommends).
    const best = this.recommended;
    const markers: Marker[] = listingOrder(this.suggestions).flatMap((k) => {
      const lr = this.suggestions[k];
      if (lr === null) return [];
      // The marker sits on the smoothed curve at the tested rate nearest to it (in log scale;
      // minimum/10 is not itself a tested rate).
      let i = 0;
      this.lrs.slice(0, this.smoothed.length).forEach((x, j) => {
        if (Math.abs(Math.log(x / lr)) < Math.abs(Math.log(this.lrs[i] / lr))) i = j;
      });
      // several rates: the other groups' in the label (the x axis is the reference group's rate)
      const others = this.scaled
        ? ` (${this.groups.map((g, j) => (j === this.reference_group ? null : `group ${j}: ${fmt(lr * g.ratio)}`)).filter((t) => t !== null).join(", ")})`
        : "";
      return [{ kind: "suggestion" as const, name: this.name, metric: "smoothed_loss", x: lr, y: this.smoothed[i], label: `${k} ${fmt(lr)}${this.scaled ? ` for group ${this.reference_group}` : ""}${others}`, ...(k === best ? { recommended: true as const } : {}) }];
    });
    // The diverged point and the blow-up's losses over EXPLOSION_CAP × the start's level are left
    // out of the curves: off the scale of the others, they flattened the whole curve into the x
    // axis. A divergence marker where they start says how high the loss went.
    const n = this.diverged_at ?? this.lrs.length;
    const shown = plottedCount(this.losses, n, this.smoothed.length);
    if (shown < this.lrs.length) {
      const rest = this.losses.slice(shown).filter(Number.isFinite);
      const peak = rest.length > 0 ? Math.max(...rest) : null;
      const first = this.losses[shown];
      markers.push({
        kind: "divergence" as const, name: this.name, x: this.lrs[shown], y: null,
        label: shown === this.diverged_at
          ? `diverged at lr ${fmt(this.lrs[shown])}${this.ofReference()} (loss ${fmt(first)})`
          : `loss off the scale from lr ${fmt(this.lrs[shown])}${this.ofReference()} (${fmt(first)}${peak !== null && peak > first ? `, up to ${fmt(peak)}` : ""})`,
      });
    }
    return {
      name: this.name,
      series: [
        { metric: "loss", group: null, buckets: bucketsOf(this.lrs.slice(0, shown), this.losses.slice(0, shown)) },
        { metric: "smoothed_loss", group: null, buckets: bucketsOf(this.lrs.slice(0, this.smoothed.length), this.smoothed) },
      ],
      markers,
      summary: this.summary(),
    };
  }

  /** " of group 0" after a rate of the x axis, when the groups had different rates; else "". */
  private ofReference(): string {
    return this.scaled ? ` of group ${this.reference_group}` : "";
  }

  /** "group 1 (lstm, fc)": a group's number and what it holds. */
  private groupName(j: number): string {
    const label = this.groups[j]?.label;
    return label ? `group ${j} (${label})` : `group ${j}`;
  }

  /**
   * The line saying how several param groups were swept (null for one group): at their ratio,
   * which group's rate the x axis is; or that they all had one rate.
   */
  groups_line(): string | null {
    if (this.groups.length < 2) return null;
    const n = this.groups.length;
    if (!this.scaled) {
      const same = this.groups.every((g) => Object.is(g.lr, this.groups[0].lr));
      return same ? `the ${n} param groups had the same lr (${fmt(this.groups[0].lr)}) and were swept together: each suggestion is for every group`
        : `the ${n} param groups' lrs (${this.groups.map((g) => fmt(g.lr)).join(", ")}) give no ratio to keep: every group was set to the rate tested`;
    }
    const ref = this.groups[this.reference_group];
    const frozen = this.groups.map((g, j) => (g.ratio === 0 ? j : -1)).filter((j) => j >= 0);
    return `the ${n} param groups were swept together keeping the ratio of their lrs (each group's lr = its lr × the swept rate / ${fmt(ref.lr)}): `
      + this.groups.map((g, j) => `${this.groupName(j)} lr ${fmt(g.lr)}`).join(", ")
      + `; the rates tested, the x axis and the plot's suggestions are group ${this.reference_group}'s`
      + (frozen.length > 0 ? `; ${frozen.map((j) => `group ${j}`).join(", ")} at lr 0 stayed at 0` : "");
  }

  /**
   * The suggestions line's text after "suggestions: ": one rate per method, or each group's; the
   * recommended method first and marked, the others by rate (find_order.ts).
   */
  private suggestionsText(): string {
    const keys = listingOrder(this.suggestions);
    const best = this.recommended;
    const mark = (k: keyof Suggestions) => (k === best ? " (recommended)" : "");
    if (!this.scaled) return keys.map((k) => `${k} ${fmt(this.suggestions[k])}${mark(k)}`).join(", ");
    const per = this.groups.map((_, j) => this.suggestions_for(j));
    return keys.map((k, i) => (this.suggestions[k] === null ? `${k} —`
      : `${k} ${per.map((s, j) => `${fmt(s[k])} for ${i === 0 ? this.groupName(j) : `group ${j}`}`).join(", ")}${mark(k)}`)).join("; ");
  }

  /** Text summary lines: the rates tested, where the loss diverged, the suggestions and why any is missing. */
  summary(): string[] {
    const groups = this.groups_line();
    return [
      `${this.name}: ${this.lrs.length} rates from ${fmt(this.lrs[0])} to ${fmt(this.lrs[this.lrs.length - 1])}${this.ofReference()}` +
        (this.diverged_at !== null ? ` (stopped: loss diverged at lr ${fmt(this.lrs[this.diverged_at])})` : ""),
      `  suggestions: ${this.suggestionsText()}`,
      ...(groups !== null ? [`  ${groups}`] : []),
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
  // at most MAX_NUM_ITER: the valley rule is quadratic in it (1e9 was accepted, and ran for ever)
  if (!Number.isInteger(r.num_iter) || r.num_iter < 2 || r.num_iter > MAX_NUM_ITER) {
    throw new RangeError(`find: num_iter must be an integer from 2 to ${MAX_NUM_ITER} (a range test takes 100 to 1000 steps), got ${r.num_iter}`);
  }
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
  const swept = sweptGroups(optimizer.param_groups, options.model);
  const reference = Math.max(0, swept.findIndex((g) => g.lr > 0 && Number.isFinite(g.lr)));
  if (swept.some((g) => g.lr > 0 && Number.isFinite(g.lr))) {
    // each group at its share of the reference group's rate (exactly 1 for groups of its rate)
    // (a rate that is no number ≥ 0 cannot be scaled: that group gets the swept rate, as before)
    for (const g of swept) g.ratio = g.lr === swept[reference].lr || !(g.lr >= 0 && Number.isFinite(g.lr)) ? 1 : g.lr / swept[reference].lr;
  }
  const lrs: number[] = [];
  const losses: number[] = [];
  const smoothed: number[] = [];
  let diverged: number | null = null;
  const beta = 1 - o.smooth_f;
  let avg = 0;
  let best = Infinity;
  // in train mode for the test, each module's own mode back afterwards (find_mode.ts); put back
  // even with restore: false, which keeps the weights the test trained, not its mode
  const mode = trainModeFor(options.model);
  const restore = () => {
    mode.restore();
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
        optimizer.param_groups.forEach((g, j) => (g.lr = swept[j].ratio === 1 ? lr : lr * swept[j].ratio));
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
  // The curve and the suggestions: the centred smoothing of the losses before the blow-up (the
  // diverged point and the final run above the start's level left out; see the file's comment).
  const n = diverged !== null ? diverged : losses.length;
  const cut = blowUpStart(losses, n, diverged !== null);
  const h = smoothHalfWidth(o.num_iter, o.smooth_f);
  const centred = centredMedian(losses.slice(0, cut), h);
  // The curve drawn (and `smoothed`): that median made smooth, since a median alone repeats its
  // window's losses (stairs; find_smooth.ts). Steepest and valley stay the median's: fastai's
  // valley (the longest decreasing run) lengthens on any smoothing, and moved out of the raw fall.
  const curve = withoutStairs(centred);
  const { suggestions, notes } = suggest(lrs.slice(0, cut), losses.slice(0, cut), centred, { smooth_f: o.smooth_f, diverged: diverged !== null, half_width: h, curve });
  const said = mode.note !== null ? [mode.note, ...notes] : notes;
  return new RangeTest(options.name ?? "lr range test", lrs, losses, curve, suggestions, diverged, said, swept.length > 1 ? swept : [], reference);
}

/** A rate's value: a number, or a one-element Tensor lr's (PyTorch takes both). */
function rateValue(lr: unknown): number {
  if (typeof lr === "number") return lr;
  const t = lr as { item?: () => number } | null;
  return t !== null && typeof t === "object" && typeof t.item === "function" ? Number(t.item()) : NaN;
}

/**
 * The optimizer's groups with their rates (ratio 1 until find() sets it) and labels: a group's
 * `name` key, else its parameters' names (its param_names, else the model's named_parameters()):
 * the module they all belong to ("emb"), else up to two names as they are, more as their
 * top-level modules and their count ("lstm, fc: 6 tensors").
 */
function sweptGroups(groups: FindableOptimizer["param_groups"], model: FindOptions["model"]): SweptGroup[] {
  let names: Map<unknown, string> | null = null;
  const named = (model as { named_parameters?: () => Iterable<[string, unknown]> } | undefined)?.named_parameters;
  if (groups.length > 1 && typeof named === "function") {
    try {
      names = new Map(Array.from(named.call(model), ([k, p]) => [p, k]));
    } catch {
      names = null;
    }
  }
  return groups.map((g) => {
    const own: string[] = groups.length < 2 ? []
      : Array.isArray(g.param_names) && g.param_names.length === g.params.length ? g.param_names
        : names !== null && g.params.every((p) => names!.has(p)) ? g.params.map((p) => names!.get(p)!) : [];
    return { lr: rateValue(g.lr), ratio: 1, label: groupLabel(g.name, own) };
  });
}

/** Above this many times the start's level, the blow-up's losses are left off the plot (a divergence marker says how high they went). */
export const EXPLOSION_CAP = 3;

/** The start's level: the mean loss over the first quarter of the n rates (at least 4 of them). */
export function startLevel(losses: readonly number[], n: number): number {
  const w = Math.min(n, Math.max(4, Math.floor(n / 4)));
  return losses.slice(0, w).reduce((a, b) => a + b, 0) / Math.max(1, w);
}

/**
 * Where the blow-up at the end of the n rates starts: the final run of losses above the start's
 * level, not reaching back to the smallest loss, when the test stopped on divergence or that run
 * reaches EXPLOSION_CAP × the level; else n. (A flat sweep ends in a few losses above its level
 * by chance: cutting those left its end biased low, and a fall was seen there in 14% of flat
 * simulated sweeps instead of 4%.)
 */
export function blowUpStart(losses: readonly number[], n: number, diverged: boolean): number {
  if (n < 4) return n;
  const level = startLevel(losses, n);
  let low = 0;
  for (let i = 1; i < n; i++) if (losses[i] < losses[low]) low = i;
  let cut = n;
  let top = -Infinity;
  while (cut - 1 > low && !(losses[cut - 1] <= level)) top = Math.max(top, losses[--cut]);
  return diverged || (level > 0 && !(top <= EXPLOSION_CAP * level)) ? cut : n;
}

/** How many of the rates the plot draws: up to the first loss of the blow-up (from `cut`) over EXPLOSION_CAP × the start's level, else the n before divergence. */
export function plottedCount(losses: readonly number[], n: number, cut: number): number {
  const level = startLevel(losses, n);
  if (!(level > 0)) return n;
  for (let i = cut; i < n; i++) if (!(losses[i] <= EXPLOSION_CAP * level)) return i;
  return n;
}

/**
 * Half width h of the centred smoothing: a twentieth of the sweep (5 rates of 100, half a decade
 * of the default 8-decade sweep), and at most a quarter of the running average's mean delay
 * (1 − f)/f, so that a larger smooth_f smooths less and smooth_f 1 not at all.
 */
export function smoothHalfWidth(num_iter: number, smooth_f: number): number {
  return Math.max(0, Math.min(Math.round(num_iter / 20), Math.round((1 - smooth_f) / smooth_f / 4)));
}

/**
 * The median of the losses within ±h of each point, the window narrowed evenly at the ends (so it
 * stays centred: no lag). A median, not a mean: it keeps a sharp fall sharp (a mean of 11 spread
 * the README run's fall over 0.03–0.3 and put "valley" at 0.038, before the loss fell) and a
 * single wild batch does not move it.
 */
export function centredMedian(losses: readonly number[], h: number): number[] {
  const n = losses.length;
  return losses.map((_, i) => {
    const r = Math.min(h, i, n - 1 - i);
    return losses.slice(i - r, i + r + 1).sort((a, b) => a - b)[r];
  });
}

/**
 * How far below the start's level (in standard deviations of the batch noise, as it shows in the
 * smoothed loss and in the level) the smoothed loss must be to have fallen. On the running average
 * 2.5 let 2–7% of flat sweeps of 100 independent noisy losses pass by chance; the centred median
 * has less correlation along the sweep (more chances), and 2.5 let 13.5% of 1000 simulated
 * Gaussian flat sweeps pass, 3 lets 6.5% (2.75: 8.9%, 3.25: 4.1%). The README model's runs (SGD,
 * Adam, momentum over 100 and 50 steps, L1Loss: find_suggestions.test.ts) keep their suggestions.
 */
const FALL_Z = 3;

/**
 * The suggestions from one sweep's rates, losses and smoothed losses (the diverged point left
 * out), and a note for each suggestion that cannot be made; see the file's comment.
 */
export function suggest(
  lrs: readonly number[], losses: readonly number[], s: readonly number[], o: { smooth_f: number; diverged: boolean; half_width: number; curve?: readonly number[] },
): { suggestions: Suggestions; notes: string[] } {
  const suggestions: Suggestions = { steepest: null, valley: null, "minimum/10": null };
  const n = s.length;
  const more = o.diverged ? "more iterations, so that more rates are tested before it diverges" : "a larger end lr or more iterations";
  const skipStart = Math.min(10, Math.floor(n / 10));
  // After a divergence the blow-up is already left out (blowUpStart) and the bottom is often just
  // before it: only the last point (the median of itself alone) is. Otherwise the last h, whose
  // narrowed windows are noisy: a flat sweep's end passed for a fall in 13% of simulated sweeps.
  const end = n - (o.diverged ? 1 : Math.max(1, o.half_width));
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
  // Standard deviation (over σ) of the median of 2r + 1 independent losses: √(π/2)/√(2r + 1)
  // for many (Gaussian noise; a little less for few), 1 for one.
  const threshold = (i: number) => {
    const r = Math.min(o.half_width, i, n - 1 - i);
    const sdSmoothed = r === 0 ? 1 : Math.sqrt(Math.PI / 2 / (2 * r + 1));
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
        + `${o.diverged ? "" : ": the rates tested did not train the model"}; rerun with ${more}`
        // what a user trying lrlab on random data meets first (a user pass, session 28): no rate can help there
        + "; if it still does not fall, check that there is something to learn: targets drawn independently of the inputs "
        + "(torch.randn for both) have no rate that makes their loss fall"],
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
  // "minimum" is the drawn curve's (o.curve, the median made smooth: find_smooth.ts), where a user
  // looks for it on the plot; the median's own could sit a rate off it
  const c = o.curve ?? s;
  let low = m;
  for (let i = skipStart; i < end; i++) if (c[i] < c[low]) low = i;
  // A tenth of a rate within a decade of the first one was never tested: no number for it.
  if (lrs[low] / 10 < lrs[0]) {
    notes.push(`minimum/10: none, the smallest loss is at lr ${fmt(lrs[low])}, less than ten times the first rate tested (${fmt(lrs[0])}); rerun with a lower start lr`);
  } else suggestions["minimum/10"] = lrs[low] / 10;
  const fitted = fittedFrom(losses, level, o.diverged);
  if (fitted !== null) {
    notes.push(`the loss fell to ~0 (${fmt(losses[fitted])}, under ${fmt(FITTED_SHARE)} of its start) at lr ${fmt(lrs[fitted])} and stayed there: with nothing left to fit, the gradient is ~0 and no rate can `
      + `diverge, so the rates above ${fmt(lrs[fitted])} were not tested on a model that still learns (this test cannot find where training becomes unstable: `
      + "use more data than the model can fit, e.g. a real training set)");
  }
  return { suggestions, notes };
}

/** A loss below this share of the start's level counts as fitted (~0). */
export const FITTED_SHARE = 1e-6;

/**
 * The first index from which every loss to the end is ~0 (FITTED_SHARE of the start's `level`), when
 * that holds over at least the last tenth of the rates (three at least) and the loss did not
 * diverge; else null. A model that fits the data exactly has a zero gradient, and every larger rate
 * then "passes": a one-sample problem whose limit is 2/λ = 0.074 swept clean to lr 10 (a reviewer
 * of the companion notebooks).
 */
export function fittedFrom(losses: readonly number[], level: number, diverged: boolean): number | null {
  if (diverged || !(level > 0)) return null;
  const n = losses.length;
  let z = n;
  while (z > 0 && Math.abs(losses[z - 1]) <= FITTED_SHARE * level) z--;
  return n - z >= Math.max(3, Math.ceil(n / 10)) ? z : null;
}
