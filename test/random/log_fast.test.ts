/**
 * log_fast.ts's `logFast` (Ziv: fast evaluation + rounding test + double-double fallback) must
 * return exactly libm.ts `log`'s bits; and fpmath's inlined `fma` exactly the old composed one
 * (twoProd → twoSum → round-to-odd → sum), kept here as the reference.
 */
import { describe, expect, it } from "vitest";
import { log } from "../../kernel/src/random/libm";
import { logFast } from "../../kernel/src/random/log_fast";
import { errOut, fma, twoProd, twoSum } from "../../kernel/src/random/fpmath";

/** xorshift128+ words: deterministic inputs. */
function rng(seed: number): () => number {
  let a = seed >>> 0 || 1, b = 0x9e3779b9, c = 0x85ebca6b, d = 0xc2b2ae35;
  return () => {
    const t = a ^ (a << 11);
    a = b; b = c; c = d;
    d = (d ^ (d >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return d;
  };
}

const buf = new Float64Array(1);
const words = new Uint32Array(buf.buffer);

/** Counts inputs where logFast and log differ (bitwise), reporting the first few. */
function mismatches(xs: Float64Array, seen: number[]): number {
  let bad = 0;
  for (let i = 0; i < xs.length; i++) {
    const a = log(xs[i]);
    const f = logFast(xs[i]);
    if (!Object.is(a, f)) {
      bad++;
      if (seen.length < 5) seen.push(xs[i]);
    }
  }
  return bad;
}

describe("logFast", () => {
  it("equals log bit for bit on 10 million sampler-form and random inputs", () => {
    const next = rng(12345);
    const n = 1_000_000;
    const xs = new Float64Array(n);
    const seen: number[] = [];
    let bad = 0;
    for (let batch = 0; batch < 10; batch++) {
      for (let i = 0; i < n; i++) {
        const w1 = next() & 0x1fffff, w0 = next();
        const k53 = w1 * 2 ** 32 + w0; // a 53-bit draw
        switch (batch) {
          case 0: case 1: case 2: case 3:
            xs[i] = 1 - k53 * 2 ** -53; // u1 = 1 − u as the sampler forms it
            break;
          case 4:
            xs[i] = 1 - (batch * n + i - 4 * n + 1) * 2 ** -53; // u1 nearest 1 (log ≈ −k·2^-53)
            break;
          case 5:
            xs[i] = 1 - (w0 & 0xffff) * 2 ** -20 - (w1 & 0xff) * 2 ** -53; // near the table points
            break;
          case 6:
            xs[i] = (w0 >>> 10) * 2 ** -53 + 2 ** -53; // u1 small: 1 − u for u near 1
            break;
          default:
            words[0] = w0;
            words[1] = (w1 << 11 | next() >>> 21) % 0x7ff00000; // any positive finite double
            xs[i] = buf[0];
        }
      }
      bad += mismatches(xs, seen);
    }
    expect(seen).toEqual([]);
    expect(bad).toBe(0);
  }, 60_000);

  it("matches on special, boundary and table inputs", () => {
    const xs: number[] = [0, -0, -1, NaN, Infinity, -Infinity, 1, 5e-324, 2.2250738585072014e-308,
      2.225073858507201e-308, Number.MAX_VALUE, Math.SQRT2, Math.SQRT1_2, 2, 0.5, Math.E, 1 - 2 ** -53,
      1 + 2 ** -52, 2 ** -53];
    for (let n = 181; n <= 362; n++) {
      for (const e of [-3, 0, 5]) {
        const c = (n / 256) * 2 ** e;
        xs.push(c, c * (1 + 2 ** -52), c * (1 - 2 ** -53), 256 / n, (256 / (n + 0.5)) * 2 ** e);
      }
    }
    for (const x of xs) expect(Object.is(logFast(x), log(x)), `log(${x})`).toBe(true);
  });
});

/** The previous fma, composed from the exported error-free transformations. */
function fmaComposed(a: number, b: number, c: number): number {
  const p = twoProd(a, b);
  const e = errOut;
  if (!Number.isFinite(p) || !Number.isFinite(c)) return a * b + c;
  if (e === 0) return p + c;
  const s = twoSum(p, c);
  const t = errOut;
  // t + e rounded to odd
  const v = twoSum(t, e);
  const w = errOut;
  if (w === 0 || !Number.isFinite(v)) return s + v;
  buf[0] = v;
  if ((words[0] & 1) === 0) {
    const lo = words[0];
    if ((w > 0) === (v > 0)) {
      words[0] = (lo + 1) >>> 0;
      if (words[0] === 0) words[1]++;
    } else {
      words[0] = (lo - 1) >>> 0;
      if (lo === 0) words[1]--;
    }
    return s + buf[0];
  }
  return s + v;
}

describe("fma (inlined)", () => {
  it("equals the composed algorithm on random, cancelling and edge operands", () => {
    const next = rng(777);
    const rand = (): number => {
      words[0] = next();
      words[1] = next();
      return buf[0];
    };
    const unit = (): number => (next() * 2 ** 32 + next()) * 2 ** -64 * (next() & 1 ? -1 : 1);
    const edge = [0, -0, 1, -1, Infinity, -Infinity, NaN, 2 ** 1000, -(2 ** 1000), 5e-324, 1e308, 2 ** -1074 * 3];
    let bad = 0;
    for (let i = 0; i < 300_000; i++) {
      let a: number, b: number, c: number;
      switch (i % 4) {
        case 0: a = rand(); b = rand(); c = rand(); break;
        case 1: a = unit(); b = unit(); c = -(a * b) * (1 + unit() * 2 ** -40); break;
        case 2: a = unit() * 4; b = unit(); c = unit() * 2 ** ((next() % 120) - 60); break;
        default: a = edge[next() % edge.length]; b = i % 8 === 3 ? rand() : unit(); c = edge[next() % edge.length];
      }
      if (!Object.is(fma(a, b, c), fmaComposed(a, b, c))) bad++;
    }
    expect(bad).toBe(0);
  });
});

