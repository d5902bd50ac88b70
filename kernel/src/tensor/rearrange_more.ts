/**
 * More rearranging ops: tile (repeat with fewer sizes allowed), repeat_interleave (each element
 * `repeats` times along a dim), roll (cyclic shift along dims), rot90 (quarter turns in a plane),
 * movedim / moveaxis (dims to new places; a permutation). roll and rot90 gather at flat positions
 * (flat_index.ts), so their gradient scatters back; repeat_interleave is an expand (int repeats) or
 * an index_select (a tensor of repeats).
 */
import { Tensor, check_tensor, numelOf } from "./tensor";
import { rename } from "./autograd";
import { flip, repeat } from "./rearrange";
import { expand, permute, reshape, transpose, unsqueeze } from "./views";
import { index_select_raw_checked } from "./gather";
import { wrap_dim } from "./shape";
import { gather_flat, strides_of } from "./flat_index";

function ints(v: number | readonly number[], op: string, name: string): number[] {
  const list = typeof v === "number" ? [v] : Array.isArray(v) ? [...v] : null;
  if (list === null || list.some((d) => typeof d !== "number" || !Number.isInteger(d))) {
    throw new TypeError(`${op}(): argument '${name}' must be an int or a tuple of ints, not ${JSON.stringify(v)}`);
  }
  return list;
}

/** `tile(x, dims)`: x repeated dims[i] times along dim i; missing leading dims count as 1 (as numpy.tile). */
export function tile(x: Tensor, dims: number | readonly number[]): Tensor {
  check_tensor(x, "tile");
  const reps = ints(dims, "tile", "dims");
  while (reps.length < x.dim()) reps.unshift(1);
  return repeat(x, reps);
}

export interface RepeatInterleaveOptions {
  dim?: number | null;
  output_size?: number | null;
}

/**
 * `repeat_interleave(x, repeats, dim = null, { output_size })`: each element of x (flattened when dim
 * is null) `repeats` times along dim; `repeats` is an int or an int64 tensor with one count per
 * element. `repeat_interleave(counts)` alone gives [0]*counts[0] + [1]*counts[1] + ...
 */
export function repeat_interleave(x: Tensor, repeats?: number | Tensor | null, dim?: number | null | RepeatInterleaveOptions, options?: RepeatInterleaveOptions): Tensor {
  check_tensor(x, "repeat_interleave");
  let o: RepeatInterleaveOptions = options ?? {};
  if (typeof dim === "object" && dim !== null) {
    o = dim;
    dim = dim.dim;
  }
  for (const k of Object.keys(o)) if (k !== "dim" && k !== "output_size") throw new TypeError(`repeat_interleave() got an unexpected keyword argument '${k}' (allowed: dim, output_size)`);
  if (repeats === undefined || repeats === null) {
    // repeat_interleave(counts): the indices 0..n-1 repeated counts[i] times.
    if (x.dim() > 1) throw new RangeError("repeat_interleave only accept 1D vector as repeat");
    if (x.dtype !== "int64") throw new TypeError("repeats has to be Long tensor");
    const counts = Array.from(x.data);
    if (counts.some((c) => c < 0)) throw new RangeError("repeats can not be negative");
    const total = counts.reduce((a, b) => a + b, 0);
    if (o.output_size !== undefined && o.output_size !== null && o.output_size !== total) throw new RangeError("allocated size does not match required size");
    const out = new Float64Array(total);
    let k = 0;
    counts.forEach((c, i) => out.fill(i, k, (k += c)));
    return new Tensor(out, [total], "int64");
  }
  const src = dim === undefined || dim === null ? reshape(x, [-1]) : x;
  const d = dim === undefined || dim === null ? 0 : wrap_dim(dim, x.dim());
  const size = src.dim() === 0 ? 1 : src.shape[d];
  let counts: number[];
  if (typeof repeats === "number") {
    if (!Number.isInteger(repeats)) throw new TypeError(`repeat_interleave(): argument 'repeats' must be int or Tensor, not ${repeats}`);
    if (repeats < 0) throw new RangeError("repeats can not be negative");
    const total = size * repeats;
    if (o.output_size !== undefined && o.output_size !== null && o.output_size !== total) throw new RangeError(`repeat_interleave: Invalid output_size, expected ${total} but got ${o.output_size}`);
    // As PyTorch for an int: a new dim after d expanded to `repeats`, merged into d (a view's node).
    const base = src.dim() === 0 ? reshape(src, [1]) : src;
    const wide = [...base.shape];
    wide.splice(d + 1, 0, repeats);
    const merged = [...base.shape];
    merged[d] *= repeats;
    return reshape(expand(unsqueeze(base, d + 1), wide), merged);
  } else {
    check_tensor(repeats, "repeat_interleave", "repeats");
    if (repeats.dim() > 1) throw new RangeError("repeat_interleave only accept 1D vector as repeat");
    if (repeats.dtype !== "int64") throw new TypeError("repeats has to be Long tensor");
    if (repeats.numel() === 1) counts = new Array<number>(size).fill(repeats.data[0]);
    else if (repeats.numel() === size) counts = Array.from(repeats.data);
    else throw new RangeError(`repeats must have the same size as input along dim, but got repeats.size(0) = ${repeats.numel()} and input.size(${d}) = ${size}`);
    if (counts.some((c) => c < 0)) throw new RangeError("repeats can not be negative");
  }
  const total = counts.reduce((a, b) => a + b, 0);
  if (o.output_size !== undefined && o.output_size !== null && o.output_size !== total) throw new RangeError(`repeat_interleave: Invalid output_size, expected ${total} but got ${o.output_size}`);
  const idx = new Float64Array(total);
  let k = 0;
  counts.forEach((c, i) => idx.fill(i, k, (k += c)));
  const base = src.dim() === 0 ? reshape(src, [1]) : src;
  return index_select_raw_checked(base, d, new Tensor(idx, [total], "int64"));
}

/**
 * `roll(x, shifts, dims = null)`: shifts the elements cyclically by shifts[i] along dims[i]
 * (elements leaving one end come back at the other); without dims x is rolled as flattened.
 */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor {
  check_tensor(x, "roll");
  const s = ints(shifts, "roll", "shifts");
  const n = x.numel();
  if (dims === undefined || dims === null || (Array.isArray(dims) && dims.length === 0)) {
    if (s.length !== 1) throw new RangeError(`shifts and dimensions must align. shifts: ${s.length}, dims:0`);
    const pos = new Uint32Array(n);
    const sh = n === 0 ? 0 : ((s[0] % n) + n) % n;
    for (let i = 0; i < n; i++) pos[i] = (i - sh + n) % n;
    return gather_flat(x, pos, x.shape, "RollBackward0");
  }
  const ds = ints(dims, "roll", "dims").map((d) => wrap_dim(d, x.dim()));
  if (s.length !== ds.length) throw new RangeError(`shifts and dimensions must align. shifts: ${s.length}, dims:${ds.length}`);
  const shape = x.dim() === 0 ? [1] : x.shape;
  const total = new Array<number>(shape.length).fill(0);
  ds.forEach((d, i) => (total[d] += s[i]));
  const st = strides_of(shape);
  // For each dim, the source offset contributed by output index k: ((k - shift) mod size) * stride.
  const maps = shape.map((size, d) => {
    const m = new Float64Array(size);
    const sh = size === 0 ? 0 : ((total[d] % size) + size) % size;
    for (let k = 0; k < size; k++) m[k] = ((k - sh + size) % size) * st[d];
    return m;
  });
  return gather_flat(x, mapped_positions(shape, maps), x.shape, "RollBackward0");
}

/** pos[i] = sum_d maps[d][index_d(i)] over the row-major indices of `shape`. */
function mapped_positions(shape: readonly number[], maps: readonly Float64Array[]): Uint32Array {
  const n = numelOf(shape);
  const pos = new Uint32Array(n);
  const nd = shape.length;
  if (n === 0) return pos;
  const idx = new Array<number>(nd).fill(0);
  const last = maps[nd - 1];
  const inner = shape[nd - 1];
  for (let o = 0; o < n; o += inner) {
    let base = 0;
    for (let d = 0; d < nd - 1; d++) base += maps[d][idx[d]];
    for (let j = 0; j < inner; j++) pos[o + j] = base + last[j];
    for (let d = nd - 2; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return pos;
}

/**
 * `rot90(x, k = 1, dims = [0, 1])`: rotates by k quarter turns in the plane of dims, from the
 * first dim towards the second (as numpy.rot90).
 */
export function rot90(x: Tensor, k = 1, dims: readonly number[] = [0, 1]): Tensor {
  check_tensor(x, "rot90");
  if (!Number.isInteger(k)) throw new TypeError(`rot90(): argument 'k' must be int, not ${k}`);
  const ds = ints(dims, "rot90", "dims");
  if (ds.length !== 2) throw new RangeError(`expected total rotation dims == 2, but got dims = ${ds.length}`);
  if (x.dim() < 2) throw new RangeError(`expected total dims >= 2, but got total dims = ${x.dim()}`);
  const a = wrap_dim(ds[0], x.dim());
  const b = wrap_dim(ds[1], x.dim());
  if (a === b) throw new RangeError(`expected rotation dims to be different, but got dim0 = ${a} and dim1 = ${b}`);
  const turns = ((k % 4) + 4) % 4;
  // The rotation applied to the positions 0..n-1 gives, for each output element, where it comes from.
  const n = x.numel();
  const ids = new Float64Array(n);
  for (let i = 0; i < n; i++) ids[i] = i;
  let p = new Tensor(ids, x.shape, "float64");
  if (turns === 1) p = transpose(flip(p, [b]), a, b);
  else if (turns === 2) p = flip(p, [a, b]);
  else if (turns === 3) p = transpose(flip(p, [a]), a, b);
  return gather_flat(x, Uint32Array.from(p.data), p.shape, "Rot90Backward0");
}

/** `movedim(x, source, destination)`: moves dims `source` to positions `destination`, the others keeping their order. */
export function movedim(x: Tensor, source: number | readonly number[], destination: number | readonly number[]): Tensor {
  check_tensor(x, "movedim");
  const src = ints(source, "movedim", "source");
  const dst = ints(destination, "movedim", "destination");
  const nd = x.dim();
  if (src.length !== dst.length) {
    throw new RangeError(`movedim: Invalid source or destination dims: source ([${src.join(", ")}] dims) should contain the same number of dims as destination ([${dst.join(", ")}] dims)`);
  }
  const s = src.map((d) => wrap_dim(d, nd));
  const t = dst.map((d) => wrap_dim(d, nd));
  if (new Set(s).size !== s.length) throw new RangeError(`movedim: repeated dim in \`source\` ([${src.join(", ")}])`);
  if (new Set(t).size !== t.length) throw new RangeError(`movedim: repeated dim in \`destination\` ([${dst.join(", ")}])`);
  if (nd === 0) return rename(reshape(x, []), "PermuteBackward0");
  const perm = new Array<number>(nd).fill(-1);
  s.forEach((d, i) => (perm[t[i]] = d));
  const rest = [...Array(nd).keys()].filter((d) => !s.includes(d));
  let r = 0;
  for (let i = 0; i < nd; i++) if (perm[i] < 0) perm[i] = rest[r++];
  return permute(x, perm);
}

/** Alias of movedim (numpy's name). */
export const moveaxis = movedim;
