/**
 * The `application/vnd.lrlab.plot+json` payload: what the kernel sends and the JupyterLab
 * extension renders. It is a contract between kernel/src/plot and extension/src (which keeps its
 * own copy of these types in extension/src/payload.ts): change both together and bump `version`.
 *
 * Every string in it may come from the user (trace names, titles): renderers must treat them as
 * text, never as HTML.
 */

export const PLOT_MIME = "application/vnd.lrlab.plot+json";
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** One metric a payload can show, e.g. { key: "lr_projected", label: "projected LR", log: true }. */
export interface MetricInfo {
  key: string;
  label: string;
  /** Whether a log y-axis is the sensible default for it. */
  log: boolean;
  /**
   * The static pictures (plotly JSON, SVG) give it a panel: a metric the trace was told to record
   * (`--metrics`), which a trace figure otherwise leaves to the metric menu. Optional, added
   * within version 1.
   */
  panel?: true;
}

/**
 * One line of the figure: one metric of one trace (and group, and parameter when per-param).
 * Points are buckets of consecutive steps (see trace/series): `x` is a step the bucket recorded
 * (the first point's is the run's first step, the last point's its last step, the others the
 * middle of their buckets: plot/downsample.pointStep), `mean` its mean, `min`/`max` its band.
 * `null` marks a gap (a step with no ratio, e.g. a zero gradient): renderers must break the line
 * there, not draw zero.
 */
export interface Series {
  /** The trace's name (user-controlled). */
  name: string;
  metric: string;
  /** Parameter group index, or null when the series is not per group (e.g. loss). */
  group: number | null;
  /** Named parameter tensor, when traced per parameter. */
  param?: string | null;
  x: number[];
  mean: (number | null)[];
  min?: (number | null)[];
  max?: (number | null)[];
  /**
   * How many steps each point merges, run-length encoded as pairs [points, steps] flattened
   * (downsample.spansOf): point i covers the steps from x[0] + (the steps of the points before
   * it) on, so a hover can say "mean of steps 175–177". Absent when every point is one step, or
   * when x are not steps (a range test's rates). Optional, added within version 1.
   */
  spans?: number[];
  /**
   * A metric on whose view this line is drawn too, dashed, as a reference: SGD momentum's
   * steady-state rate γ(1−τ)/(1−μ) (`lr_momentum_steady`) on the projected-lr view, the rate the
   * projected rate would reach under a constant gradient. Optional, added within version 1: a
   * renderer that does not know it shows the line in its own metric's view only.
   */
  reference_for?: string;
  /**
   * A set metric's line (a configured lr, momentum) whose points give every step's value exactly:
   * the steps between two points lie on the straight line between them (a ramp's ends, a held
   * value's first and last step: downsample.exactLine), each point the value of its own step x.
   * Hovers say "step k", not "mean of steps". Optional, added within version 1.
   */
  exact?: true;
  /**
   * A schedule preview's line among runs (`%lr_compare run pv`): drawn dashed, over the runs'
   * lines, so that a preview that agrees with a run leaves the run's line visible under it (it
   * hid it, a lecturer's pass). Optional, added within version 1: a renderer that does not know it
   * draws the line solid.
   */
  preview?: true;
}

/** A point of interest: where a run diverged, or a suggested learning rate of a range test. */
export interface Marker {
  kind: "divergence" | "suggestion";
  /** Trace name this marker belongs to. */
  name: string;
  /** The metric whose axis it belongs to (a divergence marker is drawn on every metric when absent). */
  metric?: string;
  x: number;
  y: number | null;
  /** Text for the tooltip, e.g. "diverged at step 41 (lr 3.2)". */
  label: string;
  /**
   * A range test's recommended suggestion (RangeTest.recommended, the one its text lists first,
   * "(recommended)"): renderers single it out, so that the picture says which rate the text
   * recommends. Optional, added within version 1: a renderer that does not know it draws it as
   * the other suggestions.
   */
  recommended?: true;
}

export interface PlotPayload {
  version: 1;
  /** trace: one run; compare: several named runs; schedule: scheduler previews; range_test: lr_find. */
  kind: "trace" | "compare" | "schedule" | "range_test";
  title: string;
  /** Label of the x axis: "step", "epoch" or "learning rate" (range test, log x axis). */
  x_label: string;
  x_log: boolean;
  metrics: MetricInfo[];
  /** The metric shown first; a key of `metrics`. */
  default_metric: string;
  series: Series[];
  markers: Marker[];
  /** True while the run is still going (live updates follow with the same display_id). */
  live: boolean;
  /**
   * Present when the series include per-parameter lines (a per_param trace): how many parameters
   * the trace has (`total`), how many the payload leaves out to stay within its budget
   * (`omitted`), and in what order the carried ones come (`criterion`, e.g. "mean update ratio
   * ‖Δ‖/‖θ‖"). Optional, added within version 1: a renderer that does not know it draws the
   * lines as before.
   */
  param_info?: { total: number; omitted: number; criterion: string };
  /**
   * Notes a renderer shows over the views of `metrics` (plot/notes.ts): why a measured rate reads
   * what it does (plain SGD's updates rounding away in float32; an element-wise band whose top is
   * elements of near-zero gradient). `band_range`: on a linear axis the bands of those metrics
   * are cut to [lo, hi], so the lines stay readable (the note says so). Optional, added within
   * version 1: a renderer that does not know it draws the plot as before.
   */
  notes?: PlotNote[];
}

/** A note over the views of some metrics (PlotPayload.notes). */
export interface PlotNote {
  metrics: string[];
  text: string;
  band_range?: [number, number];
}
