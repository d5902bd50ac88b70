/**
 * torch.round with `decimals` (elementwise.ts's round is the decimals = 0 form, unchanged):
 * round-half-to-even of x · 10^d, divided by 10^d (for d < 0: of x / 10^-d, times 10^-d), each
 * step in the input's dtype as PyTorch's CPU kernel (float32 rounds after every operation).
 * Floats only with decimals (PyTorch: "round_cpu" not implemented for 'Long'). The gradient is
 * zero (RoundBackward1).
 */
import { Tensor, check_tensor, numelOf, storageFor } from "./tensor";
import { attach } from "./autograd";
import { is_floating, SCALAR_TYPE_NAME } from "./dtype";
import { round as round0 } from "./elementwise";

/** Round half to even (C's nearbyint in the default rounding mode). */
function nearbyint(v: number): number {
  if (!Number.isFinite(v)) return v;
  const f = Math.floor(v);
  const d = v - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return r === 0 ? (v < 0 || Object.is(v, -0) ? -0 : 0) : r;
}

/** Rounds to the nearest integer, or with `{ decimals }` to that many decimal places (half to even). */
export function round(x: Tensor, options?: { decimals?: number }): Tensor {
  check_tensor(x, "round");
  if (options === undefined || options === null) return round0(x);
  if (typeof options !== "object") throw new TypeError(`round(): pass decimals as an options object: round(x, { decimals: ${String(options)} })`);
  for (const k of Object.keys(options)) if (k !== "decimals") throw new TypeError(`round() got an unexpected keyword argument '${k}' (allowed: decimals)`);
  const dec = options.decimals ?? 0;
  if (typeof dec !== "number" || !Number.isInteger(dec)) throw new TypeError(`round(): argument 'decimals' must be int, not ${typeof dec === "number" ? "float" : typeof dec}`);
  if (options.decimals === undefined) return round0(x);
  if (!is_floating(x.dtype)) throw new TypeError(`"round_cpu" not implemented for '${SCALAR_TYPE_NAME[x.dtype]}'`);
  const f32 = x.dtype === "float32";
  const q = f32 ? Math.fround : (v: number) => v;
  const neg = dec < 0;
  const ten = q(Math.pow(10, Math.abs(dec)));
  const out = new Tensor(storageFor(x.dtype, x.data.length), x.shape, x.dtype);
  for (let i = 0; i < x.data.length; i++) {
    const a = x.data[i];
    out.data[i] = neg ? q(nearbyint(q(a / ten)) * ten) : q(nearbyint(q(a * ten)) / ten);
  }
  return attach(out, "RoundBackward1", [x], (g) => [new Tensor(storageFor(g.dtype, numelOf(x.shape)), x.shape, g.dtype)], false);
}
