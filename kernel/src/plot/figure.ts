/**
 * The figure spec: ONE description of a plot (the PlotPayload of payload.ts plus the summary
 * lines of text/plain) from which every output format is derived (plotly.ts, svg.ts, text.ts).
 *
 * Builders here take neutral inputs (`FigureSource`: named bucketed series and markers), so the
 * plot layer knows no tracer or scheduler internals; the tracer, `preview()` and `find()` turn
 * their results into sources (see sources.ts).
 */
import type { Bucket } from "../trace/series";
import { DEFAULT_MAX_POINTS, downsample } from "./downsample";
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
/** The fewest points per series, whatever the number of series (per-parameter traces). */
export const MIN_POINTS = 16;

/** Points per series so that all series together fit POINT_BUDGET (between MIN_POINTS and 200). */
export function pointBudget(sources: readonly FigureSource[]): number {
  let units = 0;
  for (const src of sources) {
    for (const s of src.series) {
      if (s.buckets.length === 0) continue;
      const band = s.low !== undefined || s.buckets.some((b) => b.count > 1 && b.min !== b.max);
      units += band ? 2 : 1;
    }
  }
  return Math.max(MIN_POINTS, Math.min(DEFAULT_MAX_POINTS, Math.floor(POINT_BUDGET / Math.max(1, units))));
}

/** Build the figure spec from sources. */
export function make_figure(sources: readonly FigureSource[], options: FigureOptions): Figure {
  const max_points = options.max_points ?? pointBudget(sources);
  const series: Series[] = [];
  const markers: Marker[] = [];
  const present = new Set<string>();
  for (const src of sources) {
    for (const s of src.series) {
      if (s.buckets.length === 0) continue;
      const p = downsample(s.buckets, max_points, s.low, s.high);
      const out: Series = { name: src.name, metric: s.metric, group: s.group, x: p.x, mean: p.mean };
      if (s.param !== undefined && s.param !== null) out.param = s.param;
      // The band is only worth its bytes when it differs from the line.
      if (p.min.some((v, i) => v !== p.mean[i]) || p.max.some((v, i) => v !== p.mean[i])) {
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
}

export function panelsFor(payload: PlotPayload): Panel[] {
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

function shortLabel(metric: string): string {
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
