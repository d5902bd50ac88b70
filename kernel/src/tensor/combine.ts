/**
 * Combining and promoting tensors: meshgrid (coordinate grids, "ij" or "xy" indexing),
 * broadcast_tensors (every input expanded to the common shape), dstack / column_stack / row_stack
 * (cat along depth / columns / rows after raising dims as numpy does), atleast_1d / 2d / 3d. All are
 * compositions of reshape, expand and cat, whose gradients they inherit.
 */
import { Tensor } from "./tensor";
import { broadcast_shapes } from "./shape";
import { cat, expand, reshape, unsqueeze, vstack } from "./views";

type TensorArgs = (Tensor | readonly Tensor[])[];

function tensor_list(args: readonly unknown[], op: string): Tensor[] {
  const list = (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) as unknown[];
  list.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new TypeError(`${op}(): expected Tensor as element ${i} in argument 0, but got ${x === null ? "null" : Array.isArray(x) ? "an array" : typeof x}`);
  });
  return list as Tensor[];
}

export interface MeshgridOptions {
  indexing?: "ij" | "xy";
}

/**
 * `meshgrid(...tensors, { indexing = "ij" })`: for 0-D/1-D inputs of sizes n0, n1, ..., tensors of
 * shape [n0, n1, ...] where the i-th varies along dim i ("xy" swaps the first two dims, as numpy).
 */
export function meshgrid(...args: (Tensor | readonly Tensor[] | MeshgridOptions)[]): Tensor[] {
  let indexing: string = "ij";
  const last = args[args.length - 1];
  if (args.length > 0 && !(last instanceof Tensor) && !Array.isArray(last) && typeof last === "object" && last !== null) {
    const o = last as MeshgridOptions;
    for (const k of Object.keys(o)) if (k !== "indexing") throw new TypeError(`meshgrid() got an unexpected keyword argument '${k}' (allowed: indexing)`);
    indexing = o.indexing ?? "ij";
    args = args.slice(0, -1);
  }
  if (indexing !== "ij" && indexing !== "xy") throw new RangeError(`torch.meshgrid: indexing must be one of "xy" or "ij", but received: ${indexing}`);
  const xs = tensor_list(args, "meshgrid");
  if (xs.length === 0) throw new RangeError("meshgrid expects a non-empty TensorList");
  xs.forEach((x) => {
    if (x.dim() > 1) throw new RangeError(`torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: ${x.toString()}`);
  });
  for (let i = 1; i < xs.length; i++) {
    if (xs[i].dtype !== xs[0].dtype) throw new TypeError("meshgrid expects all tensors to have the same dtype");
  }
  const swap = indexing === "xy" && xs.length >= 2;
  // "xy": the first two inputs trade places in the grid's shape (the first varies along dim 1).
  const order = xs.map((_, i) => i);
  if (swap) [order[0], order[1]] = [order[1], order[0]];
  const sizes = order.map((i) => xs[i].numel());
  const grids = new Array<Tensor>(xs.length);
  order.forEach((i, pos) => {
    const shape = sizes.map((_, d) => (d === pos ? -1 : 1));
    grids[i] = expand(reshape(xs[i], shape), sizes);
  });
  return grids;
}

/** `broadcast_tensors(...tensors)`: each expanded to the shape they broadcast to together. */
export function broadcast_tensors(...args: TensorArgs): Tensor[] {
  const xs = tensor_list(args, "broadcast_tensors");
  let shape: number[] = [];
  for (const x of xs) shape = broadcast_shapes(shape, x.shape);
  return xs.map((x) => expand(x, shape));
}

function at_least(x: Tensor, n: 1 | 2 | 3): Tensor {
  const d = x.dim();
  if (d >= n) return x;
  if (n === 1) return reshape(x, [1]);
  if (n === 2) return d === 0 ? reshape(x, [1, 1]) : unsqueeze(x, 0);
  if (d === 0) return reshape(x, [1, 1, 1]);
  if (d === 1) return unsqueeze(unsqueeze(x, 0), 2);
  return unsqueeze(x, 2);
}

function at_least_all(args: readonly unknown[], n: 1 | 2 | 3, op: string): Tensor | Tensor[] {
  if (args.length === 1 && args[0] instanceof Tensor) return at_least(args[0], n);
  return tensor_list(args, op).map((x) => at_least(x, n));
}

/** `atleast_1d(x)`: x with a 0-D tensor made 1-D ([1]); given several tensors (or an array), an array. */
export function atleast_1d(x: Tensor): Tensor;
export function atleast_1d(...xs: TensorArgs): Tensor[];
export function atleast_1d(...xs: TensorArgs): Tensor | Tensor[] {
  return at_least_all(xs, 1, "atleast_1d");
}

/** `atleast_2d(x)`: 0-D -> [1, 1], 1-D [n] -> [1, n]; given several tensors (or an array), an array. */
export function atleast_2d(x: Tensor): Tensor;
export function atleast_2d(...xs: TensorArgs): Tensor[];
export function atleast_2d(...xs: TensorArgs): Tensor | Tensor[] {
  return at_least_all(xs, 2, "atleast_2d");
}

/** `atleast_3d(x)`: 0-D -> [1, 1, 1], [n] -> [1, n, 1], [m, n] -> [m, n, 1]; several tensors give an array. */
export function atleast_3d(x: Tensor): Tensor;
export function atleast_3d(...xs: TensorArgs): Tensor[];
export function atleast_3d(...xs: TensorArgs): Tensor | Tensor[] {
  return at_least_all(xs, 3, "atleast_3d");
}

/** `dstack(tensors)`: concatenates along dim 2 after raising each to at least 3-D (atleast_3d). */
export function dstack(tensors: readonly Tensor[]): Tensor {
  const xs = tensor_list([tensors], "dstack");
  if (xs.length === 0) throw new RangeError("dstack expects a non-empty TensorList");
  return cat(xs.map((x) => at_least(x, 3)), 2);
}

/** `column_stack(tensors)`: 0-D/1-D tensors become columns ([n, 1]), then everything is concatenated along dim 1. */
export function column_stack(tensors: readonly Tensor[]): Tensor {
  const xs = tensor_list([tensors], "column_stack");
  if (xs.length === 0) throw new RangeError("column_stack expects a non-empty TensorList");
  return cat(xs.map((x) => (x.dim() <= 1 ? reshape(x, [x.numel(), 1]) : x)), 1);
}

/** `row_stack(tensors)`: alias of vstack (1-D tensors become rows, then cat along dim 0). */
export function row_stack(tensors: readonly Tensor[]): Tensor {
  return vstack(tensors);
}
