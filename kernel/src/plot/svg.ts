/**
 * The `image/svg+xml` part of the bundle, rendered without a browser: the figure spec becomes a
 * Vega-Lite spec (one panel per figure.panelsFor entry, stacked with `vconcat`, one shared colour
 * legend), compiled to Vega and rendered by Vega's headless SVG string renderer. The panels and
 * the lines in each are plotly.ts's (figure.inPanel): per-parameter lines only in the panel of
 * the first parameters' update ratio, whose title says how many of how many it shows. The
 * legend's entries are plotly's too (plotly.ts legendOf): one per line when there are several
 * (the colour legend); with one line, none (each panel's title names its metric). A panel of
 * several metrics has a key of its dashes over it.
 *
 * Synchronous path (the kernel's display path must not await): `View.toSVG()` returns a Promise
 * only because it awaits `runAsync()` (pending data loads) and image loading. Our specs have
 * inline data and no images, so `view.run()` evaluates the dataflow synchronously and
 * `SVGStringRenderer.render()` draws the scenegraph at once. `toSvgSync` does exactly what
 * `toSVG` does after its awaits (same size, origin, padding and background — it reads the view's
 * `_viewWidth/_viewHeight/_origin`, which is what Vega's own headless path reads);
 * test/plot checks that both give the same SVG, so a Vega upgrade that changes this is caught.
 *
 * The picture carries the text summary too (bundle.ts passes the figure's summary lines): under
 * the title, as a caption. nbconvert's HTML and Markdown exports, GitHub
 * and nbviewer show one representation of an output, the SVG, so the summary's numbers ("lr 0.1
 * → 0.0125", the suggestions of a range test) were in none of them; JupyterLab shows the
 * extension's plot instead of the SVG, so nothing is shown twice there.
 */
import type * as Vega from "vega";
import type * as VegaLite from "vega-lite";
import { BAND_OPACITY, bandedMetrics, bandOpacity, figureTitle, inPanel, panelsFor, seriesLabel, SVG_POINTS } from "./figure";
import { bandEdges, cutBand, DASHES, wrapWords, KEY_COLOUR, legendOf, logBandFloor, panelKey, stepTickFormat, stepwise, suggestionLabel } from "./plotly";
import type { PlotPayload } from "./payload";
import { labelsExpr, linearTicks, needsExponent, numberMinus, tickLabels } from "./ticks";

/** Tick labels: plain numbers in the middle range, 1e+10 / 1e-6 style outside it (~g would write
 * 10000000000, and log axes of losses and update ratios span many decades), with the digits the
 * tick has ("1.5e−4": '.0e' wrote "2e−4" there, and a warm-up to 3e-5 had two ticks "2e−5", a
 * teacher's pass). The minus sign is U+2212 ("1e−4"), the one plotly writes in its ticks and the
 * extension in its own (a teacher's pass found both "1e-4" and "1e−3" under one notebook's plots). */
const AXIS_LABEL =
  "replace(datum.value != 0 && (abs(datum.value) >= 1e5 || abs(datum.value) < 1e-3) ? format(datum.value, '~e') : format(datum.value, '~g'), '-', '\u2212')";
/**
 * Tick labels of a log axis, as plotly writes its decades with `exponentformat: "e"` (plotly.ts,
 * the extension): an exponent from three decades away from 1 on ("1e-3", "0.01", "1e+3"), so the
 * three pictures of a range test label its learning rates alike.
 */
const LOG_AXIS_LABEL =
  "replace(datum.value != 0 && (abs(datum.value) >= 1e3 || abs(datum.value) < 1e-2) ? format(datum.value, '~e') : format(datum.value, '~g'), '-', '\u2212')";

/** Vega's stroke-dash arrays for plotly's dash names (plotly.ts DASHES). */
const DASH_ARRAYS: Record<(typeof DASHES)[number], number[]> = { solid: [1, 0], dash: [6, 3], dot: [2, 2], dashdot: [6, 3, 2, 3] };

const PANEL_WIDTH = 560;
const PANEL_HEIGHT = 150;
// Points per line in the picture: SVG_POINTS (figure.ts); a 560-pixel panel shows no more, and
// every point costs bytes of path data in the SVG (the bundle must stay small).
// Gaps (null) break lines and bands, and stay out of the axis domains (Vega-Lite's default
// would draw them at the axis minimum on a log scale).

/**
 * Vega writes path coordinates with three decimals; a tenth of a pixel is invisible, and the
 * rounding takes about a third off the SVG's size.
 */
function compactPaths(svg: string): string {
  return svg.replace(/ d="([^"]*)"/g, (_, d: string) => ` d="${d.replace(/(\d+\.\d)\d+/g, "$1")}"`);
}

/**
 * What a static picture does not need, taken out of Vega's markup (about a quarter of its bytes,
 * which count: nbformat saves the SVG in the .ipynb): the scenegraph's `class`, `role`, `aria-*`
 * and `pointer-events` attributes on every group (the root gets its own role and label back in
 * describeSvg), attributes equal to their SVG default (`opacity="1"`), empty paths, and the
 * 15-digit offsets of `transform`s (a tenth of a pixel is invisible, as in compactPaths).
 */
function compactMarkup(svg: string): string {
  return svg
    .replace(/ (?:class|role|aria-[a-z]+|pointer-events)="[^"]*"/g, "")
    .replace(/ opacity="1"/g, "")
    .replace(/<path d="(?:M0,0h0v0h0Z)?"(?: display="none")?\/>/g, "")
    .replace(/ transform="([^"]*)"/g, (_, t: string) => ` transform="${t.replace(/(\d+\.\d)\d+/g, "$1").replace(/\.0(?=\D)/g, "")}"`);
}

/**
 * Thin a payload line to at most `n` points: mean of means, min of mins, max of maxes. Each point
 * sits on one of its points' steps, as in downsample.pointStep: the first on the line's first
 * step, the last on its last, the others on their middle point's.
 */
function thin(x: readonly number[], ys: readonly (number | null)[][], kinds: ("mean" | "min" | "max")[], n: number) {
  const per = Math.max(1, Math.ceil(x.length / n));
  if (per === 1) return { x: [...x], ys: ys.map((y) => [...y]) };
  const ox: number[] = [];
  const oys: (number | null)[][] = ys.map(() => []);
  for (let a = 0; a < x.length; a += per) {
    const b = Math.min(x.length, a + per);
    ox.push(b === x.length ? x[b - 1] : a === 0 ? x[0] : x[a + Math.floor((b - a) / 2)]);
    ys.forEach((y, k) => {
      const vals = y.slice(a, b).filter((v): v is number => v !== null);
      if (vals.length === 0) oys[k].push(null);
      else if (kinds[k] === "min") oys[k].push(Math.min(...vals));
      else if (kinds[k] === "max") oys[k].push(Math.max(...vals));
      else oys[k].push(vals.reduce((p, q) => p + q, 0) / vals.length);
    });
  }
  return { x: ox, ys: oys };
}

interface Row {
  /** Its legend entry's label (the colour legend's, and with entries per metric the dash's). */
  series: string;
  /** With entries per line: the series' own label, which keeps its line apart from the line of
   * another metric of the same entry, and its metric's label for the panel's key of dashes. */
  line?: string;
  metric?: string;
  /** A band's metric (its opacity: figure.ts bandOpacity). */
  band?: string;
  /** Drawn as steps (configured rate, momentum) rather than as a line. */
  step?: boolean;
  /** A schedule preview's line among runs (Series.preview): dashed, over the runs' lines. */
  dashed?: boolean;
  x: number;
  y: number | null;
  lo?: number | null;
  hi?: number | null;
}

/**
 * Legend columns: two while labels are short; one, as wide as the panel, when a label would be
 * cut to 280 px (cut scheduler names such as "OneCycleLR(max_lr=0.1, total_step…" became two
 * identical entries; "encoder.layers.1.self_attn.in_pro…" hid weight from bias). Vega measures
 * text without a canvas at 0.8 × font size (10 px) per character: 280 px hold 35.
 */
function legendColumns(labels: string[]): { columns: number; labelLimit: number } {
  return labels.some((l) => l.length > 34) ? { columns: 1, labelLimit: PANEL_WIDTH } : { columns: 2, labelLimit: 280 };
}

/**
 * A y axis title on one line when it fits beside the panel, else on two, broken at the space
 * nearest its middle. Without a canvas, Vega estimates a text's width as 0.8 × font size per
 * character: a title of more than ~17 characters at 11 px counts as taller than the 150 px panel,
 * and Vega moved the next panel down by the overflow (a 40 px gap under "element-wise learning
 * rate"), although the text drawn fits.
 */
function axisTitle(title: string): string | string[] {
  if (title.length <= 16) return title;
  const mid = title.length / 2;
  let at = -1;
  for (let i = 0; i < title.length; i++) if (title[i] === " " && (at < 0 || Math.abs(i - mid) < Math.abs(at - mid))) at = i;
  return at < 0 ? title : [title.slice(0, at), title.slice(at + 1)];
}

/** Non-positive values cannot sit on a log axis: they become gaps rather than -Infinity. */
/**
 * A panel's note in lines that fit its width (about 6 px a character at 11 px): one title line
 * ran past the picture once a note said why a rate reads what it does (notes.ts). A short note
 * stays one string.
 */
export function noteLines(note: string): string | string[] {
  const limit = Math.floor(PANEL_WIDTH / 6);
  return note.length <= limit ? note : wrapWords(note, limit);
}

function onAxis(v: number | null | undefined, log: boolean): number | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  return log && v <= 0 ? null : v;
}

/** Characters of a caption line (at 11 px, about the width of the panels and their axis). */
const CAPTION_CHARS = 100;
/**
 * Caption lines at most, but for each run's headline and its "group k:" lines, which are always
 * drawn (the picture grows): a comparison of many runs has a summary of many.
 */
const CAPTION_LINES = 12;

/**
 * The summary lines as the picture's caption: without the first when it is the title, long lines
 * broken at a space (continued, indented, on the next), and the leading spaces of the summary's
 * indented lines kept (no-break spaces: SVG text collapses spaces). Past CAPTION_LINES, the other
 * lines fill what is left in their order, and a last line says how many are in the text summary
 * only. Every run's headline and its "group k:" lines are kept whatever their number: the cut
 * hid a third run's numbers, which nbconvert's HTML (the SVG alone) then had nowhere (a
 * lecturer's pass).
 */
export function captionLines(summary: readonly string[], title: string): string[] {
  const lines = summary[0] === title ? summary.slice(1) : [...summary];
  const wrapped = lines.map(breakLine);
  const total = wrapped.reduce((n, w) => n + w.length, 0);
  let out: string[];
  if (total <= CAPTION_LINES) out = wrapped.flat();
  else {
    // a "group k:" line and the headline over it (its run's first, unindented line)
    const kept = lines.map(() => false);
    let head = -1;
    lines.forEach((l, i) => {
      if (!l.startsWith(" ")) head = i;
      else if (/^ +group \d+:/.test(l)) {
        kept[i] = true;
        if (head >= 0) kept[head] = true;
      }
    });
    let room = CAPTION_LINES - 1 - wrapped.reduce((n, w, i) => n + (kept[i] ? w.length : 0), 0);
    wrapped.forEach((w, i) => {
      if (!kept[i] && w.length <= room) [kept[i], room] = [true, room - w.length];
    });
    out = wrapped.flatMap((w, i) => (kept[i] ? w : []));
    if (out.length < total) out.push(`… (${total - out.length} more lines in the text summary)`);
  }
  return out.map((l) => numberMinus(l).replace(/^ +/, (sp) => "\u00a0".repeat(sp.length)));
}

/**
 * The summary without its `note: ...` lines that a panel's note says already (a preview past
 * T_max: the note was written twice in the picture, in the caption and over the lr panel, a
 * lecturer's pass). The text summary keeps them: it has no panels.
 */
function withoutNoted(summary: readonly string[], payload: PlotPayload): readonly string[] {
  const notes = (payload.notes ?? []).map((n) => n.text);
  return summary.filter((l) => {
    const m = /^ *note: (.+)$/.exec(l);
    return m === null || !notes.some((t) => t.includes(m[1]));
  });
}

/** A summary line in caption lines of CAPTION_CHARS at most, broken at spaces (continued, indented). */
function breakLine(line: string): string[] {
  const indent = /^ */.exec(line)![0];
  const out: string[] = [];
  let rest = line;
  while (rest.length > CAPTION_CHARS) {
    const at = rest.lastIndexOf(" ", CAPTION_CHARS);
    if (at <= indent.length + 4) break;
    out.push(rest.slice(0, at));
    rest = `${indent}    ${rest.slice(at + 1)}`;
  }
  out.push(rest);
  return out;
}

/**
 * The Vega-Lite spec of a payload (exported for tests and for users who want to restyle it);
 * `caption`: the figure's summary lines, drawn under the title (captionLines).
 */
export function toVegaLite(payload: PlotPayload, caption: readonly string[] = []): Record<string, unknown> {
  const subtitle = captionLines(withoutNoted(caption, payload), figureTitle(payload));
  const panels = panelsFor(payload);
  const legendInfo = legendOf(payload);
  const byLine = legendInfo.byLine;
  // One line (a run of one group): each panel's title names its metric, so there is no colour
  // legend (its entries, one per metric in one colour, told the reader nothing); a panel of
  // several metrics gets the key of its dashes over it, as with several lines.
  const keys = byLine ? legendInfo : { ...legendInfo, byLine: true };
  const indexOf = new Map(payload.series.map((s, i) => [s, i]));
  const domain = legendInfo.entries.map((e) => e.label);
  const range = legendInfo.entries.map((e) => e.colour);
  // Not `nice`: the axis ends where the data do (a run of 320 steps drawn to 350 looked as if it
  // had stopped early; a range test stopped at 0.5 drawn to 1 likewise).
  const xScale = payload.x_log ? { type: "log", nice: false } : { zero: false, nice: false };
  const xFormat = stepTickFormat(payload);
  // a log x axis (a range test's rates): its ticks given, labelled in one notation (ticks.ts)
  const xValues = payload.x_log ? logTickValues(payload.series.flatMap((s) => s.x)) : undefined;
  // The log axes' ticks (their labelExpr is written once all are known: one notation for all of
  // them, ticks.ts).
  const logAxes: { values: number[]; axis: Record<string, unknown> }[] = [];
  const xTicks: Record<string, unknown> = xValues
    ? { values: xValues, labelOverlap: false }
    : { tickCount: 6, ...(payload.x_log ? { labelExpr: LOG_AXIS_LABEL } : xFormat ? { labelExpr: `format(datum.value, '${xFormat}')` } : {}) };
  const divergences = payload.markers.filter((m) => m.kind === "divergence");
  const charts = panels.map((panel, i) => {
    // the middle of the panel's x range: labels of markers right of it are drawn to their left
    const xs = payload.series.filter((s) => inPanel(panel, s)).flatMap((s) => s.x);
    const mid = payload.x_log ? Math.sqrt(Math.min(...xs) * Math.max(...xs)) : (Math.min(...xs) + Math.max(...xs)) / 2;
    const last = i === panels.length - 1;
    // a range of the panel's own (its reference line cut at the top: figure.ts withClippedReferences)
    let yScale: Record<string, unknown> = panel.log ? { type: "log" } : panel.y_range ? { zero: false, nice: false, domain: panel.y_range } : { zero: false };
    const clip = panel.y_range ? { clip: true } : {};
    const lines: Row[] = [];
    const bands: Row[] = [];
    const key = panelKey(panel, keys);
    const banded = bandedMetrics(payload, panel);
    const floor = panel.log ? logBandFloor(payload.series.filter((s) => inPanel(panel, s))) : null;
    for (const s of payload.series) {
      if (!inPanel(panel, s)) continue;
      const label = seriesLabel(s, payload);
      const entry = legendInfo.of[indexOf.get(s) as number]?.label ?? label;
      const own = { line: label, metric: key.find((k) => k.metric === s.metric)?.label };
      const t = s.min && s.max
        ? thin(s.x, [s.mean, s.min, s.max], ["mean", "min", "max"], SVG_POINTS)
        : thin(s.x, [s.mean], ["mean"], SVG_POINTS);
      const [mean] = t.ys;
      // on a log axis, a band's minimum <= 0 is clipped at the panel's bottom (plotly.ts bandEdges)
      const { lo: min, hi: max } = s.min && s.max ? bandEdges(t.ys[1], t.ys[2], panel.log, floor) : { lo: undefined, hi: undefined };
      // Steps while each drawn point is still one step (plotly.ts stepwise): thinned, a line.
      const step = stepwise({ metric: s.metric, x: t.x });
      const dashed = s.preview ? { dashed: true } : {};
      t.x.forEach((x, j) => {
        lines.push({ series: entry, ...own, x, y: onAxis(mean[j], panel.log), step, ...dashed });
        // a line of steps goes on over its last step (plotly.ts stepTail): no bare tick at the end
        if (step && j === t.x.length - 1) lines.push({ series: entry, ...own, x: x + 1, y: onAxis(mean[j], panel.log), step, ...dashed });
        if (min && max && !panel.params) {
          // a linear panel's band_range (figure.ts withPayloadNotes): cut there, as its note says
          const lo = onAxis(cutBand(min[j], panel), panel.log);
          const hi = onAxis(cutBand(max[j], panel), panel.log);
          bands.push({ series: entry, ...own, band: s.metric, x, y: null, lo, hi: lo === null ? null : hi });
        }
      });
    }
    // The y ticks of a log panel, chosen here: Vega's own drew every digit of a decade and then
    // hid the labels that overlapped, which often hid the decades themselves (0.1, 0.2, 0.4, 0.7,
    // 2, 4, 7, 20 with no 1 or 10), and wrote the hidden ones into the SVG anyway.
    const drawn = [...lines.map((r) => r.y), ...bands.flatMap((r) => [r.lo, r.hi])];
    const yValues = panel.log ? logTickValues(drawn) : undefined;
    // A linear axis's ticks are chosen here too, where Vega would put them (ticks.ts linearTicks):
    // given, they are labelled in one notation for the whole axis.
    const finite = drawn.filter((v): v is number => v !== null && v !== undefined && Number.isFinite(v));
    const linear = panel.log ? undefined
      : panel.y_range ? linearTicks(panel.y_range[0], panel.y_range[1], 5, false)
      : finite.length > 0 ? linearTicks(Math.min(...finite), Math.max(...finite)) : undefined;
    if (linear && !panel.y_range) yScale = { zero: false, nice: false, domain: linear.domain };
    // (with values given, no tickCount: Vega thins even given values down to it)
    // (given values: labelled in one notation for the whole axis, ticks.ts; a log axis's written below)
    const yAxis: Record<string, unknown> = yValues
      ? { values: yValues, labelOverlap: false }
      : linear ? { values: linear.values, labelExpr: labelsExpr(linear.values, tickLabels(linear.values)) }
      : { labelExpr: panel.log ? LOG_AXIS_LABEL : AXIS_LABEL, tickCount: panel.log ? 4 : 5 };
    if (yValues) logAxes.push({ values: yValues, axis: yAxis });
    const xAxis: Record<string, unknown> = last ? { title: payload.x_label, ...xTicks } : { title: null, labels: false, ...xTicks };
    if (xValues) logAxes.push({ values: xValues, axis: xAxis });
    const xEnc = {
      field: "x",
      type: "quantitative",
      scale: xScale,
      // A log x axis holds learning rates (a range test): labelled as log y axes are, "1e-7"
      // rather than Vega's "0.000001" (plotly writes them so too: plotly.ts exponentformat).
      // A long run's steps with SI suffixes, as plotly writes them (plotly.ts stepTickFormat):
      // AXIS_LABEL wrote "1e+5" for 100,000 and for 120,000 alike.
      // (the SI format as a per-tick labelExpr, not the axis `format`: Vega hands a `format` to
      // d3's tickFormat, which gives every tick the prefix of the largest, and 0 read "0k")
      axis: xAxis,
    };
    // a preview's entry (schedule_overlay.ts previewLabel: "pv (preview)") drawn dashed, as its line
    // (its symbol was solid, a run's: a user's pass)
    const previewSymbol = domain.some((d) => d.endsWith(" (preview)"))
      ? { encode: { symbols: { update: { strokeDash: { signal: `indexof(datum.value, ' (preview)') >= 0 && indexof(datum.value, ' (preview)') === length(datum.value) - 10 ? [${DASH_ARRAYS.dash.join(", ")}] : [1, 0]` } } } } }
      : {};
    const legend = byLine ? { title: null, orient: "bottom", ...legendColumns(domain), symbolType: "stroke", symbolStrokeWidth: 2, symbolOpacity: 1, ...previewSymbol } : null;
    const colour = { field: "series", type: "nominal", scale: { domain, range }, legend };
    // The colour legend names the lines (none for one line), and a panel of several metrics gets
    // a key of its own, over it, naming its dashes (plotly.ts panelKey); a panel of one metric
    // draws it solid, its title naming it.
    const strokeDash = key.length > 0
      ? {
        field: "metric", type: "nominal", scale: { domain: key.map((k) => k.label), range: key.map((k) => DASH_ARRAYS[k.dash]) },
        // labelLimit: Vega's default (160 px) cut "steady-state lr γ(1−τ)/(1−μ)" to "steady-state lr γ(…"
        legend: { title: null, orient: "top", direction: "horizontal", symbolType: "stroke", symbolSize: 500, symbolStrokeWidth: 1.6, symbolStrokeColor: KEY_COLOUR, symbolOpacity: 1, labelColor: KEY_COLOUR, labelLimit: PANEL_WIDTH },
      }
      : null;
    // Lines of one entry in one panel (a group's lr and projected lr) stay apart.
    const detail = byLine ? { detail: { field: "line", type: "nominal" } } : {};
    const layers: Record<string, unknown>[] = [];
    if (bands.length > 0) {
      layers.push({
        data: { values: bands },
        mark: { type: "area", opacity: BAND_OPACITY[0], invalid: "break-paths-filter-domains", ...clip },
        encoding: {
          x: xEnc, y: { field: "lo", type: "quantitative", scale: yScale, title: axisTitle(panel.title), axis: yAxis }, y2: { field: "hi" }, color: colour, ...detail,
          // the bands of several metrics by opacity, the first darker (figure.ts withBandKey's note names them)
          ...(banded.length > 1 ? { opacity: { field: "band", type: "ordinal", sort: banded, scale: { domain: banded, range: banded.map((m) => bandOpacity(payload, panel, m)) }, legend: null } } : {}),
        },
      });
    }
    // (a preview's lines last, dashed: over a run's line it agrees with, which it hid)
    for (const [step, dashed] of [[false, false], [true, false], [false, true], [true, true]]) {
      const values = lines.filter((r) => !!r.step === step && !!r.dashed === dashed);
      if (values.length === 0) continue;
      layers.push({
        data: { values },
        mark: {
          type: "line", strokeWidth: 1.6, invalid: "break-paths-filter-domains", ...clip, ...(step ? { interpolate: "step-after" } : {}),
          ...(dashed ? { strokeDash: DASH_ARRAYS.dash } : {}),
        },
        encoding: {
          x: xEnc,
          // Few ticks on log axes: Vega otherwise draws a grid line per minor tick (bytes, clutter).
          y: { field: "y", type: "quantitative", scale: yScale, title: axisTitle(panel.title), axis: yAxis },
          color: colour,
          ...(strokeDash ? { strokeDash } : {}),
          ...detail,
        },
      });
    }
    const suggestions = payload.markers.filter((m) => m.kind === "suggestion" && panel.metrics.includes(m.metric ?? "loss") && m.y !== null);
    for (const right of [false, true]) {
      // (a label right of the middle ran out of the picture: it goes left of its rule; in a range
      // test, over the panel: in it, it printed over the suggestions' rows and the curve)
      const here = divergences.filter((m) => (m.x > mid) === right);
      if (here.length === 0) continue;
      layers.push({
        data: { values: here.map((m) => ({ x: m.x, label: i === 0 ? numberMinus(m.label) : "" })) },
        layer: [
          { mark: { type: "rule", color: "#d62728", strokeDash: [5, 3], strokeWidth: 1.5 }, encoding: { x: { field: "x", type: "quantitative" } } },
          {
            mark: { type: "text", color: "#d62728", align: right ? "right" : "left", dx: right ? -4 : 4, baseline: "top", ...(suggestions.length > 0 ? { y: -13, fontSize: 10 } : { y: 2 }) },
            encoding: { x: { field: "x", type: "quantitative" }, text: { field: "label" } },
          },
        ],
      });
    }
    // Each suggestion: a point on its curve, a dotted rule at its rate, and its label on a row of
    // its own at the top of the panel. Labels placed next to their points printed over each
    // other (valley and minimum/10 are often close in both rate and loss). The recommended one
    // (Marker.recommended) as plotly.ts draws it: a larger filled diamond, its label bold and on
    // the top row, as the text lists it first; the others open diamonds (filled, as they were,
    // when none is flagged: a payload from before the flag).
    const flagged = suggestions.some((m) => m.recommended);
    [...suggestions.filter((m) => m.recommended), ...suggestions.filter((m) => !m.recommended)].forEach((m, j) => {
      const x = { field: "x", type: "quantitative" };
      const right = m.x > mid;
      const rec = m.recommended === true;
      layers.push({
        data: { values: [{ x: m.x, y: m.y, label: numberMinus(suggestionLabel(m)) }] },
        layer: [
          { mark: { type: "rule", color: "#d62728", strokeDash: [2, 2], strokeWidth: 1, opacity: rec ? 0.9 : 0.6 }, encoding: { x } },
          { mark: { type: "point", shape: "diamond", color: "#d62728", ...(rec ? { filled: true, size: 130 } : flagged ? { filled: false, size: 60, strokeWidth: 1.5 } : { filled: true, size: 70 }) }, encoding: { x, y: { field: "y", type: "quantitative" } } },
          {
            mark: { type: "text", color: "#d62728", fontSize: 10, baseline: "top", y: 3 + 12 * j, align: right ? "right" : "left", dx: right ? -4 : 4, ...(rec ? { fontWeight: "bold" } : {}) },
            encoding: { x, text: { field: "label" } },
          },
        ],
      });
    });
    return { width: PANEL_WIDTH, height: PANEL_HEIGHT, layer: layers, ...(panel.note ? { title: { text: noteLines(panel.note), fontSize: 11, fontWeight: "normal", anchor: "start", color: "#555" } } : {}) };
  });
  // One notation for all the figure's log axes (ticks.ts): exponents on all when one needs them.
  const exponent = logAxes.some((a) => needsExponent(a.values));
  for (const a of logAxes) a.axis.labelExpr = labelsExpr(a.values, tickLabels(a.values, exponent));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: {
      text: figureTitle(payload), anchor: "start", fontSize: 15,
      ...(subtitle.length > 0 ? { subtitle, subtitleFontSize: 11, subtitleColor: "#333", subtitlePadding: 4, subtitleLineHeight: 14 } : {}),
    },
    background: "white",
    padding: 8,
    // No ARIA attributes and no tick marks (grid lines remain): each is markup repeated hundreds
    // of times in a static picture, where it only costs bytes.
    config: { aria: false, view: { stroke: "#ccc" }, axis: { labelFontSize: 10, titleFontSize: 11, ticks: false, grid: true } },
    // One colour legend for all panels; each panel's key of dashes is its own. One x domain for
    // all panels (plotly's `matches: "x"`): a preview past the run drew the lr panel over steps
    // 0–48 and the loss panel under it over 0–23, under the loss panel's tick labels alone (an
    // engineer's pass).
    resolve: { scale: { x: "shared", color: "shared", strokeDash: "independent", opacity: "independent" }, legend: { strokeDash: "independent" } },
    vconcat: charts,
    spacing: 12,
  };
}

/**
 * Tick values of a log y axis drawing `values` (nulls and values <= 0 left out), on the domain
 * Vega gives it (`nice`: out to the decades around the values): the decades when there are four
 * or more (every second or third when there are many), else 1, 2 and 5 of each decade. Undefined
 * when the values sit on one power of ten (Vega's own ticks then).
 */
export function logTickValues(values: (number | null | undefined)[]): number[] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null || v === undefined || !(v > 0) || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(lo <= hi)) return undefined;
  const a = Math.floor(Math.log10(lo));
  const b = Math.ceil(Math.log10(hi));
  if (a === b) return undefined;
  const decade = (d: number) => Number((10 ** d).toPrecision(12));
  if (b - a + 1 >= 4) {
    const every = Math.ceil((b - a + 1) / 6);
    const out: number[] = [];
    for (let d = a; d <= b; d += every) out.push(decade(d));
    return out;
  }
  const out: number[] = [];
  for (let d = a; d <= b; d++) for (const m of d < b ? [1, 2, 5] : [1]) out.push(Number((m * 10 ** d).toPrecision(12)));
  return out;
}

const xml = (t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * What the picture shows, for screen readers and for nbconvert (which warns about images with no
 * alt text): the title, each panel and the lines in it.
 */
export function altText(payload: PlotPayload): string {
  const panels = panelsFor(payload).map((p) => {
    const names = [...new Set(payload.series.filter((s) => inPanel(p, s)).map((s) => seriesLabel(s, payload)))];
    return `${p.title} (${p.log ? "log" : "linear"} axis) against ${payload.x_label}: ${names.join(", ")}`;
  });
  return [figureTitle(payload), ...panels].join(". ");
}

/**
 * The picture's own description: role, aria-label and a <title> first inside the root. The
 * summary's numbers are the drawn caption's text, which screen readers read: a <desc> with them
 * again cost the bytes that kept every step of a 3-group 40-step trace (test/plot/points.test.ts).
 */
function describeSvg(svg: string, payload: PlotPayload): string {
  const alt = xml(altText(payload));
  return svg.replace(/^<svg\b([^>]*)>/, (_, attrs: string) => `<svg${attrs} role="img" aria-label="${alt}"><title>${alt}</title>`);
}

/**
 * Vega and Vega-Lite are loaded on the first picture, not with the library: they are a tenth of
 * a second of the kernel's start, and a notebook that never plots never needs them.
 */
let vega: typeof Vega;
let vl: typeof VegaLite;
function loadVega(): void {
  if (vega === undefined) {
    vega = require("vega");
    vl = require("vega-lite");
  }
}

function viewOf(payload: PlotPayload, caption: readonly string[]): Vega.View {
  loadVega();
  const compiled = vl.compile(toVegaLite(payload, caption) as unknown as VegaLite.TopLevelSpec).spec;
  return new vega.View(vega.parse(compiled), { renderer: "none" });
}

interface StringRenderer {
  initialize(el: null, width: number, height: number, origin: [number, number]): StringRenderer;
  background(colour: unknown): StringRenderer;
  render(scene: unknown): StringRenderer;
  svg(): string;
}

/** The SVG, synchronously (see the module comment for why this is the same as `toSVG`); `caption`: the summary lines. */
export function toSvgSync(payload: PlotPayload, caption: readonly string[] = []): string {
  const view = viewOf(payload, caption);
  view.run();
  // Vega's headless path sizes the canvas from these (vega-view's width/height/offset helpers).
  const v = view as unknown as { _viewWidth: number; _viewHeight: number; _origin: [number, number] };
  const pad = view.padding() as { top: number; bottom: number; left: number; right: number };
  // SVGStringRenderer is exported at run time but missing from vega's type declarations.
  const Renderer = (vega as unknown as { SVGStringRenderer: new (loader: unknown) => StringRenderer }).SVGStringRenderer;
  const renderer = new Renderer(view.loader());
  renderer.initialize(
    null,
    Math.max(0, v._viewWidth + pad.left + pad.right),
    Math.max(0, v._viewHeight + pad.top + pad.bottom),
    [pad.left + v._origin[0], pad.top + v._origin[1]],
  );
  renderer.background(view.background());
  renderer.render((view.scenegraph() as unknown as { root: unknown }).root);
  const svg = renderer.svg();
  view.finalize();
  return describeSvg(compactMarkup(compactPaths(svg)), payload);
}

/** The SVG through Vega's documented asynchronous API. */
export async function toSvg(payload: PlotPayload, caption: readonly string[] = []): Promise<string> {
  const view = viewOf(payload, caption);
  const svg = await view.toSVG();
  view.finalize();
  return describeSvg(compactMarkup(compactPaths(svg)), payload);
}
