/**
 * Optimizer state in and out, after a user's report (session 15, userA, findings 3 to 8):
 * `zero_grad(false)` (PyTorch's positional set_to_none), a state_dict that went through JSON
 * (refused at load, naming the key), PyTorch's LBFGS state with 0-dim tensors (loads and continues
 * as PyTorch; fixture test/fixtures/generate_optim_state_io.py), a Tensor lr (PyTorch's results
 * where lrlab accepts it, a clear refusal where not) and tensor betas, the four state-dict hooks,
 * and ReduceLROnPlateau.state_dict()'s keys.
 */
import { describe, expect, test } from "vitest";
import * as optim from "../../kernel/src/optim/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { loadCases, relErr, tensorOf, TOL, type DTypeName } from "./helpers";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const param = (values: number[], dtype: DTypeName = "float32") => tensorOf(values, [values.length], dtype, true);
const scalar = (v: number, dtype: DTypeName = "float32") => tensorOf([v], [], dtype);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const Optimizers = optim as unknown as Record<string, new (...a: any[]) => optim.Optimizer>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const fixture = JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "optim", "state_io.json"), "utf8")) as any;
void loadCases; // (the shared loader reads { cases }; this fixture has two lists)

describe("zero_grad(set_to_none) positionally (finding 3)", () => {
  test("zero_grad(false) zeroes the grads in place, as PyTorch's zero_grad(False)", () => {
    const p = param([1, 2]);
    const opt = new optim.SGD([p], { lr: 0.1 });
    p.grad = tensorOf([3, 4], [2], "float32");
    const g = p.grad;
    opt.zero_grad(false);
    expect(p.grad).toBe(g);
    expect(Array.from(p.grad!.data)).toEqual([0, 0]);
    opt.zero_grad(true);
    expect(p.grad).toBeNull();
  });

  test("the options form and no argument keep working; a wrong argument is an error", () => {
    const p = param([1, 2]);
    const opt = new optim.Adam([p]);
    p.grad = tensorOf([3, 4], [2], "float32");
    opt.zero_grad({ set_to_none: false });
    expect(Array.from(p.grad!.data)).toEqual([0, 0]);
    opt.zero_grad();
    expect(p.grad).toBeNull();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(() => (opt as any).zero_grad("no")).toThrow("zero_grad(): set_to_none must be true or false");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(() => (opt as any).zero_grad({ set_to_nothing: true })).toThrow("unexpected keyword argument 'set_to_nothing'");
  });
});

describe("a state_dict that went through JSON is refused at load (finding 4)", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["Adam", { lr: 0.1 }, "exp_avg"],
    ["SGD", { lr: 0.1, momentum: 0.9 }, "momentum_buffer"],
    ["NAdam", { lr: 0.1 }, "exp_avg"],
    ["ASGD", { lr: 0.1 }, "ax"],
    ["Adafactor", { lr: 0.1 }, "row_var"],
  ];
  for (const [name, opts, key] of cases) {
    for (const dtype of ["float32", "float64"] as const) {
      test(`${name} ${dtype}: the error names '${key}', says what is allowed, and nothing was loaded`, () => {
        const p = tensorOf([1, 2, 3, 4, 5, 6], name === "Adafactor" ? [2, 3] : [6], dtype, true);
        const o = new Optimizers[name]([p], opts);
        p.grad = tensorOf([0.5, -1, 2, 0.25, 1, -0.5], p.shape, dtype);
        o.step();
        const text = JSON.stringify(o.state_dict());
        const o2 = new Optimizers[name]([p], opts);
        expect(() => o2.load_state_dict(JSON.parse(text))).toThrow(
          new RegExp(`^${name}\\.load_state_dict: the saved state of parameter 0 has '${key}' as a plain array \\(length 2|^${name}\\.load_state_dict: the saved state of parameter 0 has '${key}' as a plain array`),
        );
        expect(() => o2.load_state_dict(JSON.parse(text))).toThrow("it must be a Tensor or a number");
        expect(() => o2.load_state_dict(JSON.parse(text))).toThrow("torch.save");
        expect(o2.state.size).toBe(0);
        // the real thing still loads and steps
        o2.load_state_dict(o.state_dict());
        o2.step();
      });
    }
  }

  test("a user's own optimizer may keep any state (lists, records), as in PyTorch", () => {
    class Recorder extends optim.Optimizer {
      constructor(params: Tensor[]) {
        super(params, { lr: 0.1 });
      }
      step() {
        for (const p of this.param_groups[0].params) {
          const s = this.stateOf(p);
          (s.history ??= []).push(p.data[0]);
          s.meta = { seen: s.history.length };
        }
        return undefined;
      }
    }
    const p = param([1, 2]);
    const o = new Recorder([p]);
    o.step();
    o.step();
    const o2 = new Recorder([p]);
    o2.load_state_dict(JSON.parse(JSON.stringify(o.state_dict())));
    expect(o2.state.get(p)).toEqual({ history: [1, 1], meta: { seen: 2 } });
  });

  test("LBFGS: its lists of tensors turned into arrays of arrays are refused too", () => {
    const p = param([1, -2, 0.5], "float64");
    const o = new optim.LBFGS([p], { lr: 1, max_iter: 3 });
    const closure = () => {
      p.grad = tensorOf(Array.from(p.data, (x) => 2 * x + 0.1), [3], "float64");
      return Array.from(p.data).reduce((s, x) => s + x * x + 0.1 * x, 0);
    };
    o.step(closure);
    o.step(closure);
    const o2 = new optim.LBFGS([p], { lr: 1, max_iter: 3 });
    expect(() => o2.load_state_dict(JSON.parse(JSON.stringify(o.state_dict())))).toThrow(
      /^LBFGS\.load_state_dict: the saved state of parameter 0 has '(d|old_dirs)' as a plain array/,
    );
    expect(o2.state.size).toBe(0);
  });
});

/** PyTorch's state_dict as the generator wrote it: {tensor, shape, dtype} objects become tensors. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function revive(v: any): any {
  if (Array.isArray(v)) return v.map(revive);
  if (v !== null && typeof v === "object" && "tensor" in v) return tensorOf(v.tensor, v.shape, v.dtype);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
  return v;
}

describe("LBFGS loads PyTorch's state (0-dim tensors al, ro, H_diag, t) and continues as PyTorch (finding 5)", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const c of fixture.lbfgs as any[]) {
    test(`${JSON.stringify(c.options)} [${c.dtype}]`, () => {
      const dtype = c.dtype as DTypeName;
      const r = dtype === "float32" ? Math.fround : (x: number) => x;
      const p0 = tensorOf(c.params_at_save[0], [3], dtype, true);
      const p1 = tensorOf(c.params_at_save[1], [2, 2], dtype, true);
      const params = [p0, p1];
      const A: number[] = c.A.map(r);
      const B: number[] = c.B.map(r);
      // the generator's closure, op for op: g = (a x + b) + 0.2 (x x x); loss summed left to right
      const closure = () => {
        const x = [...p0.data, ...p1.data];
        const g = x.map((xi, i) => r(r(r(A[i] * xi) + B[i]) + r(r(0.2) * r(r(xi * xi) * xi))));
        const terms = x.map((xi, i) =>
          r(r(r(r(r(0.5) * A[i]) * xi) * xi + r(B[i] * xi)) + r(r(0.05) * r(r(r(xi * xi) * xi) * xi))),
        );
        let loss = 0;
        for (const t of terms) loss += t;
        p0.grad = tensorOf(g.slice(0, 3), [3], dtype);
        p1.grad = tensorOf(g.slice(3), [2, 2], dtype);
        return loss;
      };
      const opt = new optim.LBFGS(params, c.options);
      const saved = revive(c.state_dict);
      expect(saved.state[0].H_diag).toBeInstanceOf(Tensor);
      expect(saved.state[0].H_diag.shape).toEqual([]);
      expect(saved.state[0].ro[0]).toBeInstanceOf(Tensor);
      opt.load_state_dict(saved);
      const st = opt.state.get(p0)!;
      expect(typeof st.H_diag).toBe("number");
      expect(st.ro.every((x: unknown) => typeof x === "number")).toBe(true);
      expect(typeof st.t).toBe("number");
      // float64: PyTorch's numbers; float32: LBFGS's float32 budget (lbfgs.test.ts LBFGS_TOL: lrlab
      // keeps t in double where PyTorch sometimes has a float32 tensor)
      const tol = dtype === "float64" ? TOL.float64 : 1e-4;
      c.after.forEach((expected: number[][], i: number) => {
        opt.step(closure);
        expect(relErr(p0.data, expected[0]), `step ${i} p0`).toBeLessThanOrEqual(tol);
        expect(relErr(p1.data, expected[1]), `step ${i} p1`).toBeLessThanOrEqual(tol);
      });
    });
  }

  test("a list entry that is neither a number nor a 0-dim tensor is refused, naming the key", () => {
    const p = param([1, -2, 0.5], "float64");
    const o = new optim.LBFGS([p]);
    const state = { 0: { func_evals: 1, n_iter: 1, ro: [[1, 2]] } };
    expect(() => o.load_state_dict({ state, param_groups: o.state_dict().param_groups })).toThrow(
      "LBFGS.load_state_dict: the saved state of parameter 0 has 'ro' as a plain array (length 2), but it must be a number (a 0-dim tensor is taken as its value)",
    );
  });
});

describe("a Tensor lr (finding 6)", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const c of fixture.tensor_lr as any[]) {
    test(`${c.optimizer}(lr=tensor(${c.lr}, ${c.lr_dtype}), ${JSON.stringify(c.options)}) [${c.dtype}] steps as PyTorch`, () => {
      const dtype = c.dtype as DTypeName;
      const lr = scalar(c.lr, c.lr_dtype);
      // the same run with the number lr.item(): what PyTorch computes for these combinations
      const params = c.init.map((v: number[], i: number) => tensorOf(v, c.shapes[i], dtype, true));
      const twins = c.init.map((v: number[], i: number) => tensorOf(v, c.shapes[i], dtype, true));
      const opt = new Optimizers[c.optimizer](params, { lr, ...c.options });
      const twin = new Optimizers[c.optimizer](twins, { lr: Number(lr.data[0]), ...c.options });
      expect(opt.param_groups[0].lr).toBe(lr); // kept a tensor, as PyTorch keeps it
      c.steps.forEach((s: { grads: number[][]; params: number[][] }, t: number) => {
        params.forEach((p: Tensor, i: number) => (p.grad = tensorOf(s.grads[i], c.shapes[i], dtype)));
        twins.forEach((p: Tensor, i: number) => (p.grad = tensorOf(s.grads[i], c.shapes[i], dtype)));
        opt.step();
        twin.step();
        params.forEach((p: Tensor, i: number) => {
          // PyTorch's trajectory within the parity budget of every optimizer test (parity.test.ts) ...
          expect(relErr(p.data, s.params[i]), `step ${t} param ${i}`).toBeLessThanOrEqual(TOL[dtype]);
          // ... and bit for bit the number lr's, as PyTorch's (generator: checked there)
          expect(Array.from(p.data), `step ${t} param ${i} vs number lr`).toEqual(Array.from(twins[i].data));
        });
      });
    });
  }

  test("PyTorch's refusals, with PyTorch's messages", () => {
    const p = param([1, 2]);
    expect(() => new optim.SGD([p], { lr: tensorOf([0.1, 0.2], [2], "float32") })).toThrow("Tensor lr must be 1-element");
    expect(() => new optim.Adam([p], { lr: scalar(0.1, "float64"), foreach: true })).toThrow(
      "lr as a Tensor is not supported for capturable=False and foreach=True",
    );
    expect(() => new optim.Adam([p], { lr: scalar(-0.1, "float64") })).toThrow("Invalid learning rate: -0.1");
    expect(() => new optim.Adam([p], { lr: 0.01, betas: [scalar(0.9) as unknown as number, 0.999] })).toThrow(
      "betas must be either both floats or both Tensors",
    );
  });

  test("what lrlab does not reproduce is refused, saying what to write instead", () => {
    const p = param([1, 2]);
    expect(() => new optim.Adam([p], { lr: scalar(0.01) })).toThrow(
      "Adam: lr as a float32 Tensor is not supported by lrlab: PyTorch then computes Adam's step size in float32 tensor arithmetic, " +
        "whose rounding lrlab does not reproduce. Pass a float64 tensor (lr: torch.tensor(0.01, { dtype: torch.float64 }),",
    );
    const betas = [scalar(0.9), scalar(0.999)] as unknown as [number, number];
    expect(() => new optim.Adam([p], { lr: 0.01, betas })).toThrow(
      "betas as Tensors are not supported by lrlab (PyTorch then computes with them in tensor arithmetic, whose rounding lrlab does not reproduce): pass two numbers, e.g. betas: [0.9, 0.999]",
    );
    expect(() => new optim.Adam([p], { lr: 0.01, betas: [0.9] as unknown as [number, number] })).toThrow(
      "betas must be an array of two numbers, got [0.9]",
    );
    // (a scheduler on a Tensor lr was refused here until session 21; it now updates the tensor in
    // place as PyTorch does: test/optim/lr_scheduler/p21_tensor_lr.test.ts)
    const sgd = new optim.SGD([p], { lr: scalar(0.05) });
    const lr = sgd.param_groups[0].lr;
    const sched = new optim.lr_scheduler.StepLR(sgd, 1, 0.5);
    sgd.step();
    sched.step();
    expect(sgd.param_groups[0].lr).toBe(lr);
    expect(Number(lr)).toBe(Math.fround(Math.fround(0.05) * 0.5));
    // positionally too
    expect(new optim.RMSprop([p], scalar(0.05)).param_groups[0].lr).toBeInstanceOf(Tensor);
  });
});

describe("state-dict hooks (finding 7)", () => {
  const setup = () => {
    const p = param([1, 2]);
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    p.grad = tensorOf([1, 1], [2], "float32");
    opt.step();
    return { p, opt };
  };

  test("state_dict pre and post hooks: order, prepend, the returned dict, remove()", () => {
    const { opt } = setup();
    const calls: string[] = [];
    const h1 = opt.register_state_dict_pre_hook((o) => void calls.push(`pre1 ${o === opt}`));
    opt.register_state_dict_pre_hook(() => void calls.push("pre0"), true);
    const h3 = opt.register_state_dict_post_hook((_o, sd) => {
      calls.push("post1");
      (sd as unknown as Record<string, unknown>).note = "in place";
    });
    opt.register_state_dict_post_hook((_o, sd) => {
      calls.push(`post0 ${"note" in sd}`);
      return { ...sd, replaced: true } as optim.StateDict;
    }, { prepend: true });
    const sd = opt.state_dict() as unknown as Record<string, unknown>;
    expect(calls).toEqual(["pre0", "pre1 true", "post0 false", "post1"]);
    expect(sd.replaced).toBe(true);
    expect(sd.note).toBe("in place"); // post1 got the dict post0 returned
    calls.length = 0;
    h1.remove();
    h3.remove();
    const again = opt.state_dict() as unknown as Record<string, unknown>;
    expect(calls).toEqual(["pre0", "post0 false"]);
    expect(again.note).toBeUndefined();
  });

  test("load_state_dict pre hooks get a shallow copy and may return the dict to load; post hooks run after", () => {
    const { p, opt } = setup();
    const saved = opt.state_dict();
    const other = new optim.SGD([p], { lr: 0.5, momentum: 0.9 });
    const calls: string[] = [];
    other.register_load_state_dict_pre_hook((o, sd) => {
      calls.push("pre");
      expect(sd).not.toBe(saved);
      expect(sd.param_groups).toBe(saved.param_groups); // shallow
      return { state: {}, param_groups: sd.param_groups.map((g) => ({ ...g, lr: 0.25 })) };
    });
    other.register_load_state_dict_post_hook((o) => void calls.push(`post ${o.param_groups[0].lr}`));
    other.register_load_state_dict_pre_hook(() => void calls.push("pre-first"), true);
    other.load_state_dict(saved);
    expect(calls).toEqual(["pre-first", "pre", "post 0.25"]);
    expect(other.state.size).toBe(0);
    expect(saved.param_groups[0].lr).toBe(0.1);
  });

  test("a hook that is not a function is refused", () => {
    const { opt } = setup();
    expect(() => opt.register_state_dict_pre_hook(1 as unknown as optim.StateDictPreHook)).toThrow(
      "register_state_dict_pre_hook: hook must be a function, got int",
    );
  });
});

describe("ReduceLROnPlateau.state_dict() (finding 8)", () => {
  test("has PyTorch 2.13's keys, in its order", () => {
    const opt = new optim.SGD([param([1, 2])], { lr: 0.1 });
    const s = new optim.lr_scheduler.ReduceLROnPlateau(opt);
    s.step(1.0);
    // PyTorch 2.13: list(ReduceLROnPlateau(SGD(...)).state_dict())
    expect(Object.keys(s.state_dict())).toEqual([
      "factor", "default_min_lr", "min_lrs", "patience", "cooldown", "eps", "last_epoch", "_last_lr",
      "mode_worse", "mode", "threshold", "threshold_mode", "best", "cooldown_counter", "num_bad_epochs",
    ]);
    const s2 = new optim.lr_scheduler.ReduceLROnPlateau(opt);
    s2.load_state_dict(s.state_dict());
    expect(s2.best).toBe(1.0);
  });
});
