/**
 * The display bundle of DESIGN.md, built from one figure spec:
 *   application/vnd.lrlab.plot+json  the PlotPayload (for the lrlab JupyterLab extension)
 *   application/vnd.plotly.v1+json   { data, layout } (VS Code, nteract, jupyterlab-plotly)
 *   image/svg+xml                    a static picture (GitHub, nbviewer, nbconvert)
 *   text/plain                       a short summary naming the key numbers
 *
 * `bundle(x)` accepts a Figure, anything Plottable (Trace, Preview, RangeTest), or an array /
 * record of Plottables (a compare view; record keys rename the runs). It is synchronous, so the
 * kernel's `display()` can send its result as-is. Live updates (`{ live: true }`) leave out the
 * SVG: rendering it costs tens of milliseconds, too much to repeat several times a second inside
 * a training loop; the final bundle carries it.
 *
 * Size: the bundle as saved in a notebook stays under SAVED_BUDGET (figure.ts, "Budget"):
 * `bundle` measures it in nbformat's form (`savedSize`) and, when it is over (the shares of
 * figure.ts did not suffice: many runs or groups), builds it again with proportionally fewer
 * points per line, up to four times, down to 2 points per line. When it is well under while
 * lines were merged (figure.ts's estimate of the bytes is a cautious one; under 95% of the
 * budget), a bundle with its SVG is built again with more points, up to three times, keeping the
 * largest that stays under.
 *
 * Displayable objects implement `_repr_mimebundle_(options?)` (IPython's name for the same idea);
 * the kernel calls it for values it displays.
 */
import { make_figure, SAVED_BUDGET, type Figure, type FigureSource } from "./figure";
import { PLOT_MIME, PLOTLY_MIME, type PlotPayload } from "./payload";
import { toPlotly } from "./plotly";
import { toSvgSync } from "./svg";
import { toText } from "./text";
import { withRecordedMetrics } from "./recorded";
import { roundingNote } from "./notes";
import { withInterruptedNote } from "./interrupted";
import { samplesBatch, SAMPLES_LABEL, toSamplesAxis } from "./samples_axis";

export const SVG_MIME = "image/svg+xml";
export const TEXT_MIME = "text/plain";
/** The method name the kernel looks for on displayed values. */
export const REPR_BUNDLE = "_repr_mimebundle_";

export type MimeBundle = Record<string, unknown>;

export interface BundleOptions {
  /** Leave out the SVG and mark the payload live (updates of a running plot). Default false. */
  live?: boolean;
  /** Include the SVG (default: true unless live). */
  svg?: boolean;
  title?: string;
  /** Points per series (display downsampling); default: as many as the saved size allows. */
  max_points?: number;
  /** The metric the extension shows first. */
  default_metric?: string;
  /**
   * The x axis of a trace or comparison: "step" (the default) or "samples", the samples each run
   * has seen ((step + 1) × its batch size: runs of different batch sizes at equal data,
   * samples_axis.ts); a run without a batch size is then an error.
   */
  x?: "step" | "samples";
  /**
   * Per-parameter traces: the parameters whose lines the plot carries first, by name (the
   * others follow by the trace's order while the budget holds), e.g.
   * `display(trace.bundle({ params: ["12.weight"] }))` for a parameter a large model's plot left out.
   */
  params?: string[];
  /**
   * The run was interrupted (`%%lr_trace` passes it when its cell is stopped by the kernel's
   * interrupt): the plot says "interrupted at step N" (interrupted.ts). Default false.
   */
  interrupted?: boolean;
  /** @internal Scales the point budgets (set by `bundle` when a bundle is over SAVED_BUDGET). */
  budget_scale?: number;
  /** @internal Points of each per-parameter line (set by `bundle` when the bytes leave room). */
  param_points?: number;
  /**
   * @internal Leave out the text/plain summary: %%lr_trace's live updates put their own
   * (lr_trace.ts liveText), and the summary was ~20% of a live update's time (1.2-1.6 of ~6 ms
   * for a 1000-step Adam trace).
   */
  no_text?: boolean;
}

/** Something that can be drawn: a trace, a schedule preview, a range test. */
export interface Plottable {
  readonly plot_kind: "trace" | "schedule" | "range_test";
  to_figure_source(): FigureSource;
}

export interface Displayable {
  _repr_mimebundle_(options?: BundleOptions): MimeBundle;
}

export function isPlottable(x: unknown): x is Plottable {
  return typeof x === "object" && x !== null && typeof (x as Plottable).to_figure_source === "function"
    && typeof (x as Plottable).plot_kind === "string";
}

export function isFigure(x: unknown): x is Figure {
  return typeof x === "object" && x !== null && "payload" in x && "summary" in x
    && (x as Figure).payload?.version === 1;
}

export type BundleInput = Figure | Plottable | readonly Plottable[] | Record<string, Plottable>;

const DEFAULT_METRIC: Record<PlotPayload["kind"], string> = {
  trace: "lr_projected",
  compare: "lr_projected",
  schedule: "lr",
  range_test: "loss",
};

/**
 * The metric a trace opens on when its run diverged (and the caller chose none): the loss when it
 * was logged, else the update ratio ‖Δ‖/‖θ‖. Both show the blow-up where the projected lr of a
 * plain SGD run is its configured rate, a flat line (lr 1e3 opened on a flat 1000 with the ✖ at
 * its end: a user's pass). Null for other kinds and runs that did not diverge.
 */
export function divergedMetric(kind: PlotPayload["kind"], sources: readonly FigureSource[]): string | null {
  if (kind !== "trace") return null;
  if (!sources.some((src) => src.markers?.some((m) => m.kind === "divergence"))) return null;
  const has = (metric: string) => sources.some((src) => src.series.some((s) => s.metric === metric && s.buckets.some((b) => b.count > 0)));
  return ["loss", "update_ratio"].find(has) ?? null;
}

/** Whether `x` is what `trace.to_json()` gives (a trace's JSON, e.g. read back from a file): Trace.from_json makes it a trace. */
export function isSavedTrace(x: unknown): boolean {
  const j = x as { version?: unknown; name?: unknown; groups?: unknown; loss?: unknown } | null;
  return j !== null && typeof j === "object" && j.version === 1 && typeof j.name === "string" && Array.isArray(j.groups) && j.loss !== undefined;
}

/** The figure spec of any bundle input. */
export function figure(x: BundleInput, options: BundleOptions = {}): Figure {
  if (isFigure(x)) return x;
  let items: { name?: string; p: Plottable }[];
  if (isPlottable(x)) items = [{ p: x }];
  else if (Array.isArray(x)) items = x.map((p) => ({ p }));
  else if (isSavedTrace(x)) {
    throw new TypeError("bundle: this is a trace saved with trace.to_json(), not a trace: lrlab.Trace.from_json(saved) makes it one again "
      + "(display(lrlab.Trace.from_json(saved)), %lr_compare of a variable holding it)");
  } else if (typeof x === "object" && x !== null) items = Object.entries(x).map(([name, p]) => ({ name, p }));
  else throw new TypeError(`bundle: expected a Trace, a preview, a range test, a Figure, or an array or record of them; got ${x === null ? "null" : typeof x}`);
  if (items.length === 0) throw new TypeError("bundle: nothing to plot (an empty array or record)");
  for (const { name, p } of items) {
    if (!isPlottable(p)) {
      const saved = isSavedTrace(p) ? ": it is a trace saved with trace.to_json(); lrlab.Trace.from_json(saved) makes it a trace again" : "";
      throw new TypeError(`bundle: ${name === undefined ? "an item" : `"${name}"`} is not plottable (expected a Trace, a preview or a range test)${saved}`);
    }
  }
  const kinds = new Set(items.map((i) => i.p.plot_kind));
  if (kinds.size > 1) throw new TypeError(`bundle: cannot mix ${[...kinds].join(" and ")} in one figure`);
  const base = items[0].p.plot_kind;
  const kind: PlotPayload["kind"] = base === "trace" && items.length > 1 ? "compare" : base;
  const axis = options.x ?? "step";
  if (axis !== "step" && axis !== "samples") throw new RangeError(`bundle: x must be "step" or "samples", got ${JSON.stringify(axis)}`);
  if (axis === "samples" && base !== "trace") throw new RangeError(`bundle: x: "samples" is for traces and comparisons of runs, not a ${base === "schedule" ? "schedule preview" : "range test"}`);
  const sources = items.map(({ name, p }) => {
    // the metrics the trace recorded that its source leaves out (recorded.ts)
    let s = withRecordedMetrics(p, p.to_figure_source(), options.default_metric ? [options.default_metric] : []);
    if (axis === "samples") s = toSamplesAxis(s, samplesBatch(p, name ?? s.name));
    // plain SGD's updates rounding away in float32 (notes.ts): said over the rates' views
    const rounding = roundingNote(p, s, items.length > 1 ? name ?? s.name : "");
    if (rounding) s = { ...s, notes: [...(s.notes ?? []), rounding] };
    if (name === undefined) return s;
    return {
      ...s,
      name,
      markers: s.markers?.map((m) => ({ ...m, name })),
      summary: s.summary?.map((l, i) => (i === 0 ? l.replace(s.name, name) : l)),
    };
  });
  return make_figure(options.interrupted ? withInterruptedNote(sources) : sources, {
    kind,
    title: options.title,
    // a preview's steps are scheduler.step() calls: per epoch or per batch, as the loop calls it
    // ("step" read as optimizer steps in a per-epoch preview: a reviewer of the notebooks)
    x_label: kind === "range_test" ? "learning rate" : axis === "samples" ? SAMPLES_LABEL : kind === "schedule" ? "scheduler step" : "step",
    default_metric: options.default_metric ?? divergedMetric(kind, sources) ?? DEFAULT_METRIC[kind],
    live: options.live ?? false,
    max_points: options.max_points,
    params: options.params,
    budget_scale: options.budget_scale,
    param_points: options.param_points,
  });
}

/**
 * The bytes a bundle takes as one display_data output of a notebook written by nbformat
 * (`json.dumps(nb, indent=1)`, multi-line strings as lists of lines, UTF-8), at the depth an
 * output sits in a notebook: test/plot/saved_size.test.ts measures it so.
 */
export function savedSize(b: MimeBundle): number {
  const data = Object.fromEntries(Object.entries(b).map(([k, v]) => [k, typeof v === "string" && v.includes("\n") ? v.split(/(?<=\n)/) : v]));
  const nb = {
    cells: [{ cell_type: "code", execution_count: 1, id: "x", metadata: {}, source: [], outputs: [{ output_type: "display_data", data, metadata: {} }] }],
    metadata: {}, nbformat: 4, nbformat_minor: 5,
  };
  return Buffer.byteLength(JSON.stringify(nb, null, 1), "utf8");
}

/**
 * Marks a bundle that `bundle()` (and so `trace.bundle()`, `lrlab.run(name).bundle()`) returns as
 * displayable: a non-enumerable `_repr_mimebundle_` giving its own mime types back, so
 * `display(trace.bundle({ params: [name] }))` (what README and the plot's note recommend) shows
 * the plot; it printed the bundle as a JSON dump, and only `display(b, { raw: true })` rendered it
 * (a user's pass). Non-enumerable: JSON, spreads and copies of the bundle hold its mime types
 * only; a plain object the user builds still displays as text, as IPython's display(dict) does.
 */
export function displayableBundle(b: MimeBundle): MimeBundle {
  if (!Object.prototype.hasOwnProperty.call(b, REPR_BUNDLE)) {
    Object.defineProperty(b, REPR_BUNDLE, { value: () => ({ ...b }), enumerable: false, configurable: true, writable: true });
  }
  return b;
}

/** The display bundle, synchronously. */
export function bundle(x: BundleInput, options: BundleOptions = {}): MimeBundle {
  return displayableBundle(bundleOnce(x, options));
}

function bundleOnce(x: BundleInput, options: BundleOptions): MimeBundle {
  let built = build(x, options);
  if (isFigure(x) || options.max_points !== undefined) return built.out;
  let scale = options.budget_scale ?? 1;
  let size = savedSize(built.out);
  for (let round = 0; round < 4 && size > SAVED_BUDGET; round++) {
    // the points are most of the bytes: scale them by the share that fits, with a margin
    scale *= Math.min(0.9, (0.92 * SAVED_BUDGET) / size);
    built = build(x, { ...options, budget_scale: scale });
    size = savedSize(built.out);
  }
  // Room left while lines were merged: more points. Only a bundle with its SVG, whose size is
  // the saved one (a live update has none: it keeps figure.ts's estimate, which reserves room
  // for it). The points' bytes are what the numbers take, the size less the SVG and the rest;
  // a scale that went over is halved back towards the last one that fit.
  if (SVG_MIME in built.out) {
    let over = Infinity;
    // (Up to 98% of the budget: a 40-step, 3-group trace stopped at 39 points, its step 2 merged,
    // at 94% of it, and again at 96% once the picture carried the summary as its caption.)
    for (let round = 0; round < 3 && built.fig.downsampled && size < 0.98 * SAVED_BUDGET; round++) {
      const fixed = savedSize({ [SVG_MIME]: built.out[SVG_MIME], [TEXT_MIME]: built.out[TEXT_MIME] });
      let more = scale * Math.min(4, (0.985 * SAVED_BUDGET - fixed) / Math.max(1, size - fixed));
      if (more >= over) more = (scale + over) / 2;
      if (!(more > scale * 1.02)) break;
      const next = build(x, { ...options, budget_scale: more });
      const nextSize = savedSize(next.out);
      if (nextSize > SAVED_BUDGET) over = more;
      else [built, size, scale] = [next, nextSize, more];
    }
    built = moreParamPoints(x, { ...options, budget_scale: scale }, built, size);
  }
  return built.out;
}

/**
 * Per-parameter lines at the finest resolution the bytes allow. Their share (figure.ts
 * PARAM_POINT_BUDGET, PARAM_MIN_POINTS) is a cautious one made before the bundle's size is known:
 * a 40-step run of 12 tensors got 10 points a line (the first Adam steps averaged away) in a
 * bundle of 80 KB of 150 KB. Their points merge aligned runs of W = 2^k steps, so the candidate
 * resolutions are few: from the finest the series hold (every step of a short run) to the one
 * built, the first whose bundle stays under SAVED_BUDGET (measured as saved) wins. Each candidate's size is
 * first estimated from its payload alone (cheap: no SVG), and only a candidate estimated to fit
 * is built whole and measured. Only when every parameter is carried: when some were left out,
 * the budget carries more of them rather than more points each.
 */
function moreParamPoints(x: BundleInput, options: BundleOptions, built: { out: MimeBundle; fig: Figure }, size: number): { out: MimeBundle; fig: Figure } {
  const lines = built.fig.param_lines;
  if (!lines || lines.omitted > 0 || lines.steps === 0) return built;
  const widthOf = (points: number) => {
    let w = 1;
    while (Math.ceil(lines.steps / w) > points) w *= 2;
    return w;
  };
  const current = widthOf(lines.points);
  // the finest width that still merges something: no finer than the series' own buckets
  let w = widthOf(Math.max(1, lines.buckets));
  const limit = SAVED_BUDGET;
  const payloadSize = (fig: Figure) => savedSize({ [PLOT_MIME]: fig.payload });
  const base = payloadSize(built.fig);
  for (; w < current; w *= 2) {
    const points = Math.ceil(lines.steps / w);
    const o = { ...options, param_points: points };
    // the payload's growth (the static panel's five lines change little): a filter, the
    // bundle built is measured
    const estimate = size + (payloadSize(figure(x, o)) - base);
    if (estimate > limit) continue;
    const next = build(x, o);
    const nextSize = savedSize(next.out);
    if (nextSize <= limit) return next;
  }
  return built;
}

function build(x: BundleInput, options: BundleOptions): { out: MimeBundle; fig: Figure } {
  const fig = figure(x, options);
  const out: MimeBundle = {
    [PLOT_MIME]: fig.payload,
    [PLOTLY_MIME]: toPlotly(fig.payload, fig.summary),
  };
  // the summary goes into the picture too: exports show the SVG alone (svg.ts)
  if (options.svg ?? !options.live) out[SVG_MIME] = toSvgSync(fig.payload, fig.summary);
  if (!options.no_text) out[TEXT_MIME] = toText(fig);
  return { out, fig };
}
