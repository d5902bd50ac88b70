/**
 * The fast samplers (bulk MT19937 draws, the WebAssembly module, the exact fma shortcuts) against
 * the one-draw-at-a-time reference (scalar_reference.ts): same bits for every element, same
 * generator state afterwards (get_state() bytes and the following draws), in each of the three
 * configurations: WebAssembly with fused kernels (when this machine has them), WebAssembly draws
 * only, and JS only.
 */
import { afterAll, describe, expect, it } from "vitest";
import { Generator } from "../../kernel/src/random/generator";
import {
  fillBernoulliScalar, fillBernoulliTensor, fillExponential, fillNormal, fillRandomInt, fillRandperm, fillUniform,
} from "../../kernel/src/random/kernels";
import { MT19937 } from "../../kernel/src/random/mt19937";
import {
  fillBernoulliScalarScalar, fillBernoulliTensorScalar, fillExponentialScalar, fillNormalScalar, fillRandomIntScalar,
  fillRandpermScalar, fillUniformScalar, twistReference,
} from "./scalar_reference";
import { random_wasm_kind, reload_random_wasm, set_random_wasm_enabled } from "../../kernel/src/random/wasm_rng";

type Store = Float32Array | Float64Array;

/** Element-wise bit patterns (a mismatch message names the first differing index). */
function sameBits(a: Store, b: Store, what: string): void {
  expect(a.length, what).toBe(b.length);
  const ua = new Uint32Array(a.buffer, a.byteOffset, (a.length * a.BYTES_PER_ELEMENT) / 4);
  const ub = new Uint32Array(b.buffer, b.byteOffset, (b.length * b.BYTES_PER_ELEMENT) / 4);
  for (let i = 0; i < ua.length; i++) {
    if (ua[i] !== ub[i]) {
      const e = Math.floor(i / (a.BYTES_PER_ELEMENT / 4));
      expect(`${what}: element ${e} = ${a[e]}`).toBe(`${what}: element ${e} = ${b[e]}`);
    }
  }
}

/** Two generators in the same state: seeded, then `skip` single draws (moves left/next). */
function pair(seed: number, skip: number): [Generator, Generator] {
  const a = new Generator().manual_seed(seed);
  const b = new Generator().manual_seed(seed);
  for (let i = 0; i < skip; i++) { a.random(); b.random(); }
  return [a, b];
}

function sameState(a: Generator, b: Generator, what: string): void {
  expect(Array.from(a.get_state().data), `${what}: state`).toEqual(Array.from(b.get_state().data));
  for (let i = 0; i < 700; i++) if (a.random() !== b.random()) expect(`${what}: draw ${i} after`).toBe("equal");
}

const MODES = ["wasm+fma", "wasm draws only", "js"] as const;
function setMode(mode: (typeof MODES)[number]): void {
  set_random_wasm_enabled(mode !== "js");
  if (mode !== "js") reload_random_wasm(mode === "wasm+fma");
  const kind = random_wasm_kind();
  if (mode === "js") expect(kind).toBe(null);
  else if (initialKind !== null) expect(kind).toBe(mode === "wasm+fma" ? initialKind : "simd");
}
/** What this machine offers (null: no WebAssembly SIMD; the wasm modes then test the JS path). */
const initialKind = random_wasm_kind();
afterAll(() => setMode("wasm+fma"));

const SEEDS = [0, 1, 2 ** 32 + 7];
const SKIPS = [0, 1, 623, 1000];
const SIZES = [1, 15, 16, 17, 31, 1000, 16389, 100003];

describe("MT19937 bulk draws", () => {
  it("the split twist equals the modulo twist", () => {
    const mt = new MT19937(123);
    const ref = Uint32Array.from(mt.state);
    for (let r = 0; r < 50; r++) {
      (mt as unknown as { twist(): void }).twist();
      twistReference(ref);
      expect(Array.from(mt.state)).toEqual(Array.from(ref));
    }
  });

  it("fill gives the words and counters of as many nextUint32 calls", () => {
    for (const count of [0, 1, 3, 623, 624, 625, 1300, 5000]) {
      for (const skip of [0, 1, 2, 622, 623, 624]) {
        const a = new MT19937(99);
        const b = new MT19937(99);
        for (let i = 0; i < skip; i++) { a.nextUint32(); b.nextUint32(); }
        const out = new Uint32Array(count + 2);
        a.fill(out, 1, count);
        const ref = Array.from({ length: count }, () => b.nextUint32());
        expect(Array.from(out.subarray(1, count + 1))).toEqual(ref);
        expect([a.left, a.next]).toEqual([b.left, b.next]);
        expect(Array.from(a.state)).toEqual(Array.from(b.state));
      }
    }
  });

  it("a corrupt-but-accepted state (next + left − 1 > 624) draws as the scalar path does", () => {
    for (const mode of MODES) {
      setMode(mode);
      const [a, b] = pair(5, 0);
      const st = Array.from(a.get_state().data);
      // left = 600, next = 600 (set_state accepts both)
      st[8] = 600 & 255; st[9] = 600 >> 8; st[16] = 600 & 255; st[17] = 600 >> 8;
      a.set_state(st); b.set_state(st);
      const da = new Float32Array(700), db = new Float32Array(700);
      fillUniform(da, true, 0, 1, a);
      fillUniformScalar(db, true, 0, 1, b);
      sameBits(da, db, mode);
      sameState(a, b, mode);
    }
  });
});

describe("fast samplers equal the scalar reference bit for bit", () => {
  it(`the machine's WebAssembly kind is reported (${random_wasm_kind()})`, () => {
    expect([null, "simd", "simd+fma"]).toContain(random_wasm_kind());
  });

  for (const mode of MODES) {
    describe(mode, () => {
      it("uniform float32 and float64 over bounds, seeds, sizes and draw offsets", () => {
        setMode(mode);
        const b784 = 1 / Math.sqrt(784);
        const bounds: [number, number][] = [[0, 1], [-b784, b784], [2, 5], [-0, 1], [0, 0.5], [-1e-3, 0], [0, -0], [-3e38, 3e38], [0, 0]];
        for (const single of [true, false]) {
          for (const [from, to] of bounds) {
            for (const seed of SEEDS) {
              const skip = SKIPS[(seed + Math.round(from * 7)) & 3];
              for (const n of SIZES) {
                const [a, b] = pair(seed, skip);
                const da = single ? new Float32Array(n) : new Float64Array(n);
                const db = single ? new Float32Array(n) : new Float64Array(n);
                fillUniform(da, single, from, to, a);
                fillUniformScalar(db, single, from, to, b);
                const what = `${mode} uniform(${from}, ${to}) ${single ? "f32" : "f64"} seed ${seed} skip ${skip} n ${n}`;
                sameBits(da, db, what);
                sameState(a, b, what);
              }
            }
          }
        }
      });

      it("normal float32 over mean/std, seeds, sizes and draw offsets", () => {
        setMode(mode);
        const params: [number, number][] = [[0, 1], [0.5, 2], [-3, 0.01], [0, 0], [1e30, 1e10], [0, Infinity]];
        for (const [mean, std] of params) {
          for (const seed of SEEDS) {
            for (const skip of SKIPS) {
              for (const n of SIZES) {
                if (skip !== SKIPS[seed & 3] && n > 1000) continue;
                const [a, b] = pair(seed, skip);
                const da = new Float32Array(n), db = new Float32Array(n);
                fillNormal(da, true, mean, std, a);
                fillNormalScalar(db, true, mean, std, b);
                const what = `${mode} normal(${mean}, ${std}) f32 seed ${seed} skip ${skip} n ${n}`;
                sameBits(da, db, what);
                sameState(a, b, what);
              }
            }
          }
        }
      });

      it("normal float64 (fewer sizes: the reference is slow)", () => {
        setMode(mode);
        for (const [mean, std] of [[0, 1], [-0, 1], [0.5, 2]] as const) {
          for (const n of [1, 15, 16, 17, 1000, 16389]) {
            const [a, b] = pair(7, 3);
            const da = new Float64Array(n), db = new Float64Array(n);
            fillNormal(da, false, mean, std, a);
            fillNormalScalar(db, false, mean, std, b);
            const what = `${mode} normal(${mean}, ${std}) f64 n ${n}`;
            sameBits(da, db, what);
            sameState(a, b, what);
          }
        }
      });

      it("randint, randperm, bernoulli, exponential", () => {
        setMode(mode);
        for (const n of [1, 17, 1000, 10007]) {
          for (const [low, high] of [[0, 10], [-5, 3], [0, 2 ** 27], [7, 2 ** 28 + 10]]) {
            for (const single of [true, false]) {
              const [a, b] = pair(n, 1);
              const da = single ? new Float32Array(n) : new Float64Array(n);
              const db = single ? new Float32Array(n) : new Float64Array(n);
              fillRandomInt(da, low, high, a);
              fillRandomIntScalar(db, low, high, b);
              sameBits(da, db, `${mode} randint(${low}, ${high}) n ${n}`);
              sameState(a, b, `${mode} randint n ${n}`);
            }
          }
          for (const limit of [2 ** 31, 5]) {
            const [a, b] = pair(n, 2);
            const da = new Float64Array(n), db = new Float64Array(n);
            fillRandperm(da, a, limit);
            fillRandpermScalar(db, b, limit);
            sameBits(da, db, `${mode} randperm(${n}) limit ${limit}`);
            sameState(a, b, `${mode} randperm(${n})`);
          }
          for (const pSingle of [true, false]) {
            const p = pSingle ? new Float32Array(n) : new Float64Array(n);
            for (let i = 0; i < n; i++) p[i] = (i % 11) / 10;
            const [a, b] = pair(n, 3);
            const da = new Float64Array(n), db = new Float64Array(n);
            fillBernoulliTensor(da, p, pSingle, a);
            fillBernoulliTensorScalar(db, p, pSingle, b);
            sameBits(da, db, `${mode} bernoulli(tensor p) n ${n}`);
            sameState(a, b, `${mode} bernoulli n ${n}`);
          }
          {
            const [a, b] = pair(n, 4);
            const da = new Float32Array(n), db = new Float32Array(n);
            fillBernoulliScalar(da, 0.3, a);
            fillBernoulliScalarScalar(db, 0.3, b);
            sameBits(da, db, `${mode} bernoulli(0.3) n ${n}`);
            sameState(a, b, `${mode} bernoulli(0.3) n ${n}`);
          }
          {
            const [a, b] = pair(n, 5);
            const da = new Float64Array(n), db = new Float64Array(n);
            fillExponential(da, 1.5, a);
            fillExponentialScalar(db, 1.5, b);
            sameBits(da, db, `${mode} exponential n ${n}`);
            sameState(a, b, `${mode} exponential n ${n}`);
          }
        }
      });

      it("sample moments are those of the distributions (sanity)", () => {
        setMode(mode);
        const g = new Generator().manual_seed(2024);
        const d = new Float32Array(100003);
        fillNormal(d, true, 0, 1, g);
        let s = 0, s2 = 0;
        for (const x of d) { s += x; s2 += x * x; }
        const mean = s / d.length, std = Math.sqrt(s2 / d.length - mean * mean);
        expect(Math.abs(mean)).toBeLessThan(0.01);
        expect(Math.abs(std - 1)).toBeLessThan(0.01);
        fillUniform(d, true, -2, 2, g);
        s = 0;
        let outside = 0;
        for (const x of d) { s += x; if (!(x >= -2 && x < 2)) outside++; }
        expect(outside).toBe(0);
        expect(Math.abs(s / d.length)).toBeLessThan(0.02);
      });
    });
  }
});
