/**
 * default_collate: turns a list of samples into a batch, as PyTorch does: tensors are stacked
 * along a new dim 0; numbers become a 1-D tensor (float64 for non-integers, int64 for integers,
 * bool for booleans); arrays and plain objects are collated element-wise / key-wise (so a batch
 * of [x, y] samples is [stack(xs), stack(ys)]); strings are left as a list.
 */
import { Tensor } from "../tensor/tensor";

export function default_collate(batch: readonly unknown[]): unknown {
  if (batch.length === 0) throw new RangeError("default_collate: empty batch");
  const first = batch[0];
  if (first instanceof Tensor) {
    const shape = first.shape;
    for (const t of batch) {
      if (!(t instanceof Tensor) || t.dtype !== first.dtype || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
        throw new RangeError(
          `stack expects each tensor to be equal size, but got [${shape.join(", ")}] at entry 0 and [${t instanceof Tensor ? t.shape.join(", ") : typeof t}] at a later entry`,
        );
      }
    }
    const n = first.data.length;
    const data = first.data instanceof Float32Array ? new Float32Array(n * batch.length) : new Float64Array(n * batch.length);
    batch.forEach((t, k) => data.set((t as Tensor).data, k * n));
    return new Tensor(data, [batch.length, ...shape], first.dtype);
  }
  if (typeof first === "number") {
    const ints = batch.every((v) => Number.isInteger(v));
    return new Tensor(Float64Array.from(batch as number[]), [batch.length], ints ? "int64" : "float64");
  }
  if (typeof first === "boolean") {
    return new Tensor(Float64Array.from(batch as boolean[], (b) => (b ? 1 : 0)), [batch.length], "bool");
  }
  if (typeof first === "string") return [...batch];
  if (Array.isArray(first)) {
    const len = first.length;
    if (batch.some((s) => !Array.isArray(s) || s.length !== len)) {
      throw new RangeError("each element in list of batch should be of equal size");
    }
    return first.map((_, j) => default_collate(batch.map((s) => (s as unknown[])[j])));
  }
  if (first !== null && typeof first === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first)) out[key] = default_collate(batch.map((s) => (s as Record<string, unknown>)[key]));
    return out;
  }
  throw new TypeError(`default_collate: batch must contain tensors, numbers, booleans, strings, arrays or objects; found ${first === null ? "null" : typeof first}`);
}
