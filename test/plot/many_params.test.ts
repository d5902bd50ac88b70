/**
 * Plots of many parameter tensors and many runs stay within the saved-size budget and readable
 * (kernel/src/plot/figure.ts, "Budget"), and a per_param trace holds bounded memory whose kept
 * points equal the unbounded computation's (kernel/src/trace/trace.ts PARAM_CAPACITY).
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace, type Trace } from "../../kernel/src/trace/index";
import { bundle, PLOT_MIME, PLOTLY_MIME, SVG_MIME, toVegaLite, type MimeBundle, type PlotPayload } from "../../kernel/src/plot/index";
import type { Bucket } from "../../kernel/src/trace/series";
import { savedBytes, tracedRun } from "./saved";


/** Legend entries of the plotly figure, and of the SVG (its colour scale's domain). */
function legends(b: MimeBundle): { plotly: number; svg: number } {
  const plotly = (b[PLOTLY_MIME] as { data: { showlegend?: boolean }[] }).data.filter((d) => d.showlegend !== false).length;
  const spec = toVegaLite(b[PLOT_MIME] as PlotPayload) as any;
  const svg = spec.vconcat[0].layer.find((l: any) => l.mark.type === "line").encoding.color.scale.domain.length;
  return { plotly, svg };
}

/** 25 × Linear(64, 64) (50 parameter tensors), Adam, gradients fixed but for a slow drift. */
function deepRun(steps: number, options: Record<string, unknown> = {}) {
  torch.manual_seed(0);
  const layers: torch.nn.Linear[] = [];
  for (let i = 0; i < 25; i++) layers.push(new torch.nn.Linear(64, 64));
  const model = new torch.nn.Sequential(...layers);
  const params = model.parameters();
  const grads = params.map((p) => torch.randn(...p.shape));
  const opt = new torch.optim.Adam(params, { lr: 1e-3 });
  const t = trace(opt, { batch_size: 64, per_param: true, named_parameters: model.named_parameters(), ...options });
  for (let s = 0; s < steps; s++) {
    params.forEach((p, k) => {
      const g = grads[k].data as Float32Array;
      const out = new Float32Array(g.length);
      const f = 1 + 0.5 * Math.sin(s / 50 + k);
      for (let i = 0; i < g.length; i++) out[i] = g[i] * f;
      p.grad = torch.tensor(Array.from(out)).reshape(p.shape);
    });
    t.log_loss(1 / (1 + s));
    opt.step();
  }
  t.stop();
  return { t, names: model.named_parameters().map(([n]) => n) };
}

describe("a per_param trace of 50 parameter tensors", () => {
  let run: ReturnType<typeof deepRun>;
  let b: MimeBundle;
  it("saves under 150 KB with every part, group lines and per-parameter lines", () => {
    run = deepRun(600);
    const t0 = performance.now();
    b = run.t._repr_mimebundle_();
    const ms = performance.now() - t0;
    const size = savedBytes(b);
    const p = b[PLOT_MIME] as PlotPayload;
    console.log(`50 params: saved ${size} B, ${p.series.length} series, ${(b[PLOTLY_MIME] as any).data.length} plotly traces, built in ${ms.toFixed(0)} ms`, p.param_info);
    expect(size).toBeLessThan(150_000);
    expect(String(b[SVG_MIME]).length).toBeGreaterThan(1000);
    // the group's lines are there, as without per_param
    for (const m of ["lr", "lr_projected", "lr_per_sample", "lr_elementwise", "lr_preconditioned", "update_ratio", "loss"]) {
      expect(p.series.some((s) => s.metric === m && !s.param), m).toBe(true);
    }
    // per-parameter lines for the selector, the payload saying how many it left out
    const carried = new Set(p.series.filter((s) => s.param).map((s) => s.param));
    expect(carried.size).toBeGreaterThanOrEqual(8);
    expect(p.param_info).toEqual({ total: 50, omitted: 50 - carried.size, criterion: "mean update ratio ‖Δ‖/‖θ‖, weights (2 or more dims) first" });
  }, 120_000);

  it("has a readable legend: the group's lines and a few parameters, not one entry per parameter × metric", () => {
    const l = legends(b);
    console.log("legend entries", l);
    expect(l.plotly).toBeLessThanOrEqual(16);
    expect(l.svg).toBeLessThanOrEqual(16);
    // the static per-parameter panel says what it shows
    expect(String(b[SVG_MIME])).toContain("of 50 parameters, by mean update ratio");
  });

  it("the parameters carried first are the weights (2 or more dims), largest mean update ratio first, then the vectors", () => {
    const p = b[PLOT_MIME] as PlotPayload;
    const carried = [...new Set(p.series.filter((s) => s.param).map((s) => s.param as string))];
    const mean = (n: string) => { const bs = run.t.series("update_ratio", 0, n)!.buckets(); return bs.reduce((a, x) => a + x.sum, 0) / bs.reduce((a, x) => a + x.count, 0); };
    const vector = (n: string) => (n.endsWith(".bias") ? 1 : 0); // Linear's bias [64], weight [64, 64]
    const all = run.names.map((n) => [n, mean(n)] as const).sort((a, c) => vector(a[0]) - vector(c[0]) || c[1] - a[1]).map(([n]) => n);
    expect(carried).toEqual(all.slice(0, carried.length));
    // biases move faster relative to their size here: by the ratio alone they would come first
    expect(Math.max(...run.names.filter((n) => vector(n)).map(mean))).toBeGreaterThan(mean(carried[0]));
  });

  it("a parameter left out is carried on demand: bundle({ params: [name] })", () => {
    const p = b[PLOT_MIME] as PlotPayload;
    const carried = new Set(p.series.filter((s) => s.param).map((s) => s.param));
    const missing = run.names.find((n) => !carried.has(n))!;
    const b2 = run.t.bundle({ params: [missing] });
    const p2 = b2[PLOT_MIME] as PlotPayload;
    expect(p2.series.filter((s) => s.param === missing).map((s) => s.metric).sort()).toEqual(
      ["lr_elementwise", "lr_preconditioned", "lr_projected", "update_ratio"]);
    expect(p2.param_info!.criterion).toBe("the ones asked for, then mean update ratio ‖Δ‖/‖θ‖, weights (2 or more dims) first");
    expect(savedBytes(b2)).toBeLessThan(150_000);
  });
});

/** A small MLP traced for `steps` steps with Adam and a cosine schedule (saved.ts). */
const smallRun = (lr: number, steps: number, name: string): Trace => tracedRun((params) => {
  const optimizer = new torch.optim.Adam(params, { lr });
  return { optimizer, sched: new torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, { T_max: steps }) };
}, steps, name);

describe("%lr_compare of 12 long runs", () => {
  it("saves under 150 KB, one line per run, a bounded legend", () => {
    const runs = Array.from({ length: 12 }, (_, k) => smallRun(1e-3 * (k + 1), 5000, `adam ${k + 1}e-3`));
    const b = bundle(runs, { default_metric: "lr_per_sample" });
    const size = savedBytes(b);
    const p = b[PLOT_MIME] as PlotPayload;
    const pts = p.series.map((s) => s.x.length);
    console.log(`12 runs: saved ${size} B, ${p.series.length} series, points per series ${Math.min(...pts)}-${Math.max(...pts)}`);
    expect(size).toBeLessThan(150_000);
    expect(new Set(p.series.filter((s) => s.metric === "lr_per_sample").map((s) => s.name)).size).toBe(12);
    // every line keeps enough points to show its course
    expect(Math.min(...pts)).toBeGreaterThanOrEqual(8);
    const l = legends(b);
    expect(l.svg).toBe(12);
    expect(l.plotly).toBeLessThanOrEqual(24);
  }, 180_000);
});

/** 3 × Linear(8, 8), Adam, fixed gradients: cheap steps for long runs. */
function smallPerParam(options: Record<string, unknown>) {
  torch.manual_seed(1);
  const model = new torch.nn.Sequential(new torch.nn.Linear(8, 8), new torch.nn.Linear(8, 8), new torch.nn.Linear(8, 8));
  const params = model.parameters();
  const opt = new torch.optim.Adam(params, { lr: 1e-2 });
  const grads = params.map((p) => torch.randn(...p.shape));
  const t = trace(opt, { per_param: true, named_parameters: model.named_parameters(), ...options });
  let s = 0;
  const run = (n: number) => {
    for (let i = 0; i < n; i++, s++) {
      params.forEach((p, k) => (p.grad = grads[k].mul(1 + 0.3 * Math.sin(s / 7 + k))));
      opt.step();
    }
  };
  return { t, run, opt, names: model.named_parameters().map(([n]) => n) };
}

describe("memory of a per_param trace", () => {
  it("per-parameter series hold at most 18 × 128 buckets × 64 B per parameter tensor, whatever the steps", () => {
    const r = smallPerParam({});
    r.run(3000);
    const after3k = r.t.series_bytes;
    r.run(20000);
    const after23k = r.t.series_bytes;
    expect(after23k).toBe(after3k);
    let paramBytes = 0;
    for (const n of r.names) for (const m of ["lr_projected", "update_ratio", "lr_elementwise.q50", "lr_preconditioned.q95", "lr"]) {
      const s = r.t.series(m, 0, n)!;
      expect(s.capacity).toBe(128);
      expect(s.length).toBeLessThanOrEqual(128);
      paramBytes += s.byte_length;
    }
    expect(paramBytes).toBeLessThanOrEqual(6 * 5 * 128 * 64);
    // the group's series keep their resolution
    expect(r.t.series("lr_projected")!.capacity).toBe(2000);
    expect(after23k).toBeLessThanOrEqual(6 * 18 * 128 * 64 + 19 * 2000 * 64);
    r.t.stop();
  }, 120_000);

  it("what a parameter's series keeps equals the unbounded computation, bucket for bucket", () => {
    // one optimizer, two traces: bounded (default) and unbounded per-parameter series
    const r = smallPerParam({});
    const full = trace(r.opt, { per_param: true, param_capacity: 2000, name: "full", named_parameters: new Map(r.names.map((n, k) => [n, r.opt.param_groups[0].params[k]])) });
    r.run(5000);
    r.t.stop();
    full.stop();
    // group series and latest values: identical
    expect(JSON.stringify(r.t.to_json().groups)).toBe(JSON.stringify(full.to_json().groups));
    expect(r.t.to_json().latest_params).toEqual(full.to_json().latest_params);
    const merged = (bs: Bucket[], first: number, last: number) => {
      const inside = bs.filter((b) => b.first_step >= first && b.last_step <= last);
      const counted = inside.filter((b) => b.count > 0);
      return {
        first_step: inside[0].first_step, last_step: inside[inside.length - 1].last_step,
        pushes: inside.reduce((a, b) => a + b.pushes, 0), count: inside.reduce((a, b) => a + b.count, 0),
        min: counted.length ? Math.min(...counted.map((b) => b.min!)) : null,
        max: counted.length ? Math.max(...counted.map((b) => b.max!)) : null,
        last: counted.length ? counted[counted.length - 1].last : null,
        sum: inside.reduce((a, b) => a + b.sum, 0),
      };
    };
    let compared = 0;
    for (const n of r.names) {
      for (const m of ["lr_projected", "lr_realized", "update_ratio", "grad_norm", "lr_elementwise.q05", "lr_elementwise.q50", "lr_preconditioned.q95"]) {
        const kept = r.t.series(m, 0, n)!.buckets();
        const all = full.series(m, 0, n)!.buckets();
        expect(kept.length).toBeLessThanOrEqual(128);
        expect(all.length).toBeGreaterThan(1000);
        for (const b of kept) {
          const u = merged(all, b.first_step, b.last_step);
          expect({ ...b, sum: 0, mean: 0 }).toEqual({ ...u, sum: 0, mean: 0 });
          expect(Math.abs(b.sum - u.sum)).toBeLessThanOrEqual(1e-13 * Math.abs(u.sum));
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
    // and the plot's per-parameter lines are the same points
    const pa = (r.t.bundle({ svg: false })[PLOT_MIME] as PlotPayload).series.filter((s) => s.param);
    const pb = (full.bundle({ svg: false })[PLOT_MIME] as PlotPayload).series.filter((s) => s.param);
    expect(pa.length).toBe(6 * 4);
    // the same lines but for the run's name (one optimizer's second trace needs a name of its own)
    expect(pa).toEqual(pb.map((s) => ({ ...s, name: "trace" })));
  }, 120_000);
});
