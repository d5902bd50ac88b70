import { describe, expect, it } from "vitest";
import { BoundedSeries } from "../../kernel/src/trace/series";
import { panelsFor } from "../../kernel/src/plot/figure";
import { bandShape } from "../../kernel/src/plot/plotly";
import {
  bundle, figure, make_figure, toSvg, toSvgSync, toVegaLite, PLOT_MIME, PLOTLY_MIME, SVG_MIME, TEXT_MIME,
  type FigureSource, type Plottable, type PlotPayload,
} from "../../kernel/src/plot/index";

/** A Plottable made of real bounded series: `steps` steps of a decaying lr with noise and gaps. */
function run(name: string, steps: number, diverge_at: number | null = null): Plottable {
  const metrics = ["lr", "lr_projected", "lr_per_sample", "update_ratio", "loss"];
  const s = new Map(metrics.map((m) => [m, new BoundedSeries()]));
  const q = ["q05", "q50", "q95"].map(() => new BoundedSeries());
  for (let t = 0; t < steps; t++) {
    const lr = 0.1 * Math.pow(0.5, Math.floor(t / (steps / 4)));
    const gap = t % 101 === 7;
    s.get("lr")!.push(t, lr);
    s.get("lr_projected")!.push(t, gap ? null : lr * (1 + 0.3 * Math.sin(t)));
    s.get("lr_per_sample")!.push(t, gap ? null : lr / 32);
    s.get("update_ratio")!.push(t, gap ? null : 1e-3 * (1 + Math.cos(t / 7) / 2));
    s.get("loss")!.push(t, 2 * Math.exp(-t / steps) + 0.01 * Math.sin(t));
    q[0].push(t, gap ? null : lr * 0.5);
    q[1].push(t, gap ? null : lr);
    q[2].push(t, gap ? null : lr * 2);
  }
  return {
    plot_kind: "trace",
    to_figure_source(): FigureSource {
      return {
        name,
        series: [
          ...metrics.map((metric) => ({ metric, group: metric === "loss" ? null : 0, buckets: s.get(metric)!.buckets() })),
          { metric: "lr_elementwise", group: 0, buckets: q[1].buckets(), low: q[0].buckets(), high: q[2].buckets() },
        ],
        markers: diverge_at === null ? [] : [{ kind: "divergence", name, x: diverge_at, y: null, label: `diverged at step ${diverge_at}` }],
        summary: [`${name}: ${steps} steps, lr 0.0125`],
      };
    },
  };
}

function wellFormed(svg: string): void {
  expect(svg.startsWith("<svg")).toBe(true);
  expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  // tags balance (ignoring self-closing ones)
  const open = (svg.match(/<[a-zA-Z][^>]*[^/]>|<[a-zA-Z]>/g) ?? []).length;
  const close = (svg.match(/<\/[a-zA-Z]+>/g) ?? []).length;
  expect(open).toBe(close);
}

describe("display bundle", () => {
  it("has the four parts, plotly bands as closed shapes, log axes for rates, and stays small for a million steps", () => {
    const b = bundle(run("sgd", 1_000_000, 900_000));
    expect(Object.keys(b).sort()).toEqual([PLOTLY_MIME, PLOT_MIME, SVG_MIME, TEXT_MIME].sort());
    const size = JSON.stringify(b).length;
    console.log("bundle bytes", size, Object.values(b).map((v) => JSON.stringify(v).length));
    expect(size).toBeLessThan(150_000);
    const payload = b[PLOT_MIME] as PlotPayload;
    expect(payload.kind).toBe("trace");
    for (const s of payload.series) {
      expect(s.x.length).toBeLessThanOrEqual(200);
      // (a constant configured lr is carried as its stairs: two points, figure.ts SET_METRICS)
      if (s.metric !== "lr") expect(s.x.length).toBeGreaterThanOrEqual(32);
      expect(s.mean.length).toBe(s.x.length);
    }
    const { data, layout } = b[PLOTLY_MIME] as { data: any[]; layout: any };
    for (const tr of data.filter((d) => d.mode === "lines")) expect(tr.y.length).toBe(tr.x.length);
    // Bands are closed shapes ("toself"), one per run of points with both edges, separated by
    // null: each segment goes out along the lower edge and back along the upper one.
    const fills = data.filter((d) => d.fill === "toself");
    expect(fills.length).toBeGreaterThan(0);
    for (const f of fills) {
      const segments: number[][] = [[]];
      for (const x of f.x) (x === null ? segments.push([]) : segments[segments.length - 1].push(x));
      for (const seg of segments) {
        const half = seg.length / 2;
        expect(Number.isInteger(half)).toBe(true);
        expect(seg.slice(half)).toEqual(seg.slice(0, half).reverse());
      }
    }
    expect(layout.yaxis.type).toBe("log");
    expect(layout.yaxis.title.text).toBe("learning rate");
    expect(layout.shapes.some((s: any) => s.x0 === 900_000)).toBe(true);
    const svg = b[SVG_MIME] as string;
    wellFormed(svg);
    for (const name of ["lr", "projected lr", "per-sample lr", "update ratio", "element-wise lr", "loss"]) {
      // each metric named: in its panel's key of dashes, or, alone in its panel, by the panel's title
      const title = { "element-wise lr": "element-wise", "preconditioned lr": "preconditioned" }[name] ?? name; // (its first line)
      expect(svg.includes(`>${name}<`) || new RegExp(`>${title}( [^<]*)?<`).test(svg), name).toBe(true);
    }
    expect(svg).toContain("diverged at step 900000");
  });

  it("the synchronous SVG equals Vega's asynchronous toSVG()", async () => {
    const fig = figure(run("a", 500));
    expect(toSvgSync(fig.payload)).toBe(await toSvg(fig.payload));
  });

  it("compare view of named runs; live bundles leave out the SVG", () => {
    const b = bundle({ small: run("x", 300), large: run("y", 3000) }, { live: true });
    expect(b[SVG_MIME]).toBeUndefined();
    const p = b[PLOT_MIME] as PlotPayload;
    expect(p.kind).toBe("compare");
    expect(p.live).toBe(true);
    expect(new Set(p.series.map((s) => s.name))).toEqual(new Set(["small", "large"]));
    // The static views of a comparison show the chosen metric and the loss, one colour per run,
    // named by the run alone (the payload keeps every metric for the extension's selector).
    const lines = (b[PLOTLY_MIME] as any).data.filter((d: any) => d.name && d.showlegend !== false);
    const names = new Set(lines.map((d: any) => d.name));
    expect(names).toEqual(new Set(["small", "large"]));
    const metrics = new Set(p.series.map((s) => s.metric));
    expect(metrics.has("update_ratio")).toBe(true);
    expect(panelsFor(p).map((x) => x.metrics)).toEqual([[p.default_metric], ["loss"]].filter((m) => metrics.has(m[0])));
  });

  it("escapes user strings in plotly and SVG", () => {
    const b = bundle({ "<img src=x onerror=alert(1)>": run("z", 50) });
    const plotly = JSON.stringify(b[PLOTLY_MIME]);
    expect(plotly).not.toContain("<img");
    expect(b[SVG_MIME] as string).not.toContain("<img");
  });

  it("gaps stay null and bad input is a clear error", () => {
    const fig = make_figure([run("g", 200).to_figure_source()], { kind: "trace", max_points: 1000 });
    const proj = fig.payload.series.find((s) => s.metric === "lr_projected")!;
    expect(proj.mean[7]).toBeNull();
    // In the SVG the line breaks at the gap (a second "M" in its path), rather than dropping to the axis.
    const svg = bundle(run("g", 100), { max_points: 1000 })[SVG_MIME] as string;
    const broken = [...svg.matchAll(/ d="([^"]*)"/g)].filter((m) => (m[1].match(/M/g) ?? []).length >= 2);
    expect(broken.length).toBeGreaterThan(0);
    expect(() => bundle(42 as never)).toThrow(/expected a Trace, a preview, a range test/);
    expect(() => bundle([])).toThrow(/nothing to plot/);
  });
});

describe("step functions are drawn as steps", () => {
  it("draws the configured lr and momentum with step shapes and measured rates as lines", () => {
    const b = bundle(run("s", 40));
    const plotly = (b[PLOTLY_MIME] as any).data.filter((d: any) => d.showlegend !== false && d.line?.width > 0);
    const byName = new Map(plotly.map((d: any) => [d.name, d.line.shape]));
    expect(byName.get("lr")).toBe("hv");
    expect(byName.get("projected lr")).toBe("linear");
    // Vega draws the step-after interpolation as horizontal-then-vertical path segments.
    const spec = JSON.stringify(toVegaLiteOf(b));
    expect(spec).toContain('"interpolate":"step-after"');
  });
});

function toVegaLiteOf(b: Record<string, unknown>) {
  return toVegaLite(b[PLOT_MIME] as PlotPayload);
}

describe("plotly band shapes", () => {
  it("close one shape per run of points with both edges, separated by null", () => {
    const shape = bandShape([1, 2, 3, 4, 5], [0.1, 0.2, null, 0.4, 0.5], [1, 2, 3, 4, 5]);
    expect(shape.x).toEqual([1, 2, 2, 1, null, 4, 5, 5, 4]);
    expect(shape.y).toEqual([0.1, 0.2, 2, 1, null, 0.4, 0.5, 5, 4]);
  });
});
