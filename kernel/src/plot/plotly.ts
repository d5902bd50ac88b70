/**
 * The `application/vnd.plotly.v1+json` part of the bundle: `{ data, layout }` for plotly.js (VS
 * Code, nteract, jupyterlab-plotly), derived from the figure spec.
 *
 * Panels (figure.panelsFor) are stacked vertically, each with its own y axis (log for rates) and
 * an x axis matched to the first, so zooming one zooms all. A series with a band becomes three
 * traces: the band's upper edge (invisible line), its lower edge filled "tonexty" back to the
 * upper edge, then the mean line; nulls stay nulls, so plotly breaks the line at gaps. A
 * divergence is a dashed vertical line across all panels with a label; range-test suggestions are
 * labelled points. Per-parameter lines (a per_param trace) are drawn only in their own panel
 * (figure.panelsFor: the update ratio of the first STATIC_PARAMS parameters carried), one legend
 * entry each; the usual panels draw the group's lines.
 */
import { inPanel, panelOf, panelsFor, seriesLabel } from "./figure";
import type { PlotPayload, Series } from "./payload";

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
 * (loss: group null) takes the run's first slot. A run, and a group within it, keeps its colour
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
  const base = new Map<string, number>();
  let next = 0;
  for (const [name, lines] of runs) {
    base.set(name, next);
    next += Math.max(1, lines.size);
  }
  return payload.series.map((s) => (base.get(s.name) ?? 0) + (whole(s) ? 0 : runs.get(s.name)?.get(sub(s)) ?? 0));
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

/**
 * The configured rate and momentum hold for a whole step (schedulers change them between steps):
 * drawn as steps, not as ramps between points. Measured metrics are drawn as lines.
 */
export function stepwise(metric: string): boolean {
  return metric === "lr" || metric === "momentum";
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

export function toPlotly(payload: PlotPayload): PlotlyFigure {
  const panels = panelsFor(payload);
  const styles = lineStyles(payload);
  const data: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {
    title: { text: escapeText(payload.title) },
    showlegend: true,
    legend: { orientation: "h", y: -0.12 },
    hovermode: "x unified",
    margin: { l: 70, r: 20, t: 50, b: 60 },
    height: Math.max(320, 220 * panels.length),
  };
  const gap = 0.06;
  const h = (1 - gap * (panels.length - 1)) / Math.max(1, panels.length);
  panels.forEach((panel, i) => {
    const k = i + 1;
    const xa = k === 1 ? "x" : `x${k}`;
    const ya = k === 1 ? "y" : `y${k}`;
    const top = 1 - i * (h + gap);
    layout[k === 1 ? "yaxis" : `yaxis${k}`] = {
      title: { text: escapeText(panel.title) },
      type: panel.log ? "log" : "linear",
      domain: [Math.max(0, top - h), top],
      exponentformat: "power",
    };
    layout[k === 1 ? "xaxis" : `xaxis${k}`] = {
      anchor: ya,
      type: payload.x_log ? "log" : "linear",
      ...(k > 1 ? { matches: "x" } : {}),
      ...(k === panels.length ? { title: { text: escapeText(payload.x_label) } } : { showticklabels: false }),
    };
    for (const s of payload.series) {
      if (!inPanel(panel, s)) continue;
      const label = seriesLabel(s, payload);
      const { colour, dash } = styles.get(label) as LineStyle;
      const legendgroup = label;
      // (the per-parameter panel draws lines only: five overlapping bands hid them)
      if (s.min && s.max && !panel.params) {
        // The band as closed shapes, one per run of points with both edges (on a log axis, both
        // > 0): "tonexty" between two lines would fill across gaps towards the next run.
        const drawable = (v: number | null) => v !== null && (!panel.log || v > 0);
        const shape = bandShape(s.x, s.min.map((v) => (drawable(v) ? v : null)), s.max.map((v) => (drawable(v) ? v : null)));
        data.push({
          type: "scatter", mode: "lines", x: shape.x, y: shape.y, xaxis: xa, yaxis: ya, fill: "toself",
          fillcolor: withAlpha(colour, 0.2), line: { width: 0, color: colour }, hoverinfo: "skip",
          showlegend: false, legendgroup, name: escapeText(`${label} band`),
        });
      }
      data.push({
        type: "scatter", mode: "lines", x: s.x, y: s.mean, xaxis: xa, yaxis: ya, name: escapeText(label),
        line: { color: colour, dash, width: 1.8, shape: stepwise(s.metric) ? "hv" : "linear" }, connectgaps: false, legendgroup,
      });
    }
  });
  const shapes: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  panels.forEach((panel, i) => {
    if (!panel.note) return;
    const top = 1 - i * (h + gap);
    annotations.push({ xref: "paper", yref: "paper", x: 0, y: top, xanchor: "left", yanchor: "bottom", text: escapeText(panel.note), showarrow: false, font: { size: 11, color: "#555" } });
  });
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
      data.push({
        type: "scatter", mode: "markers+text", x: [m.x], y: [m.y], xaxis: k === 1 ? "x" : `x${k}`,
        yaxis: k === 1 ? "y" : `y${k}`, name: escapeText(m.label), text: [escapeText(m.label)],
        textposition: "top center", marker: { size: 9, symbol: "diamond", color: "#d62728" },
      });
    }
  }
  layout.shapes = shapes;
  layout.annotations = annotations;
  return { data, layout };
}
