/**
 * An unknown key in an options object is an error naming it and what the function takes (the
 * kwsweep's bogus_out.txt listed these calls as silently ignoring `{ zzz_bogus: 1, ... }`), and
 * the keywords PyTorch has there work. PyTorch 2.13, for reference:
 *   x = torch.tensor([[3., 1., 2.], [0., 5., 4.]])
 *   torch.add(x, x, zzz=1)  -> TypeError: add() received an invalid combination of arguments - got (..., zzz=int)
 *   torch.linalg.vector_norm(x, axis=1).shape -> [2]; torch.cross(x, x, axis=1) and
 *   torch.take_along_dim(x, i, axis=1), torch.logcumsumexp(x, axis=1), torch.softmax(x, axis=1) work (numpy aliases)
 *   torch.norm(x, dtype=torch.float64) -> tensor(7.4162, dtype=torch.float64)
 *   torch.norm(x.long(), dtype=torch.float64) -> RuntimeError: linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";

const x = () => torch.tensor([[3, 1, 2], [0, 5, 4]]);
const long = (a: number[] | number[][]) => torch.tensor(a, { dtype: torch.int64 });
// typed as a plain object so `{ ...bogus, alpha: 2 }` still type-checks as the function's options
const bogus = { zzz_bogus: 1 } as object;
const un = (op: string) => new RegExp(`${op.replace(/[.()]/g, "\\$&")}\\(\\) got an unexpected keyword argument 'zzz_bogus'`);

describe("unknown keys are refused", () => {
  it("element-wise ops: add / sub / add_ / sub_ alpha, div / div_ rounding_mode, clamp / clip, addcmul_ / addcdiv_", () => {
    expect(() => torch.add(x(), x(), { ...bogus, alpha: 2 })).toThrow(un("add"));
    expect(() => x().sub(x(), { ...bogus, alpha: 2 })).toThrow(un("sub"));
    expect(() => x().add_(x(), { ...bogus, alpha: 2 })).toThrow(un("add_"));
    expect(() => x().sub_(x(), { ...bogus, alpha: 2 })).toThrow(un("sub_"));
    expect(() => torch.div(x(), x(), { ...bogus, rounding_mode: "floor" })).toThrow(un("div"));
    expect(() => x().div_(x(), { ...bogus, rounding_mode: "floor" })).toThrow(un("div_"));
    expect(() => torch.clamp(x(), { ...bogus, min: 0 })).toThrow(un("clamp"));
    expect(() => x().clip({ ...bogus, max: 0 })).toThrow(/unexpected keyword argument 'zzz_bogus'/);
    expect(() => x().addcmul_(x(), x(), { ...bogus, value: 2 })).toThrow(un("addcmul_"));
    expect(() => x().addcdiv_(x(), x(), { ...bogus, value: 2 })).toThrow(un("addcdiv_"));
    // the keywords themselves still work
    expect(torch.add(x(), x(), { alpha: 2 }).tolist()).toEqual([[9, 3, 6], [0, 15, 12]]);
    expect(x().clone().add_(x(), { alpha: -1 }).tolist()).toEqual([[0, 0, 0], [0, 0, 0]]);
  });

  it("indexing ops: index_add(_), index_put(_), take_along_dim, cross, logcumsumexp, dist", () => {
    const ix = long([0, 2]);
    const src = torch.tensor([[10, 20], [30, 40]]);
    expect(() => torch.index_add(x(), 1, ix, src, { ...bogus, alpha: 2 })).toThrow(un("index_add"));
    expect(() => x().index_add_(1, ix, src, { ...bogus, alpha: 2 })).toThrow(un("index_add"));
    expect(() => torch.index_put(x(), [long([1]), long([1])], torch.tensor([7]), { ...bogus, accumulate: true })).toThrow(un("index_put"));
    expect(() => x().index_put_([long([1]), long([1])], torch.tensor([7]), { ...bogus, accumulate: true })).toThrow(un("index_put_"));
    expect(() => torch.take_along_dim(x(), long([[0], [1]]), { ...bogus, dim: 1 })).toThrow(un("take_along_dim"));
    expect(() => torch.cross(x(), x(), { ...bogus, dim: 1 })).toThrow(un("cross"));
    expect(() => torch.logcumsumexp(x(), { ...bogus, dim: 1 })).toThrow(un("logcumsumexp"));
    expect(() => torch.dist(x(), x(), { ...bogus, p: 1 })).toThrow(un("dist"));
    // PyTorch's numpy alias axis, as these are native ops
    expect(torch.take_along_dim(x(), long([[0], [1]]), { axis: 1 } as never).tolist()).toEqual([[3], [5]]);
    expect(torch.cross(x(), x(), { axis: 1 } as never).shape).toEqual([2, 3]);
    expect(torch.logcumsumexp(x(), { axis: 1 } as never).shape).toEqual([2, 3]);
  });

  it("linalg: vector_norm / matrix_norm / norm (axis alias), svd, eigh, eigvalsh, cholesky, qr, solve", () => {
    const m = torch.tensor([[4, 1, 2], [1, 5, 3], [2, 3, 6]]);
    expect(() => torch.linalg.vector_norm(x(), { ...bogus, ord: 1 })).toThrow(un("linalg.vector_norm"));
    expect(() => torch.linalg.matrix_norm(m, { ...bogus, ord: "fro" })).toThrow(un("linalg.matrix_norm"));
    expect(() => torch.linalg.norm(m, { ...bogus, ord: 1 })).toThrow(un("linalg.norm"));
    expect(() => torch.linalg.svd(m, { ...bogus, full_matrices: false })).toThrow(un("linalg.svd"));
    expect(() => torch.linalg.eigh(m, { ...bogus, UPLO: "U" })).toThrow(un("linalg.eigh"));
    expect(() => torch.linalg.eigvalsh(m, { ...bogus, UPLO: "U" })).toThrow(un("linalg.eigvalsh"));
    expect(() => torch.linalg.cholesky(m, { ...bogus, upper: true })).toThrow(un("linalg.cholesky"));
    expect(() => torch.linalg.qr(m, { ...bogus, mode: "r" })).toThrow(un("linalg.qr"));
    expect(() => torch.linalg.solve(m, m, { ...bogus, left: false })).toThrow(un("linalg.solve"));
    expect(torch.linalg.vector_norm(x(), { axis: 1 }).shape).toEqual([2]);
    expect(torch.linalg.vector_norm(x(), 1, 1, { keepdim: true }).tolist()).toEqual([[6], [9]]);
  });

  it("softmax / log_softmax (torch. and methods), to, type", () => {
    expect(() => torch.softmax(x(), { ...bogus, dim: 0 })).toThrow(un("softmax"));
    expect(() => x().log_softmax({ ...bogus, dim: 0 })).toThrow(un("log_softmax"));
    expect(() => torch.softmax(x(), 0, { ...bogus, dtype: torch.float64 })).toThrow(un("softmax"));
    expect(torch.softmax(x(), { axis: 1 } as never).shape).toEqual([2, 3]);
    expect(() => x().to({ ...bogus, dtype: torch.float64 })).toThrow(un("to"));
    expect(() => x().type({ ...bogus, dtype: torch.float64 } as never)).toThrow(un("type"));
    // PyTorch's to(copy=True) is a new tensor even when nothing changes
    const t = x();
    expect(t.to({ copy: true })).not.toBe(t);
    expect(t.to({ dtype: torch.float32 })).toBe(t);
  });
});

describe("torch.norm's dtype keyword (it was ignored)", () => {
  it("computes in that dtype; a non-floating input is refused as PyTorch does", () => {
    const n = torch.norm(x(), { dtype: torch.float64 });
    expect(n.dtype).toBe("float64");
    expect(n.item()).toBeCloseTo(Math.sqrt(55), 10);
    expect(() => torch.norm(long([1, 2]), { dtype: torch.float64 })).toThrow("linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long");
    expect(() => torch.norm(x(), { dim: 1, keepdims: true } as never)).toThrow("norm() got an unexpected keyword argument 'keepdims'");
  });
});
