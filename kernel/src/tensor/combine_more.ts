/**
 * Building tensors out of several: block_diag (the inputs as the diagonal blocks of one matrix;
 * 0-dim inputs are 1x1 blocks, 1-D ones 1xn rows; the dtype promoted over all; each input's
 * gradient is its block of the output's) and cartesian_prod (every combination of the elements of
 * 1-D tensors, one row per combination, as itertools.product; meshgrid + stack, so StackBackward0).
 */
import { Tensor, check_tensor } from "./tensor";
import { attach } from "./autograd";
import { promote_types, storage_for } from "./dtype";
import { meshgrid } from "./combine";
import { flatten, stack } from "./views";

/** The inputs (0-, 1- or 2-D) as the diagonal blocks of a 2-D tensor, zeros elsewhere. */
export function block_diag(...tensors: (Tensor | readonly Tensor[])[]): Tensor {
  const list = (tensors.length === 1 && Array.isArray(tensors[0]) ? tensors[0] : tensors) as Tensor[];
  list.forEach((x, k) => {
    check_tensor(x, "block_diag", `tensors[${k}]`);
    if (x.dim() > 2) throw new RangeError(`torch.block_diag: Input tensors must have 2 or fewer dimensions. Input ${k} has ${x.dim()} dimensions`);
  });
  const dims = list.map((x) => (x.dim() === 0 ? [1, 1] : x.dim() === 1 ? [1, x.shape[0]] : [x.shape[0], x.shape[1]]));
  const R = dims.reduce((s, d) => s + d[0], 0);
  const Cn = dims.reduce((s, d) => s + d[1], 0);
  if (list.length === 0) return new Tensor(storage_for("float32", 0), [1, 0], "float32");
  const dt = list.map((x) => x.dtype).reduce((p, q) => promote_types(p, q));
  const out = storage_for(dt, R * Cn);
  const at: [number, number][] = [];
  let r0 = 0;
  let c0 = 0;
  list.forEach((x, k) => {
    const [r, c] = dims[k];
    at.push([r0, c0]);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[(r0 + i) * Cn + c0 + j] = x.data[i * c + j];
    r0 += r;
    c0 += c;
  });
  return attach(new Tensor(out, [R, Cn], dt), "BlockDiagBackward0", list, (g, need) =>
    list.map((x, k) => {
      if (!need[k]) return null;
      const [r, c] = dims[k];
      const gx = storage_for(g.dtype, r * c);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) gx[i * c + j] = g.data[(at[k][0] + i) * Cn + at[k][1] + j];
      return new Tensor(gx, x.shape, g.dtype);
    }),
  );
}

/** Every combination of the elements of 1-D tensors: shape [Π n_k, count]; one tensor is returned as is. */
export function cartesian_prod(...tensors: (Tensor | readonly Tensor[])[]): Tensor {
  const list = (tensors.length === 1 && Array.isArray(tensors[0]) ? tensors[0] : tensors) as Tensor[];
  list.forEach((x, k) => {
    check_tensor(x, "cartesian_prod", `tensors[${k}]`);
    if (x.dim() !== 1) throw new RangeError(`Expect a 1D vector, but got shape [${x.shape.join(", ")}]`);
  });
  if (list.length === 0) throw new RangeError("cartesian_prod expects at least one tensor");
  if (list.length === 1) return list[0];
  if (list.some((x) => x.dtype !== list[0].dtype)) throw new TypeError("meshgrid expects all tensors to have the same dtype");
  const grids = meshgrid(list, { indexing: "ij" });
  return stack(grids.map((g) => flatten(g)), 1);
}
