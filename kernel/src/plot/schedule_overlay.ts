/**
 * A schedule preview drawn among traced runs (`%lr_compare seq pv`, pv = lrlab.preview(...)), and
 * the line of text that says whether the runs' configured lr and the preview agree.
 *
 * The lesson "preview the schedule, train, then check the trace against it" had no picture: a
 * comparison took runs only, and the check was by hand against `preview.lrs` (a teacher's pass).
 * A preview is a "schedule" plot and a comparison is made of "trace" ones (bundle.ts does not mix
 * kinds), so the preview joins as a run whose only series is its configured lr, one line per param
 * group at x = first_step + i: the step of a run whose rate it is (trace/preview.ts). The plot
 * layer knows no scheduler: it reads the preview's `lrs` and `first_step` only.
 *
 * Agreement is read at each step both have: a run's bucket of one step gives that step's value; a
 * bucket that merges steps (a run past 2,000 steps) its `last`, the value of its last step. Two
 * values agree within AGREE_REL of the larger (the tracer and the preview step the same scheduler
 * code, so they are equal in practice; PyTorch's own numbers differ from lrlab's by an ulp at most).
 *
 * A run whose rates are the preview's times one constant at every common step (within RATIO_REL)
 * runs the same schedule from another base lr: a preview built at the factory's default lr 0.1 for
 * a run at 0.05 "differed at every step, max rel diff 0.5" with no word of the cause (a lecturer's
 * and an engineer's pass). The line says so, with the preview's base lr and the run's, and the
 * option that makes them agree.
 */
import type { Bucket } from "../trace/series";
import type { Plottable } from "./bundle";
import { bucketsOf } from "./downsample";
import type { FigureSource } from "./figure";
import { fmt } from "./text";

/** What of a preview (trace/preview.ts SchedulePreview) the overlay reads. */
export interface ScheduleLike {
  readonly plot_kind: "schedule";
  readonly name: string;
  readonly lrs: readonly (readonly number[])[];
  readonly first_step: number;
  /** Each group's base lr (trace/preview.ts), when known: named by a constant ratio's line. */
  readonly base_lrs?: readonly number[];
}

/** Whether `x` is a schedule preview (what `lrlab.preview` returns). */
export function isScheduleLike(x: unknown): x is ScheduleLike {
  const p = x as ScheduleLike;
  return typeof x === "object" && x !== null && p.plot_kind === "schedule" && Array.isArray(p.lrs) && typeof p.first_step === "number";
}

/** Relative difference under which a run's lr and a preview's agree at a step. */
export const AGREE_REL = 1e-9;
/**
 * Relative spread under which a run's rates over a preview's are one constant (the same schedule
 * from another base lr): float32's rounding (6e-8) of a rate kept in float32, with room.
 */
export const RATIO_REL = 1e-6;

/** The legend's name of a preview among runs: `pv (preview)`, so it is not taken for a run. */
export function previewLabel(name: string): string {
  return `${name} (preview)`;
}

/**
 * The preview as a run of a comparison: its configured lr only, one line per param group, drawn
 * dashed over the runs (Series.preview). `note`: over the lr panel, what the text says of the runs
 * (pictureNote): in the static picture, which nbconvert exports alone, "agrees" was on stdout only.
 */
export function previewAsRun(p: ScheduleLike, label: string, note?: string): Plottable {
  const summary = `${label}: schedule preview, ${p.lrs[0]?.length ?? 0} steps from step ${p.first_step}, lr ${fmt(p.lrs[0]?.[0] ?? NaN)} → ${fmt(p.lrs[0]?.[p.lrs[0].length - 1] ?? NaN)}`;
  return {
    plot_kind: "trace",
    to_figure_source: (): FigureSource => ({
      name: label,
      series: p.lrs.map((lr, g) => ({ metric: "lr", group: g, buckets: bucketsOf(lr.map((_, i) => p.first_step + i), lr), preview: true as const })),
      summary: [summary],
      ...(note ? { notes: [{ metrics: ["lr"], text: note }] } : {}),
    }),
  };
}

/**
 * The picture's short form of agreementLines over every run: `pv (preview), dashed: agrees with
 * seq; differs from wr from step 16`. A run of several groups is said to agree when each compared
 * group does; otherwise its first group that does not is named.
 */
export function pictureNote(preview: string, runs: readonly [string, FigureSource][], p: ScheduleLike): string {
  const parts = runs.map(([run, src]) => {
    const byGroup = runLrBuckets(src);
    const groups = [...byGroup.keys()].filter((g) => g < p.lrs.length).sort((x, y) => x - y);
    if (groups.length === 0) return `${run} has no configured lr`;
    const all = groups.map((g) => [g, compareLr(byGroup.get(g)!, p.lrs[g], p.first_step)] as const);
    const which = (g: number) => (groups.length > 1 ? `group ${g} of ` : "");
    const off = all.find(([, a]) => a.common === 0 || a.first_diff !== null);
    if (off === undefined) return `agrees with ${run}`;
    const [g, a] = off;
    if (a.common === 0) return `no step in common with ${which(g)}${run}`;
    if (a.ratio !== null) return `the same schedule as ${which(g)}${run} at ×${fmt(a.ratio)} (another base lr)`;
    return `differs from ${which(g)}${run} from step ${a.first_diff}`;
  });
  return `${previewLabel(preview)}, dashed: ${parts.join("; ")}`;
}

/** A run's configured lr lines (no parameter's), by group: what agreement() reads of a run's figure source. */
export function runLrBuckets(src: FigureSource): Map<number, readonly Bucket[]> {
  const out = new Map<number, readonly Bucket[]>();
  for (const s of src.series) if (s.metric === "lr" && !s.param && s.group !== null && !out.has(s.group)) out.set(s.group, s.buckets);
  return out;
}

/** How a run's lr and a preview's compare over the steps both have (one group). */
export interface Agreement {
  /** Steps both have a value at. */
  common: number;
  first_common: number | null;
  last_common: number | null;
  max_abs: number;
  max_abs_step: number | null;
  max_rel: number;
  /** The first common step whose values differ by more than AGREE_REL, or null. */
  first_diff: number | null;
  /** How many common steps differ. */
  differing: number;
  /** The values at first_diff (the run's, the preview's). */
  at_diff: [number, number] | null;
  /**
   * run / preview when it is the same at every common step (within RATIO_REL) and not 1: the same
   * schedule from another base lr. Null otherwise (steps where both are 0 say nothing of it).
   */
  ratio: number | null;
  /** Whether a compared value was a bucket of several steps (its last step's): a run past 2,000 steps. */
  merged: boolean;
  /** The run's steps with a value and the preview's, first and last (for "no common steps"). */
  run_span: [number, number] | null;
  preview_span: [number, number];
}

/** Compares a run's lr buckets of one group with a preview's rates of that group. */
export function compareLr(run: readonly Bucket[], lr: readonly number[], first_step: number): Agreement {
  const a: Agreement = {
    common: 0, first_common: null, last_common: null, max_abs: 0, max_abs_step: null, max_rel: 0,
    first_diff: null, differing: 0, at_diff: null, ratio: null, merged: false, run_span: null, preview_span: [first_step, first_step + lr.length - 1],
  };
  // the ratio's range over the common steps (NaN once a step has one value 0 and not the other)
  let [kLo, kHi] = [Infinity, -Infinity];
  for (const b of run) {
    if (b.count === 0 || b.last === null) continue;
    const step = b.last_step;
    a.run_span = a.run_span === null ? [step, step] : [a.run_span[0], step];
    const i = step - first_step;
    if (!Number.isInteger(i) || i < 0 || i >= lr.length || !Number.isFinite(lr[i])) continue;
    const [r, p] = [b.last, lr[i]];
    a.common++;
    if (b.first_step !== b.last_step) a.merged = true;
    if (a.first_common === null) a.first_common = step;
    a.last_common = step;
    const abs = Math.abs(r - p);
    const rel = abs === 0 ? 0 : abs / Math.max(Math.abs(r), Math.abs(p));
    if (abs > a.max_abs) [a.max_abs, a.max_abs_step] = [abs, step];
    a.max_rel = Math.max(a.max_rel, rel);
    if (!(r === 0 && p === 0)) {
      const k = p === 0 ? NaN : r / p;
      [kLo, kHi] = Number.isFinite(k) && k > 0 ? [Math.min(kLo, k), Math.max(kHi, k)] : [NaN, NaN];
    }
    if (rel > AGREE_REL) {
      a.differing++;
      if (a.first_diff === null) [a.first_diff, a.at_diff] = [step, [r, p]];
    }
  }
  const k = (kLo + kHi) / 2;
  if (a.differing > 0 && kHi >= kLo && kHi - kLo <= RATIO_REL * kHi && Math.abs(k - 1) > RATIO_REL) a.ratio = k;
  return a;
}

/** `0–63`, or `5` for one step. */
function span(lo: number, hi: number): string {
  return lo === hi ? String(lo) : `${lo}–${hi}`;
}

/**
 * The text line of one run against one preview (one group when `group` is given):
 * `seq vs pv (preview): lr agrees at all 64 common steps (0–63): max abs diff 0, max rel diff 0`, or
 * `wr vs pv (preview): lr differs from step 16 (wr 0.0012, pv 0.1): 57 of 112 common steps (0–111) differ; max abs diff 0.0988 at step 16, max rel diff 0.97`,
 * or `half vs pv (preview): lr is the same schedule at ×0.5: half's lr is pv's × 0.5 at all 20 common steps (0–19); ...`.
 * `fix`: what a constant ratio's line ends on (agreementLines: the base lrs and the option to give).
 */
export function agreementText(run: string, preview: string, a: Agreement, group: number | null = null, fix = ""): string {
  const head = `${run} vs ${previewLabel(preview)}: ${group === null ? "" : `group ${group}'s `}lr`;
  if (a.common === 0) {
    const runs = a.run_span ? `${run} has steps ${span(...a.run_span)}` : `${run} has no lr recorded`;
    return `${head}: no common steps (${runs}, the preview steps ${span(...a.preview_span)})`;
  }
  // a run past 2,000 steps keeps buckets of several steps: each is compared at its last step
  const steps = `${a.common} common step${a.common === 1 ? "" : "s"} (${span(a.first_common!, a.last_common!)}${a.merged ? `; the run's buckets of several steps at their last step` : ""})`;
  const diffs = `max abs diff ${fmt(a.max_abs)}${a.max_abs_step !== null && a.first_diff !== null ? ` at step ${a.max_abs_step}` : ""}, max rel diff ${fmt(a.max_rel)}`;
  const all = a.common === 1 ? "the" : "all";
  if (a.first_diff === null) return `${head} agrees at ${all} ${steps}: ${diffs}`;
  if (a.ratio !== null) return `${head} is the same schedule at ×${fmt(a.ratio)}: ${run}'s lr is ${preview}'s × ${fmt(a.ratio)} at ${all} ${steps}${fix}`;
  const [r, p] = a.at_diff!;
  return `${head} differs from step ${a.first_diff} (${run} ${fmt(r)}, ${preview} ${fmt(p)}): ${a.differing} of ${steps} differ; ${diffs}`;
}

/**
 * The agreement lines of a run's figure source against a preview: one per param group both have
 * (group 0 alone when the preview has one group: a factory preview's single group), and a note
 * when their groups differ in number.
 */
export function agreementLines(run: string, src: FigureSource, preview: string, p: ScheduleLike): string[] {
  const byGroup = runLrBuckets(src);
  const groups = [...byGroup.keys()].filter((g) => g < p.lrs.length).sort((x, y) => x - y);
  if (groups.length === 0) return [`${run} vs ${previewLabel(preview)}: ${run} recorded no configured lr (metric lr) to compare`];
  const several = groups.length > 1 || byGroup.size > 1 || p.lrs.length > 1;
  const agreements = groups.map((g) => compareLr(byGroup.get(g)!, p.lrs[g], p.first_step));
  const fix = ratioFix(agreements, groups, p);
  const lines = groups.map((g, i) => agreementText(run, preview, agreements[i], several ? g : null, agreements[i].ratio === null ? "" : fix(g, agreements[i].ratio!)));
  if (byGroup.size !== p.lrs.length) {
    lines.push(`  (${run} has ${byGroup.size} param group${byGroup.size === 1 ? "" : "s"}, ${preview} ${p.lrs.length}: group${groups.length === 1 ? "" : "s"} ${groups.join(", ")} compared)`);
  }
  return lines;
}

/** A rate in code the user copies: 6 significant digits (0.003, not 0.0030000000000000005). */
function code(v: number): string {
  return String(Number(v.toPrecision(6)));
}

/**
 * The end of a constant ratio's line (agreementText): the preview's base lr and the run's
 * (preview's × the ratio), and the `lr` option that previews the run's: one number for one group,
 * a list (lrlab.preview's one group per value) for several. Without the preview's base lrs, the
 * ratio alone says what to change.
 */
function ratioFix(agreements: readonly Agreement[], groups: readonly number[], p: ScheduleLike): (g: number, k: number) => string {
  const base = (g: number) => p.base_lrs?.[g];
  const known = groups.every((g) => Number.isFinite(base(g)));
  if (!known) return (_g, k) => `: the same schedule from a base lr × ${fmt(k)}; preview it with the run's base lr, lrlab.preview(..., { lr: ... })`;
  // each compared group's run base lr: the preview's times its ratio (1 where they agree)
  const runBase = groups.map((g, i) => base(g)! * (agreements[i].ratio ?? 1));
  const option = runBase.length === 1 && p.lrs.length === 1 ? code(runBase[0]) : `[${runBase.map(code).join(", ")}]`;
  return (g, k) => `: the preview ran at lr ${fmt(base(g)!)}, the run at ${fmt(base(g)! * k)}; give lrlab.preview(..., { lr: ${option} })`;
}
