/**
 * Users' passes (session 16: /work/scratch/s16/userG findings 3 and 8):
 * - A user's optimizer that extends SGD or Adam and overrides step() (LARS, a projection after
 *   super.step(), a doubled Adam step) was reported with the base class's "exact" per-element
 *   factor: LARS read lr_preconditioned 0.1 (and lr_momentum_steady 0.1) while its measured rates
 *   were 0.067 and 0.092. Now such an optimizer has no factor (null), as an unknown one.
 *   (Caught before: lr_preconditioned was SGD's/Adam's quantiles, not null.)
 * - For an optimizer without a known factor (a subclass overriding step, a custom Optimizer, NAdam)
 *   the summary said nothing: now one line says the factor is not known and why.
 *   (Caught before: no such line in the summary.)
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace, trace_all, Trace } from "../../kernel/src/trace/index";

type Closure = torch.optim.Closure;

/** LARS as users write it over SGD's groups (the cell of userG finding 3). */
class LARS extends torch.optim.SGD {
  constructor(params: Iterable<torch.Tensor>, lr: number, public eta = 0.5) {
    super(params, { lr });
  }
  override step(_closure?: Closure): undefined {
    torch.no_grad(() => {
      for (const group of this.param_groups) {
        for (const p of group.params) {
          if (p.grad === null) continue;
          const trust = (this.eta * p.norm().item()) / p.grad.norm().item();
          p.add_(p.grad, { alpha: -group.lr * trust });
        }
      }
    });
    return undefined;
  }
}

/** super.step(), then twice the update (userG's DoubledAdam). */
class DoubledAdam extends torch.optim.Adam {
  override step(closure?: Closure): number | torch.Tensor | undefined {
    const before = this.param_groups.flatMap((g) => g.params.map((p) => p.detach().clone()));
    const out = super.step(closure);
    torch.no_grad(() => {
      let k = 0;
      for (const g of this.param_groups) for (const p of g.params) p.add_(p.sub(before[k++]));
    });
    return out;
  }
}

/** A subclass that changes nothing of the step: its factor is still SGD's. */
class NamedSGD extends torch.optim.SGD {}

function run(opt: torch.optim.Optimizer, net: torch.nn.Linear, t: { stop(): void }, steps = 3): void {
  const X = torch.randn([4, 3]), Y = torch.randn([4, 2]);
  for (let i = 0; i < steps; i++) {
    opt.zero_grad();
    net.forward(X).sub(Y).pow(2).mean().backward();
    opt.step();
  }
  void t;
}

describe("a subclass overriding step() has no per-element factor", () => {
  it("LARS extends SGD: lr_preconditioned and lr_momentum_steady null, the summary says why", () => {
    torch.manual_seed(0);
    const net = new torch.nn.Linear(3, 2);
    const opt = new LARS(net.parameters(), 0.1);
    const t = trace(opt, { name: "lars" });
    run(opt, net, t);
    const m = t.latest()!;
    expect(m.lr_preconditioned).toBeNull();
    expect(m.lr_momentum_steady).toBeNull();
    // the measured rates are still there (ρ = γ·trust, not γ)
    expect(m.lr_elementwise!.q50).not.toBeCloseTo(0.1, 3);
    const s = t.summary();
    expect(s).toContain("  lr_preconditioned: not known for LARS (its own step(), not SGD's); the measured rates are shown");
    expect(s.join("\n")).not.toContain("lr_preconditioned median");
    t.stop();
  });

  it("DoubledAdam extends Adam: null, with a scheduler wrapping step() as well", () => {
    torch.manual_seed(1);
    const net = new torch.nn.Linear(3, 2);
    const opt = new DoubledAdam(net.parameters(), { lr: 0.01 });
    const sched = new torch.optim.lr_scheduler.StepLR(opt, { step_size: 2 });
    const t = trace(opt);
    run(opt, net, t);
    sched.step();
    expect(t.latest()!.lr_preconditioned).toBeNull();
    expect(t.summary().join("\n")).toContain("lr_preconditioned: not known for DoubledAdam (its own step(), not Adam's)");
    t.stop();
  });

  it("a subclass that keeps the library's step keeps its factor; AdamW (Adam's step) too", () => {
    torch.manual_seed(2);
    const net = new torch.nn.Linear(3, 2);
    const opt = new NamedSGD(net.parameters(), { lr: 0.1 });
    const t = trace(opt);
    run(opt, net, t);
    expect(t.latest()!.lr_preconditioned!.q50).toBe(0.1);
    expect(t.summary().join("\n")).not.toContain("not known");
    t.stop();
    const net2 = new torch.nn.Linear(3, 2);
    const opt2 = new torch.optim.AdamW(net2.parameters(), { lr: 0.01 });
    const sched = new torch.optim.lr_scheduler.StepLR(opt2, { step_size: 2 }); // outermost wrapper: the scheduler's
    const t2 = trace(opt2);
    run(opt2, net2, t2);
    sched.step();
    expect(t2.latest()!.lr_preconditioned).not.toBeNull();
    t2.stop();
  });
});

describe("the summary says when the factor is not known", () => {
  it("Rprop: one line, listing the optimizers with a known factor", () => {
    // (NAdam was this test's optimizer until its factor became known: factor_more_optimizers.test.ts)
    torch.manual_seed(3);
    const net = new torch.nn.Linear(3, 2);
    const opt = new torch.optim.Rprop(net.parameters(), { lr: 0.01 });
    const t = trace(opt);
    run(opt, net, t);
    expect(t.latest()!.lr_preconditioned).toBeNull();
    expect(t.summary()).toContain(
      "  lr_preconditioned: not known for Rprop (a factor is known for SGD, Adam, AdamW, Adamax, RMSprop, Adagrad, SparseAdam, NAdam, RAdam, Adadelta, ASGD, Adafactor); the measured rates are shown",
    );
    // kept through to_json / from_json, and not said of a trace that does not record the factor
    expect(Trace.from_json(JSON.parse(JSON.stringify(t.to_json()))).summary().join("\n")).toContain("not known for Rprop");
    t.stop();
    const t2 = trace(opt, { metrics: ["lr", "lr_projected"] });
    run(opt, net, t2);
    expect(t2.summary().join("\n")).not.toContain("not known");
    t2.stop();
  });

  it("a custom Optimizer traced by trace_all (the %%lr_trace cell's)", () => {
    class SignStep extends torch.optim.Optimizer {
      constructor(params: Iterable<torch.Tensor>, lr: number) {
        super(params, { lr });
      }
      step(): undefined {
        torch.no_grad(() => {
          for (const g of this.param_groups) for (const p of g.params) if (p.grad !== null) p.add_(p.grad.sign(), { alpha: -g.lr });
        });
        return undefined;
      }
    }
    torch.manual_seed(4);
    const net = new torch.nn.Linear(3, 2);
    const all = trace_all({ name: "sm" });
    const opt = new SignStep(net.parameters(), 0.01);
    run(opt, net, all);
    all.stop();
    expect(all.summary()).toContain(
      "  lr_preconditioned: not known for SignStep (a factor is known for SGD, Adam, AdamW, Adamax, RMSprop, Adagrad, SparseAdam, NAdam, RAdam, Adadelta, ASGD, Adafactor); the measured rates are shown",
    );
    // SGD: no such line
    const t = trace(new torch.optim.SGD(net.parameters(), { lr: 0.1 }));
    expect(t.summary().join("\n")).not.toContain("not known");
    t.stop();
  });
});
