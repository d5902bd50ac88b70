/**
 * Cumulative ops along a dim: cumsum (y_k = sum_{j<=k} x_j; backward: the reversed cumulative sum
 * of the gradient, dx_j = sum_{k>=j} g_k) and cumprod (y_k = prod_{j<=k} x_j; backward
 * dx_j = sum_{k>=j} g_k * prod_{i<=k, i!=j} x_i, computed directly so zeros are handled).
 */
import { DType, Tensor, check_tensor } from "./tensor";
import { attach } from "./autograd";
import { is_floating, storage_for } from "./dtype";
import { layout } from "./reduce";

function check(x: Tensor, op: string): void {
  check_tensor(x, op);
}

export function cumsum(x: Tensor, dim: number, options?: { dtype?: DType }): Tensor {
  check(x, "cumsum");
  const dtype = options?.dtype ?? (is_floating(x.dtype) ? x.dtype : "int64");
  const L = layout(x, dim, true);
  const { src, outer, size, inner } = L;
  const out = storage_for(dtype, src.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let s = 0;
      for (let k = 0; k < size; k++) {
        const at = o * size * inner + k * inner + i;
        s += src[at];
        out[at] = s;
      }
    }
  }
  const res = new Tensor(out, x.shape, dtype);
  return attach(res, "CumsumBackward0", [x], (g) => {
    const gx = storage_for(g.dtype, g.data.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let s = 0;
        for (let k = size - 1; k >= 0; k--) {
          const at = o * size * inner + k * inner + i;
          s += g.data[at];
          gx[at] = s;
        }
      }
    }
    return [new Tensor(gx, x.shape, g.dtype)];
  }, false);
}

export function cumprod(x: Tensor, dim: number, options?: { dtype?: DType }): Tensor {
  check(x, "cumprod");
  const dtype = options?.dtype ?? (is_floating(x.dtype) ? x.dtype : "int64");
  const L = layout(x, dim, true);
  const { src, outer, size, inner } = L;
  const out = storage_for(dtype, src.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let p = 1;
      for (let k = 0; k < size; k++) {
        const at = o * size * inner + k * inner + i;
        p *= src[at];
        out[at] = p;
      }
    }
  }
  const res = new Tensor(out, x.shape, dtype);
  return attach(res, "CumprodBackward0", [x], (g) => {
    const gx = storage_for(g.dtype, g.data.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * size * inner + i;
        for (let j = 0; j < size; j++) {
          // sum over k >= j of g_k * prod_{i<=k, i != j} x_i
          let pre = 1;
          for (let q = 0; q < j; q++) pre *= src[base + q * inner];
          let acc = 0;
          let run = pre;
          for (let k = j; k < size; k++) {
            if (k > j) run *= src[base + k * inner];
            acc += g.data[base + k * inner] * run;
          }
          gx[base + j * inner] = acc;
        }
      }
    }
    return [new Tensor(gx, x.shape, g.dtype)];
  });
}
