/**
 * A researcher's pass (userpass13b), the tracer's side: each test failed before its fix.
 *   2  a trace made with a name (lrlab.trace(opt, { name })) is a run: lrlab.run(name) finds it;
 *   4  JSON.stringify(series) writes its steps and values, not its typed array of rows;
 *   5  latest_param / series accept the default name "group.index" of a parameter the trace
 *      named after its model (%%lr_trace --per-param names them so).
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { run, run_names, trace, GlobalTrace } from "../../kernel/src/trace/index";
import { BoundedSeries } from "../../kernel/src/trace/series";

function small(name?: string, options: Record<string, unknown> = {}) {
  torch.manual_seed(0);
  const model = new torch.nn.Sequential(new torch.nn.Linear(3, 4), new torch.nn.Linear(4, 1));
  const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-2 });
  const t = trace(opt, { ...(name !== undefined ? { name } : {}), ...options });
  const x = torch.randn(8, 3), y = torch.randn(8, 1);
  const steps = (n: number) => {
    for (let i = 0; i < n; i++) {
      opt.zero_grad();
      new torch.nn.MSELoss().forward(model.forward(x), y).backward();
      opt.step();
    }
  };
  return { model, opt, t, steps };
}

describe("2: a named lrlab.trace is a run", () => {
  it("lrlab.run(name) gives it back (its only trace), and run_names lists it", () => {
    const { t, steps } = small("up13b-mine");
    steps(3);
    const r = run("up13b-mine");
    expect(r).toBeInstanceOf(GlobalTrace);
    expect(r.traces).toEqual([t]);
    expect(r.traces[0]).toBe(t);
    expect(r.steps).toBe(3);
    expect(r.active).toBe(true);
    expect(r.latest()).toEqual(t.latest());
    expect(run_names()).toContain("up13b-mine");
    // the run's log_loss is the trace's
    r.log_loss(0.5);
    expect(t.series("loss")!.last_value).toBe(0.5);
    t.stop();
    expect(r.active).toBe(false);
  });

  it("the default name is not a run; a later trace of the same name replaces the earlier one", () => {
    const before = run_names().includes("trace");
    small();
    expect(run_names().includes("trace")).toBe(before);
    const a = small("up13b-again");
    const b = small("up13b-again");
    expect(run("up13b-again").traces[0]).toBe(b.t);
    expect(run("up13b-again").traces[0]).not.toBe(a.t);
    a.t.stop();
    b.t.stop();
  });

  it("a misspelt name says the near one", () => {
    small("up13b-spelled").t.stop();
    expect(() => run("up13b-speled")).toThrow(/no run named "up13b-speled" \(did you mean up13b-spelled\?\)/);
  });
});

describe("4: JSON.stringify(series)", () => {
  it("one value per step: { name, steps, values }, null where a step had no finite value", () => {
    const s = new BoundedSeries(8);
    s.name = "lr";
    s.push(0, 0.1);
    s.push(1, null);
    s.push(2, 0.3);
    const j = JSON.parse(JSON.stringify(s));
    expect(j).toEqual({ name: "lr", steps: [0, 1, 2], values: [0.1, null, 0.3] });
    expect(JSON.stringify(s)).not.toContain("rows");
  });

  it("merged steps: steps are each bucket's last step, values its mean, and the buckets", () => {
    const s = new BoundedSeries(4);
    for (let i = 0; i < 10; i++) s.push(i, i);
    const j = JSON.parse(JSON.stringify(s));
    const b = s.buckets();
    expect(j.steps).toEqual(b.map((x) => x.last_step));
    expect(j.values).toEqual(b.map((x) => x.mean));
    expect(j.bucket_width).toBe(4);
    expect(j.buckets[0]).toEqual({ first_step: 0, last_step: 3, count: 4, mean: 1.5, min: 0, max: 3 });
    expect(j.name).toBeNull();
  });

  it("a trace's series", () => {
    const { t, steps } = small("up13b-json");
    steps(4);
    const j = JSON.parse(JSON.stringify(t.series("lr")));
    expect(j).toEqual({ name: "lr", steps: [0, 1, 2, 3], values: [0.01, 0.01, 0.01, 0.01] });
    t.stop();
  });
});

describe("5: default names of parameters the trace named after the model", () => {
  it("latest_param('0.1') and series(m, 0, '0.1') read the parameter named '0.bias'", () => {
    torch.manual_seed(0);
    const model = new torch.nn.Sequential(new torch.nn.Linear(3, 4), new torch.nn.Linear(4, 1));
    // built from model.parameters(), named as %%lr_trace --per-param names them: after the model
    const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-2 });
    const t = trace(opt, { per_param: true, named_parameters: model.named_parameters(), name: "up13b-names" });
    const x = torch.randn(8, 3), y = torch.randn(8, 1);
    for (let i = 0; i < 3; i++) {
      opt.zero_grad();
      new torch.nn.MSELoss().forward(model.forward(x), y).backward();
      opt.step();
    }
    expect(t.param_names()).toContain("0.bias");
    expect(t.latest_param("0.1")).toEqual(t.latest_param("0.bias"));
    expect(t.latest_param("0.3")).toEqual(t.latest_param("1.bias"));
    expect(t.series("update_ratio", 0, "0.2")).toBe(t.series("update_ratio", 0, "1.weight"));
    // through the run too
    expect(run("up13b-names").latest_param("0.0")).toEqual(t.latest_param("0.weight"));
    // a default name that points to no parameter stays an error
    expect(() => t.latest_param("0.9")).toThrow(/no parameter named "0.9"/);
    t.stop();
  });
});
