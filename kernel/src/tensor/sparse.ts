/**
 * Sparse COO tensors (PyTorch's `layout=torch.sparse_coo`), kept minimal: what sparse gradients
 * need. `nn.Embedding(..., { sparse: true })` (and `F.embedding(..., { sparse: true })`) gives its
 * weight a SparseTensor gradient, which SparseAdam, SGD, Adagrad and LBFGS read as PyTorch's do.
 *
 * A SparseTensor of shape [d_0, ..., d_{S−1}, e_0, ...] holds
 *   `_indices()`: int64 [S, nnz]: column k is the position of entry k in the S sparse dims;
 *   `_values()`:  [nnz, e_0, ...]: entry k's block of the dense dims (embeddings: one row each).
 * Its dense equivalent (`to_dense()`) is zeros plus every entry added at its position, so an index
 * that repeats adds up. PyTorch's rules kept here:
 *   - "coalesced" means sorted indices without repeats. A tensor made by an embedding's backward
 *     is not coalesced (unless it has fewer than two entries); `coalesce()` sorts (stably) and sums
 *     the repeats in their order; `indices()`/`values()` require a coalesced tensor.
 *   - sparse + sparse (`add`, `add_`, and gradient accumulation) merges the two index lists as
 *     ATen's add_out_sparse_contiguous does: one walk over both lists taking the smaller index
 *     first (equal indices summed into one entry), which is a sorted merge for coalesced inputs
 *     and keeps the result coalesced only when both were;
 *   - dense += sparse adds the entries one by one, in their order (repeats are not summed first);
 *   - `zero_()` leaves no entry (nnz 0, coalesced).
 *
 * Anything else a dense tensor does is refused with an error naming the operation and saying the
 * tensor is sparse (never a dense result computed from a wrong storage): the methods of Tensor that
 * SparseTensor does not implement throw, and so does reading `.data` (a sparse tensor has no dense
 * storage), which is how a dense op given a sparse operand fails. `.to_dense()` gives a dense copy.
 *
 * Float32 values round as ATen's: each addition of an entry is one rounding (a store into the
 * Float32Array), a product by a scalar rounds the scalar to float first.
 */
import { parse_to_args } from "./to_args";
import { Tensor, numelOf, storageFor, sparse_support, type DType, type Shape, type Storage } from "./tensor";
import { needs_grad } from "./autograd";
import { tensor_str } from "./print";
import { get_default_dtype } from "./dtype";
import { bump_version } from "./version";
import { RuntimeError } from "../errors";

/** `torch.strided` and `torch.sparse_coo`: the values of `tensor.layout`. */
export const strided = "strided";
export const sparse_coo = "sparse_coo";
export type Layout = typeof strided | typeof sparse_coo;

/** What a SparseTensor supports, listed in the error for anything else. */
const SUPPORTED =
  "_indices(), _values(), indices(), values(), _nnz(), coalesce(), is_coalesced(), to_dense(), sparse_dim(), dense_dim(), " +
  "size(), numel(), clone(), detach(), neg(), mul(number), mul_(number), add(sparse), add_(sparse), zero_(), to(dtype)";

/** The error for an operation a sparse tensor does not support here. */
export function sparse_unsupported(op: string): Error {
  return new TypeError(
    `${op}: not supported for a sparse tensor (layout=torch.sparse_coo) in lrlab, whose sparse tensors are minimal: ` +
      `they support ${SUPPORTED}; call .to_dense() for a dense copy first`,
  );
}

/**
 * The name of the operation that read `.data` of a sparse tensor (for `torch.mul(dense, sparse)`,
 * `mul`): the first caller named like a Tensor method, else the first caller outside the tensor
 * library's internals (`mse_loss`), from the stack. Only called on the error path.
 */
function callerOp(): string {
  const stack = new Error().stack ?? "";
  let outside: string | null = null;
  for (const line of stack.split("\n").slice(1)) {
    const m = /^\s*at (?:new )?([\w$.<>]+) \((.*)\)$/.exec(line);
    if (m === null) continue;
    if (/[\\/]sparse\.(js|ts)/.test(m[2])) continue;
    const name = m[1].replace(/^(Tensor|SparseTensor|Object|exports|Module)\./, "");
    if (name.length === 0 || name.includes("<")) continue;
    if (Object.prototype.hasOwnProperty.call(Tensor.prototype, name)) return name;
    if (outside === null && !/[\\/]tensor[\\/]/.test(m[2])) outside = name;
  }
  return outside ?? "this operation";
}

function dataError(): Error {
  const op = callerOp();
  return new TypeError(
    `${op}: got a sparse tensor (layout=torch.sparse_coo), which has no dense storage, and this operation needs a dense one ` +
      `(lrlab's sparse tensors support ${SUPPORTED}); call .to_dense() for a dense copy first`,
  );
}

function int64(data: Float64Array, shape: Shape): Tensor {
  return new Tensor(data, shape, "int64");
}

export class SparseTensor extends Tensor {
  /** int64 [sparse_dim, nnz] (PyTorch's `_indices()`). */
  private _idx: Tensor;
  /** [nnz, ...dense dims] (PyTorch's `_values()`). */
  private _vals: Tensor;
  private _coalesced: boolean;

  /**
   * A sparse COO tensor of `size` from int64 `indices` [sparse_dim, nnz] and `values`
   * [nnz, ...size.slice(sparse_dim)], taken as they are (not copied, not checked for range, as
   * PyTorch's `_sparse_coo_tensor_unsafe`). `coalesced` says whether the caller knows the indices
   * sorted and unique; a tensor of fewer than two entries is coalesced.
   */
  constructor(indices: Tensor, values: Tensor, size: Shape, coalesced = false) {
    super(storageFor(values.dtype, 0), [0], values.dtype);
    if (values.dtype !== "float32" && values.dtype !== "float64") throw new TypeError(`sparse tensors here hold float32 or float64 values, got ${values.dtype}`);
    const S = indices.shape[0];
    const nnz = indices.shape[1];
    if (indices.dim() !== 2 || indices.dtype !== "int64") throw new TypeError(`sparse tensor: indices must be an int64 tensor of shape [sparse_dim, nnz], got shape [${indices.shape.join(", ")}] (${indices.dtype})`);
    if (values.shape[0] !== nnz || values.dim() !== 1 + size.length - S) {
      throw new RangeError(`sparse tensor: values of shape [${values.shape.join(", ")}] do not fit ${nnz} entries of a tensor of size [${size.join(", ")}] with ${S} sparse dims`);
    }
    this.shape = [...size];
    this._idx = indices;
    this._vals = values;
    this._coalesced = coalesced || nnz < 2;
    // No dense storage: a dense op reading it fails, naming itself (see the file comment).
    Object.defineProperty(this, "data", {
      get: () => { throw dataError(); },
      set: () => { throw dataError(); },
      configurable: true,
      enumerable: false,
    });
  }

  override get is_sparse(): boolean {
    return true;
  }
  override get layout(): Layout {
    return sparse_coo;
  }

  /** The indices, int64 [sparse_dim, nnz], as stored (repeats and order kept). */
  override _indices(): Tensor {
    return this._idx;
  }
  /** The values, [nnz, ...dense dims], as stored (sharing this tensor's storage). */
  override _values(): Tensor {
    return this._vals;
  }
  /** The indices of a coalesced tensor (PyTorch's error otherwise). */
  override indices(): Tensor {
    if (!this._coalesced) throw RuntimeError("Cannot get indices on an uncoalesced tensor, please call .coalesce() first");
    return this._idx;
  }
  /** The values of a coalesced tensor (PyTorch's error otherwise). */
  override values(): Tensor {
    if (!this._coalesced) throw RuntimeError("Cannot get values on an uncoalesced tensor, please call .coalesce() first");
    return this._vals;
  }
  /** The number of stored entries (repeats counted). */
  override _nnz(): number {
    return this._idx.shape[1];
  }
  override sparse_dim(): number {
    return this._idx.shape[0];
  }
  override dense_dim(): number {
    return this.shape.length - this._idx.shape[0];
  }
  override is_coalesced(): boolean {
    return this._coalesced;
  }
  override numel(): number {
    return numelOf(this.shape);
  }
  override nelement(): number {
    return numelOf(this.shape);
  }
  override type(): string;
  override type(dtype: DType): Tensor;
  override type(dtype?: DType): Tensor | string {
    if (dtype === undefined) return this.dtype === "float32" ? "torch.sparse.FloatTensor" : "torch.sparse.DoubleTensor";
    return this.to(dtype);
  }

  /** Elements per entry (the product of the dense dims). */
  private block(): number {
    return numelOf(this.shape.slice(this._idx.shape[0]));
  }

  /** Row-major position of entry k among the sparse dims. */
  private linear(k: number): number {
    const S = this._idx.shape[0];
    const nnz = this._idx.shape[1];
    const idx = this._idx.data;
    let lin = 0;
    for (let d = 0; d < S; d++) lin = lin * this.shape[d] + idx[d * nnz + k];
    return lin;
  }

  /**
   * @internal Where each stored entry's block of values starts in the dense equivalent (its
   * row-major position among the sparse dims times the block's elements): the loops that apply a
   * sparse gradient to dense storage (Adagrad, SparseAdam, the tracer, `dense.add_(sparse)`).
   */
  _entry_offsets(): Float64Array {
    const nnz = this._nnz();
    const B = this.block();
    const at = new Float64Array(nnz);
    for (let k = 0; k < nnz; k++) at[k] = this.linear(k) * B;
    return at;
  }

  /**
   * Sorted, without repeats: PyTorch's coalesce (a stable sort by position, then each repeat
   * added to the first in their order). This tensor itself when it already is coalesced.
   */
  override coalesce(): SparseTensor {
    if (this._coalesced) return this;
    const S = this._idx.shape[0];
    const nnz = this._nnz();
    const B = this.block();
    const lin = new Float64Array(nnz);
    for (let k = 0; k < nnz; k++) lin[k] = this.linear(k);
    const order = Array.from({ length: nnz }, (_, k) => k).sort((a, b) => lin[a] - lin[b] || a - b);
    let unique = 0;
    for (let j = 0; j < nnz; j++) if (j === 0 || lin[order[j]] !== lin[order[j - 1]]) unique++;
    const idx = this._idx.data;
    const vals = this._vals.data;
    const outIdx = new Float64Array(S * unique);
    const outVals = storageFor(this.dtype, unique * B);
    let r = -1;
    for (let j = 0; j < nnz; j++) {
      const k = order[j];
      if (j === 0 || lin[k] !== lin[order[j - 1]]) {
        r++;
        for (let d = 0; d < S; d++) outIdx[d * unique + r] = idx[d * nnz + k];
        for (let e = 0; e < B; e++) outVals[r * B + e] = vals[k * B + e];
      } else {
        for (let e = 0; e < B; e++) outVals[r * B + e] += vals[k * B + e];
      }
    }
    return new SparseTensor(int64(outIdx, [S, unique]), new Tensor(outVals, [unique, ...this._vals.shape.slice(1)], this.dtype), this.shape, true);
  }

  /** The dense equivalent: zeros, then every entry added at its position, in order. */
  override to_dense(): Tensor {
    const out = new Tensor(storageFor(this.dtype, numelOf(this.shape)), this.shape, this.dtype);
    add_sparse_into(out.data, this, 1);
    return out;
  }

  /** A copy (indices and values get storage of their own; the coalesced flag is kept). */
  override clone(): SparseTensor {
    return new SparseTensor(
      int64(this._idx.data.slice() as Float64Array, this._idx.shape),
      new Tensor(this._vals.data.slice() as Storage, this._vals.shape, this.dtype),
      this.shape,
      this._coalesced,
    );
  }

  /** The same entries (shared storage), cut from the graph. */
  override detach(): SparseTensor {
    return new SparseTensor(this._idx, this._vals, this.shape, this._coalesced);
  }

  /** Values negated (same indices, same coalesced flag). */
  override neg(): SparseTensor {
    const v = this._vals.data;
    const out = storageFor(this.dtype, v.length);
    for (let i = 0; i < v.length; i++) out[i] = -v[i];
    return new SparseTensor(this._idx, new Tensor(out, this._vals.shape, this.dtype), this.shape, this._coalesced);
  }
  override negative(): SparseTensor {
    return this.neg();
  }

  private checkScalar(other: unknown, op: string): number {
    if (typeof other === "number") return other;
    if (other instanceof Tensor && !other.is_sparse && other.shape.length === 0) return Number(other.item()); // a bool one is true/false now: as 1/0
    throw sparse_unsupported(`${op}(${other instanceof Tensor ? (other.is_sparse ? "sparse tensor" : "dense tensor") : typeof other})`);
  }

  /** Values times a number (or a 0-dim tensor). */
  override mul(other: number | Tensor): SparseTensor {
    const s = this.checkScalar(other, "mul");
    return new SparseTensor(this._idx.clone(), new Tensor(scaled(this._vals.data, s, this.dtype), this._vals.shape, this.dtype), this.shape, this._coalesced);
  }

  /** In place: values times a number (or a 0-dim tensor). */
  override mul_(other: number | Tensor): this {
    const s = this.checkScalar(other, "mul_");
    const v = this._vals.data;
    const c = this.dtype === "float32" ? Math.fround(s) : s;
    for (let i = 0; i < v.length; i++) v[i] = v[i] * c;
    bump_version(this);
    return this;
  }

  /** sparse + alpha·sparse (PyTorch's merge, see the file comment). A dense `other` is PyTorch's error. */
  override add(other: Tensor | number, options?: { alpha?: number }): SparseTensor {
    const o = this.checkSparseOperand(other);
    return merge(this, o, options?.alpha ?? 1);
  }

  /** In place: self += alpha·other (sparse; the merge of `add`). */
  override add_(other: Tensor | number, options?: { alpha?: number }): this {
    const o = this.checkSparseOperand(other);
    const r = merge(this, o, options?.alpha ?? 1);
    this._idx = r._idx;
    this._vals = r._vals;
    this._coalesced = r._coalesced;
    bump_version(this);
    return this;
  }

  private checkSparseOperand(other: unknown): SparseTensor {
    if (!(other instanceof SparseTensor)) {
      if (other instanceof Tensor) throw RuntimeError("add(sparse, dense) is not supported. Use add(dense, sparse) instead.");
      throw sparse_unsupported(`add(${typeof other})`);
    }
    if (other.dtype !== this.dtype) throw sparse_unsupported(`add of a ${other.dtype} sparse tensor to a ${this.dtype} one`);
    if (other.shape.length !== this.shape.length || other.shape.some((d, i) => d !== this.shape[i])) {
      throw new RangeError(`add: expected 'self' and 'other' to have same size, but self has size [${this.shape.join(", ")}] while other has size [${other.shape.join(", ")}] (FYI: op2-sparse addition does not currently support broadcasting)`);
    }
    if (other.sparse_dim() !== this.sparse_dim()) throw sparse_unsupported("add of sparse tensors with different numbers of sparse dims");
    return other;
  }

  /** In place: no entries left (nnz 0, coalesced), as PyTorch's zero_ of a sparse tensor. */
  override zero_(): this {
    const S = this.sparse_dim();
    this._idx = int64(new Float64Array(0), [S, 0]);
    this._vals = new Tensor(storageFor(this.dtype, 0), [0, ...this._vals.shape.slice(1)], this.dtype);
    this._coalesced = true;
    bump_version(this);
    return this;
  }

  /** "cpu" (or a device) is this tensor; a dtype converts the values (a sparse copy). */
  override to(...args: unknown[]): Tensor {
    const d = parse_to_args(args).dtype;
    if (d === undefined || d === this.dtype) return this;
    if (d !== "float32" && d !== "float64") throw sparse_unsupported(`to(${d})`);
    const vals = d === "float32" ? Float32Array.from(this._vals.data) : Float64Array.from(this._vals.data);
    return new SparseTensor(this._idx, new Tensor(vals, this._vals.shape, d), this.shape, this._coalesced);
  }
  override float(): Tensor {
    return this.to("float32");
  }
  override double(): Tensor {
    return this.to("float64");
  }

  /** PyTorch's repr of a sparse tensor: indices, values, size, nnz, dtype, layout. */
  override toString(): string {
    const indent = 7; // "tensor("
    const ip = "indices=tensor(";
    const vp = "values=tensor(";
    let is = tensor_str(this._idx, indent + ip.length);
    if (this._idx.numel() === 0) is += `, size=(${this._idx.shape.join(", ")})`;
    let vs = tensor_str(this._vals, indent + vp.length);
    if (this._vals.numel() === 0) vs += `, size=(${this._vals.shape.join(", ")}${this._vals.shape.length === 1 ? "," : ""})`;
    const suffixes = [`size=(${this.shape.join(", ")}${this.shape.length === 1 ? "," : ""})`, `nnz=${this._nnz()}`];
    if (this.dtype !== get_default_dtype()) suffixes.push(`dtype=torch.${this.dtype}`);
    suffixes.push("layout=torch.sparse_coo");
    if (this.requires_grad) suffixes.push("requires_grad=True");
    let s = "tensor(" + ip + is + "),\n" + " ".repeat(indent) + vp + vs + ")";
    let last = s.length - s.lastIndexOf("\n") + 1;
    let newline = true;
    for (const suffix of suffixes) {
      if (newline || last + suffix.length + 2 > 80) {
        s += ",\n" + " ".repeat(indent) + suffix;
        last = indent + suffix.length;
        newline = false;
      } else {
        s += ", " + suffix;
        last += suffix.length + 2;
      }
    }
    return s + ")";
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
  override toJSON(): unknown {
    return { layout: "sparse_coo", size: [...this.shape], indices: this._idx.toJSON(), values: this._vals.toJSON() };
  }
}

/** `values · s` with s in the values' dtype (ATen casts a scalar to float for float32). */
function scaled(v: Storage, s: number, dtype: DType): Storage {
  const out = storageFor(dtype, v.length);
  const c = dtype === "float32" ? Math.fround(s) : s;
  for (let i = 0; i < v.length; i++) out[i] = v[i] * c;
  return out;
}

/**
 * a + alpha·b for sparse a, b of one size: ATen's add_out_sparse_contiguous (file comment). An
 * empty b gives a copy of a; an empty a gives alpha·b (with b's coalesced flag), as ATen.
 */
function merge(a: SparseTensor, b: SparseTensor, alpha: number): SparseTensor {
  const dtype = a.dtype;
  if (b._nnz() === 0) return a.clone();
  if (a._nnz() === 0) {
    return new SparseTensor(b._indices().clone(), new Tensor(scaled(b._values().data, alpha, dtype), b._values().shape, dtype), b.shape, b.is_coalesced());
  }
  const S = a.sparse_dim();
  const na = a._nnz(), nb = b._nnz(), max = na + nb;
  const ai = a._indices().data, bi = b._indices().data;
  const av = a._values().data, bv = b._values().data;
  const B = av.length / na;
  const ri = new Float64Array(S * max);
  const rv = storageFor(dtype, max * B);
  const al = dtype === "float32" ? Math.fround(alpha) : alpha;
  let r = 0, i = 0, j = 0;
  while (i < na || j < nb) {
    let cmp: number;
    if (i >= na) cmp = -1;
    else if (j >= nb) cmp = 1;
    else {
      cmp = 0;
      for (let d = 0; d < S; d++) {
        const x = ai[d * na + i], y = bi[d * nb + j];
        if (x < y) { cmp = 1; break; }
        if (x > y) { cmp = -1; break; }
      }
    }
    if (cmp >= 0) {
      for (let d = 0; d < S; d++) ri[d * max + r] = ai[d * na + i];
      for (let e = 0; e < B; e++) rv[r * B + e] += av[i * B + e];
      i++;
    }
    if (cmp <= 0) {
      for (let d = 0; d < S; d++) ri[d * max + r] = bi[d * nb + j];
      for (let e = 0; e < B; e++) rv[r * B + e] = rv[r * B + e] + al * bv[j * B + e];
      j++;
    }
    r++;
  }
  // narrow to the r entries written
  const idx = new Float64Array(S * r);
  for (let d = 0; d < S; d++) idx.set(ri.subarray(d * max, d * max + r), d * r);
  const vals = rv.slice(0, r * B) as Storage;
  return new SparseTensor(int64(idx, [S, r]), new Tensor(vals, [r, ...a._values().shape.slice(1)], dtype), a.shape, a.is_coalesced() && b.is_coalesced());
}

/**
 * dense += alpha·sparse into `out` (a dense tensor's storage of the sparse tensor's size): each
 * entry in order, one rounding per element (ATen's `dst.add_(src, alpha)` per entry).
 */
export function add_sparse_into(out: Storage, s: SparseTensor, alpha: number): void {
  const nnz = s._nnz();
  if (nnz === 0) return;
  const v = s._values().data;
  const B = v.length / nnz;
  const starts = s._entry_offsets();
  const al = out instanceof Float32Array ? Math.fround(alpha) : alpha;
  for (let k = 0; k < nnz; k++) {
    const dst = starts[k], src = k * B;
    if (al === 1) for (let e = 0; e < B; e++) out[dst + e] += v[src + e];
    else for (let e = 0; e < B; e++) out[dst + e] = out[dst + e] + al * v[src + e];
  }
}

/** Checks a dense `self` and a sparse `other` for `self.add(_)(other)`. */
function checkDenseSparse(self: Tensor, other: SparseTensor, op: string): void {
  if (self.shape.length !== other.shape.length || self.shape.some((d, i) => d !== other.shape[i])) {
    throw new RangeError(`${op}: expected 'self' and 'other' to have same size, but self has size [${self.shape.join(", ")}] while other has size [${other.shape.join(", ")}] (FYI: dense-sparse addition does not currently support broadcasting)`);
  }
  if (self.dtype !== other.dtype) throw sparse_unsupported(`${op} of a ${other.dtype} sparse tensor to a ${self.dtype} dense one`);
  if (needs_grad(self, other)) throw sparse_unsupported(`${op} with autograd recording (a dense tensor that requires grad plus a sparse one); use torch.no_grad() or .to_dense()`);
}

// Dense tensors' add/add_ with a sparse operand (tensor.ts cannot import this file: see sparse_support).
sparse_support.add_ = (self, other, alpha) => {
  const o = other as SparseTensor;
  checkDenseSparse(self, o, "add_");
  add_sparse_into(self.data, o, alpha);
  bump_version(self);
};
sparse_support.add = (self, other, alpha) => {
  const o = other as SparseTensor;
  checkDenseSparse(self, o, "add");
  const out = new Tensor(self.data.slice() as Storage, self.shape, self.dtype);
  add_sparse_into(out.data, o, alpha);
  return out;
};

// Every other method and getter of Tensor refuses a sparse tensor, naming itself.
const KEEP = new Set([
  "constructor", "grad", "requires_grad", "_set_requires_grad", "grad_fn", "sync_history", "is_leaf", "dim", "ndim", "size", "device", "cpu",
  "is_floating_point", "register_hook", "retain_grad", "retains_grad", "requires_grad_", "detach_", "is_sparse", "layout",
  "is_contiguous", "_version",
]);
for (const name of Object.getOwnPropertyNames(Tensor.prototype)) {
  if (KEEP.has(name) || Object.prototype.hasOwnProperty.call(SparseTensor.prototype, name)) continue;
  const desc = Object.getOwnPropertyDescriptor(Tensor.prototype, name) as PropertyDescriptor;
  if (typeof desc.value === "function") {
    Object.defineProperty(SparseTensor.prototype, name, {
      value: { [name]() { throw sparse_unsupported(`${name}()`); } }[name],
      writable: true, configurable: true, enumerable: false,
    });
  } else if (desc.get !== undefined) {
    Object.defineProperty(SparseTensor.prototype, name, {
      get() { throw sparse_unsupported(name); },
      configurable: true, enumerable: false,
    });
  }
}
// `${t}` and String(t) print it; a conversion to a number is refused
Object.defineProperty(SparseTensor.prototype, Symbol.toPrimitive, {
  value(this: SparseTensor, hint: string) {
    if (hint === "number") throw sparse_unsupported("conversion to a number");
    return this.toString();
  },
  writable: true, configurable: true, enumerable: false,
});

/** `torch.sparse_coo_tensor(indices, values, size)`: a sparse tensor (not coalesced unless nnz < 2). */
export function sparse_coo_tensor(indices: Tensor, values: Tensor, size: readonly number[], options: { is_coalesced?: boolean } = {}): SparseTensor {
  if (!(indices instanceof Tensor) || indices.dtype !== "int64") throw new TypeError("sparse_coo_tensor(): indices must be an int64 tensor [sparse_dim, nnz]");
  if (!(values instanceof Tensor) || values.is_sparse) throw new TypeError("sparse_coo_tensor(): values must be a dense tensor [nnz, ...]");
  const idx = indices.dim() === 1 ? int64(indices.data.slice() as Float64Array, [1, indices.shape[0]]) : int64(indices.data.slice() as Float64Array, indices.shape);
  const S = idx.shape[0], nnz = idx.shape[1];
  for (let d = 0; d < S; d++) {
    for (let k = 0; k < nnz; k++) {
      const x = idx.data[d * nnz + k];
      if (!(x >= 0 && x < size[d])) throw new RangeError(`sparse_coo_tensor(): index ${x} of sparse dim ${d} is out of range for size ${size[d]}`);
    }
  }
  const vals = new Tensor(values.data.slice() as Storage, values.shape, values.dtype);
  return new SparseTensor(idx, vals, size, options.is_coalesced ?? false);
}
