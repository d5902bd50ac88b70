/**
 * The sampling kernels behind rand/randn/randint/randperm/uniform_/normal_, reproducing PyTorch's
 * CPU generator output bit for bit (ATen's DistributionsHelper.h, TransformationHelper.h and
 * cpu/DistributionTemplates.h, as compiled in PyTorch 2.13 for x86-64).
 *
 * Uniform [from, to):  float32 draws one 32-bit word w and uses its low 24 bits,
 *   u = (w & (2^24 − 1)) · 2^-24;  float64 draws a 64-bit word (two 32-bit draws, first = high
 *   half) and uses its low 53 bits, u = (w & (2^53 − 1)) · 2^-53.  The result is
 *   fma(u, to − from, from) in the tensor's precision (the compiler fuses u·(to − from) + from),
 *   with from and to first rounded to that precision.
 *
 * Normal (Box-Muller), two paths chosen by size (any dtype):
 *  - numel ≥ 16 (contiguous, always here): fill the whole tensor with uniforms [0, 1), then
 *    transform blocks of 16 in place (u1 = 1 − d[j], u2 = d[j+8], j < 8; cos into d[j], sin into
 *    d[j+8]). If numel is not a multiple of 16, the last 16 elements are redrawn — 16 fresh
 *    uniforms overwrite them — and transformed again as one block (so the tail block overlaps the
 *    previous one). float32 runs the single-precision AVX2 block (avx_mathfun.ts); float64 runs
 *    glibc's log and sincos in double and stores fma(r·cos θ, std, mean), with r·cos θ rounded.
 *    The log is the C library's own when kernel/native/libm.node was built (native_libm.ts: then
 *    bit for bit PyTorch's), else lrlab's correctly rounded one (≤ 1 ulp in ~0.1% of elements).
 *  - numel < 16: one double-precision sample per element from `normal_distribution<double>`:
 *    if the generator holds a cached sample, use it; else u1, u2 = two double uniforms,
 *    r = √(−2·log1p(−u2)), θ = 2π·u1, cache r·sin θ and return r·cos θ; the element is
 *    fma(sample, std, mean) rounded to the tensor's dtype. The cache lives in the generator, so
 *    it carries over between calls (and `manual_seed` clears it).
 *
 * Integers in [low, high): range = high − low; if range ≥ 2^28 draw 64 bits, else 32, and take
 *   (draw mod range) + low.
 * Exponential(λ): u = double uniform, x = (−1/λ)·log1p(−u), rounded to the dtype.
 * Bernoulli(p): u = uniform in p's precision (a double for a number p), x = u < p ? 1 : 0.
 * randperm(n): for n < (2^32 − 1)/20, start from the identity and for i = 0..n−2 swap r[i] with
 *   r[i + (draw32 mod (n − i))]; for larger n the "inside-out" Fisher-Yates with 64-bit draws:
 *   for i = 0..n−1, z = draw64 mod (i + 1), r[i] = r[z], r[z] = i.
 *
 * Speed (results unchanged, bit for bit: test/random/fast_*.test.ts compares every sampler with
 * the one-draw-at-a-time reference in test/random/scalar_reference.ts). Words are drawn in bulk
 * (`MT19937.fill`, CHUNK at a time into a scratch array), and exact shortcuts replace the
 * emulated fused multiply-add where the result is provably the same:
 *  - fma(u, r, 0) = RN(u·r) + 0: the fused result rounds the exact product once, as RN(u·r) does,
 *    and adding a zero (either sign) is exact and gives the sum's IEEE sign of zero in both. For
 *    float32, u·r (24 × 24 bits) is exact in a double, so RN_f32(u·r) = fround(u·r). With r = 1
 *    (torch.rand) this is u itself.
 *  - float64 Box-Muller: `logFast` (log_fast.ts: a fast evaluation with a proven error bound and a
 *    rounding test, falling back to the double-double `log`) returns log's bits at ~1/8 the cost.
 *  - with WebAssembly (wasm_rng.ts), the draws and their conversion to uniforms run there; the
 *    float32 Box-Muller block and the float32 fma(u, range, a) too when relaxed SIMD's
 *    multiply-add is a true FMA on this machine. Otherwise the JS loops below.
 */

import type { Generator } from "./generator";
import { fma, fmaf } from "./fpmath";
import { logFast } from "./log_fast";
import { normal_log } from "./native_libm";
import { log1p } from "./log1p";
import { sincos, sincosOut } from "./sincos";
import { normalFill16Float } from "./avx_mathfun";
import { normalF32Wasm, uniformF32Wasm, uniformF64Wasm, wordsWasm } from "./wasm_rng";

const TWO_M24 = 5.9604644775390625e-8; // 2^-24
const TWO_M53 = 1.1102230246251565e-16; // 2^-53
const TWO_32 = 4294967296;
const TWO_PI = 6.283185307179586; // 2π rounded to double (the kernels' 2.0f·π, folded)

export type FloatStorage = Float32Array | Float64Array;

/** Elements per bulk draw; the scratch holds two words per element (float64 uniforms). */
const CHUNK = 4096;
const words = new Uint32Array(2 * CHUNK);

/** One uniform float32 in [0, 1): 24 random bits. */
export function uniformFloat01(gen: Generator): number {
  return (gen.random() & 0xffffff) * TWO_M24;
}

/** One uniform float64 in [0, 1): 53 random bits of a 64-bit draw. */
export function uniformDouble01(gen: Generator): number {
  return gen.random53() * TWO_M53;
}

/**
 * The next `count` (≤ CHUNK·2) words of `gen`, as a view valid until the next draw: from the
 * WebAssembly module when it is available, else from the JS bulk fill into `words`.
 */
function drawWords(gen: Generator, count: number): Uint32Array {
  const w = wordsWasm(gen.engine, count);
  if (w !== null) return w;
  gen.engine.fill(words, 0, count);
  return words;
}

/** Writes n float32 uniforms [0, 1) into d[off .. off + n) (one word each, in draw order). */
function drawFloat01(d: Float32Array, off: number, n: number, gen: Generator): void {
  if (uniformF32Wasm(gen.engine, d, off, n, 1, 0)) return;
  for (let start = 0; start < n; start += CHUNK) {
    const cnt = Math.min(CHUNK, n - start);
    gen.engine.fill(words, 0, cnt);
    const base = off + start;
    for (let i = 0; i < cnt; i++) d[base + i] = (words[i] & 0xffffff) * TWO_M24;
  }
}

/** Writes n float64 uniforms [0, 1) into d[off .. off + n) (two words each: high, then low). */
function drawDouble01(d: Float64Array, off: number, n: number, gen: Generator): void {
  if (uniformF64Wasm(gen.engine, d, off, n)) return;
  for (let start = 0; start < n; start += CHUNK) {
    const cnt = Math.min(CHUNK, n - start);
    gen.engine.fill(words, 0, 2 * cnt);
    const base = off + start;
    for (let i = 0; i < cnt; i++) d[base + i] = ((words[2 * i] & 0x1fffff) * TWO_32 + words[2 * i + 1]) * TWO_M53;
  }
}

/** Fills `data` with uniforms in [from, to) (float32 if `single`, else float64 arithmetic). */
export function fillUniform(data: FloatStorage, single: boolean, from: number, to: number, gen: Generator): void {
  const n = data.length;
  if (single) {
    const d = data as Float32Array;
    const a = Math.fround(from);
    const range = Math.fround(Math.fround(to) - a);
    if (uniformF32Wasm(gen.engine, d, 0, n, range, a)) return; // fma in WebAssembly
    drawFloat01(d, 0, n, gen);
    if (a === 0) {
      // fmaf(u, range, ±0) = fround(u·range) + a (file comment); u itself when range = 1.
      if (range !== 1) for (let i = 0; i < n; i++) d[i] = Math.fround(d[i] * range) + a;
    } else {
      for (let i = 0; i < n; i++) d[i] = fmaf(d[i], range, a);
    }
  } else {
    const d = data as Float64Array;
    const range = to - from;
    drawDouble01(d, 0, n, gen);
    if (from === 0) {
      if (range !== 1) for (let i = 0; i < n; i++) d[i] = d[i] * range + from;
    } else {
      for (let i = 0; i < n; i++) d[i] = fma(d[i], range, from);
    }
  }
}

/** One standard-normal double from the scalar path (uses and refills the generator's cache). */
export function normalDoubleSample(gen: Generator): number {
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

/** In-place normal fill with PyTorch's choice of path (see the file comment). */
export function fillNormal(data: FloatStorage, single: boolean, mean: number, std: number, gen: Generator): void {
  const n = data.length;
  if (n < 16) {
    for (let i = 0; i < n; i++) data[i] = fma(normalDoubleSample(gen), std, mean);
    return;
  }
  if (single) {
    const d = data as Float32Array;
    const m = Math.fround(mean);
    const s = Math.fround(std);
    if (normalF32Wasm(gen.engine, d, m, s)) return;
    drawFloat01(d, 0, n, gen);
    for (let i = 0; i + 16 <= n; i += 16) normalFill16Float(d, i, m, s);
    if (n % 16 !== 0) {
      drawFloat01(d, n - 16, 16, gen);
      normalFill16Float(d, n - 16, m, s);
    }
  } else {
    const d = data as Float64Array;
    drawDouble01(d, 0, n, gen);
    const logOf = normal_log(logFast); // chosen once per call, not per block
    for (let i = 0; i + 16 <= n; i += 16) normalFill16Double(d, i, mean, std, logOf);
    if (n % 16 !== 0) {
      drawDouble01(d, n - 16, 16, gen);
      normalFill16Double(d, n - 16, mean, std, logOf);
    }
  }
}

/**
 * PyTorch's serial normal path, one scalar sample per element in the order given: what it takes
 * for fewer than 16 elements and for any non-contiguous tensor (filled in memory order).
 */
export function fillNormalSerial(data: FloatStorage, mean: number, std: number, gen: Generator): void {
  for (let i = 0; i < data.length; i++) data[i] = fma(normalDoubleSample(gen), std, mean);
}

/**
 * The double-precision Box-Muller block (generic NormalFill16<double>). With std = 1 and mean = ±0
 * (randn), fma(x, 1, mean) = x + mean exactly: the product is exact, and the sum of zeros gets the
 * same IEEE sign either way. Other std keep the emulated fma: a rounded x·std could underflow to
 * −0 where the fused x·std + 0 gives +0.
 */
function normalFill16Double(d: Float64Array, off: number, mean: number, std: number, logOf: (x: number) => number): void {
  if (mean === 0 && std === 1) {
    for (let j = 0; j < 8; j++) {
      const u1 = 1 - d[off + j];
      const u2 = d[off + j + 8];
      const radius = Math.sqrt(-2 * logOf(u1));
      sincos(TWO_PI * u2);
      d[off + j] = radius * sincosOut.cos + mean;
      d[off + j + 8] = radius * sincosOut.sin + mean;
    }
    return;
  }
  for (let j = 0; j < 8; j++) {
    const u1 = 1 - d[off + j];
    const u2 = d[off + j + 8];
    const radius = Math.sqrt(-2 * logOf(u1));
    sincos(TWO_PI * u2);
    d[off + j] = fma(radius * sincosOut.cos, std, mean);
    d[off + j + 8] = fma(radius * sincosOut.sin, std, mean);
  }
}

/**
 * x mod d for a word x < 2^32 and an integer d ≥ 1, without `%` (V8 compiles it to a slow call
 * here, ~9 ns): x − ⌊x/d⌋·d. Exact: if x/d is not an integer it is at least 1/d below the next
 * one, while rounding x/d to a double moves it by at most ulp/2 ≤ (x/d)·2^-53 < 2^-21/d, so the
 * floor is the true quotient; the product and difference are integers below 2^53.
 */
function mod32(x: number, d: number): number {
  return x - Math.floor(x / d) * d;
}

/** Fills with integers uniform in [low, high) (PyTorch's random_(from, to) kernel). */
export function fillRandomInt(data: FloatStorage, low: number, high: number, gen: Generator): void {
  const n = data.length;
  const range = high - low;
  if (range < 2 ** 28) {
    for (let start = 0; start < n; start += CHUNK) {
      const cnt = Math.min(CHUNK, n - start);
      const w = drawWords(gen, cnt);
      for (let i = 0; i < cnt; i++) data[start + i] = mod32(w[i], range) + low;
    }
  } else {
    const r = BigInt(range);
    const b = BigInt(low);
    for (let i = 0; i < n; i++) data[i] = Number((gen.random64() % r) + b);
  }
}

/** PyTorch's switch from 32-bit swaps to the 64-bit inside-out shuffle: (2^32 − 1)/20. */
export const RANDPERM_SMALL_LIMIT = Math.floor(0xffffffff / 20);

/**
 * Fills data[0..n) with a random permutation of 0..n−1 (PyTorch's randperm_cpu). `smallLimit` is
 * PyTorch's threshold; tests lower it to exercise the large-n algorithm on small n.
 */
export function fillRandperm(data: FloatStorage, gen: Generator, smallLimit = RANDPERM_SMALL_LIMIT): void {
  const n = data.length;
  if (n < smallLimit) {
    for (let i = 0; i < n; i++) data[i] = i;
    // one draw per swap, i = 0..n−2: drawn CHUNK at a time
    for (let start = 0; start < n - 1; start += CHUNK) {
      const cnt = Math.min(CHUNK, n - 1 - start);
      const w = drawWords(gen, cnt);
      for (let k = 0; k < cnt; k++) {
        const i = start + k;
        const z = mod32(w[k], n - i);
        const t = data[i];
        data[i] = data[z + i];
        data[z + i] = t;
      }
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const z = Number(gen.random64() % BigInt(i + 1));
    data[i] = data[z];
    data[z] = i;
  }
}

/** Bernoulli draws with per-element probabilities (PyTorch's tensor-p kernel). */
export function fillBernoulliTensor(out: FloatStorage, p: FloatStorage, pSingle: boolean, gen: Generator): void {
  const n = out.length;
  for (let start = 0; start < n; start += CHUNK) {
    const cnt = Math.min(CHUNK, n - start);
    if (pSingle) {
      const w = drawWords(gen, cnt);
      for (let i = 0; i < cnt; i++) out[start + i] = (w[i] & 0xffffff) * TWO_M24 < p[start + i] ? 1 : 0;
    } else {
      const w = drawWords(gen, 2 * cnt);
      for (let i = 0; i < cnt; i++) {
        const u = ((w[2 * i] & 0x1fffff) * TWO_32 + w[2 * i + 1]) * TWO_M53;
        out[start + i] = u < p[start + i] ? 1 : 0;
      }
    }
  }
}

/** Exponential draws with rate `lambd` (PyTorch's CPU exponential kernel). */
export function fillExponential(data: FloatStorage, lambd: number, gen: Generator): void {
  const scale = -1 / lambd;
  const n = data.length;
  for (let start = 0; start < n; start += CHUNK) {
    const cnt = Math.min(CHUNK, n - start);
    const w = drawWords(gen, 2 * cnt);
    for (let i = 0; i < cnt; i++) {
      const u = ((w[2 * i] & 0x1fffff) * TWO_32 + w[2 * i + 1]) * TWO_M53;
      data[start + i] = scale * log1p(-u);
    }
  }
}

/** Bernoulli draws with one probability for all elements (PyTorch's scalar-p kernel). */
export function fillBernoulliScalar(out: FloatStorage, p: number, gen: Generator): void {
  const n = out.length;
  for (let start = 0; start < n; start += CHUNK) {
    const cnt = Math.min(CHUNK, n - start);
    const w = drawWords(gen, 2 * cnt);
    for (let i = 0; i < cnt; i++) {
      const u = ((w[2 * i] & 0x1fffff) * TWO_32 + w[2 * i + 1]) * TWO_M53;
      out[start + i] = u < p ? 1 : 0;
    }
  }
}
