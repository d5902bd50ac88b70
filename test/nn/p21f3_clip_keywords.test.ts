/**
 * torch.nn.utils' clipping functions with their required arguments by name, as Python scripts
 * write them (`clip_grad_norm_(model.parameters(), max_norm=1.0, norm_type=2)`): one options object
 * after the parameters (a porting user's pass: `clip_grad_norm_(params, { max_norm: 1.0 })` was a
 * bare type error). The results equal the positional forms' (which test/nn/clip_grad.test.ts checks
 * against PyTorch 2.13's fixture); the errors are Python's for a missing, unknown or repeated argument.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import type { Tensor } from "../../kernel/src/tensor/tensor";

const { clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm } = torch.nn.utils;

/** Two parameters with gradients (3, -4) and (-12): ‖g‖₂ = 13, ‖g‖₁ = 19. */
function ps(): Tensor[] {
  const a = torch.zeros([2], { requires_grad: true });
  a.grad = torch.tensor([3, -4]);
  const b = torch.zeros([1], { requires_grad: true });
  b.grad = torch.tensor([-12]);
  return [a, b];
}
const grads = (p: Tensor[]) => p.map((t) => Array.from(t.grad!.data));
const call = (f: unknown, ...a: unknown[]) => () => (f as (...x: unknown[]) => unknown)(...a);

describe("clipping with the required arguments by name (Python's keywords)", () => {
  it("clip_grad_norm_(params, { max_norm, norm_type, error_if_nonfinite, foreach }) = the positional form", () => {
    const [k, p] = [ps(), ps()];
    const byName = clip_grad_norm_(k, { max_norm: 1.0, norm_type: 1, error_if_nonfinite: true, foreach: null });
    const positional = clip_grad_norm_(p, 1.0, 1, true, null);
    expect(byName.item()).toBe(19);
    expect(byName.item()).toBe(positional.item());
    expect(grads(k)).toEqual(grads(p));
    // max_norm alone: the 2-norm, as clip_grad_norm_(params, max_norm=1.0)
    const [k2, p2] = [ps(), ps()];
    expect(clip_grad_norm_(k2, { max_norm: 1.0 }).item()).toBe(clip_grad_norm_(p2, 1.0).item());
    expect(grads(k2)).toEqual(grads(p2));
    // a one-element Tensor max_norm, as Python's float() takes it
    const [k3, p3] = [ps(), ps()];
    clip_grad_norm_(k3, { max_norm: torch.tensor(2.0), norm_type: "inf" });
    clip_grad_norm_(p3, 2.0, Infinity);
    expect(grads(k3)).toEqual(grads(p3));
  });

  it("clip_grad_value_(params, { clip_value, foreach }) and clip_grads_with_norm_ by name", () => {
    const [k, p] = [ps(), ps()];
    clip_grad_value_(k, { clip_value: 3.5, foreach: true });
    clip_grad_value_(p, 3.5, true);
    expect(grads(k)).toEqual([[3, -3.5], [-3.5]]);
    expect(grads(k)).toEqual(grads(p));
    const [a, b, c] = [ps(), ps(), ps()];
    const total = get_total_norm(a.map((t) => t.grad!));
    clip_grads_with_norm_(a, { max_norm: 1.0, total_norm: total });
    clip_grads_with_norm_(b, 1.0, { total_norm: total, foreach: false });
    clip_grads_with_norm_(c, 1.0, total);
    expect(grads(a)).toEqual(grads(c));
    expect(grads(b)).toEqual(grads(c));
  });

  it("Python's errors: a missing, unknown or repeated argument, a value after the options object, a wrong value", () => {
    expect(call(clip_grad_norm_, ps(), { norm_type: 2 })).toThrow(/^clip_grad_norm_\(\) missing 1 required positional argument: 'max_norm'$/);
    expect(call(clip_grad_value_, ps(), { foreach: true })).toThrow(/^clip_grad_value_\(\) missing 1 required positional argument: 'clip_value'$/);
    expect(call(clip_grads_with_norm_, ps(), {})).toThrow(/^clip_grads_with_norm_\(\) missing 2 required positional arguments: 'max_norm' and 'total_norm'$/);
    expect(call(clip_grads_with_norm_, ps(), 1.0, { foreach: true })).toThrow(/^clip_grads_with_norm_\(\) missing 1 required positional argument: 'total_norm'$/);
    expect(call(clip_grad_norm_, ps(), { max_nrm: 1.0 })).toThrow(/^clip_grad_norm_\(\) got an unexpected keyword argument 'max_nrm' \(it takes 'max_norm', 'norm_type', 'error_if_nonfinite', 'foreach' after parameters\); did you mean 'max_norm'\?$/);
    // max_norm positionally and by name: Python's "multiple values"
    expect(call(clip_grad_norm_, ps(), 1.0, { max_norm: 1.0 })).toThrow("clip_grad_norm_() got multiple values for argument 'max_norm' (given positionally and in the options object)");
    expect(call(clip_grads_with_norm_, ps(), 1.0, { max_norm: 1.0, total_norm: 1 })).toThrow(/^clip_grads_with_norm_\(\) got an unexpected keyword argument 'max_norm' \(it takes 'total_norm', 'foreach' after parameters, max_norm\)$/);
    expect(call(clip_grad_norm_, ps(), { max_norm: 1.0 }, 2)).toThrow(
      /^clip_grad_norm_\(\): the options object in 'max_norm''s place holds 'max_norm' and every argument after it by name, so it is the last argument: write clip_grad_norm_\(parameters, \{ max_norm: \.\.\., norm_type: \.\.\., error_if_nonfinite: \.\.\., foreach: \.\.\. \}\)/,
    );
    expect(call(clip_grad_norm_, ps(), { max_norm: "a" })).toThrow(/^clip_grad_norm_\(\): 'max_norm' must be a number, but got "a"/);
    expect(call(clip_grad_norm_, ps(), { max_norm: 1, norm_type: "fro" })).toThrow(/^could not convert string to float: 'fro'/);
    expect(call(clip_grad_norm_, ps(), { max_norm: 1, error_if_nonfinite: "yes" })).toThrow(/^clip_grad_norm_\(\): 'error_if_nonfinite' takes true or false, but got "yes"/);
  });
});
