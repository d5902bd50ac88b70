/**
 * The `application/vnd.plotly.v1+json` part of the bundle: `{ data, layout }` for plotly.js (VS
 * Code, nteract, jupyterlab-plotly), derived from the figure spec.
 *
 * Panels (figure.panelsFor) are stacked vertically, each with its own y axis (log for rates) and
 * an x axis matched to the first, so zooming one zooms all. A series with a band becomes three
 * traces: the band's upper edge (invisible line), its lower edge filled "tonexty" back to the
 * upper edge, then the mean line; nulls stay nulls, so plotly breaks the line at gaps. A
 * divergence is a dashed vertical line across all panels with a label; range-test suggestions are
 * labelled points.
 */
import { panelsFor, seriesLabel } from "./figure";
import type { PlotPayload } from "./payload";

export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

/** Twenty distinct colours (Tableau 20 order: dark then light of each hue) for up to 20 labels. */
export const PALETTE = [
  "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
  "#aec7e8", "#ff9896", "#98df8a", "#ffbb78", "#c5b0d5", "#c49c94", "#f7b6d2", "#9edae5", "#dbdb8d", "#393b79",
];

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

/** The colour of each legend label drawn in the static panels, in order of first appearance. */
export function colourMap(payload: PlotPayload): Map<string, string> {
  const drawn = new Set(panelsFor(payload).flatMap((p) => p.metrics));
  const colours = new Map<string, string>();
  for (const s of payload.series) {
    if (!drawn.has(s.metric)) continue;
    const label = seriesLabel(s, payload);
    if (!colours.has(label)) colours.set(label, PALETTE[colours.size % PALETTE.length]);
  }
  return colours;
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
  const colours = colourMap(payload);
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
      if (!panel.metrics.includes(s.metric)) continue;
      const label = seriesLabel(s, payload);
      const colour = colours.get(label) as string;
      const legendgroup = label;
      if (s.min && s.max) {
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
        line: { color: colour, width: 1.8, shape: stepwise(s.metric) ? "hv" : "linear" }, connectgaps: false, legendgroup,
      });
    }
  });
  const shapes: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
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
