/**
 * torch.linalg against PyTorch 2.13 (fixtures/tensor/linalg.json, made by generate_linalg.py):
 * values, dtypes, shapes, grad_fn names and gradients of sum_i sum(w_i * out_i) for every case in
 * float64 and float32, sign-invariant quantities for eigen/singular vectors, and PyTorch's error
 * messages; then properties that need no fixture (reconstruction, orthogonality, batches).
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../../kernel/src/index";
import { DType, Tensor } from "../../kernel/src/tensor/tensor";

interface T {
  shape: number[];
  dtype: DType;
  values: (number | string)[];
}
interface Case {
  op: string;
  dtype: DType;
  inputs: Record<string, T>;
  outputs: T[];
  grad_fn: string | null;
  weights?: (T | null)[];
  grads?: Record<string, T | null>;
}
const fx = JSON.parse(readFileSync(join(__dirname, "../fixtures/tensor/linalg.json"), "utf8")) as { cases: Case[]; errors: Record<string, string> };

const dec = (v: number | string) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : (v as number));

function build(t: T, requires_grad = false): Tensor {
  const data = t.dtype === "float32" ? new Float32Array(t.values.length) : new Float64Array(t.values.length);
  t.values.forEach((v, i) => (data[i] = dec(v)));
  return new Tensor(data, t.shape, t.dtype, requires_grad && (t.dtype === "float32" || t.dtype === "float64"));
}

const L = torch.linalg;
type X = Record<string, Tensor>;
const C = [0.7, -1.3, 0.4, 2.1];

/** The eigh outputs PyTorch's fixture holds: λ, V∘V and V diag(λ) Vᵀ (independent of the vectors' signs). */
function eig_out(r: { eigenvalues: Tensor; eigenvectors: Tensor }): Tensor[] {
  const { eigenvalues: w, eigenvectors: V } = r;
  return [w, V.mul(V), torch.matmul(V.mul(w.unsqueeze(-2)), V.transpose(-2, -1))];
}

/** S, U∘U, Vh∘Vh and U diag(c) Vh over the first k singular triples. */
function svd_out(r: { U: Tensor; S: Tensor; Vh: Tensor }, k: number): Tensor[] {
  const U = torch.narrow(r.U, -1, 0, k);
  const Vh = torch.narrow(r.Vh, -2, 0, k);
  const c = torch.tensor(Array.from({ length: k }, (_, i) => C[i % C.length]), { dtype: r.S.dtype });
  return [r.S, U.mul(U), Vh.mul(Vh), torch.matmul(U.mul(c), Vh)];
}

const OPS: Record<string, (x: X) => Tensor | Tensor[]> = {
  vn_default: (x) => L.vector_norm(x.x),
  vn_1: (x) => L.vector_norm(x.x, 1),
  vn_3: (x) => L.vector_norm(x.x, { ord: 3 }),
  vn_half: (x) => L.vector_norm(x.x, 0.5),
  vn_inf: (x) => L.vector_norm(x.x, Infinity),
  vn_ninf: (x) => L.vector_norm(x.x, -Infinity),
  vn_0: (x) => L.vector_norm(x.x, 0),
  vn_neg1: (x) => L.vector_norm(x.x, -1),
  vn_dim1: (x) => L.vector_norm(x.x, { dim: 1 }),
  vn_dim0_keep: (x) => L.vector_norm(x.x, 2, 0, true),
  vn_dims: (x) => L.vector_norm(x.x, 3, [0, 1], true),
  vn_dtype: (x) => L.vector_norm(x.x, { dtype: "float64" }),
  mn_fro: (x) => L.matrix_norm(x.A, "fro"),
  mn_nuc: (x) => L.matrix_norm(x.A, "nuc"),
  mn_inf: (x) => L.matrix_norm(x.A, Infinity),
  mn_ninf: (x) => L.matrix_norm(x.A, -Infinity),
  mn_1: (x) => L.matrix_norm(x.A, 1),
  mn_neg1: (x) => L.matrix_norm(x.A, { ord: -1 }),
  mn_2: (x) => L.matrix_norm(x.A, 2),
  mn_neg2: (x) => L.matrix_norm(x.A, -2),
  mn_1_keep_dims: (x) => L.matrix_norm(x.A, 1, [2, 0], true),
  mn_2_keep_dims: (x) => L.matrix_norm(x.A, { ord: 2, dim: [0, 2], keepdim: true }),
  mn_inf_dims: (x) => L.matrix_norm(x.A, Infinity, [0, 1]),
  norm_default: (x) => L.norm(x.A),
  norm_default_keep: (x) => L.norm(x.A, { keepdim: true }),
  norm_2d_ord2: (x) => L.norm(x.A, 2),
  norm_1d_ord3: (x) => L.norm(x.A, 3),
  norm_dim1: (x) => L.norm(x.A, null, 1),
  norm_dims_nuc: (x) => L.norm(x.A, "nuc", [1, 2]),
  det: (x) => L.det(x.A),
  det_singular: (x) => L.det(x.A),
  det_1x1: (x) => L.det(x.A),
  slogdet: (x) => [...L.slogdet(x.A)],
  inv: (x) => L.inv(x.A),
  solve: (x) => L.solve(x.A, x.B),
  solve_vec: (x) => L.solve(x.A, x.B),
  solve_batched_vec: (x) => L.solve(x.A, x.B),
  solve_broadcast: (x) => L.solve(x.A, x.B),
  solve_broadcast_A: (x) => L.solve(x.A, x.B),
  solve_right: (x) => L.solve(x.A, x.B, { left: false }),
  cholesky: (x) => L.cholesky(x.A),
  cholesky_upper: (x) => L.cholesky(x.A, { upper: true }),
  cholesky_lower_only: (x) => L.cholesky(x.A),
  qr_tall: (x) => [...L.qr(x.A)],
  qr_square_batch: (x) => [...L.qr(x.A)],
  qr_wide: (x) => [...L.qr(x.A)],
  qr_complete_wide: (x) => [...L.qr(x.A, "complete")],
  qr_complete_tall: (x) => [...L.qr(x.A, { mode: "complete" })],
  qr_r: (x) => L.qr(x.A, "r").R,
  eigh: (x) => eig_out(L.eigh(x.A)),
  eigh_upper: (x) => eig_out(L.eigh(x.A, "U")),
  eigh_lower_nonsym: (x) => eig_out(L.eigh(x.A)),
  eigvalsh: (x) => L.eigvalsh(x.A),
  svd_tall: (x) => svd_out(L.svd(x.A, false), 3),
  svd_wide_batch: (x) => svd_out(L.svd(x.A, { full_matrices: false }), 3),
  svd_square: (x) => svd_out(L.svd(x.A, false), 4),
  svd_full: (x) => svd_out(L.svd(x.A), 2),
  svd_full_wide: (x) => svd_out(L.svd(x.A, true), 2),
  svdvals: (x) => L.svdvals(x.A),
  pinv: (x) => L.pinv(x.A),
  pinv_wide_batch: (x) => L.pinv(x.A),
  pinv_hermitian: (x) => L.pinv(x.A, { hermitian: true }),
  matrix_rank: (x) => L.matrix_rank(x.A),
  matrix_rank_atol: (x) => L.matrix_rank(x.A, { atol: 1.0, rtol: 0.0 }),
  matrix_rank_hermitian: (x) => L.matrix_rank(x.A, { hermitian: true }),
  pinv_rank_deficient: (x) => L.pinv(x.A),
  svd_large: (x) => svd_out(L.svd(x.A, false), 33),
  eigh_large: (x) => eig_out(L.eigh(x.A)),
};

/**
 * Relative to the largest |value| (at least 1). Measured worst: float64 1.3e-14 (values and
 * gradients); float32 2.2e-6 (lrlab computes in float64 and rounds once, LAPACK rounds every step).
 */
const TOL: Record<string, number> = { float64: 1e-12, float32: 2e-5 };

function expectClose(got: Tensor, want: T, tol: number, what: string): void {
  expect(got.dtype, `${what} dtype`).toBe(want.dtype);
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  const ref = want.values.map(dec);
  const scale = Math.max(1, ...ref.map((v) => (Number.isFinite(v) ? Math.abs(v) : 0)));
  ref.forEach((r, i) => {
    const v = got.data[i];
    if (!Number.isFinite(r)) expect(v, `${what}[${i}]`).toBe(r);
    else if (Math.abs(v - r) > tol * scale) expect.fail(`${what}[${i}]: got ${v}, PyTorch ${r} (tolerance ${tol * scale})`);
  });
}

describe("torch.linalg against PyTorch", () => {
  it("has a test function for every fixture case", () => {
    expect(fx.cases.filter((c) => !(c.op in OPS)).map((c) => c.op)).toEqual([]);
  });
  for (const c of fx.cases) {
    it(`${c.op} (${c.dtype})`, () => {
      const needGrad = c.grads !== undefined;
      const ins: X = {};
      for (const [k, t] of Object.entries(c.inputs)) ins[k] = build(t, needGrad);
      const r = OPS[c.op](ins);
      const outs = Array.isArray(r) ? r : [r];
      expect(outs.length).toBe(c.outputs.length);
      outs.forEach((o, i) => expectClose(o, c.outputs[i], TOL[c.dtype], `output ${i}`));
      if (c.grad_fn !== null) expect(outs[0].grad_fn?.name()).toBe(c.grad_fn);
      if (!needGrad) return;
      let loss: Tensor | null = null;
      outs.forEach((o, i) => {
        const w = c.weights?.[i];
        if (w === null || w === undefined || !o.requires_grad) return;
        const term = o.mul(build(w)).sum();
        loss = loss === null ? term : loss.add(term);
      });
      (loss as unknown as Tensor).backward();
      for (const [k, gt] of Object.entries(c.grads ?? {})) {
        // PyTorch leaves a zero gradient undefined (vector_norm with ord 0): null or zeros here
        if (gt === null) expect(ins[k].grad === null || (ins[k].grad as Tensor).data.every((v) => v === 0)).toBe(true);
        else if (c.op === "det_singular") {
          // Deliberate difference: PyTorch 2.13 gives zeros at an exactly singular matrix; lrlab gives the
          // derivative, w·cof(A), nonzero when rank A = n − 1. cof([[1,2,3],[2,4,6],[1,0,1]]):
          const cof = [4, 4, -4, -2, -2, 2, 0, 0, 0];
          const w = dec((c.weights?.[0] as T).values[0]);
          expect(Array.from((ins[k].grad as Tensor).data).every((v, i) => Math.abs(v - w * cof[i]) < 1e-4 * Math.abs(w))).toBe(true);
        }
        else expectClose(ins[k].grad as Tensor, gt, TOL[c.dtype], `grad ${k}`);
      }
    });
  }
});

const ERRORS: Record<string, () => unknown> = {
  inv_singular: () => L.inv(torch.tensor([[1, 2], [2, 4]], { dtype: "float64" })),
  inv_singular_batch: () => L.inv(torch.stack([torch.eye(2, { dtype: "float64" }), torch.tensor([[1, 2], [2, 4]], { dtype: "float64" })])),
  solve_singular: () => L.solve(torch.tensor([[1, 2], [2, 4]], { dtype: "float64" }), torch.ones(2, { dtype: "float64" })),
  inv_not_square: () => L.inv(torch.ones(2, 3)),
  inv_1d: () => L.inv(torch.ones(3)),
  det_not_square: () => L.det(torch.ones(2, 3)),
  inv_long: () => L.inv(torch.ones(2, 2, { dtype: "int64" })),
  cholesky_not_pd: () => L.cholesky(torch.tensor([[1, 2], [2, 1]])),
  cholesky_not_pd_batch: () => L.cholesky(torch.stack([torch.eye(2), torch.tensor([[1, 2], [2, 1]])])),
  cholesky_not_pd_1: () => L.cholesky(torch.tensor([[-1, 0], [0, 1]])),
  solve_shapes_vec: () => L.solve(torch.eye(3), torch.ones(2)),
  solve_shapes: () => L.solve(torch.eye(3), torch.ones(2, 2)),
  solve_dtypes: () => L.solve(torch.eye(3), torch.ones(3, { dtype: "float64" })),
  qr_mode: () => L.qr(torch.ones(2, 3), "x" as "r"),
  eigh_not_square: () => L.eigh(torch.ones(2, 3)),
  eigh_uplo: () => L.eigh(torch.ones(2, 2), "X" as "L"),
  matrix_norm_ord3: () => L.matrix_norm(torch.ones(2, 2), 3),
  matrix_norm_1d: () => L.matrix_norm(torch.ones(2), "fro"),
  matrix_norm_same_dims: () => L.matrix_norm(torch.ones(2, 2), { dim: [0, 0] }),
  vector_norm_long: () => L.vector_norm(torch.ones(2, { dtype: "int64" })),
  vector_norm_str: () => L.vector_norm(torch.ones(2), "fro" as unknown as number),
  norm_3d_ord: () => L.norm(torch.ones(2, 2, 2), 2),
  norm_1d_fro: () => L.norm(torch.ones(2), "fro"),
  svd_1d: () => L.svd(torch.ones(2)),
  qr_r_backward: () => L.qr(torch.randn(3, 3, { requires_grad: true }), "r").R.sum().backward(),
  qr_complete_tall_backward: () => L.qr(torch.randn(3, 2, { requires_grad: true }), "complete").Q.sum().backward(),
};

describe("torch.linalg errors, in PyTorch's words", () => {
  for (const [name, msg] of Object.entries(fx.errors)) {
    it(name, () => {
      expect(ERRORS[name], `no call for ${name}`).toBeDefined();
      expect(ERRORS[name]).toThrow(msg);
    });
  }
});

describe("torch.linalg properties", () => {
  const maxAbsDiff = (a: Tensor, b: Tensor) => Math.max(...Array.from(a.sub(b).abs().reshape(-1).data));
  it("svd, qr and eigh reconstruct A with orthonormal factors, over a batch of 3 × 2 matrices", () => {
    torch.manual_seed(7);
    const A = torch.randn(3, 2, 6, 4, { dtype: "float64" });
    const { U, S, Vh } = L.svd(A);
    expect([U.shape, S.shape, Vh.shape]).toEqual([[3, 2, 6, 6], [3, 2, 4], [3, 2, 4, 4]]);
    const Ur = torch.narrow(U, -1, 0, 4);
    expect(maxAbsDiff(torch.matmul(Ur.mul(S.unsqueeze(-2)), Vh), A)).toBeLessThan(1e-12);
    expect(maxAbsDiff(torch.matmul(U.transpose(-2, -1), U), torch.eye(6, { dtype: "float64" }))).toBeLessThan(1e-12);
    const [Q, R] = L.qr(A, "complete");
    expect(maxAbsDiff(torch.matmul(Q, R), A)).toBeLessThan(1e-12);
    expect(maxAbsDiff(torch.matmul(Q.transpose(-2, -1), Q), torch.eye(6, { dtype: "float64" }))).toBeLessThan(1e-12);
    const Sym = torch.matmul(A.transpose(-2, -1), A);
    const { eigenvalues, eigenvectors: V } = L.eigh(Sym);
    expect(maxAbsDiff(torch.matmul(V.mul(eigenvalues.unsqueeze(-2)), V.transpose(-2, -1)), Sym)).toBeLessThan(1e-11);
    expect(maxAbsDiff(eigenvalues.sqrt().flip(-1), S)).toBeLessThan(1e-11);
  });

  it("svd of a 50 × 40 matrix with singular values from 1 to 1e-9: each to 1e-14 of the largest, orthonormal U and V", () => {
    torch.manual_seed(21);
    const Q1 = L.qr(torch.randn(50, 40, { dtype: "float64" })).Q;
    const Q2 = L.qr(torch.randn(40, 40, { dtype: "float64" })).Q;
    const s = Array.from({ length: 40 }, (_, i) => 10 ** (-9 * i / 39));
    const A = torch.matmul(Q1.mul(torch.tensor(s, { dtype: "float64" })), Q2.t());
    const { U, S, Vh } = L.svd(A, false);
    expect(Math.max(...Array.from(S.data, (v, i) => Math.abs(v - s[i])))).toBeLessThan(1e-14);
    expect(maxAbsDiff(torch.matmul(U.t(), U), torch.eye(40, { dtype: "float64" }))).toBeLessThan(1e-12);
    expect(maxAbsDiff(torch.matmul(Vh, Vh.t()), torch.eye(40, { dtype: "float64" }))).toBeLessThan(1e-12);
    expect(maxAbsDiff(torch.matmul(U.mul(S), Vh), A)).toBeLessThan(1e-14);
  });

  it("a rank-deficient matrix: svd completes U to an orthonormal basis, det is 0, slogdet is (0, -inf)", () => {
    const A = torch.tensor([[1, 2, 3], [2, 4, 6], [1, 1, 1]], { dtype: "float64" });
    const { U, S } = L.svd(A);
    expect(S.data[2]).toBeLessThan(1e-14);
    expect(maxAbsDiff(torch.matmul(U.transpose(-2, -1), U), torch.eye(3, { dtype: "float64" }))).toBeLessThan(1e-12);
    expect(Math.abs(L.det(A).item())).toBeLessThan(1e-14);
    expect(L.matrix_rank(A).item()).toBe(2);
    const z = L.slogdet(torch.zeros(2, 2));
    expect([z.sign.item(), z.logabsdet.item()]).toEqual([0, -Infinity]);
  });

  it("eigh on degenerate and larger inputs: repeated eigenvalues, diagonal, 1×1, 60×60", () => {
    const I = torch.eye(4, { dtype: "float64" });
    const e = L.eigh(I);
    expect(Array.from(e.eigenvalues.data)).toEqual([1, 1, 1, 1]);
    expect(maxAbsDiff(torch.matmul(e.eigenvectors.transpose(-2, -1), e.eigenvectors), I)).toBeLessThan(1e-15);
    const Dg = torch.tensor([[3, 0, 0], [0, 1, 0], [0, 0, 2]], { dtype: "float64" });
    expect(Array.from(L.eigh(Dg).eigenvalues.data)).toEqual([1, 2, 3]);
    expect(L.eigvalsh(torch.tensor([[-2.5]])).tolist()).toEqual([-2.5]);
    torch.manual_seed(3);
    const B = torch.randn(60, 60, { dtype: "float64" });
    const S = B.add(B.t());
    const { eigenvalues: w, eigenvectors: V } = L.eigh(S);
    expect(maxAbsDiff(torch.matmul(V.mul(w.unsqueeze(-2)), V.t()), S)).toBeLessThan(1e-12);
    expect(maxAbsDiff(torch.matmul(V.t(), V), torch.eye(60, { dtype: "float64" }))).toBeLessThan(1e-13);
    expect(Array.from(w.data).every((v, i, a) => i === 0 || a[i - 1] <= v)).toBe(true);
    const nan = L.eigh(torch.tensor([[NaN, 0], [0, 1]], { dtype: "float64" }));
    expect(nan.eigenvalues.isnan().all().item()).toBe(true);
  });

  it("named tuples index, destructure and print as PyTorch's", () => {
    const r = L.slogdet(torch.eye(2));
    const [sign, logabsdet] = r;
    expect(r[0]).toBe(sign);
    expect(r[1]).toBe(logabsdet);
    expect(r.length).toBe(2);
    expect(String(r)).toBe("torch.return_types.linalg_slogdet(\nsign=tensor(1.),\nlogabsdet=tensor(0.))");
    const { Q, R } = L.qr(torch.eye(2));
    expect(String(L.qr(torch.eye(2))).startsWith("torch.return_types.linalg_qr(\nQ=tensor(")).toBe(true);
    expect(Q.shape).toEqual([2, 2]);
    expect(R.shape).toEqual([2, 2]);
  });

  it("torch.linalg.matmul is torch.matmul; torch.det / torch.inverse and the methods det() / inverse() are linalg's", () => {
    expect(L.matmul).toBe(torch.matmul);
    const A = torch.tensor([[2, 1], [1, 3]], { dtype: "float64", requires_grad: true });
    expect(torch.det(A).item()).toBeCloseTo(5, 14);
    expect(A.det().grad_fn?.name()).toBe("LinalgDetBackward0");
    expect(A.inverse().tolist()).toEqual(L.inv(A).tolist());
    expect(torch.inverse(A).grad_fn?.name()).toBe("LinalgInvExBackward0");
  });

  it("gradients agree with finite differences away from the fixtures (3 × 3 batch, float64)", () => {
    torch.manual_seed(11);
    const base = torch.randn(2, 3, 3, { dtype: "float64" });
    const spd = torch.matmul(base, base.transpose(-2, -1)).add(torch.eye(3, { dtype: "float64" }).mul(3));
    const w = torch.randn(2, 3, 3, { dtype: "float64" });
    const fs: [string, (A: Tensor) => Tensor][] = [
      ["inv", (A) => L.inv(A).mul(w).sum()],
      ["cholesky", (A) => L.cholesky(A).mul(w).sum()],
      ["eigh V∘V", (A) => L.eigh(A).eigenvectors.pow(2).mul(w).sum()],
      ["svd U diag(S) Vh", (A) => { const r = L.svd(A, false); return torch.matmul(r.U.mul(r.S.pow(2).unsqueeze(-2)), r.Vh).mul(w).sum(); }],
      ["qr", (A) => { const r = L.qr(A); return r.Q.mul(w).sum().add(r.R.mul(w).sum()); }],
      ["pinv", (A) => L.pinv(A).mul(w).sum()],
      ["matrix_norm nuc", (A) => L.matrix_norm(A, "nuc").sum()],
    ];
    for (const [name, f] of fs) {
      const A = spd.detach().requires_grad_();
      f(A).backward();
      const g = A.grad as Tensor;
      const h = 1e-6;
      // along E_rc + E_cr (cholesky and eigh read one triangle, so only symmetric directions are
      // meaningful for them): the derivative is g[r,c] + g[c,r] (or g[r,r] on the diagonal)
      for (const [b, r, c] of [[0, 0, 0], [0, 1, 2], [1, 0, 1], [1, 2, 2], [1, 2, 0]]) {
        const i = b * 9 + r * 3 + c;
        const j = b * 9 + c * 3 + r;
        const p = spd.clone();
        const m = spd.clone();
        for (const k of i === j ? [i] : [i, j]) {
          p.data[k] += h;
          m.data[k] -= h;
        }
        const fd = (f(p).item() - f(m).item()) / (2 * h);
        const an = i === j ? g.data[i] : g.data[i] + g.data[j];
        expect(Math.abs(fd - an), `${name} [${b},${r},${c}]: fd ${fd}, grad ${an}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
      }
    }
  });
});
