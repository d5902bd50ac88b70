/**
 * torch.optim.swa_utils.AveragedModel, update_bn and the averaging functions against real PyTorch
 * 2.13 (test/fixtures/swa_utils/AveragedModel.json, from test/fixtures/generate_swa_utils.py):
 * SWA and EMA averages of a small model trained by SGD (replayed from PyTorch's weights, and
 * trained here end to end), buffers averaged or copied, BatchNorm statistics recomputed by
 * update_bn; then the module copy, the options and every error.
 */
import { describe, expect, it, vi } from "vitest";
import * as torch from "../../../kernel/src/index";
import { Tensor } from "../../../kernel/src/tensor/tensor";
import * as nn from "../../../kernel/src/nn/index";
import { SGD } from "../../../kernel/src/optim/sgd";
import {
  AveragedModel,
  get_ema_avg_fn,
  get_ema_multi_avg_fn,
  get_swa_avg_fn,
  get_swa_multi_avg_fn,
  update_bn,
} from "../../../kernel/src/optim/swa_utils/index";
import { averagingOptions, expectState, loadAveraged, makeModel, stateOf, tensorOf, type RunJSON } from "./fixtures";

const fixture = loadAveraged();
const runOf = (kind: "mlp" | "bn"): RunJSON => fixture.runs.find((r) => r.model === kind)!;
const rows = (t: Tensor, from: number, to: number): Tensor => torch.tensor(
  Array.from({ length: to - from }, (_, i) => Array.from(t.data.slice((from + i) * t.shape[1], (from + i + 1) * t.shape[1]))),
);

describe("AveragedModel against PyTorch 2.13.0", () => {
  it("the fixture was made by PyTorch 2.13.0: SWA, EMA (multi and per-tensor), custom functions, use_buffers", () => {
    expect(fixture.torch.startsWith("2.13.0")).toBe(true);
    const names = fixture.runs.flatMap((r) => r.averagings.map((a) => `${r.model}:${a.name}`));
    for (const n of ["mlp:swa", "mlp:ema_multi_0.9", "mlp:ema_avg_0.8", "mlp:custom_avg_half", "mlp:custom_multi_mix_0_7", "bn:swa_use_buffers", "bn:ema_multi_0.9_use_buffers"]) {
      expect(names).toContain(n);
    }
  });

  for (const run of fixture.runs) {
    for (const a of run.averagings) {
      it(`${run.model} model, ${a.name}: averages of PyTorch's trained weights, update after update (float32 to 1e-6)`, () => {
        const model = makeModel(run.model);
        model.load_state_dict(stateOf(run.initial));
        const avg = new AveragedModel(model, averagingOptions(a));
        expect(avg.n_averaged.dtype).toBe("int64");
        expect(avg.n_averaged.data[0]).toBe(0);
        a.states.forEach((expected, k) => {
          model.load_state_dict(stateOf(run.model_states[run.swa_start + k]));
          avg.update_parameters(model);
          expect(avg.n_averaged.data[0]).toBe(a.n_averaged[k]);
          expectState(avg.state_dict(), expected, `update ${k + 1}`, 1e-6);
        });
      });
    }

    it(`${run.model} model trained here by SGD (momentum 0.9), every averaging updated from swa_start: PyTorch's weights and averages`, () => {
      const model = makeModel(run.model);
      model.load_state_dict(stateOf(run.initial));
      const averaged = run.averagings.map((a) => new AveragedModel(model, averagingOptions(a)));
      const opt = new SGD(model.parameters(), { lr: run.lr, momentum: run.momentum });
      const loss_fn = new nn.MSELoss();
      const x = tensorOf(run.x);
      const y = tensorOf(run.y);
      for (let i = 0; i < run.steps; i++) {
        opt.zero_grad();
        loss_fn.forward(model.forward(x), y).backward();
        opt.step();
        expectState(model.state_dict(), run.model_states[i], `model after step ${i + 1}`, 1e-5);
        if (i >= run.swa_start) {
          averaged.forEach((avg, j) => {
            avg.update_parameters(model);
            expectState(avg.state_dict(), run.averagings[j].states[i - run.swa_start], `${run.averagings[j].name} after step ${i + 1}`, 1e-5);
          });
        }
      }
    });
  }

  for (const u of runOf("bn").update_bn ?? []) {
    it(`update_bn: ${u.name}: running statistics recomputed as PyTorch, momentum and training mode restored`, () => {
      const run = runOf("bn");
      const model = makeModel("bn");
      const avg = new AveragedModel(model, averagingOptions(run.averagings[u.averaging]));
      avg.load_state_dict(stateOf(u.before));
      avg.train(u.training_before);
      const x = tensorOf(run.x);
      const y = tensorOf(run.y);
      const loader = u.name.includes("[x, y]")
        ? [0, 4, 8, 12].map((j) => [rows(x, j, j + 4), rows(y, j, j + 4)])
        : [0, 5, 10].map((j) => rows(x, j, j + 5));
      update_bn(loader, avg);
      expectState(avg.state_dict(), u.after, "after update_bn", 1e-6);
      const bn = avg.module.get<nn.BatchNorm1d>(1);
      expect(bn.momentum).toBe(u.momentum);
      expect(avg.training).toBe(u.training);
      expect(bn.training).toBe(u.module_training);
    });
  }
});

describe("AveragedModel: the copy", () => {
  class Net extends nn.Module {
    fc = new nn.Linear(3, 2);
    scale = 2;
    act = (t: Tensor) => t.relu(); // an arrow function without `this`: shared by the copy, fine
    override forward(x: Tensor): Tensor {
      return this.act(this.fc.forward(x)).mul(this.scale);
    }
  }

  it("is an instance of the model's class, with parameters of its own and the same values", () => {
    torch.manual_seed(0);
    const net = new Net();
    net.fc.weight.grad = torch.ones(2, 3);
    const swa = new AveragedModel(net);
    expect(swa.module).toBeInstanceOf(Net);
    expect(swa.module).not.toBe(net);
    expect(swa.module.fc).toBeInstanceOf(nn.Linear);
    expect(swa.module.fc.weight).toBeInstanceOf(nn.Parameter);
    expect(swa.module.fc.weight).not.toBe(net.fc.weight);
    expect(swa.module.fc.weight.data).not.toBe(net.fc.weight.data);
    expect(Array.from(swa.module.fc.weight.data)).toEqual(Array.from(net.fc.weight.data));
    expect(swa.module.fc.weight.requires_grad).toBe(true);
    expect(swa.module.scale).toBe(2);
    // .grad is copied too (PyTorch's Tensor.__deepcopy__), into storage of its own
    expect(swa.module.fc.weight.grad).not.toBe(net.fc.weight.grad);
    expect(Array.from(swa.module.fc.weight.grad!.data)).toEqual([1, 1, 1, 1, 1, 1]);
    // forward runs the copy: same output now, not after the original moves
    const x = torch.randn(4, 3);
    expect(Array.from(swa.forward(x).data)).toEqual(Array.from(net.forward(x).data));
    net.fc.weight.data.fill(0);
    net.fc.bias!.data.fill(1);
    expect(Array.from(net.forward(x).data)).toEqual(new Array(8).fill(2));
    expect(Array.from(swa.forward(x).data)).not.toEqual(new Array(8).fill(2));
    // the original's optimizer moves the original only
    expect(swa.parameters()).toHaveLength(2);
    expect(swa.parameters().some((p) => net.parameters().includes(p))).toBe(false);
  });

  it("keeps shared parameters shared, buffers, the training flag and forward hooks", () => {
    class Tied extends nn.Module {
      a = new nn.Linear(2, 2, { bias: false });
      b = new nn.Linear(2, 2, { bias: false });
      bn = new nn.BatchNorm1d(2);
      constructor() {
        super();
        this.b.weight = this.a.weight; // weight tying
      }
      override forward(x: Tensor): Tensor {
        return this.bn.forward(this.b.forward(this.a.forward(x)));
      }
    }
    const m = new Tied();
    m.eval();
    const calls: string[] = [];
    m.register_forward_hook((mod) => void calls.push(mod.constructor.name));
    const swa = new AveragedModel(m);
    expect(swa.module.b.weight).toBe(swa.module.a.weight);
    expect(swa.module.parameters()).toHaveLength(m.parameters().length);
    expect(swa.module.training).toBe(false);
    expect(swa.module.bn.training).toBe(false);
    expect(Object.keys(swa.module.state_dict())).toEqual(Object.keys(m.state_dict()));
    expect(swa.module.bn.running_var).not.toBe(m.bn.running_var);
    swa.forward(torch.randn(3, 2));
    expect(calls).toEqual(["Tied"]); // the hook ran, on the copy
  });

  it("state_dict is n_averaged then module.* (PyTorch's keys), and prints as PyTorch", () => {
    const swa = new AveragedModel(new nn.Sequential(new nn.Linear(2, 2)));
    expect(Object.keys(swa.state_dict())).toEqual(["n_averaged", "module.0.weight", "module.0.bias"]);
    expect(String(swa)).toBe("AveragedModel(\n  (module): Sequential(\n    (0): Linear(in_features=2, out_features=2, bias=True)\n  )\n)");
    expect(String(swa.n_averaged)).toBe("tensor(0)");
  });

  it("refuses, naming the field, what a copy cannot carry: arrow functions using `this`, bound functions, #private members, non-leaf tensors", () => {
    class Arrow extends nn.Module {
      fc = new nn.Linear(2, 2);
      override forward = (x: Tensor) => this.fc.forward(x);
    }
    expect(() => new AveragedModel(new Arrow())).toThrow(
      /^AveragedModel: cannot copy model \(Arrow\): its field 'forward' is an arrow function that uses `this`, .*Write it as a method instead: forward\(\.\.\.\) \{ \.\.\. \}/,
    );
    class Inner extends nn.Module {
      fc = new nn.Linear(2, 2);
      helper = function (this: unknown) { return this; }.bind(this);
    }
    const outer = new nn.Sequential(new nn.ReLU(), new Inner());
    expect(() => new AveragedModel(outer)).toThrow(/^AveragedModel: cannot copy model\.1 \(Inner\): its field 'helper' is a bound function/);
    class Private extends nn.Module {
      #secret = 1;
      fc = new nn.Linear(2, 2);
      override forward(x: Tensor): Tensor {
        return this.fc.forward(x).mul(this.#secret);
      }
    }
    expect(() => new AveragedModel(new Private())).toThrow(/^AveragedModel: cannot copy model \(Private\): class Private has JavaScript private members \(#name\)/);
    class Cached extends nn.Module {
      fc = new nn.Linear(2, 2);
      cache = this.fc.weight.mul(2); // a tensor with autograd history
    }
    expect(() => new AveragedModel(new Cached())).toThrow(
      /^Only Tensors created explicitly by the user \(graph leaves\) support the deepcopy protocol at the moment\. \(model\.cache holds/,
    );
  });
});

describe("AveragedModel: options and errors", () => {
  const model = () => new nn.Linear(2, 2);

  it("rejects what PyTorch rejects, and names the options it takes", () => {
    expect(() => new AveragedModel(model(), { avg_fn: get_ema_avg_fn(), multi_avg_fn: get_ema_multi_avg_fn() })).toThrow(
      /^Only one of avg_fn and multi_avg_fn should be provided$/,
    );
    try {
      new AveragedModel(model(), { avg_fn: get_swa_avg_fn(), multi_avg_fn: get_swa_multi_avg_fn() });
    } catch (e) {
      expect((e as Error).name).toBe("AssertionError");
    }
    expect(() => new AveragedModel(model(), { decay: 0.9 } as any)).toThrow(
      /^AveragedModel\.__init__\(\) got an unexpected keyword argument 'decay'; accepted: device, avg_fn, multi_avg_fn, use_buffers$/,
    );
    expect(() => new AveragedModel(model(), { avg_fn: 0.9 } as any)).toThrow(/^AveragedModel: avg_fn must be a function or null, got number$/);
    expect(() => new AveragedModel(model(), { use_buffers: "yes" } as any)).toThrow(/^AveragedModel: use_buffers must be true or false/);
    expect(() => new AveragedModel(model(), { device: "cuda" } as any)).toThrow(/CPU only; got device cuda/);
    expect(() => new AveragedModel({ parameters: () => [] } as any)).toThrow(/^AveragedModel: model must be a torch\.nn\.Module, got Object$/);
    // null options are None: accepted
    expect(new AveragedModel(model(), { avg_fn: null, multi_avg_fn: null, device: "cpu" }).use_buffers).toBe(false);
  });

  it("update_parameters: the model must match the copy (PyTorch would silently average a prefix)", () => {
    const swa = new AveragedModel(new nn.Sequential(new nn.Linear(2, 2), new nn.Linear(2, 1)));
    expect(() => swa.update_parameters(new nn.Linear(2, 2))).toThrow(
      /^AveragedModel\.update_parameters: the model has 2 parameters but the averaged copy has 4/,
    );
    expect(() => swa.update_parameters(new nn.Sequential(new nn.Linear(2, 2), new nn.Linear(2, 3)))).toThrow(
      /^AveragedModel\.update_parameters: 1\.weight of the model has shape \[3, 2\], but the averaged 1\.weight has shape \[1, 2\]$/,
    );
    expect(() => swa.update_parameters({} as any)).toThrow(/model must be a torch\.nn\.Module, got Object/);
    expect(swa.n_averaged.data[0]).toBe(0); // nothing happened
  });

  it("a custom avg_fn must return a tensor; the averaged parameters stay leaves without history", () => {
    const m = new nn.Linear(2, 2);
    const bad = new AveragedModel(m, { avg_fn: (() => 1) as any });
    bad.update_parameters(m);
    expect(() => bad.update_parameters(m)).toThrow(/^AveragedModel: avg_fn must return the new average as a Tensor \(of shape \[2, 2\]\), got number$/);
    const ok = new AveragedModel(m, { avg_fn: (a, c, n) => a.add(c.sub(a).div(Number(n) + 1)) });
    for (let i = 0; i < 3; i++) ok.update_parameters(m);
    for (const p of ok.parameters()) {
      expect(p.grad_fn).toBeNull();
      expect(p.requires_grad).toBe(true);
    }
    expect(ok.n_averaged.data[0]).toBe(3);
  });

  it("the first update copies the model, whatever the averaging function", () => {
    const m = new nn.Linear(2, 2);
    const ema = new AveragedModel(m, { multi_avg_fn: get_ema_multi_avg_fn(0.5) });
    m.weight.data.fill(3);
    ema.update_parameters(m);
    expect(Array.from(ema.module.weight.data)).toEqual([3, 3, 3, 3]);
    m.weight.data.fill(5);
    ema.update_parameters(m);
    expect(Array.from(ema.module.weight.data)).toEqual([4, 4, 4, 4]);
  });
});

describe("the averaging functions", () => {
  it("decay outside [0, 1] is PyTorch's ValueError; decay also as { decay }", () => {
    for (const f of [get_ema_multi_avg_fn, get_ema_avg_fn]) {
      expect(() => f(1.5)).toThrow(/^Invalid decay value 1\.5 provided\. Please provide a value in \[0,1\] range\.$/);
      expect(() => f(-0.1)).toThrow(/^Invalid decay value -0\.1 provided/);
      expect(() => f(NaN)).toThrow(/^Invalid decay value NaN provided/);
      expect(() => f({ decay: 2 })).toThrow(/^Invalid decay value 2 provided/);
      expect(() => f({ beta: 0.9 } as any)).toThrow(/unexpected keyword argument 'beta'; accepted: decay/);
    }
    const a = torch.tensor([1, 2]);
    const c = torch.tensor([3, 6]);
    expect(Array.from(get_ema_avg_fn({ decay: 0.75 })(a, c, 1).data)).toEqual([1.5, 3]);
    expect(Array.from(get_ema_avg_fn()(a, c, 1).data)).toEqual(Array.from(Float32Array.from([0.999 + 0.003, 2 * 0.999 + 0.006])));
    expect(Array.from(get_swa_avg_fn()(a, c, 3).data)).toEqual([1.5, 3]);
    const l = [a.clone()];
    get_swa_multi_avg_fn()(l, [c], new Tensor(new Float64Array([1]), [], "int64"));
    expect(Array.from(l[0].data)).toEqual([2, 4]);
  });

  it("get_swa_multi_avg_fn on an integer buffer (use_buffers) raises as PyTorch's addcdiv_ does", () => {
    const m = new nn.Sequential(new nn.Linear(2, 2), new nn.BatchNorm1d(2));
    const swa = new AveragedModel(m, { multi_avg_fn: get_swa_multi_avg_fn(), use_buffers: true });
    swa.update_parameters(m);
    expect(() => swa.update_parameters(m)).toThrow(/^Integer division with addcdiv is no longer supported/);
  });
});

describe("update_bn", () => {
  it("leaves a model without BatchNorm alone (not even a forward pass)", () => {
    const m = new nn.Linear(2, 1);
    const forward = vi.spyOn(m, "forward");
    update_bn([torch.randn(3, 2)], m);
    expect(forward).not.toHaveBeenCalled();
  });

  it("restores momentum and the training mode when a batch fails", () => {
    const m = new nn.Sequential(new nn.Linear(2, 2), new nn.BatchNorm1d(2, { momentum: 0.3 }));
    m.eval();
    expect(() => update_bn([torch.randn(4, 2), torch.randn(4, 5)], m)).toThrow();
    expect(m.get<nn.BatchNorm1d>(1).momentum).toBe(0.3);
    expect(m.training).toBe(false);
  });

  it("works with a DataLoader of [x, y] batches, and checks its arguments", () => {
    torch.manual_seed(3);
    const x = torch.randn(12, 2);
    const m = new nn.Sequential(new nn.BatchNorm1d(2));
    const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(x, torch.randn(12, 1)), { batch_size: 4 });
    update_bn(loader, m, "cpu");
    const bn = m.get<nn.BatchNorm1d>(0);
    // momentum null over equal batches: the running mean is the mean over all samples
    const mean = [0, 1].map((j) => Array.from({ length: 12 }, (_, i) => x.data[i * 2 + j]).reduce((s, v) => s + v, 0) / 12);
    expect(Math.abs(bn.running_mean!.data[0] - mean[0])).toBeLessThan(1e-6);
    expect(Math.abs(bn.running_mean!.data[1] - mean[1])).toBeLessThan(1e-6);
    expect(bn.num_batches_tracked!.data[0]).toBe(3);
    expect(() => update_bn(5 as any, m)).toThrow(/^update_bn: loader must be iterable .*got number$/);
    expect(() => update_bn([], {} as any)).toThrow(/^update_bn: model must be a torch\.nn\.Module/);
    expect(() => update_bn([], m, "cuda" as any)).toThrow(/CPU only; got device cuda/);
    expect(() => update_bn([], m, { devices: "cpu" } as any)).toThrow(/^update_bn\(\) got an unexpected keyword argument 'devices'; accepted: device$/);
    update_bn([], m, { device: "cpu" });
  });
});
