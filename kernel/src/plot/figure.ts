/**
 * The figure spec: ONE description of a plot (the PlotPayload of payload.ts plus the summary
 * lines of text/plain) from which every output format is derived (plotly.ts, svg.ts, text.ts).
 *
 * Builders here take neutral inputs (`FigureSource`: named bucketed series and markers), so the
 * plot layer knows no tracer or scheduler internals; the tracer, `preview()` and `find()` turn
 * their results into sources (see sources.ts).
 *
 * Budget (the rule, whatever the number of parameters or runs): a plot output stays under
 * SAVED_BUDGET = 150 KB as saved in a .ipynb (nbformat's indent=1 JSON, every mime type). Points
 * are shared out first by the bytes they cost (below), then bundle.ts measures the bundle as
 * saved: when it is still over (many runs, many groups) it builds it again with proportionally
 * fewer points per line (`FigureOptions.budget_scale`, down to 2 points per line), so the bound
 * holds for any count; when lines were merged and the bytes leave room, with more.
 *
 * - Series of a run or group (no `param`): every step while they fit, else the same number of
 *   points for each line that has more (shareOut), as many as the bytes allow: LINE_BUDGET bytes
 *   as saved in all, what SAVED_BUDGET leaves after the markup; with per-parameter lines in the
 *   figure, GROUP_LINE_BUDGET (their share). A line drawn in the static panels costs its numbers
 *   twice (payload and plotly JSON) and its path in the SVG, a band twice and more again
 *   (lineBytes). A line carries a band of merged steps only when its points would merge
 *   BAND_STEPS steps or more without bands (hasBand): a thinner merge shows little spread the
 *   line does not show, and its band would cost more than half the points. A set metric (the
 *   configured lr, momentum: SET_METRICS) carries no band, and a long one its exact stairs, two
 *   points a run of one value (downsample.stairs), when they take no more points than its share.
 *   The plotly JSON draws at most PLOTLY_POINTS a line (plotly.ts thinned), as the SVG draws
 *   SVG_POINTS: the payload, which the extension draws, gets the rest. (Every step of a run of
 *   1,000 steps of ~10 lines does not fit: as saved, every number of the payload is a line of its
 *   own, ~14 to 19 bytes; what would is a compact encoding of the payload's numbers, a change of
 *   the payload's contract and of its readers.)
 * - Per-parameter lines (a `per_param` trace; a comparison never carries them): for the
 *   extension's parameter selector only, never all drawn at once. PARAM_POINT_BUDGET points in
 *   all, each line between PARAM_MIN_POINTS and PARAM_MAX_POINTS points. When every parameter
 *   does not fit at PARAM_MIN_POINTS, the figure carries the first ones in the source's order
 *   (the tracer's: weights before vectors, each by largest mean update ratio first; `FigureOptions.params` puts the ones a user
 *   asks for in front) and says how many it left out (`payload.param_info`); the trace keeps
 *   every one (`trace.series(metric, group, name)`, `to_json`). Their downsampling merges
 *   aligned runs of 2^k steps (`downsampleAligned`), so a line's points are the same whatever
 *   the resolution its series kept (trace.ts PARAM_CAPACITY). These shares are cautious, made
 *   before the bundle's size is known: when every parameter is carried, bundle.ts
 *   (moreParamPoints) then gives the lines the finest resolution the measured bytes allow (every
 *   step of a short run; `FigureOptions.param_points`), and a line whose points merge fewer than
 *   BAND_STEPS steps carries no band of them (hasBand), as the group's lines.
 * - Static pictures (plotly JSON, SVG): one panel of the first STATIC_PARAMS carried parameters'
 *   update ratio first, lines without bands, a note over it saying which ("5 of 50 parameters, by
 *   mean update ratio ‖Δ‖/‖θ‖: one line per parameter tensor …"), then the group's lines in the
 *   usual panels: one legend entry per parameter shown, never one per parameter × metric. The extension draws a chosen parameter's
 *   lines in the colour this panel gives it (the same colour slots: plotly.ts colourSlots).
 */
import type { Bucket } from "../trace/series";
import { closeMatches } from "../close_matches";
import { DEFAULT_DIGITS, downsample, downsampleAligned, exactLine, SET_DIGITS, spansOf, stairs, type Points } from "./downsample";
import { coincidenceNote, elementwiseNote, preconditionedNote, wideBandNote } from "./notes";
import type { Marker, MetricInfo, PlotNote, PlotPayload, Series } from "./payload";
import { fmt } from "./text";

/** Every metric a figure may show, in display order, with its label and default axis. */
export const METRIC_CATALOGUE: readonly MetricInfo[] = [
  { key: "lr", label: "configured lr", log: true },
  { key: "lr_projected", label: "projected lr −⟨Δ,g⟩/‖g‖²", log: true },
  { key: "lr_per_sample", label: "per-sample lr", log: true },
  { key: "lr_realized", label: "realized lr ‖Δ‖/‖g‖", log: true },
  { key: "lr_elementwise", label: "element-wise lr −Δ/g (median, q05–q95)", log: true },
  { key: "lr_preconditioned", label: "preconditioned lr (median, q05–q95)", log: true },
  { key: "lr_momentum_steady", label: "momentum steady-state lr γ(1−τ)/(1−μ)", log: true },
  { key: "update_ratio", label: "update ratio ‖Δ‖/‖θ‖", log: true },
  { key: "angular_update", label: "angular update (rad)", log: true },
  { key: "grad_norm", label: "gradient norm ‖g‖", log: true },
  { key: "param_norm", label: "parameter norm ‖θ‖", log: true },
  { key: "loss", label: "loss", log: false },
  { key: "val_loss", label: "validation loss", log: false },
  { key: "smoothed_loss", label: "smoothed loss", log: false },
  { key: "momentum", label: "momentum (β1)", log: false },
  { key: "beta2", label: "β2", log: false },
  { key: "weight_decay", label: "weight decay", log: false },
];

const CATALOGUE = new Map(METRIC_CATALOGUE.map((m) => [m.key, m]));

/** Short label of a metric (its catalogue label, or the key itself). */
export function metricLabel(key: string): string {
  return CATALOGUE.get(key)?.label ?? key;
}

/** One series of a source, as bucketed data. `low`/`high` give a band from other series. */
export interface SourceSeries {
  metric: string;
  group: number | null;
  param?: string | null;
  buckets: readonly Bucket[];
  low?: readonly Bucket[];
  high?: readonly Bucket[];
  /** Also drawn, dashed, as a reference line on this metric's view (payload Series.reference_for). */
  reference_for?: string;
  /** A schedule preview's line among runs, drawn dashed over them (payload Series.preview). */
  preview?: true;
}

/** One named run (a trace, a scheduler preview, a range test). */
export interface FigureSource {
  name: string;
  series: SourceSeries[];
  /** Per-parameter series: the parameters' names in the order the figure carries them first. */
  params?: { names: string[]; criterion: string };
  markers?: Marker[];
  /** Lines for text/plain naming the key numbers. */
  summary?: string[];
  /** Notes over some metrics' views (notes.ts roundingNote): the payload's `notes`. */
  notes?: PlotNote[];
  /** Metrics the static panels draw although a trace figure leaves them to the menu (asked for: recorded.ts). */
  panels?: string[];
}

export interface FigureOptions {
  kind: PlotPayload["kind"];
  title?: string;
  x_label?: string;
  x_log?: boolean;
  default_metric?: string;
  live?: boolean;
  /** Points per series in the payload (display downsampling); default: what the bytes allow (shareOut). */
  max_points?: number;
  /** Parameters whose lines the figure carries first (per_param traces), before the ranked ones. */
  params?: readonly string[];
  /** Scales every point budget (bundle.ts lowers it when a bundle is still over SAVED_BUDGET). */
  budget_scale?: number;
  /**
   * Points (at most) of each carried per-parameter line, instead of PARAM_POINT_BUDGET's share:
   * bundle.ts sets it when the bytes leave room for more (every step of a short run).
   */
  param_points?: number;
}

/** The figure spec: the payload every renderer reads, and the text summary. */
export interface Figure {
  payload: PlotPayload;
  summary: string[];
  /** Whether a line carries fewer points than its series has buckets, or parameters were left out (a larger budget_scale would carry more). */
  downsampled?: boolean;
  /**
   * Per-parameter lines (a per_param trace): the points each carried line was given at most, the
   * steps their series cover (the longest), the most buckets one of them has, and how many
   * parameters were left out. bundle.ts reads it to give the lines more points when there is room.
   */
  param_lines?: { points: number; steps: number; buckets: number; omitted: number };
}

/**
 * A figure's title when the caller gives none. The extension keeps a copy (extension/src/figure.ts):
 * over a metric that is not a learning rate it replaces these, never a title the user gave.
 */
export const DEFAULT_TITLES: Readonly<Record<PlotPayload["kind"], string>> = {
  trace: "Effective learning rate",
  compare: "Effective learning rate: comparison",
  schedule: "Learning-rate schedule",
  range_test: "Learning-rate range test",
};

/**
 * The title the static pictures (SVG, plotly JSON, text) show: the extension's title of the
 * metric the figure opens on (extension/src/figure.ts plotTitle keeps a copy of this rule). A
 * title the user gave, a range test's, and a default title over an effective rate stay as the
 * payload has them; a default title over the configured lr, which is no effective rate, says so
 * ("Configured learning rate: comparison" over `%lr_compare a b --metric lr`: teachers' passes);
 * over another metric it names that metric ("Update ratio ‖Δ‖/‖θ‖: comparison" over
 * `%lr_compare a b --metric update_ratio`, whose SVG said "Effective learning rate: comparison"
 * over panels of update ratio and loss while JupyterLab named the metric: a tester's pass). The
 * payload keeps the default so that the extension, whose selector changes the metric, titles
 * each metric itself.
 */
export function figureTitle(payload: Pick<PlotPayload, "kind" | "title" | "default_metric" | "metrics">): string {
  const metric = payload.default_metric;
  if (payload.title !== DEFAULT_TITLES[payload.kind] || payload.kind === "range_test") return payload.title;
  if (metric === "lr" && payload.kind === "compare") return CONFIGURED_COMPARE_TITLE;
  if (metric === "lr" && payload.kind === "trace") return CONFIGURED_TRACE_TITLE;
  if (metric === "lr" || metric.startsWith("lr_")) return payload.title;
  const label = payload.metrics.find((m) => m.key === metric)?.label ?? metric;
  // ASCII only, as the extension: "β2" must not become "Β2"
  const name = label.replace(/^[a-z]/, (c) => c.toUpperCase());
  if (payload.kind === "compare") return `${name}: comparison`;
  if (payload.kind === "schedule") return `${name} schedule`;
  return name;
}

/** figureTitle's title of a comparison of configured rates (the extension keeps a copy). */
export const CONFIGURED_COMPARE_TITLE = "Configured learning rate: comparison";

/** figureTitle's title of one run's configured rate (`%lr_compare seq --metric lr`; the extension keeps a copy). */
export const CONFIGURED_TRACE_TITLE = "Configured learning rate";

/** The bound of a plot output as saved in a notebook (README, test/plot/saved_size.test.ts). */
export const SAVED_BUDGET = 150_000;
/**
 * Bytes of one number of the payload or of the plotly JSON *as saved in a notebook*: nbformat
 * writes the .ipynb with `indent=1`, so each number sits on a line of its own behind ten spaces
 * (a 4-digit rate, its comma and newline: 19 bytes on average in saved traces).
 */
export const NUMBER_BYTES = 19;
/** Points per line in the SVG (svg.ts thins longer lines): a 560-pixel panel shows no more. */
export const SVG_POINTS = 120;
/**
 * Points per line in the plotly JSON (plotly.ts thins longer lines): a fallback picture for
 * frontends without the extension (VS Code, nteract), as the SVG is. It carried every point of
 * the payload, twice the numbers of a drawn line (and six per point of a band), so the lines'
 * points in the payload, the ones the extension draws, were a third of what the bytes allowed.
 */
export const PLOTLY_POINTS = 100;
/**
 * Metrics set, not measured: the optimizer's hyperparameters, which hold one value a step (a
 * scheduler changes them between steps). They never carry a min–max band (a band on a
 * deterministic schedule showed only where it moved within a point), and a long line of them is
 * carried as its stairs (downsample.stairs) when they take no more points than its share.
 */
export const SET_METRICS: readonly string[] = ["lr", "momentum", "beta2", "weight_decay"];
/**
 * Bytes of one point of a line in the SVG's paths, and of one point of a band (its area),
 * measured on saved traces.
 */
const SVG_POINT_BYTES = 22;
const SVG_BAND_BYTES = 18;
/**
 * Bytes of a line whatever its points: its keys in the payload, and when drawn its plotly
 * traces' (name, colour, axes, legend group...), its legend entry, and its band's trace.
 */
const LINE_MARKUP_BYTES = 200;
const DRAWN_MARKUP_BYTES = 700;
const BAND_MARKUP_BYTES = 500;
/**
 * The bytes the lines of runs and groups may take: SAVED_BUDGET less the rest of a bundle (the
 * payload's and plotly JSON's own markup, the SVG's axes and legends, text/plain: 10 to 20 KB).
 * An estimate: bundle.ts measures what it built.
 */
export const LINE_BUDGET = SAVED_BUDGET - 20_000;
/** The share of the lines' bytes set metrics' exact lines may take before the others (make_figure). */
export const EXACT_SHARE = 0.5;
/** The share of their points the other lines keep when set metrics' exact lines come first (make_figure). */
export const EXACT_KEEP = 0.6;
/** The fewest points per series while the budget allows (bundle.ts goes lower when it must). */
export const MIN_POINTS = 16;
/** The group lines' share when per-parameter lines come too (they are drawn in the static panels too). */
export const GROUP_LINE_BUDGET = 40_000;
/** Points of all per-parameter lines together (payload only: ~45 B each as saved). */
export const PARAM_POINT_BUDGET = 700;
export const PARAM_MIN_POINTS = 10;
export const PARAM_MAX_POINTS = 100;
/** Parameters whose update ratio the static pictures draw. */
export const STATIC_PARAMS = 5;

/** Metrics a trace's static panels draw (panelsFor), besides a cycled momentum. */
const STATIC_METRICS = ["lr", "lr_projected", "lr_per_sample", "lr_momentum_steady", "lr_elementwise", "lr_preconditioned", "update_ratio", "loss", "val_loss"];

/** Points (a band counts twice: it adds min and max) of one per-parameter series per payload point. */
function units(s: SourceSeries): number {
  if (s.buckets.length === 0) return 0;
  const band = s.low !== undefined || s.buckets.some((b) => b.count > 1 && b.min !== b.max);
  return band ? 2 : 1;
}

/** How far (a share of its range) a merged set line may pass from a step's value before its exact line goes first. */
export const EXACT_TOLERANCE = 0.01;

/**
 * Whether set line `s` shown at `share` points (its stairs when they fit, else means of merged
 * steps) passes further than EXACT_TOLERANCE of its range from some step's value: a CyclicLR's
 * triangle as 4-step means peaked at 0.086 of 0.1, while a 400-step OneCycleLR's 3-step means
 * lie on its curve (its measured lines keep their points).
 */
function misdrawn(s: SourceSeries, share: number): boolean {
  const n = Math.min(share, s.buckets.length);
  if (n >= s.buckets.length) return false;
  const st = stairs(s.buckets, SET_DIGITS);
  if (st && st.x.length <= n) return false;
  const p = downsample(s.buckets, Math.max(1, n), undefined, undefined, SET_DIGITS);
  let lo = Infinity, hi = -Infinity;
  for (const b of s.buckets) if (b.min !== null && b.max !== null) [lo, hi] = [Math.min(lo, b.min), Math.max(hi, b.max)];
  if (!(hi > lo)) return false;
  let k = 0;
  for (const b of s.buckets) {
    if (b.min === null) continue;
    for (const x of [b.first_step, b.last_step]) {
      while (k + 1 < p.x.length && p.x[k + 1] <= x) k++;
      const [x0, y0] = [p.x[k], p.mean[k]];
      const [x1, y1] = k + 1 < p.x.length ? [p.x[k + 1], p.mean[k + 1]] : [x0, y0];
      if (y0 === null || y1 === null) continue;
      const y = x1 > x0 && x >= x0 ? y0 + ((y1 - y0) * (Math.min(x, x1) - x0)) / (x1 - x0) : y0;
      if (Math.abs(y - b.min) > EXACT_TOLERANCE * (hi - lo)) return true;
    }
  }
  return false;
}

/** Steps a series covers (its buckets' pushes, gaps included). */
function stepsOf(s: SourceSeries): number {
  let n = 0;
  for (const b of s.buckets) n += b.pushes;
  return n;
}

/** Steps a point merges, at least, for its line to carry the min–max band of those steps. */
export const BAND_STEPS = 8;

/**
 * Whether series `s` shown at `points` points carries a band: its own (`low`/`high`: the spread
 * of element-wise rates), or the min–max of the steps each point merges, when they are
 * BAND_STEPS or more a point and the series is not constant. Points of one step, or of a few
 * (80 steps at 75 points), show little spread the line does not show itself: such bands doubled
 * the bytes of short runs (a drawn band costs 2.5 times its line) and halved their points.
 */
export function hasBand(s: SourceSeries, points: number): boolean {
  if (s.low !== undefined) return true;
  if (SET_METRICS.includes(s.metric)) return false;
  if (stepsOf(s) < BAND_STEPS * Math.min(points, s.buckets.length)) return false;
  const v = s.buckets[0].min;
  return s.buckets.some((b) => b.min !== v || b.max !== v);
}

/**
 * Bytes of one x of a line as saved: a step is an integer, the ten spaces of its line, its digits,
 * a comma and a newline (14 bytes for the steps of a 40-step run, not the 19 of a rate: counting
 * them at 19 left a 3-group 40-step run one point a line short of every step). Other x (a range
 * test's rates) cost NUMBER_BYTES.
 */
export function xBytes(s: SourceSeries): number {
  const last = s.buckets.length > 0 ? s.buckets[s.buckets.length - 1].last_step : 0;
  return Number.isInteger(last) && last >= 0 ? 12 + String(last).length : NUMBER_BYTES;
}

/**
 * Bytes of a line of `points` points as saved: in the payload its x and mean (and min and max
 * with a band); when the static panels draw it, in the plotly JSON at most PLOTLY_POINTS of them
 * (plotly.ts thinned), x and y, and its band as a closed shape (x and y along each edge); its path
 * in the SVG (at most SVG_POINTS); and its markup. `x` is the bytes of one x (xBytes).
 */
export function lineBytes(points: number, drawn: boolean, band: boolean, x = NUMBER_BYTES): number {
  const plotly = drawn ? Math.min(points, PLOTLY_POINTS) : 0;
  const qb = band ? 2 : 0;
  const xs = points + plotly * (1 + qb);
  const values = points * (band ? 3 : 1) + plotly * (1 + qb);
  const svg = drawn ? Math.min(points, SVG_POINTS) * (SVG_POINT_BYTES + (band ? SVG_BAND_BYTES : 0)) : 0;
  const markup = drawn ? DRAWN_MARKUP_BYTES + (band ? BAND_MARKUP_BYTES : 0) : LINE_MARKUP_BYTES;
  return xs * x + values * NUMBER_BYTES + svg + markup;
}

/**
 * The points per line that fit `budget` bytes: the largest cap such that every line keeps
 * min(its buckets, cap) points within the budget (`cost(s, points)` bytes each, growing with the
 * points). Short lines keep every step and long ones share what is left. 0 when not even one
 * point a line fits.
 */
export function shareOut(series: readonly SourceSeries[], budget: number, cost: (s: SourceSeries, points: number) => number): number {
  const fits = (cap: number) => {
    let total = 0;
    for (const s of series) {
      total += cost(s, Math.min(cap, s.buckets.length));
      if (total > budget) return false;
    }
    return true;
  };
  let longest = 0;
  for (const s of series) longest = Math.max(longest, s.buckets.length);
  if (fits(longest)) return longest;
  // fits(lo) and not fits(hi)
  let lo = 0, hi = longest;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Which parameters' lines a trace figure carries, and at how many points (see the file comment):
 * `wanted` first, then the source's order; all of them when each line gets PARAM_MIN_POINTS
 * within `budget`, else as many as fit (at least one).
 */
function chooseParams(src: FigureSource, wanted: readonly string[], budget: number, min: number): { names: string[]; points: number; criterion: string } {
  // a parameter's cost at `min` points: its lines' units, a line shorter than `min` at its length
  // (a 10-step run's 12 tensors left one out at 10 points a line, in a bundle of 67 KB)
  const per = new Map<string, number>();
  for (const s of src.series) if (s.param) per.set(s.param, (per.get(s.param) ?? 0) + units(s) * Math.min(1, s.buckets.length / min));
  const ranked = src.params?.names.filter((n) => per.has(n)) ?? [...per.keys()];
  for (const n of per.keys()) if (!ranked.includes(n)) ranked.push(n);
  const asked = wanted.filter((n) => per.has(n));
  const order = [...new Set([...asked, ...ranked])];
  const criterion = (asked.length > 0 ? "the ones asked for, then " : "") + (src.params?.criterion ?? "the optimizer's order");
  let total = 0;
  for (const n of order) total += per.get(n) as number;
  if (total * min <= budget) {
    return { names: order, points: Math.max(min, Math.min(PARAM_MAX_POINTS, Math.floor(budget / Math.max(1, total)))), criterion };
  }
  const names: string[] = [];
  let used = 0;
  for (const n of order) {
    const u = (per.get(n) as number) * min;
    if (names.length > 0 && used + u > budget) break;
    names.push(n);
    used += u;
  }
  return { names, points: min, criterion };
}

/**
 * `bundle({ params })` names parameters of the trace's per-parameter lines: a name it does not
 * have, or a trace without such lines, is an error naming the trace's parameters (and the near
 * ones), as trace.series / latest_param say it. A misspelt name was silently ignored: the plot
 * came without the line asked for.
 */
function checkParams(sources: readonly FigureSource[], params: readonly string[], perParam: boolean): void {
  if (!Array.isArray(params) || params.some((n) => typeof n !== "string")) {
    throw new TypeError(`bundle({ params }): params must be an array of parameter names (strings), got ${JSON.stringify(params)}`);
  }
  if (params.length === 0) return;
  if (!perParam) {
    throw new RangeError("bundle({ params }): this plot has no per-parameter lines (trace with per_param: true, or %%lr_trace --per-param; a comparison of runs shows each run's groups)");
  }
  const names = new Set<string>();
  for (const src of sources) for (const s of src.series) if (s.param) names.add(s.param);
  const all = [...names];
  for (const n of params) {
    if (names.has(n)) continue;
    const near = closeMatches(n, all);
    throw new RangeError(`bundle({ params }): no parameter named ${JSON.stringify(n)}${near.length ? ` (did you mean ${near.join(" or ")}?)` : ""}; traced: ${all.join(", ")}`);
  }
}

/** Build the figure spec from sources. */
export function make_figure(sources: readonly FigureSource[], options: FigureOptions): Figure {
  // Per-parameter lines belong to one trace's figure; a comparison shows each run's group lines.
  const perParam = options.kind === "trace" && sources.some((src) => src.series.some((s) => s.param));
  if (!perParam) sources = sources.map((src) => (src.series.some((s) => s.param) ? { ...src, series: src.series.filter((s) => !s.param) } : src));
  if (options.params !== undefined) checkParams(sources, options.params, perParam);
  const scale = options.budget_scale ?? 1;
  const floor = scale < 1 ? 2 : MIN_POINTS;
  const groupSources = perParam ? sources.map((src) => ({ ...src, series: src.series.filter((s) => !s.param) })) : sources;
  // The lines the static panels draw (payload and plotly JSON: twice the numbers).
  const drawnMetric = (m: string) =>
    options.kind === "compare" ? m === (options.default_metric ?? "lr_projected") || m === "loss"
      : options.kind === "trace" ? STATIC_METRICS.includes(m) || m === "momentum" : true;
  const lines = groupSources.flatMap((src) => src.series.filter((s) => s.buckets.length > 0));
  // A set metric's stairs (SET_METRICS), when its line would merge steps and its stairs take no
  // more points than it is given: its points, and what a share of `n` points costs it.
  const stairsOf = new Map<SourceSeries, Points | null>();
  // (exactLine: every step's value exact in the fewest points; else its stairs, a bucket of
  // several values a point at its mean)
  const exactOf = new Set<Points>();
  const stairsFor = (s: SourceSeries): Points | null => {
    if (!SET_METRICS.includes(s.metric) || options.kind === "range_test" || s.low !== undefined) return null;
    if (!stairsOf.has(s)) {
      const ex = exactLine(s.buckets, SET_DIGITS);
      if (ex) exactOf.add(ex);
      stairsOf.set(s, ex ?? stairs(s.buckets, SET_DIGITS));
    }
    return stairsOf.get(s) ?? null;
  };
  const kept = (s: SourceSeries, n: number): number => {
    const st = n < s.buckets.length ? stairsFor(s) : null;
    return st && st.x.length <= n ? st.x.length : n;
  };
  const drawnLines = lines.filter((s) => drawnMetric(s.metric)).length;
  const groupBudget = Math.floor((perParam ? GROUP_LINE_BUDGET : LINE_BUDGET) * scale);
  // A set metric's exact line (the configured lr, momentum: what a schedule is) is carried
  // whole before the measured lines share the rest, while the exact lines take no more than
  // EXACT_SHARE of the bytes: its share of points merged a 100-step CyclicLR of three groups
  // into 4-step means, a beat pattern peaking at 0.086 instead of 0.1 (a user's pass), while
  // one group kept every step. The measured lines' means show a trend; a schedule's shape is
  // its points.
  // Every step (a hover at each, drawn as true steps) when they fit, else the exact line's points.
  // A tier is taken only while the other lines keep EXACT_KEEP of the points they get without
  // it: a 1000-step cosine's every step took 40 KB and left the measured lines 45 points of 162.
  const fixed = new Map<SourceSeries, number>();
  if (options.max_points === undefined && options.kind !== "range_test") {
    // the points every line of `ls` keeps in `budget` bytes, with the bands it then carries
    const share = (ls: SourceSeries[], budget: number): number => {
      const u = shareOut(ls, budget, (t, n) => lineBytes(kept(t, n), drawnMetric(t.metric), t.low !== undefined, xBytes(t)));
      const b = new Set(ls.filter((t) => hasBand(t, u)));
      return shareOut(ls, budget, (t, n) => lineBytes(kept(t, n), drawnMetric(t.metric), b.has(t), xBytes(t)));
    };
    const plainShare = share(lines, groupBudget);
    const exact = lines.filter((s) => { const st = stairsFor(s); return st !== null && exactOf.has(st) && misdrawn(s, plainShare); });
    // every set line whole, then as its exact points, then the configured lr's alone (momentum
    // joins the measured lines)
    for (const [whole, only] of [[true, null], [false, null], [true, "lr"], [false, "lr"]] as const) {
      let bytes = 0;
      fixed.clear();
      for (const s of exact) {
        if (only !== null && s.metric !== only) continue;
        const n = whole ? s.buckets.length : Math.min((stairsFor(s) as Points).x.length, s.buckets.length);
        fixed.set(s, n);
        bytes += lineBytes(n, drawnMetric(s.metric), false, xBytes(s));
      }
      const rest = lines.filter((t) => !fixed.has(t));
      const others = bytes <= EXACT_SHARE * groupBudget ? share(rest, groupBudget - bytes) : 0;
      if (others >= EXACT_KEEP * Math.min(plainShare, Math.max(0, ...rest.map((t) => t.buckets.length)))) break;
      fixed.clear();
    }
  }
  const fixedBytes = [...fixed].reduce((a, [s, n]) => a + lineBytes(n, drawnMetric(s.metric), false, xBytes(s)), 0);
  const shareLines = lines.filter((s) => !fixed.has(s));
  const shareBudget = groupBudget - fixedBytes;
  // Which lines carry a band is decided at the points they would keep without bands of merged
  // steps, then the points are shared out again with those bands' bytes. (Deciding at each count
  // would make the bytes jump where a band comes with merging: not monotonic, and a budget a
  // little lower could halve the points.)
  const unbanded = shareOut(shareLines, shareBudget, (s, n) => lineBytes(kept(s, n), drawnMetric(s.metric), s.low !== undefined, xBytes(s)));
  const bands = new Set(shareLines.filter((s) => hasBand(s, unbanded)));
  const shared = shareOut(shareLines, shareBudget, (s, n) => lineBytes(kept(s, n), drawnMetric(s.metric), bands.has(s), xBytes(s)));
  const max_points = options.max_points ?? Math.max(floor, shared);
  let pointsOf = (s: SourceSeries): number => fixed.get(s) ?? max_points;
  let banded = (_s: SourceSeries): boolean => true;
  // Too many lines for MIN_POINTS each (many runs or groups): the lines the static panels draw
  // get 65% of the bytes, the selector's others 35%, and no line carries its band: a dozen
  // overlapping bands are no longer readable, and each costs more than two lines (plotly draws
  // it as a polygon of twice the points).
  const plain = lines.length - drawnLines;
  if (options.max_points === undefined && shared < MIN_POINTS && drawnLines > 0 && plain > 0) {
    const perPoint = (drawn: boolean) => lineBytes(2, drawn, false) - lineBytes(1, drawn, false);
    const markup = drawnLines * lineBytes(0, true, false) + plain * lineBytes(0, false, false);
    const rest = Math.max(0, groupBudget - markup);
    const a = Math.max(2, Math.floor((0.65 * rest) / (perPoint(true) * drawnLines)));
    const b = Math.max(2, Math.floor((0.35 * rest) / (perPoint(false) * plain)));
    pointsOf = (s) => fixed.get(s) ?? (drawnMetric(s.metric) ? a : b);
    banded = () => false;
  }
  let carried: Map<string, number> | null = null;
  let param_info: PlotPayload["param_info"];
  let paramLines: Figure["param_lines"];
  if (perParam) {
    const src = sources.find((x) => x.series.some((s) => s.param)) as FigureSource;
    const total = new Set(src.series.filter((s) => s.param).map((s) => s.param)).size;
    const pick = chooseParams(src, options.params ?? [], Math.floor(PARAM_POINT_BUDGET * scale), PARAM_MIN_POINTS);
    carried = new Map(pick.names.map((n, i) => [n, i]));
    param_info = { total, omitted: total - pick.names.length, criterion: pick.criterion };
    const points = options.param_points ?? pick.points;
    let steps = 0, most = 0;
    for (const s of src.series) {
      if (!s.param || !carried.has(s.param)) continue;
      steps = Math.max(steps, stepsOf(s));
      most = Math.max(most, s.buckets.length);
    }
    paramLines = { points, steps, buckets: most, omitted: param_info.omitted };
    // group lines, then the carried parameters' lines in their order, then the rest (loss)
    sources = sources.map((x) => {
      if (x !== src) return x;
      const own = x.series.filter((s) => !s.param && s.group !== null);
      const params = x.series.filter((s) => s.param && carried!.has(s.param)).sort((a, b) => carried!.get(a.param!)! - carried!.get(b.param!)!);
      const rest = x.series.filter((s) => !s.param && s.group === null);
      return { ...x, series: [...own, ...params.map((s) => ({ ...s, points })), ...rest] };
    });
  }
  const series: Series[] = [];
  const markers: Marker[] = [];
  // parameters left out: a larger budget_scale would carry more of them
  let downsampled = (param_info?.omitted ?? 0) > 0;
  const present = new Set<string>();
  for (const src of sources) {
    for (const s of src.series as (SourceSeries & { points?: number })[]) {
      if (s.buckets.length === 0) continue;
      const st = s.points === undefined && pointsOf(s) < s.buckets.length ? stairsFor(s) : null;
      const digits = SET_METRICS.includes(s.metric) && options.kind !== "range_test" ? SET_DIGITS : DEFAULT_DIGITS;
      const p = s.points !== undefined ? downsampleAligned(s.buckets, s.points, s.low, s.high)
        : st && st.x.length <= pointsOf(s) ? st : downsample(s.buckets, pointsOf(s), s.low, s.high, digits);
      const out: Series = { name: src.name, metric: s.metric, group: s.group, x: p.x, mean: p.mean };
      // every step's value on the line through the points (exactLine): hovers say "step k"
      if (exactOf.has(p) && p.x.length < s.buckets.length) out.exact = true;
      if (s.param !== undefined && s.param !== null) out.param = s.param;
      if (s.reference_for !== undefined) out.reference_for = s.reference_for;
      if (s.preview) out.preview = true;
      if (p.x.length < s.buckets.length && p !== st) downsampled = true;
      const spans = spansOf(p);
      if (spans) out.spans = spans;
      // The band is only worth its bytes when it differs from the line, and its points merge
      // steps enough to have a spread of their own (hasBand).
      // (A per-parameter line too: its points merging 2 steps doubled its bytes for a band that
      // showed nothing, and a 40-step run's lines could not take every second step.)
      const band = s.points !== undefined || options.max_points !== undefined ? hasBand(s, p.x.length) : bands.has(s);
      if (banded(s) && band && (p.min.some((v, i) => v !== p.mean[i]) || p.max.some((v, i) => v !== p.mean[i]))) {
        out.min = p.min;
        out.max = p.max;
      }
      series.push(out);
      present.add(s.metric);
    }
    for (const m of src.markers ?? []) markers.push(m);
  }
  const asked = new Set(sources.flatMap((src) => src.panels ?? []));
  const metrics: MetricInfo[] = METRIC_CATALOGUE.filter((m) => present.has(m.key)).map((m) => (asked.has(m.key) ? { ...m, panel: true as const } : m));
  for (const key of present) if (!CATALOGUE.has(key)) metrics.push({ key, label: key, log: false });
  let default_metric = options.default_metric ?? "";
  if (!present.has(default_metric)) default_metric = metrics[0]?.key ?? (options.default_metric ?? "lr");
  const payload: PlotPayload = {
    version: 1,
    kind: options.kind,
    title: options.title ?? DEFAULT_TITLES[options.kind],
    x_label: options.x_label ?? (options.kind === "range_test" ? "learning rate" : "step"),
    x_log: options.x_log ?? options.kind === "range_test",
    metrics,
    default_metric,
    series,
    markers,
    live: options.live ?? false,
    ...(param_info ? { param_info } : {}),
  };
  // notes over some metrics' views (notes.ts): the sources' (SGD's rounding), the element-wise band's
  const notes = sources.flatMap((src) => src.notes ?? []).filter((n) => n.metrics.some((m) => present.has(m)));
  // (near-zero-gradient outliers, else a band merely too wide for its median to read)
  const outliers = elementwiseNote(payload) ?? wideBandNote(payload);
  if (outliers) notes.push(outliers);
  const factorOutliers = preconditionedNote(payload);
  if (factorOutliers) notes.push(factorOutliers);
  const coinciding = coincidenceNote(payload);
  if (coinciding) notes.push(coinciding);
  if (notes.length > 0) payload.notes = notes;
  const summary: string[] = [figureTitle(payload)];
  for (const src of sources) for (const line of src.summary ?? []) summary.push(line);
  return { payload, summary, downsampled, ...(paramLines ? { param_lines: paramLines } : {}) };
}

/**
 * The panels a static figure (plotly, SVG) stacks, in order: rates together on one log axis,
 * the spread of element-wise rates, the update ratio, the loss. Panels without data are dropped.
 */
export interface Panel {
  title: string;
  metrics: string[];
  log: boolean;
  /** A panel of per-parameter lines: these parameters' (other panels draw no parameter's line). */
  params?: string[];
  /** A line over the panel saying what it shows (the per-parameter panel: which of how many). */
  note?: string;
  /**
   * On a linear axis, bands of this panel are cut to [lo, hi] (a payload note's band_range: an
   * element-wise band whose top is elements of near-zero gradient, notes.ts).
   */
  band_range?: [number, number];
  /**
   * Metrics of `metrics` drawn here only as reference lines: their series that name a metric of
   * this panel in `reference_for` (SGD momentum's steady-state rate beside the projected rate).
   */
  references?: string[];
  /**
   * A linear panel's y range when its reference lines would set it (withClippedReferences): the
   * range of its other lines; the references are cut at its top, as its note says.
   */
  y_range?: [number, number];
}

/** Whether a panel draws series `s` (its metric, and its parameters or none). */
export function inPanel(panel: Panel, s: Series): boolean {
  if (!panel.metrics.includes(s.metric)) return false;
  if (panel.references?.includes(s.metric) && !(s.reference_for !== undefined && panel.metrics.includes(s.reference_for))) return false;
  return panel.params ? !!s.param && panel.params.includes(s.param) : !s.param;
}

/** The panel that draws series `s`, if any. */
export function panelOf(panels: readonly Panel[], s: Series): Panel | undefined {
  return panels.find((p) => inPanel(p, s));
}

/**
 * The static panel of per-parameter lines: the update ratio (else the first per-parameter
 * metric) of the first STATIC_PARAMS parameters the payload carries, in its order.
 */
function paramPanel(payload: PlotPayload): Panel | null {
  const withParam = payload.series.filter((s) => s.param);
  if (withParam.length === 0) return null;
  const metric = withParam.some((s) => s.metric === "update_ratio") ? "update_ratio" : withParam[0].metric;
  const names = [...new Set(withParam.filter((s) => s.metric === metric).map((s) => s.param as string))];
  const params = names.slice(0, STATIC_PARAMS);
  const total = payload.param_info?.total ?? names.length;
  const order = payload.param_info?.criterion ?? "the optimizer's order";
  const title = `${shortLabel(metric)} per parameter`;
  // in plain words what the lines are, and where the groups' are (the panel comes first: panelsFor)
  const note = `${params.length} of ${total} parameters, by ${order}: one line per parameter tensor (its group's lines: the panels below)`;
  const lines = payload.series.filter((s) => s.metric === metric && s.param && params.includes(s.param));
  const log = (CATALOGUE.get(metric)?.log ?? false) && !lines.some((s) => s.mean.some((v) => v !== null && v <= 0));
  return { title, metrics: [metric], log, params, note };
}

/**
 * The element-wise panel, in two when ρ has values ≤ 0 (Adam's median ρ turns negative where
 * the step opposes the gradient): a log axis cannot show them, and on the linear axis the
 * optimizer's own factor, always positive, spans decades (its q95 reached 1e6 on a CNN's bias
 * before BatchNorm, whose gradient is ~0) and flattened both medians onto zero. The factor then
 * keeps a log panel of its own.
 */
function splitPreconditioned(payload: PlotPayload, p: Panel): Panel[] {
  const [rho, factor] = ["lr_elementwise", "lr_preconditioned"];
  if (!p.log || !p.metrics.includes(rho) || !p.metrics.includes(factor)) return [p];
  if (!hasNonPositive(payload, [rho]) || hasNonPositive(payload, [factor])) return [p];
  return [
    { ...p, title: "element-wise learning rate −Δ/g", metrics: [rho] },
    { ...p, title: "preconditioned learning rate", metrics: [factor] },
  ];
}

export function panelsFor(payload: PlotPayload): Panel[] {
  const extra = paramPanel(payload);
  // the usual panels draw the lines of runs and groups; per-parameter lines have their own panel
  if (extra) payload = { ...payload, series: payload.series.filter((s) => !s.param) };
  const has = new Set(payload.series.map((s) => s.metric));
  const logOf = (k: string) => CATALOGUE.get(k)?.log ?? false;
  // a note's text goes over the first panel it concerns (the rounding note concerns the rates of
  // two panels and was printed over both: a reviewer of the companion notebooks)
  const noted = new Set<PlotNote>();
  // SGD momentum's steady-state rate, a dashed reference beside the projected rate (recorded.ts)
  const steady = payload.series.some((s) => s.reference_for === "lr_projected") ? { metrics: ["lr_momentum_steady"], references: ["lr_momentum_steady"] } : null;
  let panels: Panel[];
  if (payload.kind === "schedule") {
    panels = [
      { title: "learning rate", metrics: ["lr"], log: false },
      { title: "momentum", metrics: ["momentum"], log: false },
    ];
  } else if (payload.kind === "compare") {
    // A comparison answers one question: the chosen metric across runs (plus their losses). One
    // colour per run across both panels; the extension's selector reaches the other metrics.
    const m = payload.default_metric;
    const label = payload.metrics.find((x) => x.key === m)?.label ?? m;
    panels = [m === "lr_projected" && steady
      ? { title: label, metrics: [m, ...steady.metrics], references: steady.references, log: logOf(m) }
      : { title: label, metrics: [m], log: logOf(m) }];
    if (m !== "loss") panels.push({ title: "loss", metrics: ["loss"], log: false });
  } else if (payload.kind === "range_test") {
    panels = [{ title: "loss", metrics: ["loss", "smoothed_loss"], log: false }];
  } else {
    panels = [
      { title: "learning rate", metrics: ["lr", "lr_projected", "lr_per_sample", ...(steady?.metrics ?? [])], log: true, ...(steady ? { references: steady.references } : {}) },
      { title: "element-wise learning rate", metrics: ["lr_elementwise", "lr_preconditioned"], log: true },
      { title: "update ratio ‖Δ‖/‖θ‖", metrics: ["update_ratio"], log: true },
      { title: "loss", metrics: ["loss", "val_loss"], log: false },
    ];
  }
  const shown = panels
    .map((p) => ({ ...p, metrics: p.metrics.filter((m) => has.has(m)) }))
    .filter((p) => p.metrics.length > 0)
    .flatMap((p) => splitPreconditioned(payload, p))
    // (a comparison of configured rates is schedules: it opens as their previews do, configuredOnly)
    .map((p) => ({ ...p, log: payload.kind === "schedule" || configuredOnly(payload, p) ? wideSchedule(payload, p.metrics) : p.log ? !hasNonPositive(payload, p.metrics) : spansDecades(payload, p.metrics) }))
    .flatMap((p) => splitByScale(payload, p))
    .filter((p) => payload.series.some((s) => inPanel(p, s)))
    .map((p) => withCutNote(payload, p))
    .map((p) => withPayloadNotes(payload, p, noted))
    .map((p) => withBandKey(payload, p))
    .map((p) => withoutSameLines(payload, p))
    .map((p) => withClippedReferences(payload, p));
  // Static pictures stay readable: of the other metrics (which the payload carries for the
  // extension's metric selector) only a cycled momentum and the metrics the trace was told to
  // record (`panel`: --metrics angular_update,param_norm were in the menu only, a user's pass)
  // get a panel in a trace figure; other kinds show every metric they have.
  const covered = new Set(panels.flatMap((p) => p.metrics));
  const trace = payload.kind === "trace" || payload.kind === "compare";
  for (const m of payload.kind === "compare" ? [] : payload.metrics) {
    // (a momentum that holds one value all run says nothing a panel should show: its menu entry does)
    if (covered.has(m.key) || !has.has(m.key) || (trace && !m.panel && (m.key !== "momentum" || !varies(payload, m.key)))) continue;
    shown.push({ title: m.label, metrics: [m.key], log: logOf(m.key) && !hasNonPositive(payload, [m.key]) });
  }
  // First: a trace asked for per-parameter lines (--per-param) for them, and they came last, under
  // the loss, after four panels of group lines (a teacher's pass).
  if (extra) shown.unshift(extra);
  return shown;
}

/**
 * Whether a panel shows the configured lr alone in a comparison (`%lr_compare a b --metric lr`, or
 * runs with a schedule preview): those lines are schedules, so the panel takes a preview's axis
 * rule (wideSchedule: linear unless most of the rates span more than two decades). The rates' rule
 * (log unless a value ≤ 0) opened a warm-up + cosine on a log axis beside its linear preview (a
 * teacher's pass); the lines a trace measures keep it.
 */
export function configuredOnly(payload: Pick<PlotPayload, "kind">, p: Pick<Panel, "metrics">): boolean {
  return payload.kind === "compare" && p.metrics.length > 0 && p.metrics.every((m) => m === "lr");
}

/**
 * How far a reference line may rise over the top of a linear panel's other lines, as a share of
 * their range, before the panel's range is theirs and the reference is cut (withClippedReferences).
 */
export const REFERENCE_OVERSHOOT = 0.25;

/**
 * A linear panel whose reference lines rise well over its other lines takes the range of those
 * lines, and the references are cut at its top, with a note saying so and how high they go. With
 * SGD(momentum=0.9) the steady-state rate γ/(1−μ) is 10 × lr: it set a 0–1 axis, and a warm-up +
 * cosine peaking at 0.1 lay flat in its bottom tenth, unlike its preview (a teacher's pass). Not a
 * second y axis: the reference is there to be read against the projected rate on the same scale,
 * and two scales in one panel would draw equal rates at different heights. A log panel holds the
 * reference's decade and is left as it is.
 */
function withClippedReferences(payload: PlotPayload, p: Panel): Panel {
  if (p.log || p.params || !p.references?.length) return p;
  let lo = Infinity, hi = -Infinity, refLo = Infinity, refHi = -Infinity;
  for (const s of payload.series) {
    if (!inPanel(p, s)) continue;
    const ref = p.references.includes(s.metric);
    const arrays = ref ? [s.mean] : [s.mean, ...(s.min && s.max ? [s.min.map((v) => cutBand(v, p)), s.max.map((v) => cutBand(v, p))] : [])];
    for (const arr of arrays) {
      for (const v of arr) {
        if (v === null || !Number.isFinite(v)) continue;
        if (ref) [refLo, refHi] = [Math.min(refLo, v), Math.max(refHi, v)];
        else [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
      }
    }
  }
  if (!(hi >= lo) || !(refHi > hi)) return p;
  const span = hi - lo > 0 ? hi - lo : Math.abs(hi) || 1;
  if (refHi <= hi + REFERENCE_OVERSHOOT * span) return p;
  // the lowest of every line (a reference under the rates is drawn whole), a margin over the highest
  const bottom = Math.min(lo, refLo);
  const pad = 0.05 * (hi - bottom > 0 ? hi - bottom : span);
  const names = [...new Set(p.references)].map(shortLabel).join(", ");
  const text = `${names} reaches ${fmt(refHi)}, above this axis: cut at its top, so that the rates keep their scale`;
  return { ...p, y_range: [bottom - (bottom < 0 ? pad : 0), hi + pad], note: [p.note, text].filter(Boolean).join("; ") };
}

/** A band edge cut to a linear panel's band_range (plotly.ts cutBand, which the renderers use). */
function cutBand(v: number | null, p: Panel): number | null {
  if (v === null || p.log || !p.band_range) return v;
  return Math.min(Math.max(v, p.band_range[0]), p.band_range[1]);
}

/** Metrics whose typical magnitudes differ by more than this share no linear panel (splitByScale). */
export const LINEAR_SCALE_RATIO = 10;

/** The median |value| of a metric's lines in the payload (nonzero values), null when none. */
function typicalMagnitude(payload: PlotPayload, metric: string): number | null {
  const vs: number[] = [];
  for (const s of payload.series) if (s.metric === metric && !s.param) for (const v of s.mean) if (v !== null && v !== 0) vs.push(Math.abs(v));
  if (vs.length === 0) return null;
  vs.sort((a, b) => a - b);
  return vs[Math.floor(vs.length / 2)];
}

/**
 * A linear panel of metrics of different magnitudes is split, one panel per scale: on one linear
 * axis the per-sample rate (lr/B, ~0.001) lay flat on zero under the configured 0.05 (a run whose
 * projected rate turned negative, so the panel could not be log), while a run without negative
 * values drew the same panel on a log axis (a user's pass). Metrics within LINEAR_SCALE_RATIO of
 * the first of a scale share its panel, in the panel's order; each part takes a log axis when its
 * own values allow it (the panel's rule). A log panel holds any magnitudes and stays whole.
 */
function splitByScale(payload: PlotPayload, p: Panel): Panel[] {
  if (p.log || p.metrics.length < 2) return [p];
  // reference lines (the steady-state rate) go with the metric they are drawn for, whatever their scale
  const refs = p.references ?? [];
  const scales: { ref: number | null; metrics: string[] }[] = [];
  for (const m of p.metrics.filter((x) => !refs.includes(x))) {
    const mag = typicalMagnitude(payload, m);
    const at = scales.find((g) => g.ref === null || mag === null || (Math.max(g.ref, mag) / Math.min(g.ref, mag) <= LINEAR_SCALE_RATIO));
    if (at) {
      at.metrics.push(m);
      if (at.ref === null) at.ref = mag;
    } else scales.push({ ref: mag, metrics: [m] });
  }
  if (scales.length === 1) return [p];
  const wantsLog = (ms: string[]) => ms.every((m) => CATALOGUE.get(m)?.log ?? false);
  return scales.map((g, i) => ({
    ...p,
    // Each part is titled by the metrics it draws: which metrics share a scale depends on the
    // run's values (lr with the projected lr in one run, with the per-sample lr in another), so
    // a fixed "learning rate" over the first part named different lines in two pictures.
    title: g.metrics.map(shortLabel).join(", "),
    metrics: g.metrics.includes("lr_projected") ? [...g.metrics, ...refs] : g.metrics,
    log: wantsLog(g.metrics) ? !hasNonPositive(payload, g.metrics) : spansDecades(payload, g.metrics),
  }));
}

/**
 * A log panel turns linear when one of its lines has a value <= 0, the extension's rule too: a log
 * axis cannot show it, and a converged run's exact zeros or Adam's sign flips then vanished
 * (a panel of zeros was empty). Band edges do not count; they are clipped.
 */
function hasNonPositive(payload: PlotPayload, metrics: string[]): boolean {
  return payload.series.some((s) => metrics.includes(s.metric) && (s.mean.some((v) => v !== null && v <= 0) || stepBandNonPositive(s) > 0));
}

/**
 * A log panel whose bands reach <= 0 (an element-wise rate's q05: the steps' min–max bands open
 * linear) says where they are cut at the axis, as the extension's note does
 * (extension/src/figure.ts logAxisNote): "band cut at the axis where its q05 is ≤ 0 (12 points)".
 */
function withCutNote(payload: PlotPayload, p: Panel): Panel {
  if (!p.log || p.note) return p;
  let cut = 0;
  const whose = new Set<string>();
  for (const s of payload.series) {
    if (!inPanel(p, s) || !s.min || !s.max) continue;
    s.min.forEach((v, i) => {
      if (v !== null && v <= 0 && s.max![i] !== null && (s.max![i] as number) > 0) {
        cut++;
        whose.add(s.metric);
      }
    });
  }
  if (cut === 0) return p;
  const what = p.metrics.every((m) => QUANTILE_BAND_METRICS.includes(m)) ? "q05" : "minimum";
  // whose band, when the panel has the bands of several metrics (it did not say, a lecturer's pass)
  const band = bandedMetrics(payload, p).length > 1 ? `${[...whose].map(shortLabel).join(" and ")}'s band` : "band";
  return { ...p, note: `${band} cut at the axis where its ${what} is ≤ 0 (${cut} point${cut === 1 ? "" : "s"})` };
}

/** A panel's metrics that draw a band (a line of a run or group with min and max), in its order. */
export function bandedMetrics(payload: Pick<PlotPayload, "series">, p: Panel): string[] {
  if (p.params) return [];
  return p.metrics.filter((m) => !(p.references ?? []).includes(m)
    && payload.series.some((s) => s.metric === m && !s.param && s.min && s.max && inPanel(p, s)));
}

/**
 * The fill opacities of a panel's bands, by their metric's place among its banded metrics
 * (bandedMetrics): the first darker. The element-wise and the preconditioned lr in one panel drew
 * two bands of one colour and opacity, and nothing said whose was whose (a lecturer's pass).
 */
export const BAND_OPACITY: readonly number[] = [0.2, 0.07];

/** The opacity of `metric`'s band in panel `p` (BAND_OPACITY). */
export function bandOpacity(payload: Pick<PlotPayload, "series">, p: Panel, metric: string): number {
  const i = bandedMetrics(payload, p).indexOf(metric);
  return BAND_OPACITY[Math.min(Math.max(i, 0), BAND_OPACITY.length - 1)];
}

/** A panel of several bands says whose band is the darker (BAND_OPACITY); the key of dashes names the lines. */
function withBandKey(payload: PlotPayload, p: Panel): Panel {
  const banded = bandedMetrics(payload, p);
  if (banded.length < 2) return p;
  const text = `bands (each line's spread): ${banded.map((m, i) => `${shortLabel(m)} ${i === 0 ? "darker" : "lighter"}`).join(", ")}`;
  return { ...p, note: [p.note, text].filter(Boolean).join("; ") };
}

/**
 * The payload's notes (notes.ts) over the panels that draw their metrics (a panel of parameters'
 * lines draws none of them), after any note the panel has; a linear panel takes a note's
 * band_range.
 */
function withPayloadNotes(payload: PlotPayload, p: Panel, noted: Set<PlotNote>): Panel {
  if (p.params) return p;
  const notes = (payload.notes ?? []).filter((n) => n.metrics.some((m) => p.metrics.includes(m) && !(p.references ?? []).includes(m)));
  if (notes.length === 0) return p;
  // a band's cut applies in every panel of its metric; the note's text once, over the first
  const range = p.log ? undefined : notes.find((n) => n.band_range)?.band_range;
  const texts = notes.filter((n) => !noted.has(n)).map((n) => n.text);
  for (const n of notes) noted.add(n);
  return { ...p, note: [p.note, ...texts].filter(Boolean).join("; ") || undefined, ...(range ? { band_range: range } : {}) };
}

/**
 * A panel holding the projected and the per-sample lr where every per-sample line is its
 * projected line (a batch of 1, or a sum-reduced loss): one line is drawn and a note says why. Two
 * lines on top of each other showed one, under a legend that promised a dotted second (a reviewer
 * of the companion notebooks).
 */
function withoutSameLines(payload: PlotPayload, p: Panel): Panel {
  if (p.params || !p.metrics.includes("lr_projected") || !p.metrics.includes("lr_per_sample")) return p;
  const perSample = payload.series.filter((s) => s.metric === "lr_per_sample" && !s.param);
  if (perSample.length === 0) return p;
  const same = perSample.every((s) => {
    const q = payload.series.find((t) => t.metric === "lr_projected" && !t.param && t.name === s.name && t.group === s.group);
    return q !== undefined && q.x.length === s.x.length && q.x.every((x, i) => x === s.x[i] && q.mean[i] === s.mean[i]);
  });
  if (!same) return p;
  const text = "per-sample lr = projected lr here (a batch of 1, or a summed loss): one line";
  return { ...p, metrics: p.metrics.filter((m) => m !== "lr_per_sample"), note: [p.note, text].filter(Boolean).join("; ") };
}

/** Metrics whose band is a spread of elements (q05–q95), not the min–max of the steps a point merges. */
export const QUANTILE_BAND_METRICS: readonly string[] = ["lr_elementwise", "lr_preconditioned"];

/**
 * Points of `s` whose band minimum is <= 0 while the band is the min–max of the steps its point
 * merges: a step there took a value <= 0 (a momentum run's projected rate turned negative), so a
 * log axis cannot show the run, only a clipped band that fell to the axis floor (1.7e-9) and
 * read as a rate that fell to 1e-9 (a teacher's pass). Such a metric opens on a linear axis, in
 * the static panels as in the extension (state.ts isLogY). A quantile band's minimum (an
 * element's rate, QUANTILE_BAND_METRICS) does not count: it is clipped at the axis, with a note.
 */
export function stepBandNonPositive(s: Series): number {
  if (!s.min || QUANTILE_BAND_METRICS.includes(s.metric)) return 0;
  let n = 0;
  for (let i = 0; i < s.min.length; i++) if (s.min[i] !== null && (s.min[i] as number) <= 0 && s.mean[i] !== null && (s.mean[i] as number) > 0) n++;
  return n;
}

/** Decades a schedule preview must span over most of its steps to open on a log axis (wideSchedule). */
export const SCHEDULE_LOG_DECADES = 2;

/**
 * Whether a schedule preview's panel is drawn on a log axis: its values all positive and, between
 * the 10th and the 90th percentile of its points, more than SCHEDULE_LOG_DECADES decades apart
 * (ExponentialLR, a StepLR of γ = 0.1 three times). The textbook pictures of cosine, OneCycleLR
 * and warm-up stay linear: on a log axis the cosine's end was a cliff and OneCycleLR's final 4e-7
 * took most of the axis (a teacher's pass). The extension applies the same rule (state.ts wideSchedule).
 */
export function wideSchedule(payload: Pick<PlotPayload, "series">, metrics: readonly string[]): boolean {
  const vs: number[] = [];
  for (const s of payload.series) {
    if (!metrics.includes(s.metric)) continue;
    for (const v of s.mean) {
      if (v === null) continue;
      if (v <= 0) return false;
      vs.push(v);
    }
  }
  if (vs.length < 2) return false;
  vs.sort((a, b) => a - b);
  const at = (q: number) => vs[Math.min(vs.length - 1, Math.floor(q * (vs.length - 1)))];
  return at(0.9) / at(0.1) > 10 ** SCHEDULE_LOG_DECADES;
}

/** Whether a metric's lines take more than one value. */
function varies(payload: PlotPayload, metric: string): boolean {
  let first: number | null = null;
  for (const s of payload.series) {
    if (s.metric !== metric) continue;
    for (const v of [...s.mean, ...(s.min ?? []), ...(s.max ?? [])]) {
      if (v === null) continue;
      if (first === null) first = v;
      else if (v !== first) return true;
    }
  }
  return false;
}

/**
 * A linear panel switches to log when its values are all positive and span more than three
 * decades — a loss that blew up would otherwise flatten every other value onto the x axis.
 */
function spansDecades(payload: PlotPayload, metrics: string[]): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of payload.series) {
    if (!metrics.includes(s.metric)) continue;
    for (const arr of [s.mean, s.min ?? [], s.max ?? []]) {
      for (const v of arr) {
        if (v === null) continue;
        if (v <= 0) return false;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  return lo > 0 && hi / lo > 1e3;
}

/** The legend label of a series: only the parts that tell series apart in this payload. */
export function seriesLabel(s: Series, payload: PlotPayload): string {
  const names = new Set(payload.series.map((x) => x.name));
  const groups = new Set(payload.series.filter((x) => x.group !== null).map((x) => x.group));
  const parts: string[] = [];
  if (names.size > 1 || payload.kind === "compare") parts.push(s.name);
  // In a comparison each panel holds one metric: the run's name alone keeps its colour across panels.
  // A reference line there (momentum's steady state beside the projected rate) says what it is.
  if (payload.kind !== "compare" || s.reference_for !== undefined) parts.push(shortLabel(s.metric));
  if (s.param) parts.push(s.param);
  else if (groups.size > 1 && s.group !== null) parts.push(`group ${s.group}`);
  return parts.join(" · ");
}

/**
 * The legend label of a line (a run, a group of a run, a parameter: one colour), for figures
 * whose legend has an entry per line (plotly.ts legendOf): seriesLabel without the metric, or the
 * run's name when nothing else tells it apart.
 */
export function lineLabel(s: Series, payload: PlotPayload): string {
  const names = new Set(payload.series.map((x) => x.name));
  const groups = new Set(payload.series.filter((x) => x.group !== null).map((x) => x.group));
  const parts: string[] = [];
  if (names.size > 1 || payload.kind === "compare") parts.push(s.name);
  if (s.param) parts.push(s.param);
  else if (groups.size > 1 && s.group !== null) parts.push(`group ${s.group}`);
  return parts.length > 0 ? parts.join(" · ") : s.name;
}

/** A metric's name in legends: "projected lr" for lr_projected. */
export function shortLabel(metric: string): string {
  const short: Record<string, string> = {
    lr_projected: "projected lr",
    lr_per_sample: "per-sample lr",
    lr_realized: "realized lr",
    lr_elementwise: "element-wise lr",
    lr_preconditioned: "preconditioned lr",
    update_ratio: "update ratio",
    smoothed_loss: "smoothed loss",
    val_loss: "validation loss",
    lr_momentum_steady: "steady-state lr γ(1−τ)/(1−μ)",
    angular_update: "angular update",
    grad_norm: "gradient norm",
    param_norm: "parameter norm",
  };
  return short[metric] ?? metric;
}
