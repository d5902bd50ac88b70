/**
 * `Tensor.view(dtype)`: the tensor's bytes read as another dtype, as PyTorch's (little-endian):
 *   - the same element size (float64 <-> int64, or the same dtype): the same shape;
 *   - a larger element (float32 -> float64 / int64, bool -> float32 ...): the last dim shrinks by
 *     the ratio; it must divide the last size, the last stride must be 1 and the other strides
 *     divisible by the ratio; a smaller one: the last dim grows by the ratio (stride 1 needed);
 *   - a 0-dim tensor only between dtypes of one size;
 * with PyTorch's messages ("self.size(-1) must be divisible by 2 to view Float as Double
 * (different element sizes), but got 3", ...). As PyTorch's, the result is not differentiable
 * (requires_grad false, no grad_fn).
 *
 * Deviation: lrlab keeps integer and bool elements as float64 numbers (tensor.ts), so only a view to
 * the same dtype shares storage (a detached alias, its version counter shared); between dtypes
 * the result is a copy of the reinterpreted bytes: in-place ops on it do not reach the input.
 */
import { Tensor } from "./tensor";
import type { DType } from "./tensor";
import { check_dtype } from "./dtype";
import { torch_strides } from "./torch_strides";
import { share_version } from "./version";
import { RuntimeError } from "../errors";
import { SCALAR_TYPE_NAME as NAME } from "./dtype";

const SIZE: Record<DType, number> = { float32: 4, float64: 8, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1 };

/** x's elements as little-endian bytes, in x's logical (row-major) order. */
function bytes_of(x: Tensor): Uint8Array {
  const n = x.numel();
  const buf = new ArrayBuffer(n * SIZE[x.dtype]);
  const v = new DataView(buf);
  const d = x.data;
  for (let i = 0; i < n; i++) {
    if (x.dtype === "float32") v.setFloat32(4 * i, d[i], true);
    else if (x.dtype === "float64") v.setFloat64(8 * i, d[i], true);
    else if (x.dtype === "int64") v.setBigInt64(8 * i, BigInt(d[i]), true);
    else if (x.dtype === "int32") v.setInt32(4 * i, d[i], true);
    else if (x.dtype === "int16") v.setInt16(2 * i, d[i], true);
    else if (x.dtype === "int8") v.setInt8(i, d[i]);
    else if (x.dtype === "uint8") v.setUint8(i, d[i]);
    else v.setUint8(i, d[i] !== 0 ? 1 : 0);
  }
  return new Uint8Array(buf);
}

/** Little-endian bytes read as `dtype`'s elements, in lrlab's storage (integers and bool as numbers). */
function from_bytes(b: Uint8Array, dtype: DType): Float32Array | Float64Array {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = b.byteLength / SIZE[dtype];
  if (dtype === "float32") {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = v.getFloat32(4 * i, true);
    return out;
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (dtype === "float64") out[i] = v.getFloat64(8 * i, true);
    else if (dtype === "int64") out[i] = Number(v.getBigInt64(8 * i, true));
    else if (dtype === "int32") out[i] = v.getInt32(4 * i, true);
    else if (dtype === "int16") out[i] = v.getInt16(2 * i, true);
    else if (dtype === "int8") out[i] = v.getInt8(i);
    else if (dtype === "uint8") out[i] = b[i];
    else out[i] = b[i] !== 0 ? 1 : 0;
  }
  return out;
}

export function view_dtype(x: Tensor, dtypeArg: DType): Tensor {
  const dtype = check_dtype(dtypeArg, "view()");
  if (dtype === x.dtype) return share_version(new Tensor(x.data, x.shape, x.dtype, false), x);
  const from = SIZE[x.dtype];
  const to = SIZE[dtype];
  const what = `to view ${NAME[x.dtype]} as ${NAME[dtype]} (different element sizes)`;
  const shape = [...x.shape];
  if (from !== to) {
    if (x.dim() === 0) throw RuntimeError(`self.dim() cannot be 0 ${what}`);
    const st = torch_strides(x);
    const last = x.dim() - 1;
    if (st[last] !== 1) throw RuntimeError(`self.stride(-1) must be 1 ${what}, but got ${st[last]}`);
    if (to > from) {
      const ratio = to / from;
      if (shape[last] % ratio !== 0) throw RuntimeError(`self.size(-1) must be divisible by ${ratio} ${what}, but got ${shape[last]}`);
      for (let i = 0; i < last; i++) {
        if (st[i] % ratio !== 0) throw RuntimeError(`self.stride(${i}) must be divisible by ${ratio} ${what}, but got ${st[i]}`);
      }
      shape[last] /= ratio;
    } else shape[last] *= from / to;
  }
  return new Tensor(from_bytes(bytes_of(x), dtype), shape, dtype);
}
