/**
 * The `application/vnd.plotly.v1+json` part of the bundle: `{ data, layout }` for plotly.js (VS
 * Code, nteract, jupyterlab-plotly), derived from the figure spec.
 *
 * Panels (figure.panelsFor) are stacked vertically, each with its own y axis (log for rates) and
 * an x axis matched to the first, so zooming one zooms all. A series with a band becomes three
 * traces: the band's upper edge (invisible line), its lower edge filled "tonexty" back to the
 * upper edge, then the mean line; nulls stay nulls, so plotly breaks the line at gaps. A
 * divergence is a dashed vertical line across all panels with a label; range-test suggestions are
 * labelled points, the recommended one (Marker.recommended) a larger filled diamond, the others
 * open. Per-parameter lines (a per_param trace) are drawn only in their own panel
 * (figure.panelsFor: the update ratio of the first STATIC_PARAMS parameters carried), one legend
 * entry each; the usual panels draw the group's lines.
 *
 * The legend (legendOf, the SVG draws the same entries): with several lines (runs, groups,
 * parameters) one entry per line, whatever the panels and metrics it is drawn in, and clicking it
 * toggles the line in every panel (its traces share a legendgroup; one of them, or a legend-only
 * trace, shows the entry); the metrics sharing a panel differ by dash, and a small key over that
 * panel says which dash is which (a legend of its own, not clickable). With one line, one entry
 * per metric, as the colour then tells nothing apart. In a comparison, the loss of a run of
 * several groups has no entry: it is drawn once per group entry of its run (Legend.follows), so
 * it goes when all of them are hidden and comes back with any.
 */
import { bandOpacity, figureTitle, inPanel, lineLabel, panelOf, panelsFor, PLOTLY_POINTS, SET_METRICS, seriesLabel, shortLabel, type Panel } from "./figure";
import { DEFAULT_DIGITS, SET_DIGITS } from "./downsample";
import type { Marker, PlotPayload, Series } from "./payload";

export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

/**
 * Line colours, in order: the extension's LIGHT_PALETTE (extension/src/theme.ts), so a line has
 * the same colour in the static pictures as in JupyterLab. The extension cannot import the kernel
 * nor the kernel the extension, so this is a copy; test/extension/colours.test.ts checks that the
 * two are equal, and that `colourSlots` assigns them as the extension does.
 */
export const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"] as const;

/**
 * Within a panel, the metrics of one line (a trace's lr, projected lr and per-sample lr; a range
 * test's loss and smoothed loss) share its colour and differ by dash, in the panel's order.
 */
export const DASHES = ["solid", "dash", "dot", "dashdot"] as const;

/** `#rrggbb` → `rgba(r,g,b,a)`. */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

/**
 * Plotly renders a few HTML-like tags inside text (<b>, <br>, <a>), so user strings (trace names,
 * titles) are escaped before they reach a name, title or annotation.
 */
export function escapeText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * The palette slot of every series, parallel to `payload.series` (the extension's rule, see
 * colourSlots in extension/src/figure.ts): runs take consecutive blocks of slots in order of first
 * appearance, one per distinct (group, parameter) line of the run; a series of the run as a whole
 * (loss: group null) takes the run's first slot
 * (outside a comparison, a slot after the run's lines when it has several). A run, and a group within it, keeps its colour
 * across metrics and panels.
 */
export function colourSlots(payload: PlotPayload): number[] {
  const whole = (s: Series) => s.group === null && !s.param;
  const sub = (s: Series) => JSON.stringify([s.group, s.param ?? null]);
  const runs = new Map<string, Map<string, number>>();
  for (const s of payload.series) {
    let lines = runs.get(s.name);
    if (!lines) runs.set(s.name, (lines = new Map()));
    if (!whole(s) && !lines.has(sub(s))) lines.set(sub(s), lines.size);
  }
  // Outside a comparison, a run of several lines (groups, parameters) gives its whole-run series
  // (the loss) a slot of its own after them: in the run's colour it was drawn, and listed, in
  // group 0's blue, as if it were that group's.
  const apart = (lines: Map<string, number>) => payload.kind !== "compare" && lines.size > 1;
  const base = new Map<string, number>();
  let next = 0;
  for (const [name, lines] of runs) {
    base.set(name, next);
    next += Math.max(1, lines.size) + (apart(lines) ? 1 : 0);
  }
  return payload.series.map((s) => {
    const lines = runs.get(s.name);
    const own = whole(s) ? (lines !== undefined && apart(lines) ? lines.size : 0) : lines?.get(sub(s)) ?? 0;
    return (base.get(s.name) ?? 0) + own;
  });
}

/** How a legend label of the static panels is drawn. */
export interface LineStyle {
  colour: string;
  dash: (typeof DASHES)[number];
}

/**
 * The style of each legend label drawn in the static panels, in order of first appearance: its
 * line's colour (colourSlots) and the dash of its metric's place in its panel. Labels tell metrics apart within a panel (see
 * figure.seriesLabel), so each label has one style.
 */
export function lineStyles(payload: PlotPayload): Map<string, LineStyle> {
  const panels = panelsFor(payload);
  const slots = colourSlots(payload);
  const styles = new Map<string, LineStyle>();
  payload.series.forEach((s, i) => {
    const panel = panelOf(panels, s);
    if (!panel) return;
    const label = seriesLabel(s, payload);
    if (styles.has(label)) return;
    styles.set(label, { colour: PALETTE[slots[i] % PALETTE.length], dash: DASHES[panel.metrics.indexOf(s.metric) % DASHES.length] });
  });
  return styles;
}

/** One entry of a static figure's legend: plotly JSON and SVG show the same ones. */
export interface LegendEntry {
  /** What tells entries apart (plotly's legendgroup): never shown. */
  key: string;
  label: string;
  colour: string;
  /** The dash of its symbol: its metric's when entries are metrics, solid when they are lines. */
  dash: (typeof DASHES)[number];
}

export interface Legend {
  /**
   * Entries are lines (a run, a group of a run, a parameter: one colour each) rather than
   * metrics: true when the panels draw more than one line. Then each line has ONE entry for all
   * its traces in all panels: an entry per line, metric and panel made a three-group trace's
   * legend 16 entries long ("projected lr · group 2" among them), and listed each run of a
   * comparison twice (its metric panel, its loss panel).
   */
  byLine: boolean;
  /** In order of first appearance in the panels. */
  entries: LegendEntry[];
  /**
   * The entry of each series, parallel to `payload.series` (the one whose colour it has);
   * undefined when no panel draws it.
   */
  of: (LegendEntry | undefined)[];
  /**
   * The entries whose clicks each series follows, parallel to `payload.series`: `[of[i]]`, except
   * for the loss of a comparison's run of several groups, which follows every group entry of its
   * run (see legendOf); empty when no panel draws the series.
   */
  follows: LegendEntry[][];
}

/**
 * The line of each series, parallel to `payload.series`: its run, group and parameter. A series
 * of the run as a whole (the loss: group null) is part of the run's line when the run has one
 * group line (it has that line's colour, colourSlots): a one-group run is one entry, and
 * clicking it hides its loss too; beside several group lines it is a line of its own.
 */
function lineKeys(payload: PlotPayload): string[] {
  const groups = new Map<string, Set<number>>();
  for (const s of payload.series) {
    if (s.group === null || s.param) continue;
    let g = groups.get(s.name);
    if (!g) groups.set(s.name, (g = new Set()));
    g.add(s.group);
  }
  return payload.series.map((s) => {
    const g = groups.get(s.name);
    if (s.group === null && !s.param && g?.size === 1) return JSON.stringify([s.name, [...g][0], null]);
    return JSON.stringify([s.name, s.group, s.param ?? null]);
  });
}

/** The entries of the static legend (see the file comment and Legend.byLine). */
export function legendOf(payload: PlotPayload): Legend {
  const panels = panelsFor(payload);
  const styles = lineStyles(payload);
  const lines = lineKeys(payload);
  const drawn = payload.series.map((s) => panelOf(panels, s) !== undefined);
  const byLine = new Set(lines.filter((_, i) => drawn[i])).size > 1;
  const withGroups = new Set(payload.series.filter((s) => s.group !== null && !s.param).map((s) => s.name));
  // In a comparison, entries are runs, or the groups of a run that has several: such a run has
  // no line of its own, and its loss (a series of the run as a whole) belongs to all its group
  // entries. An entry named like the run for the loss alone listed the run twice over (its
  // groups' entries and that one), and hiding every group of the run left its loss drawn.
  // A plotly trace toggles with one legendgroup only, so toPlotly draws the loss once per group
  // entry (`follows`): it stays while one of the run's groups is shown.
  const groupLines = new Map<string, string[]>();
  payload.series.forEach((s, i) => {
    if (!drawn[i] || s.group === null || s.param) return;
    const keys = groupLines.get(s.name) ?? [];
    if (!keys.includes(lines[i])) keys.push(lines[i]);
    groupLines.set(s.name, keys);
  });
  const sharesGroups = (s: Series) => byLine && payload.kind === "compare" && s.group === null && !s.param && (groupLines.get(s.name)?.length ?? 0) > 1;
  const entries = new Map<string, LegendEntry>();
  const of = payload.series.map((s, i) => {
    if (!drawn[i] || sharesGroups(s)) return undefined;
    const label = seriesLabel(s, payload);
    const key = byLine ? lines[i] : label;
    let entry = entries.get(key);
    if (!entry) {
      const style = styles.get(label) as LineStyle;
      // A run's loss beside its group lines keeps its own label ("loss", or the run's name in
      // a comparison); any other line is named by what tells the lines apart.
      const own = withGroups.has(s.name) && lines[i] === JSON.stringify([s.name, null, null]);
      entry = { key, label: !byLine || own ? label : lineLabel(s, payload), colour: style.colour, dash: byLine ? "solid" : style.dash };
      entries.set(key, entry);
    }
    return entry;
  });
  const follows = payload.series.map((s, i) => {
    if (drawn[i] && sharesGroups(s)) return (groupLines.get(s.name) as string[]).map((k) => entries.get(k) as LegendEntry);
    return of[i] ? [of[i] as LegendEntry] : [];
  });
  // its colour is its run's first group's (colourSlots): that entry is the one it is drawn in
  follows.forEach((f, i) => (of[i] ??= f[0]));
  return { byLine, entries: [...entries.values()], of, follows };
}

/** One row of a panel's key: a metric and its dash in that panel. */
export interface KeyItem {
  metric: string;
  label: string;
  dash: (typeof DASHES)[number];
}

/**
 * The key of a panel whose several metrics are told apart by dash alone: when the legend's
 * entries are lines (byLine) and the panel draws more than one metric. Empty otherwise (one
 * metric: the panel's title names it; entries per metric: the legend names each).
 */
export function panelKey(panel: Panel, legend: Legend): KeyItem[] {
  if (!legend.byLine || panel.metrics.length < 2) return [];
  return panel.metrics.map((metric, i) => ({ metric, label: shortLabel(metric), dash: DASHES[i % DASHES.length] }));
}

/** The colour of a key's sample lines: a metric's dash holds for every line's colour. */
export const KEY_COLOUR = "#555555";

/**
 * Whether a line is drawn as steps. The configured rate and momentum hold for a whole step
 * (schedulers change them between steps): drawn as steps while each point is one step, i.e. its
 * x are consecutive steps (a merged point's x is one of its steps, downsample.pointStep, so
 * consecutive x leave room for one step a point). A point that merges several steps holds no
 * one value over them when the schedule changes within (cosine, stepped every step): stairs
 * there drew the merging, 3-step treads of a smooth curve, so such a line is drawn through its
 * points, as measured metrics are. The extension applies the same rule (extension/src/figure.ts
 * lineShape).
 */
/**
 * The last point of a line of steps (stepwise) holds for its whole step: drawn as a segment from
 * it to the next step, not a bare vertical tick at the right edge (ReduceLROnPlateau's last
 * reduction, OneCycleLR's final rate: a teacher's pass). Null for other lines. The extension and
 * the SVG draw the same (extension/src/figure.ts stepTail, svg.ts).
 */
/** `text` in lines of at most `limit` characters, broken at spaces (a longer word keeps a line of its own). */
export function wrapWords(text: string, limit: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(" ")) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= limit) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** A band edge cut to the panel's band_range on a linear axis (notes.ts elementwiseNote); svg.ts cuts alike. */
export function cutBand(v: number | null | undefined, panel: { log: boolean; band_range?: [number, number] }): number | null | undefined {
  if (v === null || v === undefined || panel.log || !panel.band_range) return v;
  return Math.min(Math.max(v, panel.band_range[0]), panel.band_range[1]);
}

export function stepTail(s: Pick<Series, "metric" | "x" | "mean">): { x: number[]; y: number[] } | null {
  const n = s.x.length;
  if (n === 0 || !stepwise(s)) return null;
  const v = s.mean[n - 1];
  return v === null ? null : { x: [s.x[n - 1], s.x[n - 1] + 1], y: [v, v] };
}

export function stepwise(s: Pick<Series, "metric" | "x">): boolean {
  if (s.metric !== "lr" && s.metric !== "momentum") return false;
  return s.x.every((x, i) => Number.isInteger(x) && (i === 0 || x - s.x[i - 1] === 1));
}

/**
 * A band between `lo` and `hi` as closed polygons, one per run of points where both exist: the
 * run's lower edge left to right, then its upper edge back, runs separated by null (plotly's
 * `fill: "toself"` closes each segment on its own).
 */
export function bandShape(x: readonly number[], lo: readonly (number | null)[], hi: readonly (number | null)[]): { x: (number | null)[]; y: (number | null)[] } {
  const px: (number | null)[] = [];
  const py: (number | null)[] = [];
  for (let i = 0; i < x.length; ) {
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
 * Steps from which a step axis is labelled with SI suffixes ("20k", "1.5M"): plotly's
 * `exponentformat: "e"` wrote the ticks of a 150,000-step run "0.1e+5, 0.2e+5 … 1e+5, 1.2e+5",
 * and the SVG's "1e+5" for both 100,000 and 120,000 (a user's pass). Below it, plain integers.
 */
export const STEP_SI_FROM = 10_000;

/**
 * The d3 tick format of a payload's x axis (plotly's `tickformat`, Vega's `format`): "~s" for a
 * step axis reaching STEP_SI_FROM, decided on the whole axis so that its ticks read alike
 * ("8k, 10k, 12k", not "8000, 10k"); undefined otherwise (a learning-rate axis keeps exponents).
 * The extension applies the same rule (extension/src/figure.ts stepTickFormat).
 */
export function stepTickFormat(payload: Pick<PlotPayload, "x_log" | "series">): string | undefined {
  if (payload.x_log) return undefined;
  let far = 0;
  for (const s of payload.series) for (const x of s.x) if (Math.abs(x) > far) far = Math.abs(x);
  return far >= STEP_SI_FROM ? "~s" : undefined;
}

/**
 * The floor a band is clipped to on a log axis: the smallest positive value the panel's lines and
 * band edges reach (so the clipping does not move the axis), null when there is none.
 */
export function logBandFloor(series: readonly Series[]): number | null {
  let floor = Infinity;
  for (const s of series) {
    for (const arr of [s.mean, s.min ?? [], s.max ?? []]) for (const v of arr) if (v !== null && v > 0 && v < floor) floor = v;
  }
  return floor === Infinity ? null : floor;
}

/**
 * A band's edges as a log axis can draw them: a point whose minimum is <= 0 (a projected rate
 * of a merged bucket that turned negative, Adam's sign flips) keeps its band, clipped at `floor`
 * (logBandFloor: the bottom of what the panel shows) rather than dropped: dropping each such
 * point broke the band into floating slivers (a user's pass). A point whose maximum is <= 0 has
 * nothing to show (a gap). On a linear axis the edges are unchanged.
 */
export function bandEdges(lo: readonly (number | null)[], hi: readonly (number | null)[], log: boolean, floor: number | null): { lo: (number | null)[]; hi: (number | null)[] } {
  if (!log) return { lo: [...lo], hi: [...hi] };
  const top = hi.map((v, i) => (v !== null && v > 0 && lo[i] !== null ? v : null));
  const bottom = lo.map((v, i) => (top[i] === null || v === null ? null : v > 0 ? v : floor !== null && floor <= (top[i] as number) ? floor : null));
  return { lo: bottom, hi: bottom.map((v, i) => (v === null ? null : top[i])) };
}

/**
 * The hover of a line whose points merge steps (Series.spans), one template for the line (a text
 * per point would cost its bytes in the saved notebook): "%{y} (mean of 3 steps)", the widths of
 * its inner points (the first and last are their steps' own values). Undefined for a line of one
 * step a point, whose hover (its step and value) is true as it is. The extension's hover names
 * each point's steps (extension/src/figure.ts hoverTexts).
 */
export function mergedHover(s: Pick<Series, "spans">): string | undefined {
  const sp = s.spans;
  if (!sp) return undefined;
  // every point's width, then the inner points' (when there are any)
  const widths: number[] = [];
  for (let i = 0; i < sp.length; i += 2) for (let k = 0; k < sp[i]; k++) widths.push(sp[i + 1]);
  const inner = widths.length > 2 ? widths.slice(1, -1) : widths;
  let lo = Infinity, hi = 0;
  for (const w of inner) [lo, hi] = [Math.min(lo, w), Math.max(hi, w)];
  if (hi <= 1) return undefined;
  return `%{y} (mean of ${lo === hi ? lo : `${lo}–${hi}`} steps)`;
}

/**
 * A line of the payload thinned to at most `n` points for the plotly JSON (figure.ts
 * PLOTLY_POINTS): the first and the last point kept (the run's first and last values, as
 * downsample keeps them), the others merged in runs of consecutive points: each merged point's
 * mean weighted by the steps its points merge (`spans`), its band the min of their minimums and
 * the max of their maximums, its x its middle point's, and `spans` the steps it merges (when the
 * x are steps). A line of at most `n` points is returned as it is.
 */
export function thinned(s: Series, n: number = PLOTLY_POINTS): Series {
  const m = s.x.length;
  if (m <= n || n < 3) return s;
  const w: number[] = [];
  if (s.spans) for (let i = 0; i < s.spans.length; i += 2) for (let k = 0; k < s.spans[i]; k++) w.push(s.spans[i + 1]);
  while (w.length < m) w.push(1);
  const steps = s.spans !== undefined || s.x.every((x, i) => Number.isInteger(x) && (i === 0 || x - s.x[i - 1] === 1));
  const inner = n - 2;
  const per = Math.floor((m - 2) / inner);
  const wide = m - 2 - per * inner;
  const out: Series = { ...s, x: [], mean: [] };
  delete out.spans;
  delete out.exact;
  // a set metric keeps its digits (downsample.SET_DIGITS)
  const digits = SET_METRICS.includes(s.metric) ? SET_DIGITS : DEFAULT_DIGITS;
  const band = s.min !== undefined && s.max !== undefined;
  const lo: (number | null)[] = [], hi: (number | null)[] = [];
  const widths: number[] = [];
  const bounds: [number, number][] = [[0, 1]];
  for (let k = 0, start = 1; k < inner; k++) {
    const end = start + per + (k < wide ? 1 : 0);
    bounds.push([start, end]);
    start = end;
  }
  bounds.push([m - 1, m]);
  for (const [a, b] of bounds) {
    let sum = 0, weight = 0, mn = Infinity, mx = -Infinity, width = 0;
    for (let i = a; i < b; i++) {
      width += w[i];
      const v = s.mean[i];
      if (v !== null) { sum += v * w[i]; weight += w[i]; }
      if (band) {
        const l = (s.min as (number | null)[])[i], h = (s.max as (number | null)[])[i];
        if (l !== null && l < mn) mn = l;
        if (h !== null && h > mx) mx = h;
      }
    }
    out.x.push(b - a === 1 ? s.x[a] : s.x[a + Math.floor((b - a) / 2)]);
    out.mean.push(weight > 0 ? Number((sum / weight).toPrecision(digits)) : null);
    if (band) { lo.push(mn === Infinity ? null : mn); hi.push(mx === -Infinity ? null : mx); }
    widths.push(width);
  }
  if (band) { out.min = lo; out.max = hi; }
  if (steps) {
    const spans: number[] = [];
    for (const v of widths) {
      if (spans.length > 0 && spans[spans.length - 1] === v) spans[spans.length - 2]++;
      else spans.push(1, v);
    }
    out.spans = spans;
  }
  return out;
}

/**
 * The line under the title of a plotly figure: a figure's summary (figure.ts) starts with its
 * title, then one unindented headline per run ("adam (Adam): 300 steps"). With one run, its
 * headline names the run, which nothing else in the figure does (its legend names the metrics); a
 * comparison's legend names its runs, so it gets none.
 */
export function plotlySubtitle(summary: readonly string[], title: string): string | null {
  const heads = (summary[0] === title ? summary.slice(1) : summary).filter((l) => l !== "" && !l.startsWith(" "));
  return heads.length === 1 ? heads[0] : null;
}

/**
 * The plotly.js figure of a payload: the fallback picture where lrlab's extension is not installed
 * (a plotly renderer shows it). `summary`: the figure's summary lines (plotlySubtitle).
 */
export function toPlotly(payload: PlotPayload, summary: readonly string[] = []): PlotlyFigure {
  // a fallback picture: at most PLOTLY_POINTS a line (thinned), whatever the payload carries
  payload = { ...payload, series: payload.series.map((s) => thinned(s)) };
  const title = figureTitle(payload);
  const subtitle = plotlySubtitle(summary, title);
  const panels = panelsFor(payload);
  const styles = lineStyles(payload);
  const legend = legendOf(payload);
  const indexOf = new Map(payload.series.map((s, i) => [s, i]));
  /** Entries the legend already shows: every later trace of theirs is hidden from it. */
  const listed = new Set<LegendEntry>();
  let keys = 0;
  const data: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {
    // the subtitle in <sup>, the form every plotly.js version draws (layout.title.subtitle is 2.35+)
    title: { text: escapeText(title) + (subtitle === null ? "" : `<br><sup>${escapeText(subtitle)}</sup>`) },
    showlegend: true,
    // Under everything, in pixels of the whole figure (yref "container", plotly.js 2.27 and
    // later): plotly then reserves the legend's own height, however many rows it wraps to, and
    // the bottom x axis (automargin) makes room for its tick labels and title above it. The
    // paper-relative y of before (-0.12) was a share of the panels' height: about 25 px under a
    // figure of one panel, 40 under two, where the "step" title is. (The extension's figure
    // places its legend the same way: extension/src/figure.ts.)
    legend: { orientation: "h", x: 0, xanchor: "left", y: 0, yref: "container", yanchor: "bottom" },
    hovermode: "x unified",
    // whole names in hovers: plotly cut them to 15 characters ("ReduceLROnPl...")
    hoverlabel: { namelength: -1 },
    margin: { l: 70, r: 20, t: subtitle === null ? 50 : 66, b: 20 },
    // a row of legend more than the panels had with the legend in their margin
    height: Math.max(320, 220 * panels.length) + 30,
  };
  const xFormat = stepTickFormat(payload);
  const floors = new Map(panels.map((p) => [p, p.log ? logBandFloor(payload.series.filter((s) => inPanel(p, s))) : null]));
  const gap = 0.06;
  const h = (1 - gap * (panels.length - 1)) / Math.max(1, panels.length);
  panels.forEach((panel, i) => {
    const k = i + 1;
    const xa = k === 1 ? "x" : `x${k}`;
    const ya = k === 1 ? "y" : `y${k}`;
    const top = 1 - i * (h + gap);
    // Exponents written as the SVG and the extension write them ("1e-7"): plotly's default SI
    // prefixes labelled a range test's learning rates "100n, 1μ, 10μ", and "power" (10⁻⁷)
    // differed from the other two pictures.
    layout[k === 1 ? "yaxis" : `yaxis${k}`] = {
      title: { text: escapeText(panel.title) },
      type: panel.log ? "log" : "linear",
      // a range of the panel's own (its reference line cut at the top: figure.ts withClippedReferences)
      ...(panel.y_range ? { range: panel.y_range, autorange: false } : {}),
      domain: [Math.max(0, top - h), top],
      exponentformat: "e",
    };
    layout[k === 1 ? "xaxis" : `xaxis${k}`] = {
      anchor: ya,
      type: payload.x_log ? "log" : "linear",
      exponentformat: "e",
      ...(xFormat ? { tickformat: xFormat } : {}),
      ...(k > 1 ? { matches: "x" } : {}),
      ...(k === panels.length ? { title: { text: escapeText(payload.x_label) }, automargin: true } : { showticklabels: false }),
    };
    const key = panelKey(panel, legend);
    if (key.length > 0) {
      // The panel's key: which dash is which metric, in a legend of its own over the panel, its
      // samples legend-only traces. Not clickable: a sample stands for no line (the entries of
      // the main legend toggle the lines).
      const id = `legend${2 + keys++}`;
      layout[id] = {
        orientation: "h", x: 1, xanchor: "right", y: top, yanchor: "bottom", yref: "paper",
        itemclick: false, itemdoubleclick: false, font: { size: 10, color: KEY_COLOUR }, bgcolor: "rgba(0,0,0,0)",
      };
      for (const item of key) {
        data.push({
          type: "scatter", mode: "lines", x: [null], y: [null], xaxis: xa, yaxis: ya, name: escapeText(item.label), legend: id,
          hoverinfo: "skip", line: { color: KEY_COLOUR, dash: item.dash, width: 1.8 },
        });
      }
    }
    // a preview's lines last, over the runs' lines, dashed (Series.preview): one that agrees with
    // a run hid the run's line under it
    for (const s of overPreviews(payload.series)) {
      if (!inPanel(panel, s)) continue;
      const label = seriesLabel(s, payload);
      const { colour, dash } = lineStyle(styles.get(label) as LineStyle, s);
      // One copy of the series' traces per entry it follows (Legend.follows: several only for
      // the loss of a comparison's run of groups); the copies coincide, and only the first
      // shows in the hover ("x unified" would list the loss once per copy).
      legend.follows[indexOf.get(s) as number].forEach((entry, copy) => {
        const legendgroup = entry.key;
        // One trace per entry shows in the legend: the first one named like the entry (a
        // comparison's run in its metric panel), else a legend-only trace carrying the entry's
        // name (a group's lines are named by metric too, "projected lr · group 1", for the hover).
        let listedHere = false;
        if (!listed.has(entry)) {
          listed.add(entry);
          if (entry.label === label) listedHere = true;
          else {
            data.push({
              type: "scatter", mode: "lines", x: [null], y: [null], xaxis: xa, yaxis: ya, name: escapeText(entry.label), legendgroup,
              hoverinfo: "skip", line: { color: entry.colour, dash: entry.dash, width: 1.8 },
            });
          }
        }
        // (the per-parameter panel draws lines only: five overlapping bands hid them)
        if (s.min && s.max && !panel.params) {
          // The band as closed shapes, one per run of points with both edges (on a log axis, both
          // > 0): "tonexty" between two lines would fill across gaps towards the next run.
          // (a linear panel's band_range cuts it, as its note says: svg.ts cutBand)
          const cut = (vs: (number | null)[]) => vs.map((v) => cutBand(v, panel) as number | null);
          const edges = bandEdges(cut(s.min), cut(s.max), panel.log, floors.get(panel) ?? null);
          const shape = bandShape(s.x, edges.lo, edges.hi);
          data.push({
            type: "scatter", mode: "lines", x: shape.x, y: shape.y, xaxis: xa, yaxis: ya, fill: "toself",
            fillcolor: withAlpha(colour, bandOpacity(payload, panel, s.metric)), line: { width: 0, color: colour }, hoverinfo: "skip",
            showlegend: false, legendgroup, name: escapeText(`${label} band`),
          });
        }
        const merged = s.exact ? undefined : mergedHover(s);
        data.push({
          type: "scatter", mode: "lines", x: s.x, y: s.mean, xaxis: xa, yaxis: ya, name: escapeText(label),
          line: { color: colour, dash, width: 1.8, shape: stepwise(s) ? "hv" : "linear" }, connectgaps: false, legendgroup,
          ...(merged ? { hovertemplate: merged } : {}),
          ...(listedHere ? {} : { showlegend: false }),
          ...(copy > 0 ? { hoverinfo: "skip" } : {}),
        });
        const tail = stepTail(s);
        if (tail) {
          // the last step of a line of steps, one step wide (stepTail)
          data.push({
            type: "scatter", mode: "lines", x: tail.x, y: tail.y, xaxis: xa, yaxis: ya, name: escapeText(label),
            line: { color: colour, dash, width: 1.8 }, legendgroup, showlegend: false, hoverinfo: "skip",
          });
        }
      });
    }
  });
  const shapes: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  panels.forEach((panel, i) => {
    if (!panel.note) return;
    const top = 1 - i * (h + gap);
    // (a long note, notes.ts, in lines: one ran past the picture)
    const lines = wrapWords(panel.note, 110);
    annotations.push({ xref: "paper", yref: "paper", x: 0, y: top, xanchor: "left", yanchor: "bottom", align: "left", text: lines.map(escapeText).join("<br>"), showarrow: false, font: { size: 11, color: "#555" } });
  });
  // Suggestions' labels above and below their diamonds in turn, by rate: valley and minimum/10
  // are often close, and their labels printed over each other.
  const suggested = payload.markers.filter((m) => m.kind === "suggestion").sort((a, b) => a.x - b.x);
  const flagged = suggested.some((m) => m.recommended);
  for (const m of payload.markers) {
    // Shapes and annotations on a log axis take log10 of the data value.
    const xv = payload.x_log ? Math.log10(m.x) : m.x;
    if (m.kind === "divergence") {
      shapes.push({
        type: "line", xref: "x", yref: "paper", x0: xv, x1: xv, y0: 0, y1: 1,
        line: { color: "#d62728", width: 1.5, dash: "dash" },
      });
      annotations.push({
        xref: "x", yref: "paper", x: xv, y: 1, yanchor: "bottom",
        text: escapeText(m.label), showarrow: false, font: { color: "#d62728" },
      });
    } else {
      const idx = Math.max(0, panels.findIndex((p) => p.metrics.includes(m.metric ?? "loss")));
      const k = idx + 1;
      const label = escapeText(suggestionLabel(m));
      data.push({
        type: "scatter", mode: "markers+text", x: [m.x], y: [m.y], xaxis: k === 1 ? "x" : `x${k}`,
        yaxis: k === 1 ? "y" : `y${k}`, name: label, text: [label],
        textposition: suggested.indexOf(m) % 2 === 0 ? "top center" : "bottom center",
        // the recommended one a larger filled diamond, its label bold; the others open (the SVG
        // alike); markers that flag none (a payload from before the flag) filled, as they were
        marker: m.recommended ? { size: 13, symbol: "diamond", color: "#d62728" }
          : flagged ? { size: 9, symbol: "diamond-open", color: "#d62728", line: { width: 1.5 } } : { size: 9, symbol: "diamond", color: "#d62728" },
        ...(m.recommended ? { textfont: { weight: "bold" } } : {}),
      });
    }
  }
  layout.shapes = shapes;
  layout.annotations = annotations;
  return { data, layout };
}

/**
 * A suggestion's label in the static pictures: the recommended one's says so, as the text's
 * suggestions line does ("valley 0.00231 (recommended)").
 */
export function suggestionLabel(m: Pick<Marker, "label" | "recommended">): string {
  return m.recommended ? `${m.label} (recommended)` : m.label;
}

/** The series with a preview's lines (Series.preview) last: drawn over the runs' lines. */
export function overPreviews<T extends { preview?: true }>(series: readonly T[]): T[] {
  return [...series.filter((s) => !s.preview), ...series.filter((s) => s.preview)];
}

/** A preview's line is dashed (Series.preview), whatever its style in the legend. */
function lineStyle(style: LineStyle, s: Pick<Series, "preview">): LineStyle {
  return s.preview ? { ...style, dash: "dash" } : style;
}
