import { describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { SGD, Adam } from "../../kernel/src/optim/index";
import { trace } from "../../kernel/src/trace/index";
import { PLOT_MIME, PLOTLY_MIME, SVG_MIME, TEXT_MIME, type PlotPayload } from "../../kernel/src/plot/index";

describe("bundle of a real trace", () => {
  it("a million Adam steps: bounded series, bundle under 150 KB with every part", () => {
    const p = new Tensor(Float64Array.from([1, -1, 0.5, 2]), [4], "float64", true);
    const g = new Tensor(new Float64Array(4), [4], "float64");
    const opt = new Adam([p], { lr: 1e-3 });
    const t = trace(opt, { batch_size: 16, name: "adam" });
    const N = 1_000_000;
    const t0 = Date.now();
    for (let i = 0; i < N; i++) {
      // a noisy quadratic: g = θ + noise
      for (let k = 0; k < 4; k++) g.data[k] = p.data[k] + 0.1 * Math.sin(i * (k + 1));
      p.grad = g;
      if (i % 10 === 0) t.log_loss(p.data[0] * p.data[0]);
      opt.step();
    }
    const elapsed = Date.now() - t0;
    expect(t.steps).toBe(N);
    for (const key of ["lr", "lr_projected", "lr_elementwise.q50", "loss"]) {
      expect(t.series(key)!.length).toBeLessThanOrEqual(2000);
    }
    const b = t._repr_mimebundle_();
    const size = JSON.stringify(b).length;
    expect(size).toBeLessThan(150_000);
    const payload = b[PLOT_MIME] as PlotPayload;
    const metrics = new Set(payload.series.map((s) => s.metric));
    for (const m of ["lr", "lr_projected", "lr_per_sample", "lr_elementwise", "lr_preconditioned", "update_ratio", "loss"]) expect(metrics).toContain(m);
    const plotly = b[PLOTLY_MIME] as { data: { x: unknown[]; y: unknown[] }[]; layout: Record<string, any> };
    for (const d of plotly.data) expect(d.y.length).toBe(d.x.length);
    // The rates' panel is log unless a line in it has a value <= 0 (Adam's projected rate turns
    // negative on this noisy quadratic): a log axis would hide them (svg_fallback.test.ts).
    const negative = payload.series.some((s) => s.metric === "lr_projected" && s.mean.some((v) => v !== null && v <= 0));
    expect(plotly.layout.yaxis.type).toBe(negative ? "linear" : "log");
    const svg = b[SVG_MIME] as string;
    for (const name of ["lr", "projected lr", "per-sample lr", "element-wise lr", "preconditioned lr", "update ratio", "loss"]) {
      // each metric named: in its panel's key of dashes, or, alone in its panel, by the panel's title
      const title = { "element-wise lr": "element-wise", "preconditioned lr": "preconditioned" }[name] ?? name; // (its first line)
      expect(svg.includes(`>${name}<`) || new RegExp(`>${title}( [^<]*)?<`).test(svg), name).toBe(true);
    }
    // one line (one run, one group): no colour legend, whose entries (one per metric, in one
    // colour) told nothing; a metric alone in its panel is named by the panel's title only
    expect(svg.match(/>loss</g)?.length).toBe(1);
    // panels evenly stacked: a y title longer than its panel (as Vega measures text without a
    // canvas) pushed the next panel 40 px down; the gap is the spacing, plus a key when it has one
    const tops = [...svg.matchAll(/translate\(0,(\d+)\)"><path d="M0\.5,0\.5h560v150h-560Z"/g)].map((m) => Number(m[1]));
    expect(tops.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < tops.length; i++) expect(tops[i] - tops[i - 1] - 150, `gap above panel ${i}`).toBeLessThanOrEqual(60);
    const text = b[TEXT_MIME] as string;
    expect(text).toContain("adam (Adam): 1000000 steps");
    expect(text).toMatch(/lr 0\.001, lr_projected [\d.e-]+, lr_per_sample [\d.e-]+/);
    expect(text).toContain("no divergence");
    console.log(`1e6 traced Adam steps in ${elapsed} ms; bundle ${size} bytes`);
  }, 180_000); // a million real optimizer steps: seconds alone, longer on a shared 2-core machine

  it("SGD text summary names the exact last numbers", () => {
    const p = new Tensor(Float64Array.from([1, 2]), [2], "float64", true);
    const opt = new SGD([p], { lr: 0.1 });
    const t = trace(opt, { batch_size: 10 });
    p.grad = new Tensor(Float64Array.from([1, 1]), [2], "float64");
    opt.step();
    const text = t.bundle({ svg: false })[TEXT_MIME] as string;
    expect(text).toContain("trace (SGD): 1 step");
    expect(text).toContain("lr 0.1, lr_projected 0.1, lr_per_sample 0.01, lr_realized 0.1");
  });
});

describe("a live update's bundle without the text summary (%%lr_trace puts its own)", () => {
  it("no_text leaves text/plain out and changes nothing else", () => {
    const p = new Tensor(Float64Array.from([1, -1]), [2], "float64", true);
    const opt = new SGD([p], { lr: 0.1 });
    const t = trace(opt, { batch_size: 4 });
    for (let i = 0; i < 30; i++) { p.grad = new Tensor(Float64Array.from([p.data[0], p.data[1]]), [2], "float64"); opt.step(); }
    const full = t.bundle({ live: true });
    const bare = t.bundle({ live: true, no_text: true });
    expect(typeof full[TEXT_MIME]).toBe("string");
    expect(TEXT_MIME in bare).toBe(false);
    expect(bare[PLOTLY_MIME]).toEqual(full[PLOTLY_MIME]);
    expect(bare[PLOT_MIME]).toEqual(full[PLOT_MIME]);
    expect(SVG_MIME in bare).toBe(false);
  });
});
