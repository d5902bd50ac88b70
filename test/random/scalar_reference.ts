/**
 * The one-draw-at-a-time samplers, kept as the reference the fast paths in kernels.ts are tested
 * against (test/random/fast_*.test.ts): each draws every 32-bit word through `gen.random()` and
 * transforms every element with the plain JS arithmetic (software fmaf/fma, the JS float32
 * Box-Muller block), exactly as the first implementation did. Not part of the library (it lives with the tests).
 * See kernels.ts for the algorithms.
 */

import type { Generator } from "../../kernel/src/random/generator";
import { fma, fmaf } from "../../kernel/src/random/fpmath";
import { log } from "../../kernel/src/random/libm";
import { normal_log } from "../../kernel/src/random/native_libm";
import { log1p } from "../../kernel/src/random/log1p";
import { sincos, sincosOut } from "../../kernel/src/random/sincos";
import { normalFill16Float } from "../../kernel/src/random/avx_mathfun";
import { MT_N } from "../../kernel/src/random/mt19937";

const TWO_M24 = 5.9604644775390625e-8; // 2^-24
const TWO_M53 = 1.1102230246251565e-16; // 2^-53
const TWO_PI = 6.283185307179586;

type FloatStorage = Float32Array | Float64Array;

/** The MT19937 twist with indices mod 624, as first written (reference for the split loops). */
export function twistReference(s: Uint32Array): void {
  for (let k = 0; k < MT_N; k++) {
    const y = (s[k] & 0x80000000) | (s[(k + 1) % MT_N] & 0x7fffffff);
    s[k] = s[(k + 397) % MT_N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
  }
}

function uniformFloat01(gen: Generator): number {
  return (gen.random() & 0xffffff) * TWO_M24;
}

function uniformDouble01(gen: Generator): number {
  const hi = gen.random();
  const lo = gen.random();
  return ((hi & 0x1fffff) * 4294967296 + lo) * TWO_M53;
}

function normalDoubleSample(gen: Generator): number {
  const cached = gen.next_double_normal_sample;
  if (cached !== null) {
    gen.next_double_normal_sample = null;
    return cached;
  }
  const u1 = uniformDouble01(gen);
  const u2 = uniformDouble01(gen);
  const r = Math.sqrt(-2 * log1p(-u2));
  sincos(TWO_PI * u1);
  gen.next_double_normal_sample = r * sincosOut.sin;
  return r * sincosOut.cos;
}

export function fillUniformScalar(data: FloatStorage, single: boolean, from: number, to: number, gen: Generator): void {
  const n = data.length;
  if (single) {
    const a = Math.fround(from);
    const range = Math.fround(Math.fround(to) - a);
    for (let i = 0; i < n; i++) data[i] = fmaf(uniformFloat01(gen), range, a);
  } else {
    const range = to - from;
    for (let i = 0; i < n; i++) data[i] = fma(uniformDouble01(gen), range, from);
  }
}

function normalFill16DoubleScalar(d: Float64Array, off: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = 1 - d[off + j];
    const u2 = d[off + j + 8];
    const radius = Math.sqrt(-2 * normal_log(log)(u1));
    sincos(TWO_PI * u2);
    d[off + j] = fma(radius * sincosOut.cos, std, mean);
    d[off + j + 8] = fma(radius * sincosOut.sin, std, mean);
  }
}

export function fillNormalScalar(data: FloatStorage, single: boolean, mean: number, std: number, gen: Generator): void {
  const n = data.length;
  if (n < 16) {
    for (let i = 0; i < n; i++) data[i] = fma(normalDoubleSample(gen), std, mean);
    return;
  }
  if (single) {
    const d = data as Float32Array;
    const m = Math.fround(mean);
    const s = Math.fround(std);
    for (let i = 0; i < n; i++) d[i] = uniformFloat01(gen);
    for (let i = 0; i + 16 <= n; i += 16) normalFill16Float(d, i, m, s);
    if (n % 16 !== 0) {
      for (let i = n - 16; i < n; i++) d[i] = uniformFloat01(gen);
      normalFill16Float(d, n - 16, m, s);
    }
  } else {
    const d = data as Float64Array;
    for (let i = 0; i < n; i++) d[i] = uniformDouble01(gen);
    for (let i = 0; i + 16 <= n; i += 16) normalFill16DoubleScalar(d, i, mean, std);
    if (n % 16 !== 0) {
      for (let i = n - 16; i < n; i++) d[i] = uniformDouble01(gen);
      normalFill16DoubleScalar(d, n - 16, mean, std);
    }
  }
}

export function fillRandomIntScalar(data: FloatStorage, low: number, high: number, gen: Generator): void {
  const n = data.length;
  const range = high - low;
  if (range < 2 ** 28) {
    for (let i = 0; i < n; i++) data[i] = (gen.random() % range) + low;
  } else {
    const r = BigInt(range);
    const b = BigInt(low);
    for (let i = 0; i < n; i++) data[i] = Number((gen.random64() % r) + b);
  }
}

export function fillRandpermScalar(data: FloatStorage, gen: Generator, smallLimit: number): void {
  const n = data.length;
  if (n < smallLimit) {
    for (let i = 0; i < n; i++) data[i] = i;
    for (let i = 0; i < n - 1; i++) {
      const z = gen.random() % (n - i);
      const t = data[i];
      data[i] = data[z + i];
      data[z + i] = t;
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const z = Number(gen.random64() % BigInt(i + 1));
    data[i] = data[z];
    data[z] = i;
  }
}

export function fillBernoulliTensorScalar(out: FloatStorage, p: FloatStorage, pSingle: boolean, gen: Generator): void {
  for (let i = 0; i < out.length; i++) {
    const u = pSingle ? uniformFloat01(gen) : uniformDouble01(gen);
    out[i] = u < p[i] ? 1 : 0;
  }
}

export function fillExponentialScalar(data: FloatStorage, lambd: number, gen: Generator): void {
  const scale = -1 / lambd;
  for (let i = 0; i < data.length; i++) data[i] = scale * log1p(-uniformDouble01(gen));
}

export function fillBernoulliScalarScalar(out: FloatStorage, p: number, gen: Generator): void {
  for (let i = 0; i < out.length; i++) out[i] = uniformDouble01(gen) < p ? 1 : 0;
}
