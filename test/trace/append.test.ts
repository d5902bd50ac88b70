/**
 * A named run continued across cells (userpass14 finding 8, /work/scratch/s14/userA c21.txt):
 * `lrlab.trace(opt, { name, append: true })` and `trace_all({ name, append: true })` (what
 * `%%lr_trace --name N --append` runs) go on with the run's trace: step numbers after the last
 * one, the same series, divergence marker and per-parameter lines, with the same optimizer or a
 * new one of the same class over parameters of the same shapes (a checkpoint reloaded); anything
 * else is an error naming the difference. Each failed before (append was an unknown option, and
 * a second run of a name replaced the first from step 0).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace, trace_all, type Trace } from "../../kernel/src/trace/index";
import { run, saveRun } from "../../kernel/src/trace/runs";
import { offload_stats, worker_ready } from "../../kernel/src/trace/offload";

afterEach(() => {
  vi.restoreAllMocks();
});

const { nn } = torch;

function makeModel(hidden = 8) {
  return new nn.Sequential(new nn.Linear(4, hidden), new nn.Tanh(), new nn.Linear(hidden, 1));
}

torch.manual_seed(0);
const X = torch.randn([16, 4]), y = torch.randn([16, 1]);
const loss_fn = new nn.MSELoss();

/** `n` steps of `model` with `opt`, each logging its loss to `log` when given. */
function steps(model: ReturnType<typeof makeModel>, opt: { zero_grad(): void; step(): unknown }, n: number, log?: (l: torch.Tensor) => void) {
  for (let i = 0; i < n; i++) {
    opt.zero_grad();
    const l = loss_fn.forward(model.forward(X), y);
    l.backward();
    log?.(l);
    opt.step();
  }
}

const xs = (t: Trace | { series(m: string, g?: number, p?: string): { columns(): { x: number[] } } | undefined }, metric = "lr", param?: string) =>
  t.series(metric, 0, param)!.columns().x;
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe("lrlab.trace(opt, { name, append: true })", () => {
  it("the same optimizer: the run's trace goes on from step 5, and lrlab.run(name) is it", () => {
    torch.manual_seed(1);
    const model = makeModel();
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    const t1 = trace(opt, { name: "ap-same", batch_size: 16 });
    steps(model, opt, 5, (l) => t1.log_loss(l));
    t1.stop();
    const t2 = trace(opt, { name: "ap-same", append: true });
    expect(t2).toBe(t1);
    steps(model, opt, 5, (l) => t2.log_loss(l));
    t2.stop();
    expect(t2.steps).toBe(10);
    expect(xs(t2)).toEqual(range(0, 10));
    expect(xs(t2, "loss")).toEqual(range(0, 10));
    expect(t2.latest()!.step).toBe(9);
    expect(t2.latest()!.lr_per_sample).toBeCloseTo(0.1 / 16, 7); // the run's batch size stays
    expect(run("ap-same").steps).toBe(10);
    expect(run("ap-same").single()).toBe(t1);
  });

  it("an active trace appended to again (a cell run twice) is not stopped and stacked: one trace, its steps go on", () => {
    torch.manual_seed(1);
    const model = makeModel();
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const t1 = trace(opt, { name: "ap-active", append: true });
    steps(model, opt, 3);
    const t2 = trace(opt, { name: "ap-active", append: true });
    steps(model, opt, 3);
    expect(t2).toBe(t1);
    expect(t1.active).toBe(true);
    expect(t1.steps).toBe(6);
    expect(xs(t1)).toEqual(range(0, 6));
    t1.stop();
    expect(warn).not.toHaveBeenCalled(); // no "replaces the one it had", no note for a new run
  });

  it("a checkpoint reloaded into a new model and Adam: steps 5..9, per-parameter lines under the run's names", () => {
    torch.manual_seed(2);
    const model = makeModel();
    const opt = new torch.optim.Adam(model.named_parameters(), { lr: 1e-2 });
    const t1 = trace(opt, { name: "ap-ckpt", batch_size: 16, per_param: true });
    steps(model, opt, 5);
    t1.stop();
    const ck = { m: model.state_dict(), o: opt.state_dict() };
    const m2 = makeModel();
    m2.load_state_dict(ck.m);
    const o2 = new torch.optim.Adam(m2.parameters(), { lr: 1e-2 }); // unnamed: the run's names by place
    o2.load_state_dict(ck.o);
    const t2 = trace(o2, { name: "ap-ckpt", append: true });
    expect(t2).toBe(t1);
    expect(t2.optimizer).toBe(o2);
    steps(m2, o2, 5);
    t2.stop();
    expect(t2.steps).toBe(10);
    expect(xs(t2)).toEqual(range(0, 10));
    expect(t2.param_names()).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    expect(xs(t2, "update_ratio", "2.weight")).toEqual(range(0, 10));
    expect(t2.latest_param("2.bias")!.step).toBe(9);
    // the same numbers as one optimizer trained 10 steps: the trace measures the reloaded one
    steps(model, opt, 5);
    expect(m2.state_dict()["2.bias"].item()).toBeCloseTo(model.state_dict()["2.bias"].item(), 12);
  });

  it("an optimizer of other parameter shapes, another class or other groups: an error naming the difference", () => {
    torch.manual_seed(3);
    const model = makeModel(8);
    const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-2 });
    trace(opt, { name: "ap-bad" });
    steps(model, opt, 2);
    const other = makeModel(6);
    expect(() => trace(new torch.optim.Adam(other.parameters(), { lr: 1e-2 }), { name: "ap-bad", append: true }))
      .toThrow(/lrlab\.trace: this Adam optimizer cannot continue the run "ap-bad": its group 0, parameter 0 \(the run's "0\.0"\) has shape \[6, 4\], the run's had \[8, 4\]\. .*give it another name/);
    expect(() => trace(new torch.optim.SGD(model.parameters(), { lr: 0.1 }), { name: "ap-bad", append: true }))
      .toThrow(/this SGD optimizer cannot continue the run "ap-bad": it is SGD, the run's optimizer is Adam/);
    const [w0, b0, w2, b2] = model.parameters();
    expect(() => trace(new torch.optim.Adam([{ params: [w0, b0] }, { params: [w2, b2] }], { lr: 1e-2 }), { name: "ap-bad", append: true }))
      .toThrow(/it has 2 parameter groups, the run's optimizer had 1/);
    expect(() => trace(new torch.optim.Adam([w0, b0, w2], { lr: 1e-2 }), { name: "ap-bad", append: true }))
      .toThrow(/its group 0 has 3 parameters, the run's had 4/);
    // the run is untouched, still traced by its own optimizer
    expect(run("ap-bad").single().optimizer).toBe(opt);
    expect(run("ap-bad").single().active).toBe(true);
    run("ap-bad").stop();
  });

  it("options that shape the series must be the run's; batch_size given applies to the coming steps", () => {
    torch.manual_seed(4);
    const model = makeModel();
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    const t = trace(opt, { name: "ap-opts", batch_size: 16 });
    steps(model, opt, 2);
    t.stop();
    expect(() => trace(opt, { name: "ap-opts", append: true, reduction: "sum", per_param: true }))
      .toThrow(/append: true continues the run "ap-opts" as it was recorded, and this call gives reduction "sum" \(the run's: "mean"\), per_param true \(the run's: false\)/);
    expect(() => trace(opt, { append: true })).toThrow(/append: true continues the run of a name/);
    expect(() => trace(opt, { name: "ap-opts", append: "yes" as unknown as boolean })).toThrow(/append must be true or false/);
    const t2 = trace(opt, { name: "ap-opts", append: true, batch_size: 8, reduction: "mean" });
    steps(model, opt, 2);
    t2.stop();
    const ps = t2.series("lr_per_sample")!.columns().mean.map((v) => Math.round(0.1 / (v as number)));
    expect(ps).toEqual([16, 16, 8, 8]);
  });

  it("the divergence marker stays where the run diverged", () => {
    torch.manual_seed(5);
    const model = makeModel();
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    const t = trace(opt, { name: "ap-div" });
    steps(model, opt, 3, (l) => t.log_loss(t.steps === 1 ? NaN : l));
    t.stop();
    expect(t.diverged_at).toMatchObject({ step: 1, lr: 0.1 });
    trace(opt, { name: "ap-div", append: true });
    steps(model, opt, 2);
    t.stop();
    expect(t.steps).toBe(5);
    expect(t.diverged_at).toMatchObject({ step: 1, lr: 0.1 });
  });

  it("a name with no run starts it; a name close to a recorded run's gets a note (a typo?)", () => {
    torch.manual_seed(6);
    const model = makeModel();
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const t = trace(opt, { name: "ap-fresh-run", append: true });
    steps(model, opt, 2);
    t.stop();
    expect(warn).not.toHaveBeenCalled();
    expect(run("ap-fresh-run").steps).toBe(2);
    const t2 = trace(opt, { name: "ap-fresh-rn", append: true });
    t2.stop();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toBe('lrlab.trace: no run named "ap-fresh-rn" to continue, so this starts it (did you mean ap-fresh-run?)');
  });
});

describe("a large model (steps measured on the worker thread)", () => {
  it("3 + 3 appended steps measure as 6 steps of one trace", async () => {
    const until = Date.now() + 10_000;
    while (!worker_ready() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(worker_ready()).toBe(true);
    const make = () => {
      torch.manual_seed(9);
      const m = new nn.Linear(256, 300); // 77,100 elements: the worker's size
      return { m, opt: new torch.optim.Adam(m.parameters(), { lr: 1e-3 }) };
    };
    const XB = (torch.manual_seed(10), torch.randn([8, 256]));
    const go = (m: InstanceType<typeof nn.Linear>, opt: { zero_grad(): void; step(): unknown }, n: number) => {
      for (let i = 0; i < n; i++) { opt.zero_grad(); m.forward(XB).pow(2).mean().backward(); opt.step(); }
    };
    const a = make();
    // the worker's path, even where the native pass measures in place (steps.ts in_place)
    const whole = trace(a.opt, { name: "ap-big-whole" });
    whole._use_worker = true;
    go(a.m, a.opt, 6);
    whole.stop();
    const b = make();
    const part = trace(b.opt, { name: "ap-big" });
    part._use_worker = true;
    go(b.m, b.opt, 3);
    part.stop();
    await new Promise((r) => setTimeout(r, 10));
    const posted = offload_stats.posted;
    trace(b.opt, { name: "ap-big", append: true })._use_worker = true;
    go(b.m, b.opt, 3);
    part.stop();
    expect(offload_stats.posted).toBeGreaterThan(posted); // the continued trace's steps went to the worker
    expect(part.steps).toBe(6);
    for (const metric of ["lr_projected", "update_ratio", "lr_preconditioned.q50"]) {
      expect(part.series(metric)!.columns(), metric).toEqual(whole.series(metric)!.columns());
    }
  });
});

describe("trace_all({ name, append: true }) (what %%lr_trace --append runs)", () => {
  it("continues a trace_all run: steps, listeners of the new run, a new optimizer after a reload, and the error for another model", () => {
    torch.manual_seed(7);
    const model = makeModel();
    const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-2 });
    const g1 = trace_all({ name: "ap-all", batch_size: 16 });
    steps(model, opt, 4, (l) => g1.log_loss(l));
    g1.stop();
    saveRun("ap-all", g1);

    const g2 = trace_all({ name: "ap-all", append: true });
    expect(g2.traces).toEqual(g1.traces);
    expect(g2.steps).toBe(4);
    const heard: number[] = [];
    g2.on_step((_t, ms) => heard.push(ms[0].step));
    steps(model, opt, 3, (l) => g2.log_loss(l));
    g2.stop();
    saveRun("ap-all", g2);
    expect(heard).toEqual([4, 5, 6]);
    expect(run("ap-all").steps).toBe(7);
    expect(xs(run("ap-all"), "loss")).toEqual(range(0, 7));

    const m2 = makeModel();
    m2.load_state_dict(model.state_dict());
    const o2 = new torch.optim.Adam(m2.parameters(), { lr: 1e-2 });
    o2.load_state_dict(opt.state_dict());
    const g3 = trace_all({ name: "ap-all", append: true });
    steps(m2, o2, 2);
    g3.stop();
    expect(g3.single()).toBe(g1.traces[0]);
    expect(g3.steps).toBe(9);
    expect(xs(g3)).toEqual(range(0, 9));

    const other = makeModel(5);
    const o4 = new torch.optim.Adam(other.parameters(), { lr: 1e-2 });
    const g4 = trace_all({ name: "ap-all", append: true });
    try {
      expect(() => steps(other, o4, 1)).toThrow(/%%lr_trace --append: this Adam optimizer cannot continue the run "ap-all": its group 0, parameter 0 \(the run's "0\.0"\) has shape \[5, 4\], the run's had \[8, 4\]/);
    } finally {
      g4.stop();
    }
    expect(g4.steps).toBe(9);
  });

  it("continues a run of lrlab.trace still hooked to its optimizer: each step measured once", () => {
    torch.manual_seed(11);
    const model = makeModel();
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    const t = trace(opt, { name: "ap-hooked" });
    steps(model, opt, 2);
    const g = trace_all({ name: "ap-hooked", append: true });
    expect(t.active).toBe(false);
    steps(model, opt, 3);
    g.stop();
    expect(g.single()).toBe(t);
    expect(t.steps).toBe(5);
    expect(xs(t)).toEqual(range(0, 5));
    expect(t.errors).toEqual([]);
  });

  it("options given that differ from the run's are an error when it is made; left out, the run's stay", () => {
    torch.manual_seed(8);
    const model = makeModel();
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    const g1 = trace_all({ name: "ap-all-opts", reduction: "sum", metrics: ["lr", "lr_projected", "lr_per_sample"] });
    steps(model, opt, 1);
    g1.stop();
    saveRun("ap-all-opts", g1);
    expect(() => trace_all({ name: "ap-all-opts", append: true, metrics: ["lr"] }))
      .toThrow(/--append continues the run "ap-all-opts" as it was recorded, and this gives metrics \["lr"\] \(the run's: \["lr","lr_projected","lr_per_sample"\]\)/);
    const g2 = trace_all({ name: "ap-all-opts", append: true });
    steps(model, opt, 1);
    g2.stop();
    expect(g2.single().reduction).toBe("sum");
    expect(g2.latest()!.lr_per_sample).toBeCloseTo(0.1, 7);
    expect(g2.steps).toBe(2);
  });
});
