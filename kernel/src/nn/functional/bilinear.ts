/**
 * F.bilinear(input1, input2, weight, bias = null): y[n, o] = Σ_ij x1[n, i] W[o, i, j] x2[n, j] + b[o],
 * for x1 [*, in1], x2 [*, in2] with the same leading dims, W [out, in1, in2], b [out] → [*, out].
 * One fused node; with g = dL/dy:
 *   dx1[n, i] = Σ_o g[n, o] Σ_j W[o, i, j] x2[n, j]     dx2[n, j] = Σ_o g[n, o] Σ_i x1[n, i] W[o, i, j]
 *   dW[o, i, j] = Σ_n g[n, o] x1[n, i] x2[n, j]         db[o] = Σ_n g[n, o]
 * Sums are in float64 and rounded once to the dtype.
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import { checkFloat, record } from "../_autograd";
import { cast } from "./linear";
import { saves } from "../../tensor/version";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const BILINEAR_SAVES = saves("0 if 1 2 as same, 1 if 0 2 as same, 2 if 0 1");

/** F.bilinear(input1, input2, weight, bias = null): x1ᵀ W x2 + b per output feature (see the file comment). */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  checkFloat(input1, "bilinear", "input1");
  checkFloat(input2, "bilinear", "input2");
  checkFloat(weight, "bilinear", "weight");
  if (bias !== null && bias !== undefined) checkFloat(bias, "bilinear", "bias");
  else bias = null;
  const dtype = input1.dtype;
  for (const [t, what] of [[input2, "input2"], [weight, "weight"], [bias, "bias"]] as const) {
    if (t !== null && t.dtype !== dtype) throw new TypeError(`bilinear(): expected ${what} to have the dtype of input1 (${dtype}), got ${t.dtype}`);
  }
  if (weight.dim() !== 3) throw new RangeError(`bilinear(): weight must be 3-D [out_features, in1_features, in2_features], got shape [${weight.shape.join(", ")}]`);
  if (input1.dim() === 0 || input2.dim() === 0) throw new RangeError("bilinear(): input1 and input2 must have at least 1 dimension");
  const lead1 = input1.shape.slice(0, -1);
  const lead2 = input2.shape.slice(0, -1);
  if (lead1.length !== lead2.length || lead1.some((d, i) => d !== lead2[i])) {
    throw new RangeError(`bilinear(): input batch dimensions do not match: got [${lead1.join(", ")}] and [${lead2.join(", ")}]`);
  }
  const [O, I, J] = weight.shape;
  if (input1.shape[input1.dim() - 1] !== I) {
    throw new RangeError(`bilinear(): input1 size does not match weight size: got ${input1.shape[input1.dim() - 1]} but expected ${I}`);
  }
  if (input2.shape[input2.dim() - 1] !== J) {
    throw new RangeError(`bilinear(): input2 size does not match weight size: got ${input2.shape[input2.dim() - 1]} but expected ${J}`);
  }
  if (bias !== null && (bias.dim() !== 1 || bias.shape[0] !== O)) {
    throw new RangeError(`bilinear(): bias size does not match weight size: got [${bias.shape.join(", ")}] but expected [${O}]`);
  }
  const N = lead1.reduce((a, b) => a * b, 1);
  const x1 = input1.data;
  const x2 = input2.data;
  const w = weight.data;
  const b = bias ? bias.data : null;
  const y = storageFor(dtype, N * O);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      let acc = 0;
      for (let i = 0; i < I; i++) {
        const a = x1[n * I + i];
        const wb = (o * I + i) * J;
        let s = 0;
        for (let j = 0; j < J; j++) s += w[wb + j] * x2[n * J + j];
        acc += a * s;
      }
      y[n * O + o] = b ? acc + b[o] : acc;
    }
  }
  const out = new Tensor(y, [...lead1, O], dtype);
  return record(out, "BilinearBackward0", [input1, input2, weight, bias], (g, need) => {
    const gd = g.data;
    const g1 = need[0] ? new Float64Array(N * I) : null;
    const g2 = need[1] ? new Float64Array(N * J) : null;
    const gw = need[2] ? new Float64Array(O * I * J) : null;
    const gb = need[3] && b ? new Float64Array(O) : null;
    for (let n = 0; n < N; n++) {
      for (let o = 0; o < O; o++) {
        const go = gd[n * O + o];
        if (gb) gb[o] += go;
        if (go === 0) continue;
        for (let i = 0; i < I; i++) {
          const a = x1[n * I + i];
          const wb = (o * I + i) * J;
          let s = 0;
          for (let j = 0; j < J; j++) {
            const wv = w[wb + j];
            const v = x2[n * J + j];
            s += wv * v;
            if (g2) g2[n * J + j] += go * a * wv;
            if (gw) gw[wb + j] += go * a * v;
          }
          if (g1) g1[n * I + i] += go * s;
        }
      }
    }
    return [
      g1 ? new Tensor(cast(g1, dtype), input1.shape, dtype) : null,
      g2 ? new Tensor(cast(g2, dtype), input2.shape, dtype) : null,
      gw ? new Tensor(cast(gw, dtype), weight.shape, dtype) : null,
      gb && bias ? new Tensor(cast(gb, dtype), bias.shape, dtype) : null,
    ];
  }, BILINEAR_SAVES);
}
