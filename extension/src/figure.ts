/**
 * Payload + view state + theme → the plotly figure (`data`, `layout`). Pure: no DOM, no plotly,
 * so every rule here is tested directly.
 *
 * Per visible series of the chosen metric, in this order:
 *   - when the band is on and the series has `min`/`max`: an invisible line along `max`, then a
 *     line along `min` filled up to it (`fill: "tonexty"`), i.e. the area between min and max of
 *     each bucket;
 *   - the line of bucket means, broken at `null` (a gap, never drawn as zero); on a log y axis
 *     values <= 0 are gaps too.
 * A parameter's own lines (per_param traces) only for the parameter chosen in the toolbar
 * (`ViewState.param`, see visibleSeries), next to its group's line. A line switched off (its
 * run, its group, or itself: state.ts isHidden) keeps its legend entry, greyed, as a legend-only
 * trace: clicking the entry brings it back (renderer.ts, state.ts legendClick).
 * Then one marker trace per marker kind present (divergence, suggestion) and, per divergence, a
 * dashed vertical line at its step. Every payload string is escaped (see escape.ts).
 */
import { clippedNote, clippedRange } from "./clipped_reference";
import { escapeText } from "./escape";
import { symbolsOf } from "./metric_help";
import { type Marker, type PlotKind, type PlotPayload, pointSteps, type Series } from "./payload";
import { heldLiveLog, isHidden, isLogY, lineKey, nonPositive, paramsOf, QUANTILE_BAND_METRICS, seriesFor, type ViewState, xExtent, xRangeOf } from "./state";
import type { Theme } from "./theme";

export interface PlotlyTrace {
  type: "scatter";
  mode: "lines" | "markers" | "lines+markers" | "markers+text";
  name: string;
  /** null separates the segments of a band polygon. */
  x: (number | null)[];
  y: (number | null)[];
  [key: string]: unknown;
}

export interface Figure {
  data: PlotlyTrace[];
  layout: Record<string, unknown>;
}

/**
 * Role of each trace, parallel to `data`; lets tests and the browser check what is drawn.
 * "hidden": the legend entry of a line switched off, no data drawn.
 */
export type TraceRole = "line" | "band-max" | "band-min" | "divergence" | "suggestion" | "hidden" | "smoothed" | "reference" | "configured" | "tail" | "band-legend" | "configured-legend";

/** The uid of the spread band's legend entry (bandLegend; renderer.ts: a click turns the band off). */
export const BAND_LEGEND = "band-legend";

/**
 * The spread band's legend entry, a grey swatch saying what the shaded area is: the min–max of
 * the steps a point merges, or the q05–q95 spread of the elements' rates. Only the hover said so
 * (a user's pass). One entry for all the lines' bands, after the markers.
 */
export function bandLegend(metric: string, theme: Theme): PlotlyTrace {
  const name = QUANTILE_BAND_METRICS.includes(metric) ? "shaded: q05–q95 of the elements' rates" : "shaded: min–max of the steps a point merges";
  return {
    type: "scatter", mode: "lines", name, x: [null], y: [null], connectgaps: false, fill: "toself", fillcolor: withAlpha(theme.palette[0], 0.2),
    line: { width: 0, color: theme.palette[0] }, showlegend: true, hoverinfo: "skip", legendgroup: BAND_LEGEND, uid: BAND_LEGEND,
  };
}

export const FIGURE_HEIGHT = 380;

/*
 * Every trace carries a stable \`uid\` (its line's index and role, or the marker kind): with
 * \`uirevision\`, plotly matches traces across \`Plotly.react\` by uid, so what plotly keeps of
 * the user's doing (a marker hidden from the legend: a line's entry goes through the view state)
 * stays on the right trace when bands or groups come and go. A line is the n-th distinct
 * (trace, group, param) of the whole payload; its legend group is \`line<n>\` (legendLine).
 */
function lineIndex(p: PlotPayload): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of p.series) if (!m.has(lineKey(s))) m.set(lineKey(s), m.size);
  return m;
}

/** The line (state.ts lineKey) whose traces have legend group `group` in a figure of `p`. */
export function legendLine(p: PlotPayload, group: unknown): string | undefined {
  for (const [line, i] of lineIndex(p)) if (`line${i}` === group) return line;
  return undefined;
}

/**
 * The palette slot of every series, parallel to `p.series`. Colours follow runs, not metrics or
 * positions: runs take consecutive blocks of slots in order of first appearance, one slot per
 * distinct (group, parameter) line of the run; a series of the run as a whole (loss: group null)
 * takes the run's first slot
 * (outside a comparison, a slot after the run's lines when it has several). So a run, and within it a group, keeps its colour whatever metric
 * is shown, and hiding a group does not repaint the others.
 *
 * The SVG/plotly fallback (kernel/src/plot/plotly.ts, `colourSlots`) applies the same rule to the
 * same palette (LIGHT_PALETTE): test/extension/colours.test.ts checks that they agree.
 */
export function colourSlots(p: PlotPayload): number[] {
  const whole = (s: Series) => s.group === null && !s.param;
  const sub = (s: Series) => JSON.stringify([s.group, s.param ?? null]);
  const runs = new Map<string, Map<string, number>>();
  for (const s of p.series) {
    let lines = runs.get(s.name);
    if (!lines) runs.set(s.name, (lines = new Map()));
    if (!whole(s) && !lines.has(sub(s))) lines.set(sub(s), lines.size);
  }
  // Outside a comparison, a run of several lines (groups, parameters) gives its whole-run series
  // (the loss) a slot of its own after them: in the run's colour it was drawn, and listed, in
  // group 0's blue, as if it were that group's.
  const apart = (lines: Map<string, number>) => p.kind !== "compare" && lines.size > 1;
  const base = new Map<string, number>();
  let next = 0;
  for (const [name, lines] of runs) {
    base.set(name, next);
    next += Math.max(1, lines.size) + (apart(lines) ? 1 : 0);
  }
  return p.series.map((s) => {
    const lines = runs.get(s.name);
    const own = whole(s) ? (lines !== undefined && apart(lines) ? lines.size : 0) : lines?.get(sub(s)) ?? 0;
    return (base.get(s.name) ?? 0) + own;
  });
}

/** "#rrggbb" → "rgba(r, g, b, a)"; other colour syntaxes are returned unchanged. */
export function withAlpha(colour: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (!m) return colour;
  const [r, g, b] = m.slice(1).map((h) => parseInt(h, 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/**
 * The legend name of a series: only the parts that tell lines apart. One run with groups shows
 * "group 1"; several runs show "adam · group 1"; per-parameter series add the parameter name.
 */
export function seriesLabel(s: Series, p: PlotPayload): string {
  const runs = new Set(p.series.map((t) => t.name)).size;
  const groups = new Set(p.series.filter((t) => t.group !== null).map((t) => t.group)).size;
  const parts: string[] = [];
  if (runs > 1 || groups <= 1 || s.group === null) parts.push(s.name);
  if (s.group !== null && groups > 1) parts.push(`group ${s.group}`);
  if (s.param) parts.push(s.param);
  return parts.join(" · ");
}

/** The series drawn for the state: the metric's (state.ts seriesFor) that are not switched off. */
export function visibleSeries(p: PlotPayload, s: ViewState): Series[] {
  return seriesFor(p, s).filter((t) => !isHidden(s, t));
}

/** Markers that belong on the chosen metric: their own, divergences that name no metric, and
 * suggestions on the default metric. */
export function visibleMarkers(p: PlotPayload, s: ViewState): Marker[] {
  return p.markers.filter((m) => {
    if (s.hiddenRuns.includes(m.name)) return false;
    // A suggestion is a learning rate: the default view shows it too, at its own (smoothed) loss
    // (a range test opens on the raw loss while its suggestions are computed on the smoothed loss).
    if (m.metric !== undefined) return m.metric === s.metric || (m.kind === "suggestion" && s.metric === p.default_metric);
    return m.kind === "divergence" || s.metric === p.default_metric;
  });
}

/**
 * Height of a marker on the chosen metric: its own `y` when it belongs to this metric, else the
 * mean of its run's first visible series at the last bucket not after the marker's x (so a
 * divergence sits on the curve it interrupted). Null when no such point exists.
 */
export function markerY(m: Marker, p: PlotPayload, s: ViewState): number | null {
  if (m.metric === s.metric && m.y !== null) return m.y;
  // A suggestion is computed on the smoothed loss, and its y is that loss at its rate: it keeps
  // it in the default (raw loss) view too, as the static SVG and plotly JSON draw it. Put on the
  // raw curve it read as a different loss at the suggested rate than the static figures showed.
  if (m.kind === "suggestion" && m.y !== null) return m.y;
  const line = visibleSeries(p, s).find((t) => t.name === m.name);
  if (!line) return m.metric === undefined ? m.y : null;
  let best: number | null = null;
  for (let i = 0; i < line.x.length; i++) {
    if (line.x[i] > m.x) break;
    if (line.mean[i] !== null) best = line.mean[i];
  }
  return best;
}

/**
 * On a log axis a value <= 0 has no place (a projected LR can be negative when momentum carries
 * the step uphill); plotly would clamp it to the axis edge and draw a cliff. It becomes a gap.
 */
export function forLogAxis(ys: (number | null)[]): (number | null)[] {
  return ys.map((v) => (v !== null && v <= 0 ? null : v));
}

/**
 * The configured rate and momentum hold for a whole step (a scheduler changes them between
 * steps): drawn as steps ("hv") while each point is one step, i.e. its x are consecutive steps
 * (a merged point's x is one of its steps). A point that merges several steps of a schedule
 * changed within them (cosine, stepped every step) holds no one value: stairs there drew the
 * merging, not the schedule, so such a line goes through its points ("linear"), as measured
 * metrics do. The static figures apply the same rule (kernel/src/plot/plotly.ts stepwise).
 */
export function lineShape(s: Pick<Series, "metric" | "x">): "hv" | "linear" {
  if (s.metric !== "lr" && s.metric !== "momentum") return "linear";
  return s.x.every((x, i) => Number.isInteger(x) && (i === 0 || x - s.x[i - 1] === 1)) ? "hv" : "linear";
}

/**
 * The band between `lo` and `hi` as closed polygons, one per run of points where both exist:
 * each run's lower edge left to right, then its upper edge right to left, runs separated by a
 * null (plotly's `fill: "toself"` closes each segment on its own).
 */
export function bandPolygon(x: readonly number[], lo: readonly (number | null)[], hi: readonly (number | null)[]): { x: (number | null)[]; y: (number | null)[] } {
  const px: (number | null)[] = [];
  const py: (number | null)[] = [];
  let i = 0;
  while (i < x.length) {
    if (lo[i] === null || hi[i] === null) { i++; continue; }
    let j = i;
    while (j < x.length && lo[j] !== null && hi[j] !== null) j++;
    if (px.length > 0) { px.push(null); py.push(null); }
    for (let k = i; k < j; k++) { px.push(x[k]); py.push(lo[k]); }
    for (let k = j - 1; k >= i; k--) { px.push(x[k]); py.push(hi[k]); }
    i = j;
  }
  return { x: px, y: py };
}

/**
 * The smoothed loss drawn under a range test's raw loss line `t` (the same run), or null: only in
 * the raw loss view of a range test.
 */
function smoothedUnder(p: PlotPayload, s: ViewState, t: Series): Series | null {
  if (p.kind !== "range_test" || s.metric !== "loss" || t.metric !== "loss") return null;
  return p.series.find((u) => u.metric === "smoothed_loss" && u.name === t.name && u.group === t.group && !u.param) ?? null;
}

/**
 * The floor a band is clipped to on a log axis: the smallest positive value the drawn lines and
 * band edges reach (the clipping then leaves the axis's range as it was); null when none.
 */
export function logBandFloor(series: readonly Series[]): number | null {
  let floor = Infinity;
  for (const t of series) {
    for (const arr of [t.mean, t.min ?? [], t.max ?? []]) for (const v of arr) if (v !== null && v > 0 && v < floor) floor = v;
  }
  return floor === Infinity ? null : floor;
}

/**
 * A band's edges on a log axis: a point whose minimum is <= 0 keeps its band, clipped at `floor`
 * (logBandFloor); dropping such points broke the band into floating slivers (a user's pass). A
 * point whose maximum is <= 0 is a gap. The static figures clip alike (kernel/src/plot/plotly.ts
 * bandEdges).
 */
export function bandEdges(lo: readonly (number | null)[], hi: readonly (number | null)[], floor: number | null): { lo: (number | null)[]; hi: (number | null)[] } {
  const top = hi.map((v, i) => (v !== null && v > 0 && lo[i] !== null ? v : null));
  const bottom = lo.map((v, i) => (top[i] === null || v === null ? null : v > 0 ? v : floor !== null && floor <= (top[i] as number) ? floor : null));
  return { lo: bottom, hi: bottom.map((v, i) => (v === null ? null : top[i])) };
}

/** The legend name of a range test's smoothed loss: "smoothed loss", after its run's name when there are several. */
function smoothedLabel(t: Series, p: PlotPayload): string {
  return new Set(p.series.map((u) => u.name)).size > 1 ? `${t.name} · smoothed loss` : "smoothed loss";
}

/**
 * A hover's number: four significant digits, as the payload keeps, in the notation of the axis
 * ticks (tickLabel): exponents below 1e−3 and from 1e5, with U+2212 minus signs. Plotly's own
 * `%{y:.4~g}` wrote "0.00007813" and "0.000005254" under an axis reading "7.8e−5" (a user's pass).
 */
export function hoverNumber(v: number, digits = 4): string {
  const r = Number(v.toPrecision(digits));
  return withMinus(r !== 0 && (Math.abs(r) < 1e-3 || Math.abs(r) >= 1e5) ? r.toExponential() : String(r));
}

/**
 * The hover's numbers of a line's points, parallel to its x: [x, y] as text (hoverNumber; a
 * step stays a whole number), read by hoverOf's template as `%{customdata[0]}` and
 * `%{customdata[1]}`. Numbers only: no payload string goes into a template.
 */
export function hoverData(x: readonly (number | null)[], y: readonly (number | null)[]): [string, string][] {
  const digits = hoverDigits(y);
  const text = (v: number | null | undefined, d = 4) => (v === null || v === undefined ? "" : Number.isInteger(v) && Math.abs(v) < 1e15 ? withMinus(String(v)) : hoverNumber(v, d));
  return x.map((v, i) => [text(v), text(y[i], digits)]);
}

/**
 * The significant digits a line's hovers need (4 to 7): more than four when two neighbouring
 * points that differ would read the same, as a slow schedule's steps do (ExponentialLR(γ =
 * 0.99999): 0.099999, 0.099998... all read 0.1 at four digits; the payload keeps seven for a set
 * metric, kernel/src/plot/downsample.ts SET_DIGITS).
 */
export function hoverDigits(y: readonly (number | null)[]): number {
  let digits = 4;
  for (let i = 1; i < y.length && digits < 7; i++) {
    const [a, b] = [y[i - 1], y[i]];
    if (a === null || b === null || a === b) continue;
    while (digits < 7 && a.toPrecision(digits) === b.toPrecision(digits)) digits++;
  }
  return digits;
}

/**
 * The hover of each point of a line whose points merge steps (payload `spans`): which steps it
 * averages ("mean of steps 175–177", or "step 0" for a point of one), and their min and max when
 * the line carries them. Null for a line of one step a point (plotly's own x+y hover says it).
 * Its x alone, a step in the middle of the merged ones, passed a mean for that step's value.
 */
export function hoverTexts(t: Series): string[] | null {
  const steps = pointSteps(t);
  if (!steps) return null;
  // A set metric's stairs (kernel/src/plot/downsample.ts stairs): a run of one value is a point
  // of all its steps but the last, then its last step, same value. That value held at every one
  // of them: "steps 0–30", not a mean.
  const set = ["lr", "momentum", "beta2", "weight_decay"].includes(t.metric);
  const held = (i: number, b: number) => set && i + 1 < steps.length && t.mean[i] !== null && t.mean[i + 1] === t.mean[i] && steps[i + 1][0] === b + 1;
  // An exact line (payload `exact`: a ramp as its ends) holds each point's value at its own step;
  // the steps up to the next point lie on the line drawn to it.
  return steps.map(([a, b], i) => {
    const what = a === b ? `step ${a}` : held(i, b) ? `steps ${a}–${b}` : set && t.exact && !t.min ? `step ${a}` : `mean of steps ${a}–${b}`;
    const lo = t.min?.[i], hi = t.max?.[i];
    // an element-wise rate's band is its q05–q95 spread, not the min and max of its median: a
    // point of one step has one too
    const quantiles = QUANTILE_BAND_METRICS.includes(t.metric);
    if ((a === b && !quantiles) || lo === undefined || lo === null || hi === undefined || hi === null) return what;
    return quantiles ? `${what} (q05–q95 band ${hoverNumber(lo)} to ${hoverNumber(hi)})` : `${what} (min ${hoverNumber(lo)}, max ${hoverNumber(hi)})`;
  });
}

/**
 * A metric's name in hovers: its label up to its formula ("projected lr" of "projected lr
 * −⟨Δ,g⟩/‖g‖²", "update ratio" of "update ratio ‖Δ‖/‖θ‖").
 */
export function hoverMetric(label: string): string {
  const cut = label.search(/ (?=[−‖(γ])/);
  return cut > 0 ? label.slice(0, cut) : label;
}

/**
 * The hover of a line's points, naming the axes: "step 12 · loss 2.054 · b128" (a merged point:
 * "mean of steps 175–177 · projected lr 0.05 · sgd"). The axis names and the metric come in
 * `meta`, the numbers as text in `customdata` (hoverData: the axis's notation, 7.813e−5 rather
 * than 0.00007813), and the line's name as plotly's `fullData.name`, so no payload string is read
 * as a template; `<extra></extra>` drops plotly's side box, which cut names to 15 characters
 * ("ReduceLROnPl...": a teacher's pass); layout.hoverlabel.namelength -1 keeps whole names
 * wherever plotly still shows one. `who` names the line instead of its legend name (meta[2]): a
 * reference line whose legend entry is shared ("configured lr" of every run) or says what it is
 * names its run, once ("step 38 · configured lr 0.01 · adam"); `after` follows the value (an
 * explanation of the metric's symbols).
 */
export function hoverOf(xLabel: string, metricLabel: string, merged: boolean, who?: string, after = ""): { hovertemplate: string; meta: string[] } {
  const at = merged ? "%{hovertext}" : "%{meta[0]} %{customdata[0]}";
  const name = who === undefined ? "%{fullData.name}" : "%{meta[2]}";
  const meta = [escapeText(xLabel), escapeText(hoverMetric(metricLabel))];
  if (who !== undefined) meta.push(escapeText(who));
  if (after) meta.push(escapeText(after));
  const tail = after ? ` %{meta[${meta.length - 1}]}` : "";
  return { hovertemplate: `${at} · %{meta[1]} %{customdata[1]}${tail} · ${name}<extra></extra>`, meta };
}

/**
 * The last point of a line drawn as steps ("hv": a scheduled lr, momentum) holds for its whole
 * step: the line ended on a bare vertical tick at its last step (ReduceLROnPlateau's last
 * reduction, OneCycleLR's final rate), so it goes on one step further, as a segment of its own
 * that the hover skips (there is no step after the last). Null for other lines.
 */
export function stepTail(t: Pick<Series, "metric" | "x" | "mean">): { x: number[]; y: number[] } | null {
  const n = t.x.length;
  if (n === 0 || lineShape(t) !== "hv") return null;
  const v = t.mean[n - 1];
  if (v === null) return null;
  return { x: [t.x[n - 1], t.x[n - 1] + 1], y: [v, v] };
}

/**
 * The hover numbers of a line (hoverData) whose points are one step each (no hovertext), with
 * their element spread when it is a quantile band: "0.53 (q05–q95 band −12 to 40)". The hover
 * said only the median, while the band drawn around it went from −60 to 60 (a tester's pass).
 */
export function bandHoverData(t: Series): [string, string][] {
  const cd = hoverData(t.x, t.mean);
  if (!t.min || !t.max || !QUANTILE_BAND_METRICS.includes(t.metric)) return cd;
  return cd.map(([x, y], i) => {
    const lo = t.min![i], hi = t.max![i];
    return lo === null || hi === null || y === "" ? [x, y] : [x, `${y} (q05–q95 band ${hoverNumber(lo)} to ${hoverNumber(hi)})`];
  });
}

function seriesTraces(t: Series, label: string, colour: string, group: string, band: boolean, logY: boolean, floor: number | null, hover: { xLabel: string; metric: string }, cut?: [number, number]): { traces: PlotlyTrace[]; roles: TraceRole[] } {
  // (the hovers say the band's own numbers, not its cut: the drawn band is cut to a note's range)
  const uncut = t;
  const traces: PlotlyTrace[] = [];
  const roles: TraceRole[] = [];
  const ys = (v: (number | null)[]) => (logY ? forLogAxis(v) : v);
  if (band && t.min && t.max && cut && !logY) {
    // a linear axis cuts the band to a note's band_range (bandRange): its note says so
    const clamp = (vs: (number | null)[]) => vs.map((v) => (v === null ? null : Math.min(Math.max(v, cut[0]), cut[1])));
    t = { ...t, min: clamp(t.min), max: clamp(t.max) };
  }
  if (band && t.min && t.max) {
    // A band point needs both edges: where one is missing (or the maximum not drawable on a log
    // axis), the other is dropped too; a minimum <= 0 on a log axis is clipped (bandEdges). The
    // band is drawn as closed shapes, one per run of points with both edges ("toself" closes
    // each null-separated segment): plotly's "tonexty" would fill across the gaps towards the
    // next run.
    const edges = logY ? bandEdges(t.min, t.max, floor) : { lo: t.min, hi: t.max };
    const lo = edges.lo, hi = edges.hi;
    const both = lo.map((v, i) => v !== null && hi[i] !== null);
    const maxY = hi.map((v, i) => (both[i] ? v : null));
    const shape = bandPolygon(t.x, lo, hi);
    traces.push({
      type: "scatter", mode: "lines", name: `${label} max`, x: t.x, y: maxY, connectgaps: false,
      line: { width: 0, color: colour }, showlegend: false, hoverinfo: "skip", legendgroup: group, uid: `${group}-max`,
    });
    traces.push({
      type: "scatter", mode: "lines", name: `${label} min`, x: shape.x, y: shape.y, connectgaps: false,
      line: { width: 0, color: colour }, fill: "toself", fillcolor: withAlpha(colour, 0.2),
      showlegend: false, hoverinfo: "skip", legendgroup: group, uid: `${group}-min`,
    });
    roles.push("band-max", "band-min");
  }
  const texts = hoverTexts(uncut);
  // a schedule preview among runs, dashed (drawn over them: buildFigureWithRoles), so that a run
  // it agrees with stays visible under it (the kernel's pictures draw it so: kernel/src/plot/plotly.ts)
  const dashed = t.preview ? { dash: "dash" } : {};
  traces.push({
    type: "scatter", mode: t.x.length === 1 ? "lines+markers" : "lines", name: label, x: t.x, y: ys(t.mean),
    connectgaps: false, line: { width: 2, color: colour, shape: lineShape(t), ...dashed }, legendgroup: group, uid: `${group}-mean`,
    ...(texts ? { hovertext: texts } : {}), customdata: texts ? hoverData(t.x, t.mean) : bandHoverData(uncut), ...hoverOf(hover.xLabel, hover.metric, texts !== null),
  });
  roles.push("line");
  const tail = stepTail(t);
  if (tail && (!logY || tail.y[0] > 0)) {
    traces.push({
      type: "scatter", mode: "lines", name: label, x: tail.x, y: tail.y, connectgaps: false, line: { width: 2, color: colour, ...dashed },
      showlegend: false, hoverinfo: "skip", legendgroup: group, uid: `${group}-tail`,
    });
    roles.push("tail");
  }
  return { traces, roles };
}

/**
 * A suggestion's method ("steepest", "valley", "minimum/10"): its label's first word; the
 * recommended one's says so ("valley (recommended)"), as the text output does.
 */
export function suggestionName(m: Marker): string {
  const name = m.label.split(" ")[0] || m.label;
  return m.recommended ? `${name} (recommended)` : name;
}

/** A suggestion's hover: its label (method and rate), whether it is the recommended one, and the smoothed loss it sits at. */
export function suggestionHover(m: Marker, y: number): string {
  return `suggested lr, ${m.label}${m.recommended ? ", recommended" : ""} (found on the smoothed loss, ${Number(y.toPrecision(4))} here)`;
}

/** The legend entry of a range test's suggestions: they are found on the smoothed loss, not the raw one. */
export function suggestionsName(names: readonly string[]): string {
  return `suggested lr (on the smoothed loss): ${names.join(", ")}`;
}

/** Where a suggestion's label may go, around its star, in order of preference. */
export const LABEL_POSITIONS = ["top center", "bottom center", "top right", "bottom right", "top left", "bottom left", "middle right", "middle left"] as const;

/**
 * Label positions for stars at (fx, fy), fractions of the plot's width and height, whose labels
 * are `texts`: each label takes the first position of LABEL_POSITIONS whose box (about 6.5 px a
 * character, 14 px high, on a plot of `width` × `height` px) overlaps no label placed before it
 * and no star, in order of rate. Alternating above and below was not enough: three stars within
 * a few pixels (steepest, valley, minimum/10 of one sweep) printed "minimum/10" over "steepest"
 * (a teacher's pass). When every position collides the one overlapping least is taken.
 */
export function labelPositions(fx: readonly number[], fy: readonly number[], texts: readonly string[], width = 900, height = 290, curves: readonly (readonly [number, number][])[] = []): string[] {
  type Box = [number, number, number, number];
  const stars: Box[] = fx.map((x, i) => [x * width - 7, (1 - fy[i]) * height - 7, x * width + 7, (1 - fy[i]) * height + 7]);
  const boxOf = (i: number, pos: string): Box => {
    const w = 6.5 * texts[i].length, h = 14;
    const cx = fx[i] * width, cy = (1 - fy[i]) * height;
    const [v, hz] = pos.split(" ");
    const x0 = hz === "center" ? cx - w / 2 : hz === "right" ? cx + 8 : cx - 8 - w;
    const y0 = v === "top" ? cy - 9 - h : v === "bottom" ? cy + 9 : cy - h / 2;
    return [x0, y0, x0 + w, y0 + h];
  };
  const overlap = (a: Box, b: Box) => Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])) * Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  // The curves drawn (the loss lines, fractions of the plot), sampled every 2 px: a label over
  // one is as bad as over a star ("minimum/10" printed over the loss line: a user's pass).
  const samples: [number, number][] = [];
  for (const c of curves) {
    for (let k = 1; k < c.length; k++) {
      const [ax, ay, bx, by] = [c[k - 1][0] * width, (1 - c[k - 1][1]) * height, c[k][0] * width, (1 - c[k][1]) * height];
      const steps = Math.min(400, Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay) / 2)));
      for (let j = 0; j <= steps; j++) samples.push([ax + ((bx - ax) * j) / steps, ay + ((by - ay) * j) / steps]);
    }
  }
  const onCurves = (b: Box) => {
    let n = 0;
    for (const [x, y] of samples) if (x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3]) n++;
    return n * 28;
  };
  const out: string[] = new Array(texts.length).fill("top center");
  const placed: Box[] = [];
  const order = fx.map((x, i) => ({ x, i })).sort((a, b) => a.x - b.x).map((e) => e.i);
  for (const i of order) {
    let best: string = LABEL_POSITIONS[0], least = Infinity;
    for (const pos of LABEL_POSITIONS) {
      const box = boxOf(i, pos);
      const hit = [...placed, ...stars.filter((_, j) => j !== i)].reduce((a, b) => a + overlap(box, b), 0) + onCurves(box);
      if (hit < least) [best, least] = [pos, hit];
      if (hit === 0) break;
    }
    out[i] = best;
    placed.push(boxOf(i, best));
  }
  return out;
}

function markerTrace(kind: Marker["kind"], ms: Marker[], p: PlotPayload, s: ViewState, theme: Theme): PlotlyTrace | null {
  const logY = isLogY(s, p);
  // the recommended suggestion first: the legend draws its swatch from the first point
  const ordered = [...ms.filter((m) => m.recommended), ...ms.filter((m) => !m.recommended)];
  const placed = ordered.map((m) => ({ m, y: markerY(m, p, s) })).filter((e) => e.y !== null && !(logY && e.y <= 0));
  if (placed.length === 0) return null;
  const divergence = kind === "divergence";
  // Suggestions are named on the plot ("valley" beside its star) and in the legend: three stars
  // under one "suggested" entry did not say which was the steepest, the valley or minimum/10.
  const names = placed.map((e) => suggestionName(e.m));
  // (a range test's marker where its loss left the scale, before the rate it diverged at, is
  // named so: "diverged" at 1.385 beside "stopped: loss diverged at lr 1.556" named two rates
  // for one event, a user's pass; kernel/src/trace/find.ts)
  const name = !divergence ? suggestionsName([...new Set(names)].map(escapeText))
    : placed.every((e) => e.m.label.startsWith("loss off the scale")) ? "loss off the scale" : "diverged";
  if (s.hiddenMarkers.includes(kind)) {
    // switched off in the legend: its entry stays, greyed, to click it back on
    return { type: "scatter", mode: "markers", name, uid: kind, x: [null], y: [null], visible: "legendonly", hoverinfo: "skip",
      marker: divergence ? { symbol: "x", size: 13, color: theme.danger } : { symbol: "star", size: 14, color: theme.palette[2] } };
  }
  // Labels go where they overlap no other label nor star (labelPositions), in the fractions of
  // the axes the stars sit at (the x range of the data, the y range fitted to the lines).
  // (and off the lines drawn: the curves' points in the same fractions)
  const curves = divergence ? [] : visibleSeries(p, s).map((t) => t.x.flatMap((x, i) => (t.mean[i] === null || (logY && (t.mean[i] as number) <= 0) ? [] : [[x, t.mean[i] as number] as [number, number]])));
  const stars = placed.map((e) => [e.m.x, e.y as number] as [number, number]);
  const [fxAll, fyAll] = divergence ? [[], []] : starFractions([...stars, ...curves.flat()], p, s, logY);
  const curveFractions: [number, number][][] = [];
  let at = stars.length;
  for (const c of curves) {
    curveFractions.push(c.map((_, k) => [fxAll[at + k], fyAll[at + k]] as [number, number]));
    at += c.length;
  }
  const position = divergence ? [] : labelPositions(fxAll.slice(0, stars.length), fyAll.slice(0, stars.length), names, 900, 290, curveFractions);
  return {
    type: "scatter", mode: divergence ? "markers" : "markers+text", name, uid: kind,
    x: placed.map((e) => e.m.x), y: placed.map((e) => e.y),
    hovertext: placed.map((e) => escapeText(divergence ? e.m.label : suggestionHover(e.m, e.y as number))), hoverinfo: "text",
    ...(divergence ? {} : { text: names.map(escapeText), textposition: position, textfont: { color: theme.font, size: 11 } }),
    marker: divergence
      ? { symbol: "x", size: 13, color: theme.danger, line: { width: 2, color: theme.danger } }
      : suggestionMarker(placed.map((e) => e.m), theme),
  };
}

/**
 * The suggestions' stars: the recommended one (Marker.recommended) larger and filled, the others
 * open (an open symbol is stroked in the marker's colour), so that the picture says which rate
 * the text recommends. A payload that flags none (one from before the flag) keeps its filled stars.
 */
function suggestionMarker(ms: readonly Marker[], theme: Theme): Record<string, unknown> {
  if (!ms.some((m) => m.recommended)) return { symbol: "star", size: 14, color: theme.palette[2], line: { width: 1, color: theme.font } };
  return {
    symbol: ms.map((m) => (m.recommended ? "star" : "star-open")), size: ms.map((m) => (m.recommended ? 18 : 13)),
    color: theme.palette[2], line: { width: ms.map((m) => (m.recommended ? 1 : 1.5)), color: theme.font },
  };
}

/** Where stars at `xy` sit, as fractions of the x range of the data and of the y range of the view's lines. */
function starFractions(xy: [number, number][], p: PlotPayload, s: ViewState, logY: boolean): [number[], number[]] {
  const fx = (v: number) => (p.x_log ? Math.log10(Math.max(v, 1e-300)) : v);
  const fy = (v: number) => (logY ? Math.log10(Math.max(v, 1e-300)) : v);
  const [x0, x1] = xExtent(p).map(fx);
  let y0 = Infinity, y1 = -Infinity;
  for (const t of visibleSeries(p, s)) for (const v of t.mean) if (v !== null && (!logY || v > 0)) [y0, y1] = [Math.min(y0, fy(v)), Math.max(y1, fy(v))];
  for (const [, y] of xy) [y0, y1] = [Math.min(y0, fy(y)), Math.max(y1, fy(y))];
  const frac = (v: number, a: number, b: number) => (b > a ? (v - a) / (b - a) : 0.5);
  return [xy.map(([x]) => frac(fx(x), x0, x1)), xy.map(([, y]) => frac(fy(y), y0, y1))];
}

/**
 * The steady-state reference lines drawn on the view of `s.metric` (payload Series.reference_for:
 * SGD momentum's γ(1−τ)/(1−μ) on the projected-lr view), dashed, in their line's colour and
 * legend group, so a student sees the rate momentum would reach under a constant gradient beside
 * the one measured (a teacher's pass). Lines switched off keep theirs off.
 */
function referenceTraces(p: PlotPayload, s: ViewState, logY: boolean, slotOf: Map<Series, number>, lines: Map<string, number>, theme: Theme): PlotlyTrace[] {
  const out: PlotlyTrace[] = [];
  const refs = p.series.filter((t) => t.reference_for === s.metric && !t.param && !isHidden(s, t));
  const own = (t: Series) => p.series.some((u) => u.metric === s.metric && lineKey(u) === lineKey(t));
  for (const t of refs) {
    if (!own(t)) continue;
    const label = p.metrics.find((m) => m.key === t.metric)?.label ?? t.metric;
    const slot = slotOf.get(t) ?? 0;
    const group = `line${lines.get(lineKey(t)) ?? 0}`;
    const name = `${escapeText(seriesLabel(t, p))} · ${escapeText(label.replace(/^momentum /, ""))}`;
    out.push({
      type: "scatter", mode: "lines", name, x: t.x, y: logY ? forLogAxis(t.mean) : t.mean, connectgaps: false,
      line: { width: 1.5, color: theme.palette[slot % theme.palette.length], dash: "dash" }, legendgroup: group, showlegend: true,
      uid: `${group}-reference`, customdata: hoverData(t.x, t.mean), ...hoverOf(p.x_label, label, false, seriesLabel(t, p), symbolsOf(t.metric)),
    });
  }
  return out;
}

/**
 * The views on which the configured (scheduled) lr is drawn too, as a reference: the measured
 * rates that equal it for plain SGD (projected, realized, element-wise) and the momentum
 * steady state γ(1−τ)/(1−μ), which it scales. The static picture's first panel draws `lr` with
 * the projected rate (kernel/src/plot/figure.ts panelsFor); in JupyterLab the single-choice
 * metric menu never showed "what I set" beside "what the optimizer did" (a teacher's pass), and
 * the companion notebooks' text reads the configured lr as "the flat line". Not on the per-sample
 * rate (lr/B, a factor B below: it would only squeeze it) nor on Adam's preconditioned factor.
 */
export const CONFIGURED_REFERENCE_VIEWS: readonly string[] = ["lr_projected", "lr_realized", "lr_elementwise", "lr_momentum_steady"];

/** The legend group and uid prefix of the configured-lr reference lines (one legend entry for all). */
export const CONFIGURED_GROUP = "configured-lr";

/**
 * The configured lr of each drawn line on a rate view (CONFIGURED_REFERENCE_VIEWS), thin and
 * dotted in its line's colour (several runs keep their colours), under one legend entry,
 * "configured lr": a click on it shows or hides them all (plotly's own legend toggle, kept across
 * redraws by uirevision and the stable uid; renderer.ts lets it through). Lines switched off keep
 * theirs off. Drawn as the lr view draws it (lineShape: true steps while each point is one step).
 */
function configuredTraces(p: PlotPayload, s: ViewState, logY: boolean, slotOf: Map<Series, number>, lines: Map<string, number>, theme: Theme): PlotlyTrace[] {
  if (p.kind !== "trace" && p.kind !== "compare") return [];
  if (!CONFIGURED_REFERENCE_VIEWS.includes(s.metric)) return [];
  const drawn = new Set(visibleSeries(p, s).map(lineKey));
  // our own name, whatever the payload labels its lr ("lr" in older payloads)
  const label = "configured lr";
  const out: PlotlyTrace[] = [];
  for (const t of p.series) {
    if (t.metric !== "lr" || t.param || !drawn.has(lineKey(t))) continue;
    const slot = slotOf.get(t) ?? 0;
    const index = lines.get(lineKey(t)) ?? 0;
    // Without the step tail the lr view draws (stepTail): here it is a reference for the measured
    // line, which has no value past the last step, and the tail stretched these views' x axis a
    // step past their data (steps 0–20 for a projected lr ending at 19, an empty strip), while
    // the other measured metrics' views ended at 19: the axis jumped between metrics.
    const { x, mean: y } = t;
    out.push({
      type: "scatter", mode: "lines", name: escapeText(label), x, y: logY ? forLogAxis(y) : y, connectgaps: false,
      line: { width: 1.2, color: withAlpha(theme.palette[slot % theme.palette.length], 0.75), dash: "dot", shape: lineShape(t) },
      legendgroup: CONFIGURED_GROUP, showlegend: out.length === 0, uid: `${CONFIGURED_GROUP}-${index}`,
      // its value is in the hover of the measured line it is drawn under (withConfiguredHover):
      // lying on that line (plain SGD), it took the hover from it (a user's pass)
      hoverinfo: "skip",
    });
  }
  // Lines of several colours (runs, groups) under an entry drawn in the first one's: the other
  // dotted lines read as unexplained (a user's pass: sgdm's orange dotted line beside an entry in
  // adam's blue). The entry is then a swatch of its own, in the muted text colour, naming them all;
  // a click on it still toggles the whole legend group.
  if (new Set(out.map((t) => (t.line as { color: string }).color)).size > 1) {
    for (const t of out) t.showlegend = false;
    out.push({
      type: "scatter", mode: "lines", name: escapeText(label), x: [null], y: [null], connectgaps: false,
      line: { width: 1.2, color: theme.fontMuted, dash: "dot" },
      legendgroup: CONFIGURED_GROUP, showlegend: true, uid: CONFIGURED_LEGEND, hoverinfo: "skip",
    });
  }
  return out;
}

/** The uid of the configured lr's own legend entry, over lines of several colours (configuredTraces). */
export const CONFIGURED_LEGEND = `${CONFIGURED_GROUP}-legend`;

/**
 * The configured lr of line `lr` at step `x`, when the payload says it: a point of its own, a
 * step on the straight line between two points of an exact line (payload `exact`), a step of a
 * held value (two points of one value), the step after the last (stepTail). Null otherwise (a
 * point between two means of merged steps).
 */
export function configuredAt(lr: Pick<Series, "x" | "mean" | "exact">, x: number): number | null {
  const n = lr.x.length;
  if (n === 0 || x < lr.x[0]) return null;
  if (x >= lr.x[n - 1]) return x <= lr.x[n - 1] + 1 ? lr.mean[n - 1] : null;
  let lo = 0, hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (lr.x[mid] <= x) lo = mid;
    else hi = mid;
  }
  const [a, b] = [lr.mean[lo], lr.mean[hi]];
  if (lr.x[lo] === x) return a;
  if (a === null || b === null) return null;
  if (a === b) return a;
  return lr.exact ? a + ((b - a) * (x - lr.x[lo])) / (lr.x[hi] - lr.x[lo]) : null;
}

/**
 * A measured line's hover with the configured lr drawn under it (configuredTraces), "step 38 ·
 * projected lr 0.0098 · configured 0.01 · sgd": the configured line's own hover is skipped, so
 * the hover stays on the measured line (plotly's closest point was often the configured line's,
 * under it). Its text in customdata[2] (numbers only, no payload string).
 */
export function withConfiguredHover(trace: PlotlyTrace, t: Series, lr: Series): PlotlyTrace {
  const cd = trace.customdata as [string, string][] | undefined;
  const tpl = trace.hovertemplate as string | undefined;
  if (!cd || !tpl || !tpl.includes("%{customdata[1]}")) return trace;
  const digits = hoverDigits(lr.mean);
  const extra = t.x.map((x) => {
    const v = configuredAt(lr, x);
    return v === null ? "" : ` · configured ${hoverNumber(v, digits)}`;
  });
  return { ...trace, customdata: cd.map((c, i) => [c[0], c[1], extra[i]]), hovertemplate: tpl.replace("%{customdata[1]}", "%{customdata[1]}%{customdata[2]}") };
}

/** The payload's notes (payload.notes) over the view of `s.metric`, when one of its lines is drawn. */
export function payloadNotes(p: PlotPayload, s: ViewState): string[] {
  if (visibleSeries(p, s).length === 0) return [];
  return (p.notes ?? []).filter((n) => n.metrics.includes(s.metric)).map((n) => n.text);
}

/** The range a note cuts the bands of `metric` to on a linear axis (payload note band_range), if any. */
export function bandRange(p: PlotPayload, metric: string): [number, number] | undefined {
  return (p.notes ?? []).find((n) => n.metrics.includes(metric) && n.band_range)?.band_range;
}

/** A note's text in lines of about 6.2 px a character (11 px) that fit a plot `width` px wide (900 when unknown). */
export function wrapNote(text: string, width?: number): string[] {
  const limit = Math.max(40, Math.floor(((width && width > 0 ? width : 900) - 40) / 6.2));
  const lines: string[] = [];
  for (const word of text.split(" ")) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= limit) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

/**
 * Reference lines take part in the y range only within this factor of the measured lines' own
 * magnitude (fitWithReferences): the measured lines keep at least about half of the axis. (At 3,
 * a measured rate reaching 0.18 still shared its axis with a steady state of 0.5, in 40% of it.)
 */
export const REFERENCE_FACTOR = 2;

/**
 * The y range of a view with reference lines (the configured lr, momentum's steady state).
 * A reference is fitted when it is of the measured lines' magnitude: on a linear axis, when its
 * largest |value| is within REFERENCE_FACTOR of theirs; on a log axis, within that factor of
 * their smallest and largest values. Plotly's autorange spanned them all,
 * while Adam's configured 0.01 beside its projected 0.0056 is the comparison a student is meant
 * to read (notebook 02: "the configured lr as the flat line"). Magnitudes rather than shares of
 * the axis: a measured line that barely varies (Adam's first steps) would leave no room for any
 * reference by share. A log axis is no way out of the squeeze: a reference a decade away still
 * takes half of it. A reference left off the axis is named in `off` with its values.
 * On a linear axis a steady-state line (role "reference") follows the static picture's rule
 * instead (clipped_reference.ts, the kernel's withClippedReferences), so that JupyterLab shows
 * what the saved picture shows: one that rises over the other lines' top (the measured rates and
 * the configured lr fitted) by more than REFERENCE_OVERSHOOT of their range is cut at the top
 * (SGD momentum 0.9's steady state, ten times its lr, squeezed the projected rate into the bottom
 * fifth: a teacher's pass), the axis is theirs, and `cutTop` (its highest value) gives cutNote's
 * note; one that does not is drawn whole. (The kernel draws a log panel's references whole; here
 * the magnitude rule above still holds on a log view, a user's finding of its own.) `log y`, or
 * switching a line off, shows what is cut. `references`: whether a reference line is drawn (the
 * range is then always set: plotly's autorange would span every trace).
 */
function fitWithReferences(data: PlotlyTrace[], roles: TraceRole[], xrange: [number, number], logY: boolean): { fit: ReturnType<typeof fitY>; references: boolean; off: string[]; cutTop: number | null } {
  const isRef = (r: TraceRole) => r === "reference" || r === "configured";
  const refs = data.filter((_, i) => isRef(roles[i]));
  if (refs.length === 0) return { fit: fitY(data, xrange, logY), references: false, off: [], cutTop: null };
  const kept = data.filter((_, i) => !isRef(roles[i]));
  const measured = yExtent(kept.filter((t) => t.x.length > 0), xrange, logY);
  if (!measured) return { fit: fitY(data, xrange, logY), references: true, off: [], cutTop: null };
  const magnitude = Math.max(Math.abs(measured[0]), Math.abs(measured[1]));
  const near = ([lo, hi]: [number, number]) => logY
    ? lo >= measured[0] / REFERENCE_FACTOR && hi <= measured[1] * REFERENCE_FACTOR
    : Math.max(Math.abs(lo), Math.abs(hi)) <= magnitude * REFERENCE_FACTOR;
  // each kind of reference (its legend name's last part) drawn into the range, or named in a note
  const kinds = new Map<string, PlotlyTrace[]>();
  const steady = new Map<string, PlotlyTrace[]>();
  refs.forEach((t) => {
    const kind = t.name.split(" · ").pop() as string;
    // (on a log axis the steady state keeps the magnitude rule too: see above)
    const into = roles[data.indexOf(t)] === "reference" && !logY ? steady : kinds;
    into.set(kind, [...(into.get(kind) ?? []), t]);
  });
  const off: string[] = [];
  for (const [kind, traces] of kinds) {
    const ext = yExtent(traces, xrange, logY);
    if (!ext) continue;
    if (near(ext)) {
      kept.push(...traces);
      continue;
    }
    // the side where it leaves the measured lines' range (both: its whole span)
    const above = logY ? ext[1] > measured[1] * REFERENCE_FACTOR : ext[1] > magnitude * REFERENCE_FACTOR;
    const below = logY ? ext[0] < measured[0] / REFERENCE_FACTOR : ext[0] < -magnitude * REFERENCE_FACTOR;
    const [lo, hi] = ext.map((v) => hoverNumber(v));
    // (its symbols said: "μ the momentum, τ the dampening" beside γ(1−τ)/(1−μ): a user's pass)
    const symbols = kind.includes("(1−μ)") ? ` ${symbolsOf("lr_momentum_steady")}` : "";
    off.push(above && below ? `${kind} (${lo} to ${hi})${symbols}` : above ? `${kind} (up to ${hi})${symbols}` : `${kind} (down to ${lo})${symbols}`);
  }
  const traces = [...steady.values()].flat();
  const ext = yExtent(traces, xrange, logY);
  // the lines the steady state is read against: the measured rates and the configured lr kept
  const lines = yExtent(kept.filter((t) => t.x.length > 0), xrange, logY);
  const range = !logY && ext && lines ? clippedRange(lines, ext) : null;
  if (!range || !ext) return { fit: fitY([...kept, ...traces], xrange, logY), references: true, off, cutTop: null };
  return { fit: { range, widened: false }, references: true, off, cutTop: ext[1] };
}

/**
 * The note over a view whose steady-state lines are cut at `top` (fitWithReferences), naming them
 * by their metric's label as their legend entries do, unescaped (the notes are escaped once,
 * where they are drawn), and what their symbols mean ("μ the momentum, τ the dampening": a
 * user's pass).
 */
function cutNote(p: PlotPayload, s: ViewState, top: number): string {
  const metrics = [...new Set(p.series.filter((t) => t.reference_for === s.metric && !t.param).map((t) => t.metric))];
  const names = metrics.map((m) => (p.metrics.find((x) => x.key === m)?.label ?? m).replace(/^momentum /, ""));
  const symbols = metrics.map(symbolsOf).filter(Boolean).join(" ");
  return clippedNote(names, hoverNumber(top), symbols);
}

/**
 * The note of a log axis: line points <= 0 it cannot show, and band points whose minimum is
 * <= 0, cut at the axis (bandEdges), over the lines drawn. Null when there are none.
 */
export function logAxisNote(p: PlotPayload, s: ViewState, band: boolean): string | null {
  const shown = visibleSeries(p, s);
  const hidden = nonPositive(p, s.metric, (t) => shown.includes(t));
  let cut = 0;
  if (band) for (const t of shown) if (t.min) t.min.forEach((v, i) => { if (v !== null && v <= 0 && t.max?.[i] !== null && (t.max?.[i] as number) > 0) cut++; });
  const parts: string[] = [];
  if (hidden > 0) parts.push(`${hidden} point${hidden === 1 ? "" : "s"} ≤ 0 not shown on a log axis`);
  if (cut > 0) {
    const what = QUANTILE_BAND_METRICS.includes(s.metric) ? "q05" : "minimum";
    parts.push(`band cut at the axis where its ${what} is ≤ 0 (${cut} point${cut === 1 ? "" : "s"})`);
  }
  if (parts.length === 0) return null;
  // The rule would open this view on a linear axis; the live run keeps the log one it showed
  // (state.ts holdLiveAxis): said, so that the points left off are not a mystery.
  if (heldLiveLog(s, p)) parts.push("log kept while live (untick log y for linear)");
  return parts.join("; ");
}

/** Builds the figure and the role of each trace (same order as `data`). */
export function buildFigureWithRoles(p: PlotPayload, s: ViewState, theme: Theme, width?: number): Figure & { roles: TraceRole[] } {
  const slots = colourSlots(p);
  const slotOf = new Map(p.series.map((t, i) => [t, slots[i]]));
  const lines = lineIndex(p);
  const data: PlotlyTrace[] = [];
  const roles: TraceRole[] = [];
  const logY = isLogY(s, p);
  const floor = logY ? logBandFloor(visibleSeries(p, s)) : null;
  // a preview's lines last: over the runs' lines (seriesTraces draws them dashed)
  const ordered = seriesFor(p, s);
  for (const t of [...ordered.filter((u) => !u.preview), ...ordered.filter((u) => u.preview)]) {
    const slot = slotOf.get(t) ?? 0;
    const label = escapeText(seriesLabel(t, p));
    const colour = theme.palette[slot % theme.palette.length];
    // The legend group is an index, not the name: no payload text goes where it is not escaped.
    const group = `line${lines.get(lineKey(t)) ?? 0}`;
    if (isHidden(s, t)) {
      // Switched off (legend or toolbar): its entry stays in the legend, greyed, to click it back on.
      data.push({
        type: "scatter", mode: "lines", name: label, x: [null], y: [null], visible: "legendonly",
        line: { width: 2, color: colour }, hoverinfo: "skip", legendgroup: group, uid: `${group}-mean`,
      });
      roles.push("hidden");
      continue;
    }
    const out = seriesTraces(t, label, colour, group, s.band, logY, floor, { xLabel: p.x_label, metric: p.metrics.find((m) => m.key === s.metric)?.label ?? s.metric }, bandRange(p, s.metric));
    // the configured lr drawn under it says its value in this line's hover (configuredTraces)
    const lr = (p.kind === "trace" || p.kind === "compare") && CONFIGURED_REFERENCE_VIEWS.includes(s.metric) && !t.param
      ? p.series.find((u) => u.metric === "lr" && !u.param && lineKey(u) === lineKey(t)) : undefined;
    if (lr) out.traces = out.traces.map((tr, i) => (out.roles[i] === "line" ? withConfiguredHover(tr, t, lr) : tr));
    data.push(...out.traces);
    roles.push(...out.roles);
    const smoothed = smoothedUnder(p, s, t);
    if (smoothed) {
      // A range test's raw losses (its default view) with the smoothed loss its suggestions are
      // computed on, dashed, in the run's colour and legend entry: the suggestion markers sit on
      // it, as in the static figure's loss panel, not in the air beside the raw batches.
      data.push({
        // Its own legend entry, "smoothed loss": the dashed line was otherwise unexplained. A
        // click on it toggles the run, as its raw loss's entry does (same legend group).
        type: "scatter", mode: "lines", name: escapeText(smoothedLabel(smoothed, p)), x: smoothed.x, y: logY ? forLogAxis(smoothed.mean) : smoothed.mean,
        connectgaps: false, line: { width: 2, color: colour, dash: "dash" }, customdata: hoverData(smoothed.x, smoothed.mean), ...hoverOf(p.x_label, "smoothed loss", false), legendgroup: group, showlegend: true,
        uid: `${group}-smoothed`,
      });
      roles.push("smoothed");
    }
  }
  for (const r of referenceTraces(p, s, logY, slotOf, lines, theme)) {
    data.push(r);
    roles.push("reference");
  }
  for (const r of configuredTraces(p, s, logY, slotOf, lines, theme)) {
    data.push(r);
    roles.push(r.uid === CONFIGURED_LEGEND ? "configured-legend" : "configured");
  }
  const markers = visibleMarkers(p, s);
  for (const kind of ["divergence", "suggestion"] as const) {
    const tr = markerTrace(kind, markers.filter((m) => m.kind === kind), p, s, theme);
    if (tr) {
      data.push(tr);
      roles.push(kind);
    }
  }
  if (roles.includes("band-min")) {
    data.push(bandLegend(s.metric, theme));
    roles.push("band-legend");
  }
  // the drawn step range, resolved once (an empty end: the data's end) for the layout and the y fit
  const xrange = xRangeOf(s, p);
  const layout = buildLayout(p, s, theme, markers, xrange);
  if (titleUnderModebar(p, s, width)) {
    // a row of its own, under the modebar's (its buttons sit in the top 30 px)
    layout.title = { ...(layout.title as Record<string, unknown>), yref: "container", y: 1, yanchor: "top", pad: { t: 32 } };
    layout.margin = { ...(layout.margin as Record<string, unknown>), t: 66 };
    layout.height = FIGURE_HEIGHT + 26;
  }
  const y = layout.yaxis as Record<string, unknown>;
  const fitted = fitWithReferences(data, roles, xrange ?? [-Infinity, Infinity], logY);
  const fit = fitted.fit;
  if (fit && (xrange || fit.widened || fitted.references)) {
    // Plotly's autorange spans all the data, not what is in the zoomed step range; and it fits a
    // constant line to a hair's width, drawing the payload's 4-digit rounding as a sawtooth (on
    // a log axis it spans two decades instead, where the ticks below, chosen for the fitted
    // range, fell on top of each other).
    y.range = fit.range;
    y.autorange = false;
  }
  if (logY && fit) {
    // Over less than about four decades (at this height) plotly labels a log axis by bare digits
    // ("5" for 0.05, every digit of each decade); explicit ticks carry their magnitude. Over more,
    // plotly's own labels mixed notations on one axis ("1e−4, 1e−3, 0.01, 0.1": a user's pass):
    // explicit decades (every k-th, at most WIDE_LOG_TICKS), in one notation (tickLabels).
    const ticks = fit.range[1] - fit.range[0] < 5 ? logTicks(fit.range[0], fit.range[1]) : decadeTicks(fit.range[0], fit.range[1]);
    y.tickmode = "array";
    y.tickvals = ticks;
    y.ticktext = tickLabels(ticks);
  }
  const note = logY ? logAxisNote(p, s, s.band) : null;
  if (note) {
    // Said, not silent: a log axis drops these points (a converged run's zeros, a sign flip), and
    // cuts a band that reaches them (it fell to the axis floor, 1.7e-9, as if the rate had).
    layout.annotations = [{
      text: note,
      xref: "paper", yref: "paper", x: 1, y: 1, xanchor: "right", yanchor: "bottom", showarrow: false,
      font: { color: theme.fontMuted, size: 11 },
    }];
  }
  // (with a steady-state line cut at the top, the static picture's note over its panel: cutNote)
  const notes = [...payloadNotes(p, s), ...(fitted.cutTop === null ? [] : [cutNote(p, s, fitted.cutTop)])];
  if (notes.length > 0) {
    // Said, not silent: why a measured rate reads what it does (kernel/src/plot/notes.ts: plain
    // SGD's updates rounding away in float32; an element-wise band whose top is elements of
    // near-zero gradient), in lines over the plot, above the axis notes; the top margin grows.
    const lines = wrapNote(notes.join(" · "), width);
    // (and the title keeps the top of the figure: plotly centres it in the top margin, which put
    // it over the note's first line in chromium, userpass16b)
    const grow = 14 * lines.length + 10;
    layout.margin = { ...(layout.margin as Record<string, unknown>), t: ((layout.margin as { t: number }).t) + grow };
    layout.height = (layout.height as number) + grow;
    // (a title under the modebar keeps its row: titleUnderModebar's pad, not the top's 10 px)
    const under = ((layout.title as { pad?: { t?: number } }).pad?.t ?? 0);
    layout.title = { ...(layout.title as Record<string, unknown>), yref: "container", y: 1, yanchor: "top", pad: { t: Math.max(10, under) } };
    layout.annotations = [...((layout.annotations as unknown[]) ?? []), {
      text: lines.map(escapeText).join("<br>"), align: "left",
      xref: "paper", yref: "paper", x: 0, y: 1, xanchor: "left", yanchor: "bottom", yshift: 16, showarrow: false,
      font: { color: theme.fontMuted, size: 11 },
    }];
  }
  if (fitted.off.length > 0) {
    // Said, not silent: a configured lr the axis was not fitted to (fitWithReferences), which
    // runs beyond it: "beyond the axis: configured lr (down to 7.9e−5)".
    layout.annotations = [...((layout.annotations as unknown[]) ?? []), {
      // (the kinds are legend names, already escaped)
      text: `beyond the axis: ${fitted.off.join("; ")}`,
      xref: "paper", yref: "paper", x: 0, y: 1, xanchor: "left", yanchor: "bottom", showarrow: false,
      font: { color: theme.fontMuted, size: 11 },
    }];
  }
  if (s.param !== null && !visibleSeries(p, s).some((t) => t.param === s.param)) {
    // Said, not silent: the chosen parameter has no line of its own for this metric, or this
    // update of a live run left it out (it stays chosen: state.ts reconcile).
    const carried = paramsOf(p);
    const why = carried.includes(s.param)
      ? "no line of its own for this metric (its group's holds for it)"
      : `not in this live update (it carries ${carried.length} of ${p.param_info?.total ?? carried.length} parameters)`;
    layout.annotations = [...((layout.annotations as unknown[]) ?? []), {
      text: `${escapeText(s.param)}: ${why}`,
      xref: "paper", yref: "paper", x: 0, y: 1, xanchor: "left", yanchor: "bottom", showarrow: false,
      font: { color: theme.fontMuted, size: 11 },
    }];
  }
  if (xrange && fit === null && roles.some((r) => r !== "hidden")) {
    // Said, not silent: a typed range that holds none of the data drew an empty plot.
    const [lo, hi] = xExtent(p);
    const num = (v: number) => (p.x_log ? v.toExponential(1) : String(Number(v.toPrecision(6))));
    layout.annotations = [...((layout.annotations as unknown[]) ?? []), {
      text: `nothing between ${num(xrange[0])} and ${num(xrange[1])}: the data spans ${num(lo)} to ${num(hi)} (reset zoom shows it all)`,
      xref: "paper", yref: "paper", x: 0.5, y: 0.5, showarrow: false, font: { color: theme.fontMuted, size: 13 },
    }];
  }
  if (roles.every((r) => r === "hidden")) {
    // Our own text, not the payload's: a live run before its first step, or everything hidden.
    layout.annotations = [{
      text: p.series.length === 0 ? "no steps yet" : "nothing to show: every line is switched off",
      xref: "paper", yref: "paper", x: 0.5, y: 0.5, showarrow: false, font: { color: theme.fontMuted, size: 13 },
    }];
  }
  return { data, layout, roles };
}

/**
 * The y range that fits what is drawn over `xrange`: every point of a line, band or marker trace
 * that lies in the range or ends a segment crossing into it, padded by 5% of the span on each
 * side; in log10 units on a log axis, where values <= 0 do not count, and a span under
 * MIN_LOG_SPAN becomes that span around its middle. Null when nothing is drawn there (plotly's
 * autorange then decides).
 */
export function yRangeFor(data: PlotlyTrace[], xrange: [number, number], logY: boolean): [number, number] | null {
  return fitY(data, xrange, logY)?.range ?? null;
}

/**
 * A linear axis spans at least this fraction of the largest value shown: the payload keeps 4
 * significant digits, so a constant rate differs from itself in the 4th digit, which must not
 * fill the plot.
 */
export const MIN_RELATIVE_SPAN = 0.02;

/**
 * A log axis spans at least this many decades (a factor of 1.26), centred on a line that varies
 * less: its rounding must not fill the plot either, and its ticks (logTicks: 1.8, 1.9 ... 2.2
 * for a constant 2) need the range they were chosen for.
 */
export const MIN_LOG_SPAN = 0.1;

/** The smallest and largest y (data units) of `data` over `xrange`, as fitY counts them; null when none. */
function yExtent(data: PlotlyTrace[], xrange: [number, number], logY: boolean): [number, number] | null {
  let lo = Infinity, hi = -Infinity;
  for (const t of data) {
    for (let i = 0; i < t.x.length; i++) {
      const v = t.y[i], x = t.x[i];
      if (v === null || x === null || (logY && v <= 0) || x < xrange[0] || x > xrange[1]) continue;
      [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/** `yRangeFor`, and whether the span was widened (MIN_RELATIVE_SPAN, MIN_LOG_SPAN). */
function fitY(data: PlotlyTrace[], xrange: [number, number], logY: boolean): { range: [number, number]; widened: boolean } | null {
  const [a, b] = xrange;
  const meets = (u: number, v: number) => Math.min(u, v) <= b && Math.max(u, v) >= a;
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of data) {
    const x = t.x;
    for (let i = 0; i < x.length; i++) {
      const v = t.y[i];
      const xi = x[i];
      if (v === null || xi === null || (logY && v <= 0)) continue;
      const prev = i > 0 ? x[i - 1] : null;
      const next = i + 1 < x.length ? x[i + 1] : null;
      if (!(meets(xi, xi) || (prev !== null && meets(prev, xi)) || (next !== null && meets(xi, next)))) continue;
      const u = logY ? Math.log10(v) : v;
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
    }
  }
  if (lo > hi) return null;
  let widened = false;
  if (logY && hi - lo < MIN_LOG_SPAN) {
    const c = (lo + hi) / 2;
    return { range: [c - MIN_LOG_SPAN / 2, c + MIN_LOG_SPAN / 2], widened: true };
  }
  if (!logY) {
    // All zeros: any span will do; otherwise a share of the largest magnitude.
    const min = Math.max(Math.abs(lo), Math.abs(hi)) * MIN_RELATIVE_SPAN || 2;
    if (hi - lo < min) {
      const c = (lo + hi) / 2;
      [lo, hi, widened] = [c - min / 2, c + min / 2, true];
    }
  }
  const pad = hi > lo ? (hi - lo) * 0.05 : Math.max(Math.abs(hi) * 0.05, 0.05);
  return { range: [lo - pad, hi + pad], widened };
}

/**
 * Ticks for a log axis over [lo, hi] (log10 units): decades, else 1-2-5 of each decade, else
 * every digit, whichever first gives four; narrower than that, evenly spaced round numbers.
 */
export function logTicks(lo: number, hi: number): number[] {
  for (const digits of [[1], [1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    const out: number[] = [];
    for (let d = Math.floor(lo); d <= Math.ceil(hi); d++) {
      for (const m of digits) {
        const v = Number((m * 10 ** d).toPrecision(12));
        if (Math.log10(v) >= lo && Math.log10(v) <= hi) out.push(v);
      }
    }
    // (the extra top tick of withTopTick only among every digit's: over decades or 1-2-5 it
    // added an odd "7.5e−1" or "5.5e−1" at the end of the axis, a tester's pass; 1-2-5 ticks get
    // a digit's: withDigitTopTick)
    if (out.length >= 4) {
      if (digits.length === 9) return withTopTick(spacedTicks(out, lo, hi), lo, hi);
      return digits.length === 3 ? withDigitTopTick(out, lo, hi) : out;
    }
  }
  const a = 10 ** lo, b = 10 ** hi;
  const raw = (b - a) / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([5, 2, 1].find((m) => m * mag <= raw) ?? 1) * mag;
  const out: number[] = [];
  for (let v = Math.ceil(a / step) * step; v <= b; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * Labels closer than this fraction of the axis overlap: 12-px labels on the plot's ~290 px need
 * about 13 px. Every digit of a decade and a bit (6e−4 … 8e−3, a README example's Adam run) put
 * "9e−4" on "1e−3" (0.046 decades apart on a 1.13-decade axis).
 */
export const MIN_TICK_GAP = 0.045;

/**
 * The every-digit ticks, without those too close to a kept one (MIN_TICK_GAP): decades are kept
 * first, then 5s, 2s and the other digits, so what goes is a 9 (or 8) at the top of a decade.
 */
function spacedTicks(out: number[], lo: number, hi: number): number[] {
  const gap = MIN_TICK_GAP * (hi - lo);
  const order = [1, 5, 2, 3, 4, 6, 7, 8, 9];
  const rank = (v: number) => order.indexOf(Math.round(v / 10 ** Math.floor(Math.log10(v) + 1e-9)));
  const kept: number[] = [];
  for (const v of [...out].sort((a, b) => rank(a) - rank(b))) {
    if (kept.every((k) => Math.abs(Math.log10(v) - Math.log10(k)) >= gap)) kept.push(v);
  }
  return kept.sort((a, b) => a - b);
}

/** Ticks at most of a wide log axis (decadeTicks). */
export const WIDE_LOG_TICKS = 8;

/** Decades over [lo, hi] (log10 units), every k-th so that at most WIDE_LOG_TICKS remain, k dividing the exponents alike. */
export function decadeTicks(lo: number, hi: number): number[] {
  const a = Math.ceil(lo), b = Math.floor(hi);
  const k = Math.max(1, Math.ceil((b - a + 1) / WIDE_LOG_TICKS));
  const out: number[] = [];
  for (let d = Math.ceil(a / k) * k; d <= b; d += k) out.push(Number((10 ** d).toPrecision(12)));
  return out;
}

/**
 * A log axis whose last tick sits well below its top (0.0019-0.016: the last digit tick is 0.01,
 * and the top fifth of the axis, where a parameter's line ran at 0.014, had no label) gets one more
 * tick: the largest multiple of half the last tick's decade step below the top (0.015).
 */
function withTopTick(out: number[], lo: number, hi: number): number[] {
  const last = out[out.length - 1];
  if (hi - Math.log10(last) <= (hi - lo) / 6) return out;
  const step = 5 * 10 ** (Math.floor(Math.log10(last)) - 1);
  const top = Number((Math.floor(10 ** hi / step) * step).toPrecision(12));
  return top > last * 1.05 && Math.log10(top) <= hi ? [...out, top] : out;
}

/**
 * 1-2-5 ticks whose last sits well below the axis top get the largest digit tick under the top:
 * notebook 01's B = 32 line at 3.1e−4 ran over a last label of 2e−4, its value unreadable (3e−4).
 */
function withDigitTopTick(out: number[], lo: number, hi: number): number[] {
  const last = out[out.length - 1];
  if (hi - Math.log10(last) <= (hi - lo) / 6) return out;
  const decade = 10 ** Math.floor(Math.log10(last) + 1e-9);
  const top = Number((Math.floor(10 ** hi / decade + 1e-9) * decade).toPrecision(12));
  return Math.log10(top) - Math.log10(last) >= MIN_TICK_GAP * (hi - lo) ? [...out, top] : out;
}

/**
 * A tick label that carries its magnitude: 0.05, 2e−5, 3.5e6. An exponent is written without a
 * "+" and without padding ("1e0", "1e3"): "1e+0" at the top of a loss axis read as noise beside
 * "1e−4" (a tester's pass).
 */
export function tickLabel(v: number): string {
  const r = Number(v.toPrecision(6));
  return r !== 0 && (Math.abs(r) < 1e-3 || Math.abs(r) >= 1e5) ? expLabel(r) : withMinus(String(r));
}

/** A number in exponent form, "5.5e−1", "1e0", "2e3" (tickLabel). */
function expLabel(r: number): string {
  if (r === 0) return "0";
  const [m, e] = r.toExponential().split("e");
  return withMinus(`${m}e${Number(e)}`);
}

/**
 * The labels of one axis's ticks, in one notation: exponents for all when one of them needs
 * them (tickLabel), so an axis never reads "0.0011, 0.00105, 0.001, 9.5e−4" (a teacher's pass)
 * but "1.1e−3 … 9.5e−4"; else plain decimals. The static SVG writes its log axes by the same rule
 * (kernel/src/plot/ticks.ts tickLabels keeps a copy; test/extension/tester_ticks.test.ts compares).
 */
export function tickLabels(ticks: readonly number[]): string[] {
  const labels = ticks.map(tickLabel);
  if (!labels.some((l) => l.includes("e")) || labels.every((l) => l.includes("e") || l === "0")) return labels;
  return ticks.map((v) => expLabel(Number(v.toPrecision(6))));
}

/**
 * The minus sign of every tick label: U+2212 ("1e−4", "−0.05"), the one plotly writes in the
 * ticks it labels itself. Our explicit log ticks wrote an ASCII hyphen ("1e-4") and a StepLR
 * preview read "1e-4" where a OneCycleLR one read "1e−3" (a teacher's pass); the static SVG
 * writes it so too (kernel/src/plot/svg.ts AXIS_LABEL).
 */
export const MINUS = "\u2212";
export function withMinus(text: string): string {
  return text.replace(/-/g, MINUS);
}

export function buildFigure(p: PlotPayload, s: ViewState, theme: Theme, width?: number): Figure {
  const { data, layout } = buildFigureWithRoles(p, s, theme, width);
  return { data, layout };
}

/** Pixels of plotly's modebar (its six buttons and their gaps) at the plot's top right. */
export const MODEBAR_WIDTH = 190;

/**
 * Whether the title of the metric shown would run under the modebar at a plot `width` px wide
 * (about 8 px a character at 14 px, from 1% of the width): then it goes on a row of its own under
 * the modebar (buildLayout). At an 800 px window the comparison's title ran under the camera and
 * zoom buttons (a teacher's pass). False when the width is unknown (tests, before layout).
 */
export function titleUnderModebar(p: PlotPayload, s: ViewState, width: number | undefined): boolean {
  if (width === undefined || !(width > 0)) return false;
  return 0.01 * width + 8 * plotTitle(p, s.metric).length + 12 > width - MODEBAR_WIDTH;
}

/**
 * The kernel's title of each kind of plot when the user gave none (DEFAULT_TITLES in
 * kernel/src/plot/figure.ts; test/extension/colours.test.ts checks that they agree).
 */
export const DEFAULT_TITLES: Readonly<Record<PlotKind, string>> = {
  trace: "Effective learning rate",
  compare: "Effective learning rate: comparison",
  schedule: "Learning-rate schedule",
  range_test: "Learning-rate range test",
};

/** Whether a metric is a learning rate (configured, projected, per-sample, element-wise...). */
export function isRateMetric(metric: string): boolean {
  return metric === "lr" || metric.startsWith("lr_");
}

/**
 * The title over the metric shown. The payload's title holds for a learning rate; over another
 * metric (loss, update ratio, gradient norm...) a default title such as "Effective learning rate"
 * said what the plot was not, so it names the metric instead ("Loss", "Loss: comparison",
 * "Momentum (β1) schedule"). A title the user gave is theirs and stays; a range test is about the
 * learning rate whatever its y axis shows.
 */
export function plotTitle(p: PlotPayload, metric: string): string {
  // the configured lr is no effective rate (kernel/src/plot/figure.ts figureTitle says the same):
  // a comparison's (`%lr_compare a b --metric lr`), and one run's (`%lr_compare seq --metric lr`,
  // a trace's figure opened on lr, or a trace's lr chosen in the menu: it draws the configured lr alone)
  if (metric === "lr" && p.kind === "compare" && p.title === DEFAULT_TITLES.compare) return "Configured learning rate: comparison";
  if (metric === "lr" && p.kind === "trace" && p.title === DEFAULT_TITLES.trace) return "Configured learning rate";
  if (isRateMetric(metric) || p.kind === "range_test" || p.title !== DEFAULT_TITLES[p.kind]) return p.title;
  const label = p.metrics.find((m) => m.key === metric)?.label ?? metric;
  // ASCII only: "β2" must not become "Β2".
  const name = label.replace(/^[a-z]/, (c) => c.toUpperCase());
  if (p.kind === "compare") return `${name}: comparison`;
  if (p.kind === "schedule") return `${name} schedule`;
  return name;
}

/** Steps from which the step axis carries SI suffixes (kernel/src/plot/plotly.ts STEP_SI_FROM). */
export const STEP_SI_FROM = 10_000;

/**
 * The step axis's tick format: "~s" ("20k", "1.5M") once the steps reach STEP_SI_FROM, for the
 * whole axis; plotly's `exponentformat: "e"` wrote a 150,000-step run's ticks "0.1e+5, 0.2e+5 …
 * 1.2e+5". Undefined for a learning-rate axis (exponents) and shorter runs (plain integers). The
 * static figures apply the same rule (kernel/src/plot/plotly.ts stepTickFormat).
 */
export function stepTickFormat(p: Pick<PlotPayload, "x_log" | "series">): string | undefined {
  if (p.x_log) return undefined;
  let far = 0;
  for (const t of p.series) for (const x of t.x) if (Math.abs(x) > far) far = Math.abs(x);
  return far >= STEP_SI_FROM ? "~s" : undefined;
}

/**
 * The ticks of a log x axis (a range test's learning rates) over the drawn range, or the data's:
 * decades, or 1-2-5 of each when it spans less than four decades (logTicks, decadeTicks). Null
 * when there is no positive range.
 */
export function logXTicks(p: PlotPayload, xrange: [number, number] | null): number[] | null {
  const [lo, hi] = xrange ?? xExtent(p);
  if (!(lo > 0 && hi > lo) || !Number.isFinite(hi)) return null;
  const [a, b] = [Math.log10(lo), Math.log10(hi)];
  return b - a < 5 ? logTicks(a, b) : decadeTicks(a, b);
}

function buildLayout(p: PlotPayload, s: ViewState, theme: Theme, markers: Marker[], xrange: [number, number] | null): Record<string, unknown> {
  const metric = p.metrics.find((m) => m.key === s.metric);
  const axis = { gridcolor: theme.grid, zerolinecolor: theme.axis, linecolor: theme.axis, color: theme.font };
  const xaxis: Record<string, unknown> = {
    // Exponents, as the y axis and the static SVG write them ("1e-7"): plotly's default SI
    // prefixes labelled a range test's learning rates "100n, 1μ, 10μ".
    ...axis, type: p.x_log ? "log" : "linear", automargin: true, exponentformat: "e",
    title: { text: escapeText(p.x_label), font: { color: theme.fontMuted } },
  };
  const xFormat = stepTickFormat(p);
  if (xFormat) xaxis.tickformat = xFormat;
  const xTicks = p.x_log ? logXTicks(p, xrange) : null;
  if (xTicks) {
    // a range test's learning rates labelled as the y axes are (tickLabels): plotly's own wrote
    // "1e−4, 1e−3, 0.01, 0.1, 1" on one axis (a tester's pass)
    xaxis.tickmode = "array";
    xaxis.tickvals = xTicks;
    xaxis.ticktext = tickLabels(xTicks);
  }
  if (xrange) {
    // Plotly keeps log-axis ranges in log10 units; the state keeps data units.
    xaxis.range = p.x_log ? xrange.map((v) => Math.log10(v)) : [...xrange];
    xaxis.autorange = false;
  } else xaxis.autorange = true;
  return {
    title: { text: escapeText(plotTitle(p, s.metric)), x: 0.01, xanchor: "left", font: { size: 14, color: theme.font, family: theme.fontFamily } },
    paper_bgcolor: theme.background,
    plot_bgcolor: theme.background,
    font: { color: theme.font, family: theme.fontFamily, size: 12 },
    height: FIGURE_HEIGHT,
    // automargin: the left margin grows to fit the tick labels (6-digit rates) and the title.
    margin: { l: 64, r: 16, t: 40, b: 48 },
    xaxis,
    yaxis: {
      ...axis, type: isLogY(s, p) ? "log" : "linear", autorange: true, exponentformat: "e", automargin: true,
      // Zoom is a step range: dragging selects x only; y is fitted to the zoomed range (yRangeFor).
      fixedrange: true,
      title: { text: wrapTitle(metric?.label ?? s.metric), font: { color: theme.fontMuted } },
    },
    // Below everything, in pixels of the whole figure: plotly reserves the legend's own height
    // under the x-axis title. A paper-relative y (-0.22) depended on the plot's height and on
    // where plotly last put the axis title, so after a resize the legend sat on that title.
    legend: { orientation: "h", x: 0, xanchor: "left", y: 0, yref: "container", yanchor: "bottom", font: { color: theme.font } },
    showlegend: true,
    hovermode: "closest",
    // whole names in hovers: plotly cut them to 15 characters ("ReduceLROnPl...")
    // and the theme's font, as the axes and legend have: plotly's default was Arial 13 px
    hoverlabel: { namelength: -1, font: { family: theme.fontFamily, size: 12 } },
    dragmode: "zoom",
    // Plotly keeps user interaction (legend clicks, zoom) while this stays the same; a reset
    // changes it so the remembered zoom is dropped.
    uirevision: `lrlab-${s.revision}`,
    shapes: markers
      .filter((m) => m.kind === "divergence" && !s.hiddenMarkers.includes("divergence"))
      .map((m) => ({
        type: "line", xref: "x", yref: "paper", x0: m.x, x1: m.x, y0: 0, y1: 1,
        line: { color: theme.danger, width: 1, dash: "dash" },
      })),
  };
}

/**
 * The y title runs along the plot's height (about 290 px, 40 characters): a longer one ran up
 * into the plot title. It is broken into lines at spaces, each escaped, joined by plotly's <br>.
 */
export const Y_TITLE_LINE = 28;
export function wrapTitle(text: string): string {
  const lines: string[] = [];
  for (const word of text.split(" ")) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= Y_TITLE_LINE) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines.map(escapeText).join("<br>");
}
