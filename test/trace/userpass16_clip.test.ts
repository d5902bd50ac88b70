/**
 * A user's pass (session 16: /work/scratch/s16/userH finding 2): gradient clipping never showed
 * in a trace. The tracer reads the gradient step() reads, the clipped one, so lr_projected and
 * lr_realized are relative to it and grad_norm is the clipped norm (0.19989 where the model's
 * gradient was 0.41263). Those definitions stay; now clip_grad_norm_/clip_grad_value_ on a traced
 * optimizer's parameters record, per step and group, the raw norm (grad_norm_raw) and the clip
 * factor ‖g_clipped‖/‖g_raw‖ (clip_factor), and the summary says how often clipping cut the
 * gradient and what the rate is relative to the raw gradient.
 * (Caught before: latest() had no grad_norm_raw/clip_factor, series("clip_factor") was an
 * unknown metric, and the summary had no clipping line.)
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace, trace_all, Trace } from "../../kernel/src/trace/index";
import { fmt } from "../../kernel/src/plot/text";

const { clip_grad_norm_, clip_grad_value_ } = torch.nn.utils;

const flat = (ts: torch.Tensor[]) => ts.flatMap((t) => Array.from(t.data as Float32Array, Number));
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

/** Embedding → Linear, two groups, Adam; returns what each step needs. */
function model(seed: number) {
  torch.manual_seed(seed);
  const emb = new torch.nn.Embedding(10, 4);
  const head = new torch.nn.Linear(4, 1);
  const groups = [[...emb.parameters()], [...head.parameters()]];
  const opt = new torch.optim.Adam([{ params: groups[0], lr: 0.01 }, { params: groups[1] }], { lr: 0.003 });
  const ids = torch.randint(0, 10, [8]);
  const y = torch.randn([8, 1]);
  const backward = () => {
    opt.zero_grad();
    const loss = head.forward(emb.forward(ids)).sub(y).pow(2).mean().mul(30);
    loss.backward();
    return loss;
  };
  return { opt, groups, backward, all: [...groups[0], ...groups[1]] };
}

describe("clip_grad_norm_ on a traced optimizer", () => {
  it("grad_norm_raw, clip_factor, the rates relative to the raw gradient, per group", () => {
    const { opt, groups, backward, all } = model(0);
    const t = trace(opt, { batch_size: 8 });
    let last: { raw: number[][]; clipped: number[][]; theta: number[][]; total: number } | null = null;
    const steps = 6;
    for (let i = 0; i < steps; i++) {
      backward();
      const raw = groups.map((g) => flat(g.map((p) => p.grad!)));
      const total = clip_grad_norm_(all, 0.2).item();
      const clipped = groups.map((g) => flat(g.map((p) => p.grad!)));
      const theta = groups.map((g) => flat(g));
      opt.step();
      last = { raw, clipped, theta, total };
    }
    const { raw, clipped, theta, total } = last!;
    const items: string[] = [];
    groups.forEach((g, gi) => {
      const m = t.latest(gi)!;
      const rn = Math.sqrt(dot(raw[gi], raw[gi])), cn = Math.sqrt(dot(clipped[gi], clipped[gi]));
      expect(m.grad_norm_raw).toBeCloseTo(rn, 12);
      expect(m.clip_factor! / (cn / rn) - 1).toBeLessThan(1e-12);
      expect(m.clip_factor!).toBeLessThan(1);
      // the existing metrics stay relative to the gradient step() read (the clipped one)
      expect(m.grad_norm! / cn - 1).toBeLessThan(1e-12);
      const delta = flat(g).map((x, k) => x - theta[gi][k]);
      expect(m.lr_projected! / (-dot(delta, clipped[gi]) / dot(clipped[gi], clipped[gi])) - 1).toBeLessThan(1e-9);
      // relative to the raw gradient: lr_projected × clip_factor (clip_grad_norm_ scales every gradient alike)
      const rawProjected = -dot(delta, raw[gi]) / dot(raw[gi], raw[gi]);
      expect(Math.abs((m.lr_projected! * m.clip_factor!) / rawProjected - 1)).toBeLessThan(1e-5);
      items.push(`${gi === 0 ? "lr_projected is " : ""}${fmt(m.lr_projected! * m.clip_factor!)} (group ${gi})`);
      // the series: their last values are latest()'s
      expect(t.series("clip_factor", gi)!.last_value).toBe(m.clip_factor);
      expect(t.series("grad_norm_raw", gi)!.last_value).toBe(m.grad_norm_raw);
      expect(t.series("clip_factor", gi)!.steps).toBe(steps);
    });
    // the groups' raw norms make up clip_grad_norm_'s total norm
    expect(Math.hypot(t.latest(0)!.grad_norm_raw!, t.latest(1)!.grad_norm_raw!)).toBeCloseTo(total, 5);
    const line = t.summary().find((l) => l.includes("gradients clipped"))!;
    expect(line).toMatch(new RegExp(`^  gradients clipped at ${steps} of ${steps} steps \\(clip_factor median [0-9.e+-]+\\): relative to the raw gradient \\(× clip_factor\\), the last step's `));
    expect(line.endsWith(items.join(", "))).toBe(true);
    // kept by to_json/from_json
    const back = Trace.from_json(JSON.parse(JSON.stringify(t.to_json())));
    expect(back.summary()).toEqual(t.summary());
    expect(back.series("clip_factor", 1)!.last_value).toBe(t.latest(1)!.clip_factor);
    t.stop();
  });

  it("steps where clipping did not cut, a run without clipping, parameters of another optimizer", () => {
    const { opt, backward, all } = model(1);
    const t = trace(opt);
    backward();
    opt.step(); // no clipping: nothing recorded
    expect(t.latest()!.clip_factor).toBeNull();
    expect(t.latest()!.grad_norm_raw).toBeNull();
    expect(t.series("clip_factor")).toBeUndefined();
    expect(t.summary().join("\n")).not.toContain("clipped");
    backward();
    clip_grad_norm_(all, 1e9); // ran, did not cut: factor 1
    opt.step();
    expect(t.latest()!.clip_factor).toBe(1);
    backward();
    clip_grad_norm_(all, 0.01);
    opt.step();
    expect(t.latest()!.clip_factor!).toBeLessThan(1);
    expect(t.summary().find((l) => l.includes("gradients clipped"))).toMatch(/^ {2}gradients clipped at 1 of 3 steps \(clipping ran at 2; clip_factor median /);
    // the series start at the first step clipping ran before
    expect(t.series("clip_factor")!.steps).toBe(2);
    t.stop();
    // another model's parameters clipped: not this trace's
    const other = new torch.nn.Linear(2, 2);
    const t2 = trace(opt, { name: "second" });
    backward();
    other.forward(torch.randn([3, 2])).sum().backward();
    clip_grad_norm_(other.parameters(), 1e-3);
    opt.step();
    expect(t2.latest()!.clip_factor).toBeNull();
    t2.stop();
  });

  it("clip_grad_value_: the factor, and the rate relative to the raw gradient is lr_realized × factor", () => {
    torch.manual_seed(2);
    const net = new torch.nn.Linear(5, 1);
    const opt = new torch.optim.SGD(net.parameters(), { lr: 0.1 });
    const t = trace(opt);
    const x = torch.randn([16, 5]).mul(10), y = torch.randn([16, 1]);
    opt.zero_grad();
    net.forward(x).sub(y).pow(2).mean().backward();
    const raw = flat([...net.parameters()].map((p) => p.grad!));
    const theta = flat([...net.parameters()]);
    clip_grad_value_(net.parameters(), 0.5);
    const clipped = flat([...net.parameters()].map((p) => p.grad!));
    opt.step();
    const m = t.latest()!;
    expect(m.clip_factor! / Math.sqrt(dot(clipped, clipped) / dot(raw, raw)) - 1).toBeLessThan(1e-12);
    // plain SGD: lr_projected is γ relative to the clipped gradient, as before
    expect(m.lr_projected).toBeCloseTo(0.1, 6);
    const delta = flat([...net.parameters()]).map((v, k) => v - theta[k]);
    const realizedRaw = Math.sqrt(dot(delta, delta) / dot(raw, raw));
    expect(Math.abs((m.lr_realized! * m.clip_factor!) / realizedRaw - 1)).toBeLessThan(1e-6);
    expect(t.summary().find((l) => l.includes("gradients clipped"))).toContain(`the last step's lr_realized is ${fmt(m.lr_realized! * m.clip_factor!)}`);
    t.stop();
  });

  it("trace_all (%%lr_trace): the first step's clipping, before the optimizer's trace exists, counts", () => {
    const all = trace_all({ name: "clipall" });
    const { opt, backward, all: params } = model(3);
    for (let i = 0; i < 3; i++) {
      backward();
      clip_grad_norm_(params, 0.05);
      opt.step();
    }
    all.stop();
    const t = all.single();
    expect(t.series("clip_factor", 0)!.steps).toBe(3);
    expect(all.summary().find((l) => l.includes("gradients clipped"))).toMatch(/^ {2}gradients clipped at 3 of 3 steps/);
  });

  it("a large step measured on the tracer's worker thread gets its step's clipping", () => {
    torch.manual_seed(4);
    const net = new torch.nn.Linear(300, 300); // 90,300 parameters: measured on the worker
    const opt = new torch.optim.SGD(net.parameters(), { lr: 0.01 });
    const t = trace(opt);
    const heard: (number | null)[] = [];
    t.on_step((_t, ms) => heard.push(ms[0].clip_factor));
    const x = torch.randn([4, 300]);
    const want: number[] = [];
    for (let i = 0; i < 4; i++) {
      opt.zero_grad();
      net.forward(x).pow(2).mean().backward();
      const raw = flat([...net.parameters()].map((p) => p.grad!));
      clip_grad_norm_(net.parameters(), 0.001 * (i + 1));
      const c = flat([...net.parameters()].map((p) => p.grad!));
      want.push(Math.sqrt(dot(c, c) / dot(raw, raw)));
      opt.step();
    }
    t.stop();
    expect(heard.length).toBe(4);
    heard.forEach((f, i) => expect(f! / want[i] - 1).toBeLessThan(1e-12));
  });
});
