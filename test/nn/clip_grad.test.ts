/**
 * torch.nn.utils' gradient clipping with PyTorch's positional arguments
 * (`clip_grad_norm_(params, max_norm, norm_type, error_if_nonfinite, foreach)`,
 * `clip_grad_value_(params, clip_value, foreach)`), and PyTorch 2.6's get_total_norm and
 * clip_grads_with_norm_, against test/fixtures/nn/clip_grad.json (generate_clip_grad.py, PyTorch
 * 2.13): every norm order vector_norm takes, float32 and float64. Before, a positional norm_type
 * was ignored in plain JS (the L2 norm came back) and clip_grad_value_ refused its third argument.
 * Also: the errors for a bad argument, and the tracer still sees the positional form's clipping.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { trace } from "../../kernel/src/trace/index";
import { expectClose, fixture, fromFixture, type FixtureTensor } from "./helpers";

const { clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm } = torch.nn.utils;
const fx = fixture("clip_grad.json");

interface Case {
  fn: string;
  grads: FixtureTensor[];
  max_norm?: number;
  norm_type?: number | string;
  total_norm?: FixtureTensor;
  clip_value?: number;
  total: FixtureTensor | null;
  after: FixtureTensor[];
}

function paramsWith(grads: FixtureTensor[]): Tensor[] {
  return grads.map((g) => {
    const p = torch.zeros(g.shape, { dtype: g.dtype as "float32" | "float64", requires_grad: true });
    p.grad = fromFixture(g);
    return p;
  });
}

/** The fixture writes inf as "inf" (JSON has no Infinity); the JS call passes Infinity, as float('inf'). */
function order(nt: number | string): number {
  return nt === "inf" ? Infinity : nt === "-inf" ? -Infinity : (nt as number);
}

function checkTotal(total: Tensor, expected: FixtureTensor, what: string): void {
  expect(total.shape, what).toEqual([]);
  expect(total.dtype, what).toBe(expected.dtype);
  const rtol = expected.dtype === "float32" ? 1e-6 : 1e-12;
  expect(Math.abs(total.data[0] - expected.data[0]), what).toBeLessThanOrEqual(rtol * Math.abs(expected.data[0]));
}

const label = (c: Case) => `${c.fn} ${c.grads[0]?.dtype ?? "empty"} norm_type=${c.norm_type ?? "-"} max_norm=${c.max_norm ?? c.clip_value ?? "-"}`;

describe("against PyTorch 2.13 (positional arguments)", () => {
  it.each((fx.cases as Case[]).map((c) => [label(c), c] as const))("%s", (_n, c) => {
    if (c.fn === "clip_grad_norm_") {
      const ps = paramsWith(c.grads);
      const total = clip_grad_norm_(ps, c.max_norm!, order(c.norm_type!));
      checkTotal(total, c.total!, "total");
      ps.forEach((p, i) => expectClose(p.grad, c.after[i], `grad ${i}`));
      // the options form and the string "inf" give the same
      const qs = paramsWith(c.grads);
      checkTotal(clip_grad_norm_(qs, c.max_norm!, { norm_type: String(c.norm_type) }), c.total!, "options form");
      qs.forEach((p, i) => expectClose(p.grad, c.after[i], `options grad ${i}`));
    } else if (c.fn === "get_total_norm") {
      const gs = c.grads.map((g) => fromFixture(g));
      checkTotal(get_total_norm(gs, order(c.norm_type!)), c.total!, "total");
      gs.forEach((g, i) => expectClose(g, c.after[i], `unchanged ${i}`));
    } else if (c.fn === "clip_grads_with_norm_") {
      const ps = paramsWith(c.grads);
      clip_grads_with_norm_(ps, c.max_norm!, fromFixture(c.total_norm!));
      ps.forEach((p, i) => expectClose(p.grad, c.after[i], `grad ${i}`));
    } else {
      const ps = paramsWith(c.grads);
      clip_grad_value_(ps, c.clip_value!, true);
      ps.forEach((p, i) => expectClose(p.grad, c.after[i], `grad ${i}`));
    }
  });
});

describe("the positional form, by hand", () => {
  const grads = () => {
    const a = torch.zeros([2], { requires_grad: true });
    a.grad = torch.tensor([3, -4]);
    const b = torch.zeros([1], { requires_grad: true });
    b.grad = torch.tensor([-12]);
    return [a, b];
  };

  it("norm_type 1, Infinity, \"inf\" and the 2-norm default; error_if_nonfinite and foreach positionally", () => {
    // ‖(3, -4, -12)‖₁ = 19; coef = 1 / (19 + 1e-6) → a.grad = (3, -4) / 19.000001
    let ps = grads();
    expect(clip_grad_norm_(ps, 1, 1).item()).toBe(19);
    expect(ps[0].grad!.data[0]).toBeCloseTo(3 / 19, 6);
    // ‖·‖∞ = 12: b.grad = -12 · 1/12.000001 ≈ -1
    ps = grads();
    expect(clip_grad_norm_(ps, 1, Infinity, false, null).item()).toBe(12);
    expect(ps[1].grad!.data[0]).toBeCloseTo(-1, 6);
    ps = grads();
    expect(clip_grad_norm_(ps, 1, "inf", true, true).item()).toBe(12);
    // ‖·‖₂ = 13 (3² + 4² + 12² = 169)
    expect(clip_grad_norm_(grads(), 1).item()).toBe(13);
    expect(clip_grad_norm_(grads(), 1, 2, { foreach: false }).item()).toBe(13);
    expect(get_total_norm(grads().map((p) => p.grad!), 1, false, null).item()).toBe(19);
    expect(get_total_norm(grads().map((p) => p.grad!), { norm_type: -Infinity }).item()).toBe(3);
  });

  it("clip_grads_with_norm_ after get_total_norm is clip_grad_norm_", () => {
    const ps = grads(), qs = grads();
    const total = get_total_norm(ps.map((p) => p.grad!), 1);
    clip_grads_with_norm_(ps, 2, total, null);
    clip_grad_norm_(qs, 2, 1);
    ps.forEach((p, i) => expect(Array.from(p.grad!.data)).toEqual(Array.from(qs[i].grad!.data)));
    // a total below max_norm changes nothing (the coefficient is clamped to 1)
    const rs = grads();
    clip_grads_with_norm_(rs, 100, 13);
    expect(Array.from(rs[0].grad!.data)).toEqual([3, -4]);
  });

  it("clip_grad_value_ takes foreach positionally and as an option", () => {
    let ps = grads();
    clip_grad_value_(ps, 3.5, false);
    expect(Array.from(ps[0].grad!.data)).toEqual([3, -3.5]);
    ps = grads();
    clip_grad_value_(ps, 3.5, { foreach: null });
    expect(Array.from(ps[1].grad!.data)).toEqual([-3.5]);
  });
});

describe("bad arguments are errors naming what is allowed", () => {
  const ps = () => {
    const p = torch.zeros([2], { requires_grad: true });
    p.grad = torch.tensor([1, 2]);
    return [p];
  };
  const call = (f: (...a: unknown[]) => unknown, ...a: unknown[]) => () => f(...a);
  const norm = clip_grad_norm_ as unknown as (...a: unknown[]) => unknown;
  const value = clip_grad_value_ as unknown as (...a: unknown[]) => unknown;

  it("clip_grad_norm_", () => {
    expect(call(norm, ps(), 1, true)).toThrow(
      "clip_grad_norm_(): argument 3 'norm_type' takes a number (Infinity for float('inf')) or a string float() reads, such as \"inf\", but got true (boolean) (the order is clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach))",
    );
    expect(call(norm, ps(), 1, "fro")).toThrow(/^could not convert string to float: 'fro' \(clip_grad_norm_'s norm_type is the order p .*the 2-norm, norm_type 2\)$/);
    expect(call(norm, ps(), 1, 2, "yes")).toThrow(/^clip_grad_norm_\(\): argument 4 'error_if_nonfinite' takes true or false, but got "yes"/);
    expect(call(norm, ps(), 1, 2, false, 1)).toThrow(/^clip_grad_norm_\(\): argument 5 'foreach' takes true, false or null, but got 1 \(number\)/);
    expect(call(norm, ps(), 1, 2, false, null, 5)).toThrow(/^clip_grad_norm_\(\) takes from 2 to 5 positional arguments but 6 were given/);
    expect(call(norm, ps(), 1, 2, { norm_type: 1 })).toThrow("clip_grad_norm_() got multiple values for argument 'norm_type' (given positionally and in the options object)");
    expect(call(norm, ps(), 1, { norm_typ: 1 })).toThrow(/^clip_grad_norm_\(\) got an unexpected keyword argument 'norm_typ' .*norm_type/);
    expect(call(norm, ps())).toThrow("clip_grad_norm_(): 'max_norm' must be a number, but got nothing (it is required)");
    // PyTorch's message for a non-finite norm, with the order as Python prints a float
    const p = torch.zeros([1], { requires_grad: true });
    p.grad = torch.tensor([Infinity]);
    expect(call(norm, [p], 1, 1, true)).toThrow(
      "The total norm of order 1.0 for gradients from `parameters` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`",
    );
  });

  it("clip_grad_value_, clip_grads_with_norm_, get_total_norm", () => {
    expect(call(value, ps(), 1, 2)).toThrow(/^clip_grad_value_\(\): argument 3 'foreach' takes true, false or null, but got 2 \(number\)/);
    expect(call(value, ps(), 1, true, true)).toThrow(/^clip_grad_value_\(\) takes from 2 to 3 positional arguments but 4 were given/);
    const withNorm = clip_grads_with_norm_ as unknown as (...a: unknown[]) => unknown;
    expect(call(withNorm, ps(), 1, torch.tensor([1, 2]))).toThrow(/^clip_grads_with_norm_\(\): 'total_norm' takes the total norm as a one-element float Tensor .* but got a float32 Tensor of shape \[2\]/);
    expect(call(withNorm, ps(), 1)).toThrow(/'total_norm' takes .* but got undefined/);
    const total = get_total_norm as unknown as (...a: unknown[]) => unknown;
    expect(call(total, [torch.tensor([1])], null)).toThrow(/^get_total_norm\(\): argument 2 'norm_type' takes a number/);
    expect(get_total_norm([]).item()).toBe(0);
  });
});

describe("the tracer sees the positional form's clipping", () => {
  it("clip_grad_norm_(params, max_norm, norm_type) and clip_grads_with_norm_ record grad_norm_raw and clip_factor", () => {
    torch.manual_seed(0);
    const net = new torch.nn.Linear(3, 2);
    const opt = new torch.optim.SGD(net.parameters(), 0.1);
    const t = trace(opt, { batch_size: 4 });
    const x = torch.randn([4, 3]);
    for (const clip of [
      () => clip_grad_norm_(net.parameters(), 0.05, Infinity),
      () => clip_grads_with_norm_(net.parameters(), 0.05, get_total_norm([...net.parameters()].map((p) => p.grad!), 1)),
    ]) {
      opt.zero_grad();
      net.forward(x).pow(2).sum().backward();
      const raw = Math.sqrt([...net.parameters()].reduce((s, p) => s + p.grad!.pow(2).sum().item(), 0));
      clip();
      const clipped = Math.sqrt([...net.parameters()].reduce((s, p) => s + p.grad!.pow(2).sum().item(), 0));
      opt.step();
      const m = t.latest(0)!;
      expect(m.grad_norm_raw).toBeCloseTo(raw, 5);
      expect(m.clip_factor).toBeCloseTo(clipped / raw, 5);
      expect(m.clip_factor!).toBeLessThan(1);
    }
    t.stop();
  });
});
