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
 * are shared out first (below), then bundle.ts measures the bundle as saved and, when it is
 * still over (many runs, many groups), builds it again with proportionally fewer points per line
 * (`FigureOptions.budget_scale`, down to 2 points per line), so the bound holds for any count.
 *
 * - Series of a run or group (no `param`): POINT_BUDGET points in all, as always; with
 *   per-parameter lines in the figure, GROUP_POINT_BUDGET (their share).
 * - Per-parameter lines (a `per_param` trace; a comparison never carries them): for the
 *   extension's parameter selector only, never all drawn at once. PARAM_POINT_BUDGET points in
 *   all, each line between PARAM_MIN_POINTS and PARAM_MAX_POINTS points. When every parameter
 *   does not fit at PARAM_MIN_POINTS, the figure carries the first ones in the source's order
 *   (the tracer's: largest mean update ratio first; `FigureOptions.params` puts the ones a user
 *   asks for in front) and says how many it left out (`payload.param_info`); the trace keeps
 *   every one (`trace.series(metric, group, name)`, `to_json`). Their downsampling merges
 *   aligned runs of 2^k steps (`downsampleAligned`), so a line's points are the same whatever
 *   the resolution its series kept (trace.ts PARAM_CAPACITY).
 * - Static pictures (plotly JSON, SVG): the group's lines in the usual panels, and one panel of
 *   the first STATIC_PARAMS carried parameters' update ratio, lines without bands, a note over it
 *   saying which ("5 of 50 parameters, by mean update ratio ‖Δ‖/‖θ‖"): one legend entry per
 *   parameter shown, never one per parameter × metric. The extension draws a chosen parameter's
 *   lines in the colour this panel gives it (the same colour slots: plotly.ts colourSlots).
 */
import type { Bucket } from "../trace/series";
import { DEFAULT_MAX_POINTS, downsample, downsampleAligned } from "./downsample";
import type { Marker, MetricInfo, PlotPayload, Series } from "./payload";

/** Every metric a figure may show, in display order, with its label and default axis. */
export const METRIC_CATALOGUE: readonly MetricInfo[] = [
  { key: "lr", label: "configured lr", log: true },
  { key: "lr_projected", label: "projected lr −⟨Δ,g⟩/‖g‖²", log: true },
  { key: "lr_per_sample", label: "per-sample lr", log: true },
  { key: "lr_realized", label: "realized lr ‖Δ‖/‖g‖", log: true },
  { key: "lr_elementwise", label: "element-wise lr −Δ/g (median, q05–q95)", log: true },
  { key: "lr_preconditioned", label: "preconditioned lr (median, q05–q95)", log: true },
  { key: "lr_momentum_steady", label: "momentum steady-state lr", log: true },
  { key: "update_ratio", label: "update ratio ‖Δ‖/‖θ‖", log: true },
  { key: "angular_update", label: "angular update (rad)", log: true },
  { key: "grad_norm", label: "gradient norm ‖g‖", log: true },
  { key: "param_norm", label: "parameter norm ‖θ‖", log: true },
  { key: "loss", label: "loss", log: false },
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
}

export interface FigureOptions {
  kind: PlotPayload["kind"];
  title?: string;
  x_label?: string;
  x_log?: boolean;
  default_metric?: string;
  live?: boolean;
  /** Points per series in the payload (display downsampling); default: `pointBudget(sources)`. */
  max_points?: number;
  /** Parameters whose lines the figure carries first (per_param traces), before the ranked ones. */
  params?: readonly string[];
  /** Scales every point budget (bundle.ts lowers it when a bundle is still over SAVED_BUDGET). */
  budget_scale?: number;
}

/** The figure spec: the payload every renderer reads, and the text summary. */
export interface Figure {
  payload: PlotPayload;
  summary: string[];
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
 * Total points (a band counts twice: it adds min and max) that keep the whole bundle (payload,
 * plotly, SVG) under 150 KB *as saved in a notebook*: nbformat writes the .ipynb with
 * `indent=1`, so each number of the payload and of the plotly JSON sits on a line of its own
 * behind a dozen spaces, about 88 bytes per point across the two (twice their compact JSON).
 * 1200 points is about 105 KB of them, leaving room for the SVG (test/plot/saved_size.test.ts:
 * long traces with every panel save to about 140 KB), and keeps one point per step for a
 * 100-step trace of every metric (notebooks/03-steplr.ipynb: 11 units of 100 points).
 */
export const POINT_BUDGET = 1200;
/** The fewest points per series while the budget allows (bundle.ts goes lower when it must). */
export const MIN_POINTS = 16;
/** The bound of a plot output as saved in a notebook (README, test/plot/saved_size.test.ts). */
export const SAVED_BUDGET = 150_000;
/** The group lines' share when per-parameter lines come too (they are drawn in the static panels too). */
export const GROUP_POINT_BUDGET = 380;
/** Points of all per-parameter lines together (payload only: ~45 B each as saved). */
export const PARAM_POINT_BUDGET = 700;
export const PARAM_MIN_POINTS = 10;
export const PARAM_MAX_POINTS = 100;
/** Parameters whose update ratio the static pictures draw. */
export const STATIC_PARAMS = 5;

/** Metrics a trace's static panels draw (panelsFor), besides a cycled momentum. */
const STATIC_METRICS = ["lr", "lr_projected", "lr_per_sample", "lr_elementwise", "lr_preconditioned", "update_ratio", "loss"];

/** Points (a band counts twice: it adds min and max) of one series per payload point. */
function units(s: SourceSeries): number {
  if (s.buckets.length === 0) return 0;
  const band = s.low !== undefined || s.buckets.some((b) => b.count > 1 && b.min !== b.max);
  return band ? 2 : 1;
}

/** Points per series so that all series together fit POINT_BUDGET (between MIN_POINTS and 200). */
export function pointBudget(sources: readonly FigureSource[], budget: number = POINT_BUDGET, min: number = MIN_POINTS): number {
  let n = 0;
  for (const src of sources) for (const s of src.series) n += units(s);
  return Math.max(min, Math.min(DEFAULT_MAX_POINTS, Math.floor(budget / Math.max(1, n))));
}

/**
 * Which parameters' lines a trace figure carries, and at how many points (see the file comment):
 * `wanted` first, then the source's order; all of them when each line gets PARAM_MIN_POINTS
 * within `budget`, else as many as fit (at least one).
 */
function chooseParams(src: FigureSource, wanted: readonly string[], budget: number, min: number): { names: string[]; points: number; criterion: string } {
  const per = new Map<string, number>();
  for (const s of src.series) if (s.param) per.set(s.param, (per.get(s.param) ?? 0) + units(s));
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

/** Build the figure spec from sources. */
export function make_figure(sources: readonly FigureSource[], options: FigureOptions): Figure {
  // Per-parameter lines belong to one trace's figure; a comparison shows each run's group lines.
  const perParam = options.kind === "trace" && sources.some((src) => src.series.some((s) => s.param));
  if (!perParam) sources = sources.map((src) => (src.series.some((s) => s.param) ? { ...src, series: src.series.filter((s) => !s.param) } : src));
  const scale = options.budget_scale ?? 1;
  const floor = scale < 1 ? 2 : MIN_POINTS;
  const groupSources = perParam ? sources.map((src) => ({ ...src, series: src.series.filter((s) => !s.param) })) : sources;
  const groupBudget = Math.floor((perParam ? GROUP_POINT_BUDGET : POINT_BUDGET) * scale);
  const max_points = options.max_points ?? pointBudget(groupSources, groupBudget, floor);
  // Too many lines for MIN_POINTS each (many runs or groups): the lines the static panels draw
  // (payload and plotly JSON: twice the bytes) get 65% of the bytes, the selector's others 35%,
  // and no line carries its band: a dozen overlapping bands are no longer readable, and each
  // costs as much as two lines (plotly draws it as a polygon of twice the points).
  let pointsOf = (_s: SourceSeries): number => max_points;
  let banded = (_s: SourceSeries): boolean => true;
  let all = 0, drawn = 0;
  const drawnMetric = (m: string) => (options.kind === "compare" ? m === (options.default_metric ?? "lr_projected") || m === "loss" : STATIC_METRICS.includes(m));
  for (const src of groupSources) for (const s of src.series) {
    all += units(s);
    if (drawnMetric(s.metric)) drawn += units(s);
  }
  if (options.max_points === undefined && all > 0 && Math.floor(groupBudget / all) < MIN_POINTS && drawn > 0 && drawn < all) {
    const cost = 2 * groupBudget;
    let lines = 0, plain = 0;
    for (const src of groupSources) for (const s of src.series) {
      if (s.buckets.length === 0) continue;
      if (drawnMetric(s.metric)) lines++;
      else plain++;
    }
    const a = Math.max(2, Math.min(DEFAULT_MAX_POINTS, Math.floor((0.65 * cost) / (2 * Math.max(1, lines)))));
    const b = Math.max(2, Math.min(DEFAULT_MAX_POINTS, Math.floor((0.35 * cost) / Math.max(1, plain))));
    pointsOf = (s) => (drawnMetric(s.metric) ? a : b);
    banded = () => false;
  }
  let carried: Map<string, number> | null = null;
  let param_info: PlotPayload["param_info"];
  if (perParam) {
    const src = sources.find((x) => x.series.some((s) => s.param)) as FigureSource;
    const total = new Set(src.series.filter((s) => s.param).map((s) => s.param)).size;
    const pick = chooseParams(src, options.params ?? [], Math.floor(PARAM_POINT_BUDGET * scale), PARAM_MIN_POINTS);
    carried = new Map(pick.names.map((n, i) => [n, i]));
    param_info = { total, omitted: total - pick.names.length, criterion: pick.criterion };
    const points = pick.points;
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
  const present = new Set<string>();
  for (const src of sources) {
    for (const s of src.series as (SourceSeries & { points?: number })[]) {
      if (s.buckets.length === 0) continue;
      const p = s.points !== undefined ? downsampleAligned(s.buckets, s.points, s.low, s.high) : downsample(s.buckets, pointsOf(s), s.low, s.high);
      const out: Series = { name: src.name, metric: s.metric, group: s.group, x: p.x, mean: p.mean };
      if (s.param !== undefined && s.param !== null) out.param = s.param;
      // The band is only worth its bytes when it differs from the line.
      if (banded(s) && (p.min.some((v, i) => v !== p.mean[i]) || p.max.some((v, i) => v !== p.mean[i]))) {
        out.min = p.min;
        out.max = p.max;
      }
      series.push(out);
      present.add(s.metric);
    }
    for (const m of src.markers ?? []) markers.push(m);
  }
  const metrics: MetricInfo[] = METRIC_CATALOGUE.filter((m) => present.has(m.key));
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
  const summary: string[] = [payload.title];
  for (const src of sources) for (const line of src.summary ?? []) summary.push(line);
  return { payload, summary };
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
}

/** Whether a panel draws series `s` (its metric, and its parameters or none). */
export function inPanel(panel: Panel, s: Series): boolean {
  if (!panel.metrics.includes(s.metric)) return false;
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
  const note = `${params.length} of ${total} parameters, by ${order}`;
  const lines = payload.series.filter((s) => s.metric === metric && s.param && params.includes(s.param));
  const log = (CATALOGUE.get(metric)?.log ?? false) && !lines.some((s) => s.mean.some((v) => v !== null && v <= 0));
  return { title, metrics: [metric], log, params, note };
}

export function panelsFor(payload: PlotPayload): Panel[] {
  const extra = paramPanel(payload);
  // the usual panels draw the lines of runs and groups; per-parameter lines have their own panel
  if (extra) payload = { ...payload, series: payload.series.filter((s) => !s.param) };
  const has = new Set(payload.series.map((s) => s.metric));
  const logOf = (k: string) => CATALOGUE.get(k)?.log ?? false;
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
    panels = [{ title: label, metrics: [m], log: logOf(m) }];
    if (m !== "loss") panels.push({ title: "loss", metrics: ["loss"], log: false });
  } else if (payload.kind === "range_test") {
    panels = [{ title: "loss", metrics: ["loss", "smoothed_loss"], log: false }];
  } else {
    panels = [
      { title: "learning rate", metrics: ["lr", "lr_projected", "lr_per_sample"], log: true },
      { title: "element-wise learning rate", metrics: ["lr_elementwise", "lr_preconditioned"], log: true },
      { title: "update ratio ‖Δ‖/‖θ‖", metrics: ["update_ratio"], log: true },
      { title: "loss", metrics: ["loss"], log: false },
    ];
  }
  const shown = panels
    .map((p) => ({ ...p, metrics: p.metrics.filter((m) => has.has(m)) }))
    .filter((p) => p.metrics.length > 0)
    .map((p) => ({ ...p, log: p.log ? !hasNonPositive(payload, p.metrics) : spansDecades(payload, p.metrics) }));
  // Static pictures stay readable: of the other metrics (which the payload carries for the
  // extension's metric selector) only a cycled momentum gets a panel in a trace figure; other
  // kinds show every metric they have.
  const covered = new Set(panels.flatMap((p) => p.metrics));
  const trace = payload.kind === "trace" || payload.kind === "compare";
  for (const m of payload.kind === "compare" ? [] : payload.metrics) {
    if (covered.has(m.key) || !has.has(m.key) || (trace && m.key !== "momentum")) continue;
    shown.push({ title: m.label, metrics: [m.key], log: logOf(m.key) && !hasNonPositive(payload, [m.key]) });
  }
  if (extra) shown.push(extra);
  return shown;
}

/**
 * A log panel turns linear when one of its lines has a value <= 0, the extension's rule too: a log
 * axis cannot show it, and a converged run's exact zeros or Adam's sign flips then vanished
 * (a panel of zeros was empty). Band edges do not count; they are clipped.
 */
function hasNonPositive(payload: PlotPayload, metrics: string[]): boolean {
  return payload.series.some((s) => metrics.includes(s.metric) && s.mean.some((v) => v !== null && v <= 0));
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
  if (payload.kind !== "compare") parts.push(shortLabel(s.metric));
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
  };
  return short[metric] ?? metric;
}
