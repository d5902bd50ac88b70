/**
 * What the user chose in one plot: metric, axis scale, groups and runs shown, band, zoom.
 *
 * The state outlives payloads: when a live run sends `update_display_data`, the renderer keeps
 * the state and only `reconcile`s it with the new payload, so the user's choices and zoom stay.
 */
import type { Marker, PlotPayload, Series } from "./payload";

export interface ViewState {
  metric: string;
  /** Whether the user picked `metric`; until then the plot follows the payload's default (a live
   * run's first payload, before any step, has no metric to suggest yet). */
  metricChosen: boolean;
  /** Log y-axis per metric, only where the user chose; otherwise the metric's own default. */
  log: Record<string, boolean>;
  /** Parameter groups switched off. */
  hiddenGroups: number[];
  /** Trace names (runs) switched off, in a compare view. */
  hiddenRuns: string[];
  /**
   * Lines (lineKey) switched off in the legend that are neither a whole run nor a whole group: a
   * group of one run among several runs, a parameter's own line. A legend entry that is all of a
   * run or of a group switches off that run or group instead, so the toolbar's checkboxes show
   * what the legend shows (see legendClick).
   */
  hiddenLines: string[];
  /**
   * Marker kinds switched off in the legend: their markers and, for divergences, the dashed line
   * drawn at each (a layout shape, which plotly's own legend toggle of the markers left drawn).
   */
  hiddenMarkers: Marker["kind"][];
  /**
   * The parameter whose own lines are drawn next to its group's (per-parameter traces), null for
   * none. One at a time: fifty parameters' lines at once were unreadable (and a 300-entry legend).
   * Until the user picks one (or none), the first in the selector (the kernel's ranking: largest
   * update ratio first): a user who asked for --per-param saw the group lines alone, with the
   * parameters behind a selector set to "none" (a teacher's pass).
   */
  param: string | null;
  /** Whether the user picked `param` (a parameter or none); until then it follows the selector's first. */
  paramChosen: boolean;
  /**
   * The parameter selector's entries, in its order (see paramOrder): parameters of the payload
   * and, while a run is live, those an earlier update carried.
   */
  params: string[];
  /** Whether the min/max spread band is drawn. */
  band: boolean;
  /**
   * Zoomed x range in data units (steps, or learning rates on a log x axis); null = all. An end
   * left empty in the toolbar stays null: it stands for the end of whatever data there is (see
   * xRangeOf), so during a live run it follows the steps as they come. Filling it with the data's
   * end at the moment of the commit froze the range there for every later update.
   */
  xrange: [number | null, number | null] | null;
  /** Bumped by a reset, so plotly drops the zoom it remembers (its `uirevision`). */
  revision: number;
  /**
   * While a run is live: the automatic y axis (true: log) held per metric (holdLiveAxis), so that
   * the axis does not flip under the user's eyes as the data comes in. Emptied by the final
   * payload, which applies the documented rule once.
   */
  liveLog: Record<string, boolean>;
}

export function initialState(p: PlotPayload): ViewState {
  const params = paramsOf(p);
  return holdLiveAxis({ metric: p.default_metric, metricChosen: false, log: {}, hiddenGroups: [], hiddenRuns: [], hiddenLines: [], hiddenMarkers: [], param: params[0] ?? null, paramChosen: false, params, band: true, xrange: null, revision: 0, liveLog: {} }, p);
}

/**
 * The state carried over to a new payload: choices stay unless they no longer make sense. While
 * the run is live, the chosen parameter stays chosen when an update leaves it out (it has an
 * entry still, see paramOrder): its lines come back with the update that carries it again.
 */
export function reconcile(s: ViewState, p: PlotPayload): ViewState {
  const keep = s.metricChosen && p.metrics.some((m) => m.key === s.metric);
  const params = paramOrder(s.params, p);
  // (not chosen: the selector's first, which while the run is live stays where it came)
  const param = !s.paramChosen ? params[0] ?? null : s.param !== null && params.includes(s.param) ? s.param : null;
  return holdLiveAxis({ ...s, metric: keep ? s.metric : p.default_metric, metricChosen: keep, param, params }, p);
}

/**
 * The parameter selector's order after a payload, given its order before (null: a new plot).
 *
 * The kernel ranks the parameters afresh in every payload (largest mean update ratio so far
 * first), and during a live run that ranking changes with every update, several times a second:
 * re-sorting the list by it moved the entry under the user's pointer while they were choosing
 * (the choice was kept, the list jumped). So while the run is live the order holds: parameters
 * keep the place they had when they first came, new ones are appended, and one an update leaves
 * out (a large model's plot carries only the top of the ranking) keeps its place, shown as
 * unavailable (Controls), so that nothing below it moves up. The ranking is read again when
 * there is no pointer to pull the list from under: with the final payload (the run has ended:
 * one re-sort, to the order the note names), on reset, and when the plot is opened again (a new
 * plot starts from the payload's order).
 */
export function paramOrder(previous: readonly string[] | null, p: PlotPayload): string[] {
  const ranked = paramsOf(p);
  if (previous === null || !p.live) return ranked;
  const listed = new Set(previous);
  return [...previous, ...ranked.filter((n) => !listed.has(n))];
}

/** Parameters with lines of their own in the payload, in its order (the kernel's ranking). */
export function paramsOf(p: PlotPayload): string[] {
  const out = new Set<string>();
  for (const s of p.series) if (s.param) out.add(s.param);
  return [...out];
}

/** A line of the plot, one legend entry: a run's group (or the run as a whole: group null) and parameter. */
export function lineKey(t: Series): string {
  return JSON.stringify([t.name, t.group, t.param ?? null]);
}

/**
 * The series the view has for the chosen metric, shown or switched off: a parameter's own lines
 * (per-parameter traces) only when it is the chosen parameter (`s.param`), next to its group's
 * line: the payload carries up to dozens of parameters, which drawn together were unreadable. A
 * payload with no group line for a run and metric (made before group lines came with parameter
 * lines) has its parameters' lines as before.
 */
export function seriesFor(p: PlotPayload, s: ViewState): Series[] {
  const own = new Set<string>();
  for (const t of p.series) if (!t.param && t.metric === s.metric) own.add(t.name);
  return p.series.filter((t) => t.metric === s.metric && (!t.param || t.param === s.param || !own.has(t.name)));
}

/** Whether the state switches series `t` off: its run, its group, or its line on its own. */
export function isHidden(s: ViewState, t: Series): boolean {
  return s.hiddenRuns.includes(t.name) || (t.group !== null && s.hiddenGroups.includes(t.group)) || s.hiddenLines.includes(lineKey(t));
}

/** Everything back to how the payload says to show it, zoom included. */
export function resetState(s: ViewState, p: PlotPayload): ViewState {
  return { ...initialState(p), revision: s.revision + 1 };
}

/**
 * Whether the y axis is logarithmic: the user's choice for this metric, else the metric's default
 * — unless one of its lines has a value <= 0. A log axis cannot show those (a converged float32
 * run gives exactly-zero projected rates; Adam's projected rate turns negative), and hiding them
 * by default hid whole plots and the sign flips worth seeing; the user can still choose log.
 * A metric whose default is linear (the loss) opens on a log axis when its values are all
 * positive and span more than three decades (spansDecades), the static figure's rule: a range
 * test's loss, which ends where it blew up, otherwise flattened every other point onto the x axis.
 */
export function isLogY(s: ViewState, p: PlotPayload): boolean {
  if (own(s.log, s.metric)) return s.log[s.metric] === true;
  if (p.live && own(s.liveLog, s.metric)) return s.liveLog[s.metric] === true;
  return autoLogY(s.metric, p);
}

/** Own keys only: a metric named "constructor" or "__proto__" must not read Object.prototype. */
function own(r: Record<string, boolean>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(r, key);
}

/** The documented rule of isLogY for a metric the user has not chosen an axis for. */
export function autoLogY(metric: string, p: PlotPayload): boolean {
  // a comparison's configured lr is schedules: a preview's rule (kernel/src/plot/figure.ts configuredOnly)
  if (p.kind === "schedule" || (p.kind === "compare" && metric === "lr")) return wideSchedule(p, metric);
  if (!(p.metrics.find((m) => m.key === metric)?.log ?? false)) return spansDecades(p, metric);
  return nonPositive(p, metric) === 0 && stepBandNonPositive(p, metric) === 0 && !nearlyFlat(p, metric);
}

/**
 * Holds the automatic y axis of the metric shown while the run is live (ViewState.liveLog), and
 * lets it go with the final payload. The rule re-applied on every live update flipped the axis
 * log → linear → log within two seconds as a projected rate touched 0 and came back (a JupyterLab
 * power user's pass). Held: a log axis once shown (values ≤ 0 that come later are left off it,
 * and its note says so and that "log y" switches: logAxisNote), and a linear axis shown because
 * a value was ≤ 0. Not held: a linear axis shown only because the lines are still nearly flat
 * (or a loss does not yet span three decades): a live run's first points always are (one point
 * is flat), so holding that would have kept every live plot linear until its end; it turns log
 * once, when the data spreads, and then stays. The user's own "log y" is never touched.
 */
export function holdLiveAxis(s: ViewState, p: PlotPayload): ViewState {
  if (!p.live) return Object.keys(s.liveLog).length === 0 ? s : { ...s, liveLog: {} };
  const m = s.metric;
  if (own(s.log, m) || own(s.liveLog, m) || !hasValues(p, m)) return s;
  const log = autoLogY(m, p);
  if (!log && nonPositive(p, m) === 0 && stepBandNonPositive(p, m) === 0) return s;
  return { ...s, liveLog: { ...s.liveLog, [m]: log } };
}

/**
 * Whether the y axis is log only because the live run holds it (holdLiveAxis) where the rule
 * would now say linear: its note says so (figure.ts logAxisNote).
 */
export function heldLiveLog(s: ViewState, p: PlotPayload): boolean {
  return p.live && !own(s.log, s.metric) && own(s.liveLog, s.metric) && s.liveLog[s.metric] === true && !autoLogY(s.metric, p);
}

/** Whether a line of the metric has a value drawn (a live run's first payload has none). */
function hasValues(p: PlotPayload, metric: string): boolean {
  return p.series.some((t) => t.metric === metric && t.mean.some((v) => v !== null));
}

/**
 * A rate metric whose values stay within this factor opens on a linear axis: over less than a
 * third of a decade a log axis looks like a linear one, and its ticks, finer than 1-2-5 (1.05e−3,
 * 9.5e−4), read worse than plain decimals; a constant lr 0.001 opened on a log axis (a teacher's
 * pass). `log y` still gives one.
 */
export const FLAT_RATIO = 2;

/** Whether every value of the metric's lines (means and band edges, > 0) lies within FLAT_RATIO. */
export function nearlyFlat(p: PlotPayload, metric: string): boolean {
  let lo = Infinity, hi = -Infinity;
  for (const t of p.series) {
    if (t.metric !== metric) continue;
    for (const arr of [t.mean, t.min ?? [], t.max ?? []]) for (const v of arr) if (v !== null && v > 0) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  }
  return lo <= hi && hi / lo < FLAT_RATIO;
}

/** Metrics whose band is a spread of elements (q05–q95), not the min–max of merged steps (kernel/src/plot/figure.ts). */
export const QUANTILE_BAND_METRICS: readonly string[] = ["lr_elementwise", "lr_preconditioned"];

/**
 * Points of a metric's lines whose band minimum is <= 0 under a positive mean, where the band is
 * the min–max of the steps a point merges (not an element-wise q05–q95): a step there took a
 * value <= 0, which a log axis cannot show; its band fell to the axis floor (1.7e-9) and read as
 * a rate that fell that low (a teacher's pass). Such a metric opens on a linear axis, as the
 * static panels do (kernel/src/plot/figure.ts stepBandNonPositive).
 */
export function stepBandNonPositive(p: PlotPayload, metric: string): number {
  if (QUANTILE_BAND_METRICS.includes(metric)) return 0;
  let n = 0;
  for (const t of p.series) {
    if (t.metric !== metric || !t.min) continue;
    for (let i = 0; i < t.min.length; i++) if (t.min[i] !== null && (t.min[i] as number) <= 0 && t.mean[i] !== null && (t.mean[i] as number) > 0) n++;
  }
  return n;
}

/** Decades a schedule preview must span over most of its steps to open on a log axis (wideSchedule). */
export const SCHEDULE_LOG_DECADES = 2;

/**
 * Whether a schedule preview's metric opens on a log axis: its values all positive and, between
 * the 10th and the 90th percentile of its points, more than SCHEDULE_LOG_DECADES decades apart
 * (ExponentialLR, a StepLR of γ = 0.1 three times). The textbook pictures of cosine, OneCycleLR
 * and warm-up are linear: a log axis made the cosine's end a cliff, and OneCycleLR's last
 * 4e-7 took most of the axis (a teacher's pass). The static panels apply the same rule
 * (kernel/src/plot/figure.ts wideSchedule).
 */
export function wideSchedule(p: Pick<PlotPayload, "series">, metric: string): boolean {
  const vs: number[] = [];
  for (const t of p.series) {
    if (t.metric !== metric) continue;
    for (const v of t.mean) {
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

/**
 * Whether a metric's values (its lines and band edges, hidden ones too) are all positive and span
 * more than three decades: kernel/src/plot/figure.ts `spansDecades`, which picks the static
 * panel's axis.
 */
export function spansDecades(p: PlotPayload, metric: string): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of p.series) {
    if (t.metric !== metric) continue;
    for (const arr of [t.mean, t.min ?? [], t.max ?? []]) {
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

/**
 * Line values <= 0 of a metric, over all its lines (hidden ones too: hiding a group must not flip
 * the axis). Only the line counts: a band edge <= 0 is merely clipped.
 */
export function nonPositive(p: PlotPayload, metric: string, shown?: (t: PlotPayload["series"][number]) => boolean): number {
  let n = 0;
  for (const t of p.series) {
    if (t.metric !== metric || (shown && !shown(t))) continue;
    for (const v of t.mean) if (v !== null && v <= 0) n++;
  }
  return n;
}

/** Parameter group indices present in the payload, ascending. */
export function groupsOf(p: PlotPayload): number[] {
  const g = new Set<number>();
  for (const s of p.series) if (s.group !== null) g.add(s.group);
  return [...g].sort((a, b) => a - b);
}

/** Trace names in order of first appearance. */
export function runsOf(p: PlotPayload): string[] {
  return [...new Set(p.series.map((s) => s.name))];
}

/**
 * Whether any series (of `metric`, when given) carries a min/max band. The toolbar's "spread band"
 * is offered for the metric shown only when one of its lines has one: it was on over lines that
 * had none (another metric's band enabled it), as if they did.
 */
export function hasBand(p: PlotPayload, metric?: string): boolean {
  return p.series.some((s) => (metric === undefined || s.metric === metric) && s.min !== undefined && s.max !== undefined);
}

/** Smallest and largest x of all series; infinities when there are none. */
export function xExtent(p: PlotPayload): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of p.series) for (const x of t.x) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
  return [lo, hi];
}

/**
 * The x range drawn for the state and payload, ascending: an empty end (null) is the end of the
 * payload's data on that side. Null when nothing is zoomed, or when the ends do not make a range
 * over the data there is (no data yet, or a typed end that equals the data's other end).
 */
export function xRangeOf(s: ViewState, p: PlotPayload): [number, number] | null {
  if (!s.xrange) return null;
  const [lo, hi] = xExtent(p);
  const a = s.xrange[0] ?? lo;
  const b = s.xrange[1] ?? hi;
  if (!(Number.isFinite(a) && Number.isFinite(b)) || a === b) return null;
  return a < b ? [a, b] : [b, a];
}

/**
 * The text of a step-range input for an end of the zoomed range (`end` 0: from, 1: to): whole
 * steps on a step axis, the from end rounded down and the to end up (the steps the zoom shows
 * wholly or in part): a drag-zoom filled in "18.9358" and "37.9786" (a teacher's pass). A log
 * x axis (learning rates) keeps six significant digits. Empty for an open end.
 */
export function rangeText(v: number | null, end: 0 | 1, xLog: boolean): string {
  if (v === null) return "";
  if (xLog) return String(Number(v.toPrecision(6)));
  // (a step typed as 18 stays 18: float noise of a zoom is not a step more)
  const r = Math.round(v);
  const whole = Math.abs(v - r) < 1e-6 ? r : end === 0 ? Math.floor(v) : Math.ceil(v);
  return String(whole === 0 ? 0 : whole);
}

/** What a control asks for; `applyControl` turns it into the next state. */
export type ControlEvent =
  | { type: "metric"; metric: string }
  | { type: "log"; on: boolean }
  | { type: "band"; on: boolean }
  | { type: "group"; group: number; on: boolean }
  | { type: "run"; name: string; on: boolean }
  /** A click (`isolate`: a double click) on the legend entry of a line (lineKey). */
  | { type: "legend"; line: string; isolate: boolean }
  /** A click on the legend entry of a kind of marker (divergences, suggestions): shown or not. */
  | { type: "marker"; kind: Marker["kind"] }
  /** null: no parameter's own lines. */
  | { type: "param"; param: string | null }
  /** A null end stands for the end of the data on that side. */
  | { type: "range"; range: [number | null, number | null] | null }
  | { type: "reset-zoom" }
  | { type: "reset" };

function toggle<T>(hidden: T[], item: T, on: boolean): T[] {
  const rest = hidden.filter((h) => h !== item);
  return on ? rest : [...rest, item];
}

export function applyControl(s: ViewState, e: ControlEvent, p: PlotPayload): ViewState {
  // a metric picked during a live run holds its axis from then on, as the one shown first did
  return holdLiveAxis(nextState(s, e, p), p);
}

function nextState(s: ViewState, e: ControlEvent, p: PlotPayload): ViewState {
  switch (e.type) {
    case "metric":
      return p.metrics.some((m) => m.key === e.metric) ? { ...s, metric: e.metric, metricChosen: true } : s;
    case "log":
      return { ...s, log: { ...s.log, [s.metric]: e.on } };
    case "band":
      return { ...s, band: e.on };
    case "group":
      return { ...s, hiddenGroups: toggle(s.hiddenGroups, e.group, e.on) };
    case "run":
      return { ...s, hiddenRuns: toggle(s.hiddenRuns, e.name, e.on) };
    case "legend":
      return legendClick(s, e.line, e.isolate, p);
    case "marker":
      return { ...s, hiddenMarkers: toggle(s.hiddenMarkers, e.kind, s.hiddenMarkers.includes(e.kind)) };
    case "param":
      return { ...s, param: e.param !== null && paramsOf(p).includes(e.param) ? e.param : null, paramChosen: true };
    case "range": {
      if (e.range === null) return { ...s, xrange: null, revision: s.revision + 1 };
      const [a, b] = e.range;
      // Only typed ends are checked and kept; an empty one stays null (xRangeOf resolves it).
      const bad = (v: number | null) => v !== null && (!Number.isFinite(v) || (p.x_log && v <= 0));
      if (bad(a) || bad(b) || (a !== null && a === b)) return s;
      return { ...s, xrange: a !== null && b !== null && b < a ? [b, a] : [a, b] };
    }
    case "reset-zoom":
      return { ...s, xrange: null, revision: s.revision + 1 };
    case "reset":
      return resetState(s, p);
  }
}

/**
 * A click on a line's legend entry, done as plotly would do it but in the state (renderer.ts
 * cancels plotly's own toggle, which hid a run in plotly alone and left its runs checkbox
 * ticked): a line shown is switched off, as its run when it is all of the run (the runs
 * checkbox), as its group when it is all of the group (the groups checkbox), else on its own; a
 * line switched off comes back, with whatever switched it off. A double click (`isolate`) shows
 * that line alone, or every line again when it was alone already (plotly's "toggleothers").
 */
function legendClick(s: ViewState, line: string, isolate: boolean, p: PlotPayload): ViewState {
  const lines = seriesFor(p, s);
  const t = lines.find((u) => lineKey(u) === line);
  if (!t) return s;
  if (!isolate) return isHidden(s, t) ? showLine(s, t) : hideLine(s, t, lines, p);
  const others = lines.filter((u) => u !== t);
  let n: ViewState = { ...s, hiddenRuns: [], hiddenGroups: [], hiddenLines: [] };
  if (!isHidden(s, t) && others.every((u) => isHidden(s, u))) return n;
  // the others off as whole runs, then whole groups, then lines: the checkboxes say what they can
  const shown = (u: Series) => u !== t && !isHidden(n, u);
  if (runsOf(p).length > 1) n = { ...n, hiddenRuns: [...new Set(others.filter((u) => u.name !== t.name).map((u) => u.name))] };
  if (groupsOf(p).length > 1) n = { ...n, hiddenGroups: [...new Set(lines.filter((u) => shown(u) && u.group !== null && u.group !== t.group).map((u) => u.group as number))] };
  return { ...n, hiddenLines: lines.filter(shown).map(lineKey) };
}

/** Switches line `t` off: as its run, else as its group, when `lines` (the metric's) hold no other line of it. */
function hideLine(s: ViewState, t: Series, lines: Series[], p: PlotPayload): ViewState {
  const alone = (same: (u: Series) => boolean) => lines.every((u) => u === t || !same(u));
  // the toolbar has a checkbox per run (per group) only when there are several
  if (runsOf(p).length > 1 && alone((u) => u.name === t.name)) return { ...s, hiddenRuns: toggle(s.hiddenRuns, t.name, false) };
  if (t.group !== null && groupsOf(p).length > 1 && alone((u) => u.group === t.group)) return { ...s, hiddenGroups: toggle(s.hiddenGroups, t.group, false) };
  return { ...s, hiddenLines: toggle(s.hiddenLines, lineKey(t), false) };
}

function showLine(s: ViewState, t: Series): ViewState {
  return {
    ...s,
    hiddenRuns: toggle(s.hiddenRuns, t.name, true),
    hiddenGroups: t.group === null ? s.hiddenGroups : toggle(s.hiddenGroups, t.group, true),
    hiddenLines: toggle(s.hiddenLines, lineKey(t), true),
  };
}

/**
 * Reads plotly's `plotly_relayout` event into a zoom range in data units, or `null` for "zoom
 * reset" (double click, autoscale); `undefined` when the event is not about the x range.
 */
export function rangeFromRelayout(ev: Record<string, unknown>, xLog: boolean): [number, number] | null | undefined {
  if (ev["xaxis.autorange"] === true) return null;
  let r: unknown[] | undefined;
  if (ev["xaxis.range[0]"] !== undefined && ev["xaxis.range[1]"] !== undefined) r = [ev["xaxis.range[0]"], ev["xaxis.range[1]"]];
  else if (Array.isArray(ev["xaxis.range"])) r = ev["xaxis.range"] as unknown[];
  if (!r) return undefined;
  const [a, b] = r.map(Number);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return undefined;
  return xLog ? [10 ** a, 10 ** b] : [a, b];
}
