/**
 * `index_put` / `index_put_`: PyTorch's op behind `x[i0, i1] = v` (`x.index_put_((i0, i1), v,
 * accumulate=False)`). The indices are an array of index tensors (int64 of any shapes, broadcast
 * together, or bool masks over as many dims as they have) for the leading dims of x, read as
 * `x[i0, i1]` reads (advanced_index.ts); `values` broadcast to that result's shape and are written
 * (or, with accumulate, added: repeated indices sum) at the positions it reads.
 *
 * As PyTorch: an index must be a tensor (no null for a whole dim: PyTorch's index_put_ refuses
 * None too), values must be a tensor of x's dtype, at least one index is needed (PyTorch's
 * `index_put_(())` fails inside its kernel; here it is a clear error). Without accumulate, a
 * position indexed twice keeps the last value written (PyTorch's CPU order).
 *
 * Gradients (IndexPutBackward0): x gets the output's gradient with zeros where values were written
 * (all of it with accumulate); values get the output's gradient read at their positions, summed
 * over broadcast dims. The in-place form writes into x (no_grad, or nothing requires grad) or, when
 * autograd records it, runs the op on a snapshot of x and rebases x's history on the result, as
 * inplace.ts; a leaf that requires grad is PyTorch's error outside no_grad.
 */
import { checkKeywords } from "../utils/py_args";
import { DType, Storage, Tensor, check_tensor } from "./tensor";
import { attach, saved_also } from "./autograd";
import { is_grad_enabled } from "./grad_mode";
import { coerce, storage_for, is_floating } from "./dtype";
import { broadcast_strides, fmt_shape } from "./shape";
import { check_inplace, rebase_history } from "./view_history";
import { bump_version } from "./version";
import { strided_positions } from "./flat_index";
import { sum_to } from "./sum_to";
import { as_index_tensor, index_put_plan } from "./indexing";
import type { AdvPlan } from "./advanced_index";
import { RuntimeRangeError, RuntimeTypeError } from "../errors";
import { SCALAR_TYPE_NAME as TORCH_NAME } from "./dtype";


/** `accumulate` as PyTorch's positional bool or a trailing `{ accumulate }` (Python's keyword). */
export type AccumulateArg = boolean | { accumulate?: boolean };

const py_type = (v: unknown): string => (v === null ? "null" : v === undefined ? "undefined" : Array.isArray(v) ? "list" : v instanceof Tensor ? "Tensor" : typeof v);

interface Put {
  plan: AdvPlan;
  /** For each written position, the element of values (flat) it takes. */
  vpos: Uint32Array;
  accumulate: boolean;
}

/** Checks the arguments (PyTorch's messages) and resolves where values go. */
function prepare(x: Tensor, indices_arg: unknown, values: unknown, accumulate: AccumulateArg | undefined, op: string): Put {
  check_tensor(x, op);
  if (!Array.isArray(indices_arg)) throw new TypeError(`${op}(): argument 'indices' (position 1) must be tuple of Tensors, not ${py_type(indices_arg)}`);
  const indices: unknown[] = indices_arg.map(as_index_tensor); // int32 as int64, uint8 as a bool mask (PyTorch's long, int, byte or bool)
  indices.forEach((t, k) => {
    if (!(t instanceof Tensor)) {
      // PyTorch's message; a slice string (":", "0::2") is what a porter of `x[:, 0::2] = v` tries
      // here, which PyTorch's index_put_ refuses too: say the two forms that write it
      const slice = typeof t === "string"
        ? ": a slice is not an index here. For x[:, 0::2] = v write through the slice, x.index(\":\", \"0::2\").copy_(v) "
          + "(slices are strings in index(); a basic slice's in-place methods write into x), or give index tensors that broadcast, "
          + "x.index_put_([torch.arange(n).unsqueeze(1), torch.arange(0, d, 2)], v)"
        : "";
      throw new TypeError(`expected Tensor as element ${k} in argument 0, but got ${py_type(t)}${slice}`);
    }
    if (t.dtype !== "int64" && t.dtype !== "bool") throw new RangeError(`tensors used as indices must be long, int, byte or bool tensors (got ${t.dtype})`);
  });
  if (indices.length === 0) throw new RangeError(`${op}(): expected at least one index tensor (an empty indices list writes nothing defined in PyTorch); use copy_ or fill_ for the whole tensor`);
  if (!(values instanceof Tensor)) throw new TypeError(`${op}(): argument 'values' (position 2) must be Tensor, not ${py_type(values)}`);
  if (typeof accumulate === "object" && accumulate !== null) checkKeywords(op, accumulate, ["accumulate"]);
  const acc = typeof accumulate === "object" && accumulate !== null ? accumulate.accumulate ?? false : accumulate ?? false;
  if (typeof acc !== "boolean") throw new TypeError(`${op}(): argument 'accumulate' (position 3) must be bool, not ${py_type(acc)}`);
  const plan = index_put_plan(x, indices as Tensor[]);
  if (values.dtype !== x.dtype) {
    throw RuntimeTypeError(`Index put requires the source and destination dtypes match, got ${TORCH_NAME[x.dtype]} for the destination and ${TORCH_NAME[values.dtype]} for the source.`);
  }
  const vs = values.shape;
  const rs = plan.shape;
  const off = rs.length - vs.length;
  if (off < 0 || vs.some((n, k) => n !== 1 && n !== rs[k + off])) {
    throw RuntimeRangeError(`shape mismatch: value tensor of shape ${fmt_shape(vs)} cannot be broadcast to indexing result of shape ${fmt_shape(rs)}`);
  }
  const vpos = strided_positions(rs, broadcast_strides(vs, rs), 0);
  return { plan, vpos, accumulate: acc };
}

/** Writes (or adds) values into `dst` (x's storage or a copy of it) at the planned positions. */
function write(dst: Storage, dtype: DType, values: Tensor, p: Put): void {
  const { pos } = p.plan;
  const v = values.data;
  const vpos = p.vpos;
  if (!p.accumulate) for (let i = 0; i < pos.length; i++) dst[pos[i]] = v[vpos[i]];
  else if (!is_floating(dtype)) for (let i = 0; i < pos.length; i++) dst[pos[i]] = coerce(dst[pos[i]] + v[vpos[i]], dtype);
  else for (let i = 0; i < pos.length; i++) dst[pos[i]] += v[vpos[i]];
}

function put_out_of_place(x: Tensor, values: Tensor, p: Put): Tensor {
  const out = x.data.slice() as Storage;
  write(out, x.dtype, values, p);
  const { pos, shape } = p.plan;
  return attach(new Tensor(out, x.shape, x.dtype), "IndexPutBackward0", [x, values], (g, need) => {
    let gx: Tensor | null = null;
    if (need[0]) {
      if (p.accumulate) gx = g;
      else {
        const z = g.data.slice() as Storage;
        for (let i = 0; i < pos.length; i++) z[pos[i]] = 0;
        gx = new Tensor(z, g.shape, g.dtype);
      }
    }
    let gv: Tensor | null = null;
    if (need[1]) {
      const r = storage_for(g.dtype, pos.length);
      for (let i = 0; i < pos.length; i++) r[i] = g.data[pos[i]];
      gv = sum_to(new Tensor(r, shape, g.dtype), values.shape);
    }
    return [gx, gv];
  });
}

/**
 * `torch.index_put(x, [i0, i1, ...], values, accumulate = false)`: a copy of x with `values`
 * (broadcast to x[i0, i1, ...]'s shape) written, or added with accumulate, where x[i0, i1, ...] reads.
 */
export function index_put(x: Tensor, indices: readonly Tensor[], values: Tensor, accumulate?: AccumulateArg): Tensor {
  const p = prepare(x, indices, values, accumulate, "index_put");
  // (PyTorch's IndexPutBackward0 saves the index tensors)
  return saved_also(put_out_of_place(x, values, p), indices);
}

/** In place: `x.index_put_([i0, i1, ...], values, accumulate = false)`, Python's `x[i0, i1] = values` (`+=` with accumulate); returns x. */
export function index_put_(x: Tensor, indices: readonly Tensor[], values: Tensor, accumulate?: AccumulateArg): Tensor {
  const p = prepare(x, indices, values, accumulate, "index_put_");
  check_inplace(x, [values]);
  const records = is_grad_enabled() && (x.requires_grad || values.requires_grad);
  if (!records) {
    write(x.data, x.dtype, values, p);
    bump_version(x);
    return x;
  }
  const old = new Tensor(x.data.slice() as Storage, x.shape, x.dtype, x.requires_grad);
  old.grad_fn = x.grad_fn;
  const r = saved_also(put_out_of_place(old, values, p), indices);
  x.data.set(r.data);
  rebase_history(x, r);
  return x;
}
