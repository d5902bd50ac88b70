/**
 * Shape, indexing and combinatorial ops against PyTorch 2.13 (fixtures/tensor/shape_index.json, made
 * by fixtures/generate_shape_index.py): einsum, tile, repeat_interleave, roll, rot90, movedim,
 * meshgrid, broadcast_tensors, dstack / column_stack / row_stack, atleast_*d, diag / diagonal /
 * diag_embed / trace / tri*_indices, addmm / addmv / baddbmm / addbmm / kron / cross / cdist,
 * index_add / index_copy / index_fill / take / take_along_dim / put, unique / unique_consecutive /
 * bincount / histc / searchsorted / bucketize: values, dtypes, shapes, grad_fn names, gradients of
 * sum(out * w), PyTorch's error messages; multinomial's samples for the same seed; the in-place
 * forms against the out-of-place ones; einsum's matrix products running through matmul.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../../kernel/src/tensor/index";
import * as random from "../../kernel/src/random/index";
import { DType, Tensor } from "../../kernel/src/tensor/tensor";
import { gradcheck, randn, rng } from "./gradcheck";

interface T {
  shape: readonly number[];
  dtype: DType;
  values: (number | string)[];
}
interface Case {
  name: string;
  out: T;
  grad_fn?: string | null;
  proj?: T;
  grads?: Record<string, T>;
  not_differentiable?: boolean;
}
interface Fixture {
  inputs: Record<string, T>;
  cases: Case[];
  errors: { name: string; type: string; message: string }[];
  multinomial: { probs: Record<string, T>; cases: { probs: string; n: number; replacement: boolean; seed: number; gen: string; samples: T; after: T }[] };
}
const fx = JSON.parse(readFileSync(join(__dirname, "../fixtures/tensor/shape_index.json"), "utf8")) as Fixture;

const dec = (v: number | string) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : (v as number));

function build(t: T, requires_grad = false): Tensor {
  const data = t.dtype === "float32" ? new Float32Array(t.values.length) : new Float64Array(t.values.length);
  t.values.forEach((v, i) => (data[i] = dec(v)));
  return new Tensor(data, t.shape, t.dtype, requires_grad && (t.dtype === "float32" || t.dtype === "float64"));
}

type X = Record<string, Tensor>;
const L = (v: number[] | number[][] | number[][][]) => torch.tensor(v, { dtype: "int64" });
const first = (r: Tensor | Tensor[]) => (Array.isArray(r) ? r[0] : r);

const OPS: Record<string, (x: X) => Tensor> = {
  ein_mm: (x) => torch.einsum("ij,jk->ik", x.a, x.b),
  ein_bmm: (x) => torch.einsum("bij,bjk->bik", x.p, x.q),
  ein_trace: (x) => torch.einsum("ii", x.m),
  ein_diag: (x) => torch.einsum("ii->i", x.m),
  ein_transpose: (x) => torch.einsum("ij->ji", x.a),
  ein_sum: (x) => torch.einsum("ij->", x.a),
  ein_rowsum: (x) => torch.einsum("ij->i", x.a),
  ein_outer: (x) => torch.einsum("i,j->ij", x.v, x.u),
  ein_implicit: (x) => torch.einsum("ij,jk", x.a, x.b),
  ein_implicit_order: (x) => torch.einsum("ba", x.a),
  ein_ellipsis: (x) => torch.einsum("...ij,...jk->...ik", x.p, x.q),
  ein_ellipsis_implicit: (x) => torch.einsum("...ji", x.p),
  ein_ellipsis_bcast: (x) => torch.einsum("...ij,jk->...ik", x.p, x.g),
  ein_ellipsis_sum: (x) => torch.einsum("...ij->ij", x.p),
  ein_three: (x) => torch.einsum("ij,jk,kl->il", x.a, x.b, x.g),
  ein_bilinear: (x) => torch.einsum("bn,anm,bm->ba", x.a, x.W, x.y),
  ein_repeated_mixed: (x) => torch.einsum("iij,kj->ik", x.t3, x.b),
  ein_broadcast1: (x) => torch.einsum("ij,ij->ij", x.a, x.o),
  ein_upper: (x) => torch.einsum("Ab,bC", x.a, x.b),
  ein_f64: (x) => torch.einsum("ij,jk->ik", x.d, x.e64),
  ein_int: () => torch.einsum("ij,jk->ik", L([[1, 2], [3, 4]]), L([[1, 2], [3, 4]])),
  ein_list: (x) => torch.einsum("ij,jk->ik", [x.a, x.b]),
  ein_batch_diag: (x) => torch.einsum("bii->bi", x.r3),
  ein_sum_early: (x) => torch.einsum("ij,jk->ij", x.a, x.b),
  ein_spaces: (x) => torch.einsum(" i j , j k -> k i ", x.a, x.b),
  ein_hadamard_sum: (x) => torch.einsum("ij,ij->", x.a, x.sA),
  ein_bcast_contract: (x) => torch.einsum("ji,jk->ik", x.o, x.b),
  ein_batched_mv: (x) => torch.einsum("...ij,...j->...i", x.p, x.y),
  ein_ellipsis_middle: (x) => torch.einsum("i...j->j...i", x.p),
  ein_diag_out_order: (x) => torch.einsum("bii,bj->jib", x.r3, x.a),
  ein_four: (x) => torch.einsum("i,ij,jk,k->", x.s2, x.a, x.b, x.u),
  tile_1d: (x) => torch.tile(x.v, [2]),
  tile_short: (x) => x.a.tile([2]),
  tile_long: (x) => torch.tile(x.v, [2, 1, 2]),
  ri_int: (x) => torch.repeat_interleave(x.a, 2),
  ri_dim: (x) => x.a.repeat_interleave(2, { dim: 1 }),
  ri_int_zero: (x) => torch.repeat_interleave(x.p, 0, 1),
  ri_tensor: (x) => torch.repeat_interleave(x.a, L([1, 0, 2]), 1),
  ri_counts: () => torch.repeat_interleave(L([2, 0, 1])),
  ri_output_size: (x) => torch.repeat_interleave(x.a, L([1, 2]), 0, { output_size: 3 }),
  ri_scalar: (x) => torch.repeat_interleave(x.z0, 3),
  roll_flat: (x) => torch.roll(x.a, 2),
  roll_dims: (x) => torch.roll(x.p, [1, -1], [0, 2]),
  roll_neg: (x) => x.a.roll(-4, 1),
  roll_same_dim: (x) => torch.roll(x.a, [1, 1], [1, 1]),
  rot_1: (x) => torch.rot90(x.a),
  rot_2: (x) => torch.rot90(x.a, 2),
  rot_3: (x) => x.p.rot90(3, [1, 2]),
  rot_neg: (x) => torch.rot90(x.a, -1, [1, 0]),
  rot_0: (x) => torch.rot90(x.a, 0),
  movedim: (x) => torch.movedim(x.p, 0, 2),
  movedim_list: (x) => torch.movedim(x.p, [0, 1], [2, 0]),
  moveaxis: (x) => x.p.moveaxis(-1, 0),
  swapdims: (x) => x.p.swapdims(0, 2),
  mg_ij_0: (x) => torch.meshgrid(x.v, x.u, { indexing: "ij" })[0],
  mg_ij_1: (x) => torch.meshgrid([x.v, x.u], { indexing: "ij" })[1],
  mg_xy_0: (x) => torch.meshgrid(x.v, x.u, { indexing: "xy" })[0],
  mg_xy_1: (x) => torch.meshgrid(x.v, x.u, { indexing: "xy" })[1],
  mg_three_2: (x) => torch.meshgrid(x.v, x.u, x.s2, { indexing: "xy" })[2],
  mg_scalar: (x) => torch.meshgrid(x.z0, x.u)[0],
  bt_0: (x) => torch.broadcast_tensors(x.a, x.o, x.s2.reshape(2, 1))[1],
  bt_1: (x) => torch.broadcast_tensors([x.a, x.o, x.s2.reshape(2, 1)])[2],
  dstack: (x) => torch.dstack([x.a, x.sA]),
  dstack_1d: (x) => torch.dstack([x.v, x.v]),
  column_stack: (x) => torch.column_stack([x.v, x.m, x.v]),
  row_stack: (x) => torch.row_stack([x.v, x.m]),
  at1_0d: (x) => torch.atleast_1d(x.z0),
  at2_1d: (x) => torch.atleast_2d(x.v),
  at2_0d: (x) => torch.atleast_2d(x.z0),
  at3_1d: (x) => torch.atleast_3d(x.v),
  at3_2d: (x) => torch.atleast_3d(x.a),
  at3_3d: (x) => torch.atleast_3d(x.p),
  diag_vec: (x) => torch.diag(x.v),
  diag_vec_k: (x) => x.v.diag(1),
  diag_vec_neg: (x) => torch.diag(x.v, -2),
  diag_mat: (x) => torch.diag(x.b),
  diag_mat_k: (x) => torch.diag(x.b, 1),
  diag_mat_neg: (x) => torch.diag(x.b, -1),
  diag_mat_far: (x) => torch.diag(x.b, 5),
  dg: (x) => torch.diagonal(x.b),
  dg_off: (x) => x.b.diagonal(2),
  dg_neg: (x) => torch.diagonal(x.b, -1),
  dg_dims: (x) => torch.diagonal(x.p, 0, 0, 2),
  dg_dims_neg: (x) => torch.diagonal(x.p, { offset: 1, dim1: -1, dim2: 0 }),
  de: (x) => torch.diag_embed(x.a),
  de_off: (x) => torch.diag_embed(x.a, 1),
  de_neg: (x) => x.a.diag_embed(-2),
  de_dims: (x) => torch.diag_embed(x.a, -1, 0, 2),
  trace: (x) => torch.trace(x.b),
  trace_int: () => torch.trace(L([[1, 2], [3, 4]])),
  tril_idx: () => torch.tril_indices(3, 4, 1),
  tril_idx_neg: () => torch.tril_indices(4, 3, -1),
  triu_idx: () => torch.triu_indices(3, 3),
  triu_idx_off: () => torch.triu_indices(3, 4, 2),
  kron: (x) => torch.kron(x.a, x.g),
  kron_vec: (x) => torch.kron(x.v, x.u),
  kron_mixed: (x) => x.v.kron(x.a),
  cross_dim: (x) => torch.cross(x.e, x.f, { dim: 1 }),
  cross_default: (x) => torch.cross(x.c32, x.d32),
  cross_neg: (x) => x.e.cross(x.f, -1),
  cdist: (x) => torch.cdist(x.e, x.f),
  cdist_p1: (x) => torch.cdist(x.e, x.f, { p: 1 }),
  cdist_inf: (x) => torch.cdist(x.e, x.f, Infinity),
  cdist_p0: (x) => torch.cdist(x.e, x.f, 0),
  cdist_p3: (x) => torch.cdist(x.e, x.f, 3),
  cdist_half: (x) => torch.cdist(x.e, x.f, 0.5),
  cdist_batch: (x) => torch.cdist(x.p, x.h),
  cdist_bcast: (x) => torch.cdist(x.p, x.h.select(0, 0)),
  cdist_self: (x) => torch.cdist(x.e, x.e, { compute_mode: "donot_use_mm_for_euclid_dist" }),
  addmm: (x) => torch.addmm(x.u, x.a, x.b),
  addmm_ba: (x) => torch.addmm(x.bias, x.a, x.b, { beta: 0.5, alpha: 2.0 }),
  addmm_beta0: (x) => x.bias.addmm(x.a, x.b, { beta: 0 }),
  addmv: (x) => torch.addmv(x.s2, x.a, x.v),
  addmv_ba: (x) => x.s2.addmv(x.a, x.v, { beta: -1.5, alpha: 0.25 }),
  baddbmm: (x) => torch.baddbmm(x.u5, x.p, x.q),
  baddbmm_ba: (x) => x.w35.baddbmm(x.p, x.q, { beta: 2.0, alpha: -0.5 }),
  addbmm: (x) => torch.addbmm(x.u5, x.p, x.q),
  addbmm_ba: (x) => x.w35.addbmm(x.p, x.q, { beta: 0.5, alpha: 3.0 }),
  index_add: (x) => torch.index_add(x.a, 1, L([0, 2, 0]), x.sA),
  index_add_alpha: (x) => x.m.index_add(0, L([2, 0]), x.sA, { alpha: -2.0 }),
  index_add_int: () => torch.index_add(L([[1, 2], [3, 4]]), 0, L([1, 1]), L([[1, 2], [3, 4]])),
  index_copy: (x) => torch.index_copy(x.m, 0, L([2, 0]), x.sA),
  index_copy_dim1: (x) => x.a.index_copy(1, L([1]), x.s2.reshape(2, 1)),
  index_fill: (x) => torch.index_fill(x.m, 1, L([0, 2]), -1.5),
  index_fill_tensor: (x) => x.m.index_fill(0, L([1, 1]), x.z0),
  take: (x) => torch.take(x.a, L([[0, 5], [-1, 2]])),
  take_rep: (x) => x.p.take(L([3, 3, 23])),
  tad: (x) => torch.take_along_dim(x.a, L([[2, 1], [0, 0]]), 1),
  tad_bcast: (x) => torch.take_along_dim(x.p, L([[[3, 0], [1, 1], [2, 3]]]), { dim: 2 }),
  tad_bcast_x: (x) => torch.take_along_dim(x.o, L([[0], [2], [1]]), 1),
  tad_none: (x) => torch.take_along_dim(x.a, L([5, 0, 2, 2])),
  tad_argsort: (x) => x.a.take_along_dim(x.a.argsort(1), 1),
  put: (x) => torch.put(x.a, L([0, 4]), x.s2),
  put_acc: (x) => x.a.put(L([1, 1]), x.s2, true),
  uq: (x) => torch.unique(x.n1),
  uq_inv: (x) => torch.unique(x.n1, { return_inverse: true })[1],
  uq_counts: (x) => torch.unique(x.n1, { return_counts: true })[1],
  uq_int: (x) => x.i1.unique(),
  uq_dim0: (x) => torch.unique(x.i2, { dim: 0 }),
  uq_dim0_inv: (x) => torch.unique(x.i2, { dim: 0, return_inverse: true })[1],
  uq_dim1: (x) => torch.unique(x.i2, { dim: 1 }),
  uq_dim1_counts: (x) => torch.unique(x.i2, { dim: 1, return_counts: true })[1],
  uq_nan: (x) => torch.unique(x.nn),
  uq_nan_counts: (x) => torch.unique(x.nn, { return_counts: true })[1],
  uq_inv_2d: (x) => torch.unique(x.i2, { return_inverse: true })[1],
  uc: (x) => torch.unique_consecutive(x.i1),
  uc_inv: (x) => torch.unique_consecutive(x.i1, { return_inverse: true })[1],
  uc_counts: (x) => x.i1.unique_consecutive({ return_counts: true })[1],
  uc_dim: (x) => torch.unique_consecutive(x.i2, { dim: 0 }),
  bc: (x) => torch.bincount(x.i1),
  bc_w: (x) => torch.bincount(x.i1, x.w7),
  bc_w64: (x) => torch.bincount(x.i1, { weights: x.w7.double() }),
  bc_wint: (x) => torch.bincount(x.i1, { weights: L([1, 2, 3, 4, 5, 6, 7]) }),
  bc_min: (x) => x.i1.bincount({ minlength: 9 }),
  bc_empty: () => torch.bincount(torch.tensor([], { dtype: "int64" }), null, 3),
  hc: (x) => torch.histc(x.a, { bins: 4 }),
  hc_range: (x) => torch.histc(x.p, 5, -1, 1),
  hc_f64: (x) => torch.histc(x.d, 6),
  hc_const: (x) => torch.histc(x.ones4, 4),
  hc_big: (x) => x.big.histc(7),
  hc_edges: () => torch.histc(torch.tensor([0.0, 0.1, 0.2, 0.3, 0.7, 0.9, 1.0]), { bins: 10, min: 0, max: 1 }),
  ss: (x) => torch.searchsorted(x.seq, x.vals),
  ss_right: (x) => torch.searchsorted(x.seq, x.vals, { right: true }),
  ss_side: (x) => torch.searchsorted(x.seq, x.vals, { side: "right" }),
  ss_2d: (x) => torch.searchsorted(x.seq2, x.vals2),
  ss_sorter: (x) => torch.searchsorted(x.useq, x.vals, { sorter: x.useq.argsort() }),
  ss_scalar: (x) => torch.searchsorted(x.seq, 0.0),
  ss_int_seq: (x) => torch.searchsorted(x.i1.sort().values, x.vals),
  ss_nan: (x) => torch.searchsorted(x.seq, torch.tensor([NaN, 0.0])),
  bk: (x) => torch.bucketize(x.vals, x.seq),
  bk_right: (x) => torch.bucketize(x.vals2, x.seq, { right: true }),
  bk_scalar: (x) => torch.bucketize(1.25, x.seq),
};

const ERRORS: Record<string, (x: X) => unknown> = {
  ein_more_ops: (x) => torch.einsum("ij->i", x.a, x.a),
  ein_fewer_ops: (x) => torch.einsum("ij,jk->ik", x.a),
  ein_size: (x) => torch.einsum("ij,jk", x.a, x.g),
  ein_bcast: (x) => torch.einsum("ij,ij->ij", x.a, x.m),
  ein_out_missing: (x) => torch.einsum("ij->k", x.a),
  ein_out_twice: (x) => torch.einsum("ij->ii", x.a),
  ein_ndim: (x) => torch.einsum("ijk->i", x.a),
  ein_ndim_ellipsis: (x) => torch.einsum("...ijk->i", x.a),
  ein_bad_char: (x) => torch.einsum("i1->i", x.a),
  ein_dots: (x) => torch.einsum("....", x.a),
  ein_dtype: (x) => torch.einsum("ij,jk->ik", x.d, x.e),
  ri_neg: (x) => torch.repeat_interleave(x.v, L([1, 2, -1])),
  ri_size: (x) => torch.repeat_interleave(x.v, L([1, 2])),
  ri_output_size: (x) => torch.repeat_interleave(x.v, 2, { output_size: 5 }),
  roll_align: (x) => torch.roll(x.a, [1, 2], 0),
  rot_dims: (x) => torch.rot90(x.p, 1, [0, 1, 2]),
  rot_ndim: (x) => torch.rot90(x.v),
  rot_same: (x) => torch.rot90(x.a, 1, [0, 0]),
  movedim_len: (x) => torch.movedim(x.p, [0, 1], [0]),
  movedim_rep: (x) => torch.movedim(x.p, [0, 0], [1, 2]),
  meshgrid_2d: (x) => torch.meshgrid(x.a, x.v, { indexing: "ij" }),
  meshgrid_indexing: (x) => torch.meshgrid(x.v, x.u, { indexing: "ji" as "ij" }),
  diagonal_same: (x) => torch.diagonal(x.p, 0, 1, 1),
  diag_3d: (x) => torch.diag(x.p),
  trace_3d: (x) => torch.trace(x.p),
  tril_idx_neg: () => torch.tril_indices(-1, 3),
  tril_idx_float: () => torch.tril_indices(3, 3, 0, { dtype: "float32" }),
  cross_len: (x) => torch.cross(x.a, x.sA, 0),
  cross_none: (x) => torch.cross(x.g, x.g),
  cdist_1d: (x) => torch.cdist(x.v, x.a),
  cdist_cols: (x) => torch.cdist(x.a, x.b),
  cdist_neg_p: (x) => torch.cdist(x.e, x.f, -1),
  addmm_shapes: (x) => torch.addmm(x.u, x.a, x.g),
  bmm_batch2: (x) => torch.baddbmm(x.u, x.p, x.h),
  take_oob: (x) => torch.take(x.a, L([6])),
  tad_ndim: (x) => torch.take_along_dim(x.a, L([0]), 1),
  put_numel: (x) => torch.put(x.a, L([0, 1, 2]), x.s2),
  index_add_numel: (x) => torch.index_add(x.a, 1, L([0, 2]), x.sA),
  bincount_neg: () => torch.bincount(L([0, -1])),
  bincount_2d: (x) => torch.bincount(x.i2),
  bincount_float: (x) => torch.bincount(x.v),
  bincount_minlength: (x) => torch.bincount(x.i1, null, -1),
  bincount_weights: (x) => torch.bincount(x.i1, x.v),
  histc_int: (x) => torch.histc(x.i1, 4),
  histc_range: (x) => torch.histc(x.a, 4, 3, 1),
  ss_side_right: (x) => torch.searchsorted(x.seq, x.vals, { side: "left", right: true }),
  ss_dims: (x) => torch.searchsorted(x.seq2, x.vals),
  ss_sorter_size: (x) => torch.searchsorted(x.seq, x.vals, { sorter: L([0, 1]) }),
  bk_2d: (x) => torch.bucketize(x.vals, x.seq2),
  index_copy_numel: (x) => torch.index_copy(x.m, 0, L([0]), x.sA),
  index_fill_oob: (x) => torch.index_fill(x.m, 0, L([5]), 1.0),
  index_add_dtype: (x) => torch.index_add(x.m, 0, L([0]), x.d.index(":1", ":3")),
  ss_sorter_dtype: (x) => torch.searchsorted(x.seq, x.vals, { sorter: x.seq }),
  ss_side_bad: (x) => torch.searchsorted(x.seq, x.vals, { side: "up" as "left" }),
  histc_bins0: (x) => torch.histc(x.a, { bins: 0 }),
  addmm_dtype: (x) => torch.addmm(x.u, x.d.index(":2", ":3"), x.b),
  cross_ndim: (x) => torch.cross(x.e, x.v, 1),
  meshgrid_dtype: (x) => torch.meshgrid(x.v, x.d.select(0, 0), { indexing: "ij" }),
  diag_embed_0d: (x) => torch.diag_embed(x.z0),
  mn_dim: (x) => random.multinomial(x.p, 1),
  mn_int: (x) => random.multinomial(x.i1, 1),
  mn_zero: (x) => random.multinomial(x.seq.abs(), 0),
  mn_too_many: (x) => random.multinomial(x.seq.abs(), 7),
  mn_negative: (x) => random.multinomial(x.vals, 2),
  mn_negative_repl: (x) => random.multinomial(x.vals, 2, true),
  mn_zero_sum: () => random.multinomial(torch.zeros(3), 2),
};
// PyTorch's message ends with the offending tensor in its own print format: compare up to it.
const PREFIX_ONLY: Record<string, string> = { meshgrid_2d: "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got:" };

function close(actual: Tensor, expected: T, what: string): void {
  expect(actual.shape, `${what} shape`).toEqual(expected.shape);
  expect(actual.dtype, `${what} dtype`).toBe(expected.dtype);
  const exact = expected.dtype === "int64" || expected.dtype === "bool";
  expected.values.forEach((v, i) => {
    const e = dec(v);
    const a = actual.data[i];
    if (Number.isNaN(e)) expect(Number.isNaN(a), `${what}[${i}]`).toBe(true);
    else if (exact) expect(a, `${what}[${i}]`).toBe(e);
    else expect(Math.abs(a - e), `${what}[${i}]: ${a} vs ${e}`).toBeLessThanOrEqual(2e-6 + 1e-5 * Math.abs(e));
  });
}

function inputs(): X {
  const x: X = {};
  for (const [k, v] of Object.entries(fx.inputs)) x[k] = build(v, true);
  return x;
}

describe("shape, index and counting ops against PyTorch", () => {
  it("covers every fixture case and error", () => {
    expect(fx.cases.map((c) => c.name).filter((n) => !(n in OPS))).toEqual([]);
    expect(fx.errors.map((c) => c.name).filter((n) => !(n in ERRORS))).toEqual([]);
  });
  for (const c of fx.cases) {
    it(c.name, () => {
      const x = inputs();
      const out = first(OPS[c.name](x));
      close(out, c.out, "output");
      if (c.grad_fn !== undefined) expect(out.grad_fn?.name() ?? null, "grad_fn").toBe(c.grad_fn);
      if (c.not_differentiable) expect(out.requires_grad, "not differentiable").toBe(false);
      if (c.grads) {
        torch.sum(torch.mul(out, build(c.proj!))).backward();
        for (const [k, g] of Object.entries(c.grads)) {
          expect(x[k].grad, `grad of ${k}`).not.toBeNull();
          close(x[k].grad!, g, `grad of ${k}`);
        }
        for (const k of Object.keys(x)) if (!(k in c.grads)) expect(x[k].grad, `no grad for ${k}`).toBeNull();
      } else if (!c.not_differentiable) expect(out.requires_grad, "requires_grad").toBe(false);
    });
  }
  for (const e of fx.errors) {
    it(`error: ${e.name}`, () => {
      const x = inputs();
      expect(() => ERRORS[e.name](x)).toThrow(PREFIX_ONLY[e.name] ?? e.message);
    });
  }
});

describe("multinomial draws PyTorch's samples for the same seed", () => {
  for (const c of fx.multinomial.cases) {
    it(`${c.probs} n=${c.n} replacement=${c.replacement} (${c.gen})`, () => {
      const probs = build(fx.multinomial.probs[c.probs]);
      let s: Tensor;
      let after: Tensor;
      if (c.gen === "default") {
        random.manual_seed(c.seed);
        s = random.multinomial(probs, c.n, c.replacement);
        after = random.rand(2);
      } else {
        const g = new random.Generator().manual_seed(c.seed);
        s = probs.multinomial(c.n, { replacement: c.replacement, generator: g });
        after = random.rand(2, { generator: g });
      }
      close(s, c.samples, "samples");
      // The generator advanced exactly as PyTorch's.
      close(after, c.after, "next draws");
    });
  }
});

describe("in-place forms", () => {
  const cases: [string, (t: Tensor, x: X) => Tensor, (t: Tensor, x: X) => Tensor][] = [
    ["index_add_", (t, x) => t.index_add_(0, L([2, 0]), x.sA, { alpha: 0.5 }), (t, x) => t.index_add(0, L([2, 0]), x.sA, { alpha: 0.5 })],
    ["index_copy_", (t, x) => t.index_copy_(1, L([2, 1]), x.g.narrow(0, 0, 3)), (t, x) => t.index_copy(1, L([2, 1]), x.g.narrow(0, 0, 3))],
    ["index_fill_", (t) => t.index_fill_(1, L([0]), 7), (t) => t.index_fill(1, L([0]), 7)],
    ["index_fill_ tensor", (t, x) => t.index_fill_(0, L([1]), x.z0), (t, x) => t.index_fill(0, L([1]), x.z0)],
    ["put_", (t, x) => t.put_(L([8, 0]), x.s2, true), (t, x) => t.put(L([8, 0]), x.s2, true)],
  ];
  for (const [name, inplace, outofplace] of cases) {
    it(`${name}: same values and gradients as the out-of-place op`, () => {
      const x1 = inputs();
      const t1 = x1.m.mul(2);
      const r1 = inplace(t1, x1);
      expect(r1).toBe(t1);
      const x2 = inputs();
      const r2 = outofplace(x2.m.mul(2), x2);
      close(r1, { shape: r2.shape, dtype: r2.dtype, values: Array.from(r2.data) }, "values");
      const w = torch.arange(9).reshape(3, 3).float();
      torch.sum(torch.mul(r1, w)).backward();
      torch.sum(torch.mul(r2, w)).backward();
      for (const k of ["m", "sA", "g", "z0", "s2"]) {
        if (x2[k].grad === null) expect(x1[k].grad, `grad of ${k}`).toBeNull();
        else close(x1[k].grad!, { shape: x2[k].grad!.shape, dtype: x2[k].grad!.dtype, values: Array.from(x2[k].grad!.data) }, `grad of ${k}`);
      }
    });
  }
  it("refuses a leaf that requires grad, and works under no_grad", () => {
    const x = inputs();
    expect(() => x.m.index_fill_(0, L([0]), 1)).toThrow("a leaf Variable that requires grad is being used in an in-place operation.");
    torch.no_grad(() => x.m.index_fill_(0, L([0]), 1));
    expect(Array.from(x.m.data.slice(0, 3))).toEqual([1, 1, 1]);
    const plain = torch.zeros(2, 2);
    plain.index_add_(1, L([1, 1]), torch.ones(2, 2));
    expect(plain.tolist()).toEqual([[0, 2], [0, 2]]);
  });
});

describe("einsum runs matrix products through matmul", () => {
  it("bij,bjk->bik is one bmm of views of the operands themselves (no copy), ij,jk->ik one bmm of a batch of 1, as PyTorch's einsum", () => {
    const a = random.randn(4, 8, 16).requires_grad_();
    const b = random.randn(4, 16, 5).requires_grad_();
    const out = torch.einsum("bij,bjk->bik", a, b);
    // PyTorch's einsum: a view of one bmm of views of the operands (which its node saves)
    expect(out.grad_fn?.name()).toBe("ViewBackward0");
    const bmm = out.grad_fn!.next_functions[0][0]!;
    expect(bmm.name()).toBe("BmmBackward0");
    const [va, vb] = bmm.inputs;
    expect(va!.data).toBe(a.data);
    expect(vb!.data).toBe(b.data);
    const m = torch.einsum("ij,jk->ik", a.select(0, 0).detach().requires_grad_(), b.select(0, 0).detach());
    expect(m.grad_fn?.name()).toBe("ViewBackward0");
    expect(m.grad_fn!.next_functions[0][0]!.name()).toBe("BmmBackward0");
  });
});

describe("float64 gradients against finite differences", () => {
  const r = rng(77);
  const X = () => randn([3, 4], r);
  const cases: [string, (...xs: Tensor[]) => Tensor, () => Tensor[]][] = [
    ["einsum with a diagonal, broadcasting and three operands", (a, b, c) => torch.einsum("iij,kj,k->ik", a, b, c), () => [randn([3, 3, 4], r), randn([1, 4], r), randn([2], r)]],
    ["einsum ellipsis", (a, b) => torch.einsum("...ij,...jk->...ki", a, b), () => [randn([2, 3, 4], r), randn([4, 2], r)]],
    ["cdist p = 2, 1, 3, 0.5, inf", (a, b) => torch.stack([2, 1, 3, 0.5, Infinity].map((p) => torch.cdist(a, b, p))), () => [X(), randn([2, 4], r)]],
    ["roll and rot90", (a) => torch.rot90(torch.roll(a, [1, -2], [0, 1]), 3), () => [X()]],
    ["diagonal of a diag_embed", (a) => torch.diagonal(torch.diag_embed(a, 1, 0, 2), -1, 1, 2), () => [X()]],
    ["take_along_dim with broadcasting", (a) => torch.take_along_dim(a, L([[[0, 3, 3]]]), 2), () => [randn([2, 3, 4], r)]],
    ["addbmm and baddbmm", (i, p, q) => torch.addbmm(i, p, q, { beta: 0.5, alpha: 2 }).add(torch.baddbmm(i, p, q).sum(0)), () => [randn([3, 5], r), randn([2, 3, 4], r), randn([2, 4, 5], r)]],
    ["addmv and addmm", (i, m, v) => torch.addmv(i, m, v, { alpha: -1 }).add(torch.addmm(i, m, m.t()).sum(1)), () => [randn([3], r), randn([3, 4], r), randn([4], r)]],
    ["index_add, index_copy, index_fill, put", (a, s) => torch.put(torch.index_fill(torch.index_copy(torch.index_add(a, 0, L([2, 0, 2]), s), 1, L([3]), s.narrow(1, 0, 1).t().narrow(1, 0, 1).expand(3, 1)), 0, L([1]), 0.5), L([0, 5]), s.select(0, 0).narrow(0, 0, 2), true), () => [X(), randn([3, 4], r)]],
    ["kron and cross", (a, b) => torch.kron(a, b).sum(0).add(torch.cross(a.narrow(1, 0, 3), b.narrow(1, 0, 3), 1).sum()), () => [X(), X()]],
  ];
  for (const [name, fn, make] of cases) it(name, () => gradcheck(fn, make()));
});

describe("in-place ops through a view", () => {
  it("index_fill_ on a view of a non-leaf rewrites the base's history", () => {
    const a = torch.tensor([[1, 2, 3], [4, 5, 6]], { requires_grad: true });
    const b = a.mul(2);
    const v = b.view(3, 2);
    v.index_fill_(0, L([1]), 0);
    expect(b.tolist()).toEqual([[2, 4, 0], [0, 10, 12]]);
    b.sum().backward();
    expect(a.grad!.tolist()).toEqual([[2, 2, 0], [0, 2, 2]]);
  });
});
