/**
 * The `application/vnd.lrlab.plot+json` payload, as the extension sees it.
 *
 * This is the extension's own copy of the contract in kernel/src/plot/payload.ts (the extension
 * must not import the kernel package): change both together. Payloads come from notebook files,
 * which anyone can write, so `validatePayload` checks every field before anything is drawn and
 * every string is later treated as text, never as HTML.
 */

export const PLOT_MIME = "application/vnd.lrlab.plot+json";
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";
export const PAYLOAD_VERSION = 1;

export interface MetricInfo {
  key: string;
  label: string;
  /** Whether a log y-axis is the sensible default for it. */
  log: boolean;
}

/** One line: one metric of one trace (and group, and parameter when per-param); `null` is a gap. */
export interface Series {
  name: string;
  metric: string;
  group: number | null;
  param?: string | null;
  x: number[];
  mean: (number | null)[];
  min?: (number | null)[];
  max?: (number | null)[];
  /**
   * Optional, within version 1: how many steps each point merges, run-length encoded as pairs
   * [points, steps] flattened; point i covers the steps from x[0] + (the steps of the points
   * before it) on. Absent when every point is one step (or the x are not steps).
   */
  spans?: number[];
  /**
   * Optional, within version 1: a metric on whose view this line is drawn too, dashed, as a
   * reference (SGD momentum's steady-state rate γ(1−τ)/(1−μ) on the projected-lr view).
   */
  reference_for?: string;
  /**
   * Optional, within version 1: a set metric's line (configured lr, momentum) whose points give
   * every step's value exactly (the steps between two points lie on the line between them); each
   * point is the value of its own step x, so hovers say "step k", not "mean of steps".
   */
  exact?: true;
  /**
   * Optional, within version 1: a schedule preview's line among runs (%lr_compare run pv), drawn
   * dashed over the runs' lines (a preview that agrees with a run hid the run's line).
   */
  preview?: true;
}

export interface Marker {
  kind: "divergence" | "suggestion";
  name: string;
  metric?: string;
  x: number;
  y: number | null;
  label: string;
  /**
   * Optional, within version 1: a range test's recommended suggestion (the one its text lists
   * first, "(recommended)"), drawn larger and named so.
   */
  recommended?: true;
}

export type PlotKind = "trace" | "compare" | "schedule" | "range_test";

export interface PlotPayload {
  version: 1;
  kind: PlotKind;
  title: string;
  x_label: string;
  x_log: boolean;
  metrics: MetricInfo[];
  default_metric: string;
  series: Series[];
  markers: Marker[];
  live: boolean;
  /**
   * Per-parameter traces (optional, within version 1): how many parameters the trace has, how
   * many the payload left out (its budget), and the order of the ones it carries.
   */
  param_info?: ParamInfo;
  /**
   * Notes over the views of `metrics` (optional, within version 1; kernel/src/plot/notes.ts): why
   * a measured rate reads what it does. `band_range`: on a linear axis those metrics' bands are
   * cut to [lo, hi] (the note says so).
   */
  notes?: PlotNote[];
}

export interface PlotNote {
  metrics: string[];
  text: string;
  band_range?: [number, number];
}

export interface ParamInfo {
  total: number;
  omitted: number;
  criterion: string;
}

export const PLOT_KINDS: readonly PlotKind[] = ["trace", "compare", "schedule", "range_test"];
export const MARKER_KINDS: readonly Marker["kind"][] = ["divergence", "suggestion"];

/**
 * Bounds that keep a hostile or broken notebook from freezing the page. The kernel downsamples
 * to a few hundred points per series, so real payloads stay far below them.
 */
export const LIMITS = { series: 2000, markers: 1000, metrics: 100, points: 1_000_000, text: 10_000 };

/** A payload that does not match the contract; `path` names the offending field. */
export class PayloadError extends Error {
  constructor(readonly path: string, readonly problem: string) {
    super(`${path}: ${problem}`);
    this.name = "PayloadError";
  }
}

type Obj = Record<string, unknown>;

function describe(v: unknown): string {
  // JSON has no undefined: it is a field the payload does not have ("got undefined undefined" said nothing).
  if (v === undefined) return "nothing (the field is missing)";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  return typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

function object(v: unknown, path: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new PayloadError(path, `expected an object, got ${describe(v)}`);
  }
  return v as Obj;
}

function text(o: Obj, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== "string") throw new PayloadError(`${path}.${key}`, `expected a string, got ${describe(v)}`);
  if (v.length > LIMITS.text) throw new PayloadError(`${path}.${key}`, `string longer than ${LIMITS.text} characters`);
  return v;
}

function bool(o: Obj, key: string, path: string): boolean {
  const v = o[key];
  if (typeof v !== "boolean") throw new PayloadError(`${path}.${key}`, `expected true or false, got ${describe(v)}`);
  return v;
}

function finite(v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new PayloadError(path, `expected a finite number, got ${describe(v)}`);
  }
  return v;
}

function array(v: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(v)) throw new PayloadError(path, `expected an array, got ${describe(v)}`);
  if (v.length > max) throw new PayloadError(path, `more than ${max} entries (${v.length})`);
  return v;
}

function oneOf<T extends string>(o: Obj, key: string, allowed: readonly T[], path: string): T {
  const v = o[key];
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
    throw new PayloadError(`${path}.${key}`, `expected one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${describe(v)}`);
  }
  return v as T;
}

/** A column of y values: finite numbers, or null for a gap; exactly `length` long. */
function column(v: unknown, path: string, length: number): (number | null)[] {
  const a = array(v, path, LIMITS.points);
  if (a.length !== length) throw new PayloadError(path, `has ${a.length} values but x has ${length}`);
  return a.map((y, i) => (y === null ? null : finite(y, `${path}[${i}]`)));
}

function metricInfo(v: unknown, path: string): MetricInfo {
  const o = object(v, path);
  return { key: text(o, "key", path), label: text(o, "label", path), log: bool(o, "log", path) };
}

function series(v: unknown, path: string, metricKeys: Set<string>): Series {
  const o = object(v, path);
  const metric = text(o, "metric", path);
  if (!metricKeys.has(metric)) {
    throw new PayloadError(`${path}.metric`, `"${metric}" is not one of the payload's metrics (${[...metricKeys].join(", ")})`);
  }
  const g = o.group;
  if (g !== null && !(typeof g === "number" && Number.isInteger(g) && g >= 0)) {
    throw new PayloadError(`${path}.group`, `expected a parameter group index (integer >= 0) or null, got ${describe(g)}`);
  }
  const x = array(o.x, `${path}.x`, LIMITS.points).map((n, i) => finite(n, `${path}.x[${i}]`));
  const out: Series = { name: text(o, "name", path), metric, group: g, x, mean: column(o.mean, `${path}.mean`, x.length) };
  if (o.param !== undefined && o.param !== null) out.param = text(o, "param", path);
  if (o.min !== undefined && o.min !== null) out.min = column(o.min, `${path}.min`, x.length);
  if (o.max !== undefined && o.max !== null) out.max = column(o.max, `${path}.max`, x.length);
  if (o.spans !== undefined && o.spans !== null) {
    // A malformed run-length encoding is left out, not fatal: it only words the hover.
    const sp = Array.isArray(o.spans) ? o.spans : [];
    const ok = sp.length % 2 === 0 && sp.length <= 2 * x.length && sp.every((n) => typeof n === "number" && Number.isInteger(n) && n >= 1)
      && sp.reduce((a: number, n, i) => a + (i % 2 === 0 ? (n as number) : 0), 0) === x.length;
    if (ok) out.spans = sp as number[];
  }
  if (o.reference_for !== undefined && o.reference_for !== null) {
    // a metric the payload does not show (a trace that recorded no projected rate): no view to draw it on
    const r = text(o, "reference_for", path);
    if (metricKeys.has(r)) out.reference_for = r;
  }
  if (o.exact === true) out.exact = true;
  if (o.preview === true) out.preview = true;
  return out;
}

/**
 * The steps each point of `t` covers, [first, last], from its `spans`; null when it has none
 * (every point one step, or not steps).
 */
export function pointSteps(t: Series): [number, number][] | null {
  if (!t.spans || t.x.length === 0) return null;
  const out: [number, number][] = [];
  let at = t.x[0];
  for (let i = 0; i < t.spans.length; i += 2) {
    for (let k = 0; k < t.spans[i]; k++) {
      out.push([at, at + t.spans[i + 1] - 1]);
      at += t.spans[i + 1];
    }
  }
  return out.length === t.x.length ? out : null;
}

function note(v: unknown, path: string): PlotNote {
  const o = object(v, path);
  const metrics = array(o.metrics, `${path}.metrics`, LIMITS.metrics).map((m, i) => {
    if (typeof m !== "string") throw new PayloadError(`${path}.metrics[${i}]`, `expected a metric key (string), got ${describe(m)}`);
    return m;
  });
  const out: PlotNote = { metrics, text: text(o, "text", path) };
  if (o.band_range !== undefined && o.band_range !== null) {
    const r = array(o.band_range, `${path}.band_range`, 2).map((x, i) => finite(x, `${path}.band_range[${i}]`));
    if (r.length !== 2 || !(r[0] < r[1])) throw new PayloadError(`${path}.band_range`, "expected [lo, hi] with lo < hi");
    out.band_range = [r[0], r[1]];
  }
  return out;
}

function paramInfo(v: unknown, path: string): ParamInfo {
  const o = object(v, path);
  const count = (key: string) => {
    const n = finite(o[key], `${path}.${key}`);
    if (!Number.isInteger(n) || n < 0) throw new PayloadError(`${path}.${key}`, `expected a count (integer >= 0), got ${n}`);
    return n;
  };
  return { total: count("total"), omitted: count("omitted"), criterion: text(o, "criterion", path) };
}

function marker(v: unknown, path: string, metricKeys: Set<string>): Marker {
  const o = object(v, path);
  const m: Marker = {
    kind: oneOf(o, "kind", MARKER_KINDS, path),
    name: text(o, "name", path),
    x: finite(o.x, `${path}.x`),
    y: o.y === null ? null : finite(o.y, `${path}.y`),
    label: text(o, "label", path),
  };
  if (o.metric !== undefined && o.metric !== null) {
    m.metric = text(o, "metric", path);
    if (!metricKeys.has(m.metric)) throw new PayloadError(`${path}.metric`, `"${m.metric}" is not one of the payload's metrics`);
  }
  if (o.recommended === true && m.kind === "suggestion") m.recommended = true;
  return m;
}

/**
 * Checks untrusted JSON against the payload contract and returns a clean copy holding only the
 * known fields. Throws a PayloadError naming the first wrong field and what is allowed there.
 */
export function validatePayload(data: unknown): PlotPayload {
  const o = object(data, "payload");
  if (o.version !== PAYLOAD_VERSION) {
    throw new PayloadError("payload.version", `this extension renders version ${PAYLOAD_VERSION}, got ${describe(o.version)}`);
  }
  const metrics = array(o.metrics, "payload.metrics", LIMITS.metrics).map((m, i) => metricInfo(m, `payload.metrics[${i}]`));
  const keys = new Set(metrics.map((m) => m.key));
  if (keys.size !== metrics.length) throw new PayloadError("payload.metrics", "metric keys must be distinct");
  const default_metric = text(o, "default_metric", "payload");
  // A live plot starts before the first step: no series and no metrics yet is a valid payload.
  if (metrics.length > 0 && !keys.has(default_metric)) {
    throw new PayloadError("payload.default_metric", `"${default_metric}" is not one of the payload's metrics (${[...keys].join(", ")})`);
  }
  const all = array(o.series, "payload.series", LIMITS.series).map((s, i) => series(s, `payload.series[${i}]`, keys));
  const points = all.reduce((n, s) => n + s.x.length, 0);
  if (points > LIMITS.points) throw new PayloadError("payload.series", `more than ${LIMITS.points} points in all (${points})`);
  const out: PlotPayload = {
    version: PAYLOAD_VERSION,
    kind: oneOf(o, "kind", PLOT_KINDS, "payload"),
    title: text(o, "title", "payload"),
    x_label: text(o, "x_label", "payload"),
    x_log: bool(o, "x_log", "payload"),
    metrics,
    default_metric,
    series: all,
    markers: array(o.markers, "payload.markers", LIMITS.markers).map((m, i) => marker(m, `payload.markers[${i}]`, keys)),
    live: bool(o, "live", "payload"),
  };
  if (o.param_info !== undefined && o.param_info !== null) out.param_info = paramInfo(o.param_info, "payload.param_info");
  if (o.notes !== undefined && o.notes !== null) out.notes = array(o.notes, "payload.notes", LIMITS.markers).map((n, i) => note(n, `payload.notes[${i}]`));
  return out;
}
