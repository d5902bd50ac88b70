/**
 * torch.tensor_split: splits a tensor along a dim into `sections` nearly equal pieces (the first
 * size % sections one longer) or at the given indices (Python slice bounds: negative ones count
 * from the end, bounds are clamped, a decreasing pair gives an empty piece). Each piece is a
 * slice (narrow), so its gradient is SliceBackward0's, as in PyTorch. `indices_or_sections` may be
 * a number, a list of numbers or an int64 tensor (0-d: sections, 1-d: indices).
 */
import { Tensor, check_tensor } from "./tensor";
import { narrow } from "./indexing";
import { wrap_dim } from "./shape";
import { SCALAR_TYPE_NAME } from "./dtype";

/** Pieces of x along `dim` (default 0): `tensor_split(x, 3)`, `tensor_split(x, [1, 4], 1)`, `tensor_split(x, idx, { dim })`. */
export function tensor_split(x: Tensor, indices_or_sections: number | readonly number[] | Tensor, dim: number | { dim?: number } = 0): Tensor[] {
  check_tensor(x, "tensor_split");
  const dd = typeof dim === "object" && dim !== null ? dim.dim ?? 0 : dim;
  if (typeof dim === "object" && dim !== null) {
    for (const k of Object.keys(dim)) if (k !== "dim") throw new TypeError(`tensor_split() got an unexpected keyword argument '${k}' (allowed: dim)`);
  }
  if (x.dim() === 0) throw new RangeError(`tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims`);
  if (typeof dd !== "number" || !Number.isInteger(dd)) throw new TypeError(`tensor_split(): argument 'dim' must be int, not ${typeof dd}`);
  const d = wrap_dim(dd, x.dim());
  let spec: number | number[];
  if (indices_or_sections instanceof Tensor) {
    const t = indices_or_sections;
    if (t.dtype !== "int64") throw new TypeError(`tensor_split expected tensor_indices_or_sections to have dtype of long, but got ${SCALAR_TYPE_NAME[t.dtype]}`);
    if (t.dim() > 1) throw new RangeError(`tensor_split expected tensor_indices_or_sections to be a zero-dimensional or one-dimensional tensor, but got a tensor with ${t.dim()} dims`);
    spec = t.dim() === 0 ? t.data[0] : Array.from(t.data);
  } else if (typeof indices_or_sections === "number") spec = indices_or_sections;
  else if (Array.isArray(indices_or_sections)) spec = [...indices_or_sections];
  else throw new TypeError(`tensor_split(): argument 'indices_or_sections' must be an int, a list of ints or a Tensor, not ${typeof indices_or_sections}`);
  const size = x.shape[d];
  const bounds: number[] = [];
  if (typeof spec === "number") {
    if (!Number.isInteger(spec)) throw new TypeError(`tensor_split(): argument 'sections' must be int, not float`);
    if (spec <= 0) throw new RangeError(`number of sections must be larger than 0, got ${spec}`);
    const base = Math.floor(size / spec);
    const extra = size % spec;
    let at = 0;
    for (let s = 0; s < spec - 1; s++) {
      at += base + (s < extra ? 1 : 0);
      bounds.push(at);
    }
  } else {
    for (const v of spec) {
      if (typeof v !== "number" || !Number.isInteger(v)) throw new TypeError(`tensor_split(): argument 'indices' must be a list of ints, got ${JSON.stringify(v)}`);
      bounds.push(v);
    }
  }
  // Python slice bounds: negative from the end, clamped to [0, size].
  const clampb = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const out: Tensor[] = [];
  let start = 0;
  for (const b of [...bounds, size]) {
    const s = clampb(start);
    const e = Math.max(clampb(b), s);
    out.push(narrow(x, d, s, e - s));
    start = b;
  }
  return out;
}
