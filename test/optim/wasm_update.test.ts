/**
 * The WebAssembly SIMD update loops (kernel/src/optim/wasm), and SGD's native update of float32
 * parameters (kernel/native/sgd_update.h, optim/native_update.ts), are bit-identical to the JS
 * loops: every optimizer path they cover runs several steps twice, once with the module (or the
 * native update) and once with it switched off, and every byte of the parameters and state
 * tensors must match.
 *
 * The runs mix two param groups (different lr), a None grad on some steps, an lr change
 * mid-run, sizes around WASM_MIN_ELEMENTS and across chunks (odd lengths), and values including
 * ±0, NaNs (two payloads, both signs), ±Inf, float32 extremes and subnormals, huge and tiny
 * magnitudes.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { Adagrad, Adam, AdamW, RMSprop, SGD } from "../../kernel/src/optim/index";
import type { Optimizer } from "../../kernel/src/optim/optimizer";
import { CHUNK, optim_wasm, set_optim_wasm_enabled } from "../../kernel/src/optim/wasm/instance";
import { WASM_MIN_ELEMENTS, optim_wasm_stats } from "../../kernel/src/optim/wasm/update";
import { native_update_stats, set_native_update_enabled } from "../../kernel/src/optim/native_update";
import { native_in_place } from "../../kernel/src/trace/native_sums";
import { rng } from "../tensor/gradcheck";

type DType = "float32" | "float64";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const gen = require("../../kernel/scripts/gen_optim_wasm.cjs") as { source(): string; OUT: string };

const SPECIAL = [0, -0, NaN, Infinity, -Infinity, 3e38, -3e38, 1e-40, -1e-42, 1e-30, -1e30, 65504];
const SPECIAL64 = [1e300, -1e-310, 5e-324];
/** NaN bit patterns besides JS's canonical one: negative (x86's default NaN) and with a payload. */
const NAN32 = [0xffc00000, 0x7fc00123];
const NAN64 = [[0, 0xfff80000], [0x123, 0x7ff80000]];

/** Values of varied magnitude, about one in ten special (see the file comment). */
function values(n: number, seed: number, dtype: DType, specials: boolean): Tensor {
  const r = rng(seed);
  const data = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  const pool = dtype === "float32" ? SPECIAL : [...SPECIAL, ...SPECIAL64];
  for (let i = 0; i < n; i++) {
    const u = r();
    if (specials && u < 0.1) data[i] = pool[Math.floor(r() * pool.length)];
    else data[i] = (r() - 0.5) * 10 ** Math.floor(r() * 8 - 4);
  }
  if (specials) {
    // A few NaNs with other bit patterns, at seed-dependent positions.
    for (let k = 0; k < 4; k++) {
      const i = Math.floor(r() * n);
      if (data instanceof Float32Array) new Uint32Array(data.buffer)[i] = NAN32[k % 2];
      else new Uint32Array(data.buffer).set(NAN64[k % 2], 2 * i);
    }
  }
  return new Tensor(data, [n], dtype, true);
}

const bytesOf = (t: Tensor): Uint8Array => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);

interface Run {
  /** Every parameter and state value, in a fixed order, as bytes (tensors) or numbers. */
  snapshot: { name: string; value: Uint8Array | number }[];
  wasmUpdates: number;
  nativeUpdates: number;
}

const SIZES_A = [WASM_MIN_ELEMENTS - 1, WASM_MIN_ELEMENTS, WASM_MIN_ELEMENTS + 1];
const SIZES_B = [1027, 2 * CHUNK + 5, 3];

function run(make: (groups: object[]) => Optimizer, dtype: DType, wasmOn: boolean, specials: boolean, steps = 9, nativeOn = false): Run {
  set_optim_wasm_enabled(wasmOn);
  set_native_update_enabled(nativeOn);
  const before = optim_wasm_stats.updates, nativeBefore = native_update_stats.updates;
  try {
    const a = SIZES_A.map((n, k) => values(n, 100 + k, dtype, specials));
    const b = SIZES_B.map((n, k) => values(n, 200 + k, dtype, specials));
    const opt = make([{ params: a }, { params: b, lr: 0.003 }]);
    const all = [...a, ...b];
    for (let s = 0; s < steps; s++) {
      all.forEach((p, k) => {
        p.grad = values(p.data.length, 1000 * s + k, dtype, specials);
      });
      if (s === 2 || s === 5) b[0].grad = null; // a None grad: the parameter is skipped
      if (s === 7) b[1].grad = null;
      if (s === 4) for (const g of opt.param_groups) g.lr = (g.lr as number) * 0.5;
      opt.step();
    }
    const snapshot: Run["snapshot"] = [];
    all.forEach((p, k) => {
      snapshot.push({ name: `param ${k}`, value: bytesOf(p) });
      const st = opt.state.get(p) ?? {};
      for (const key of Object.keys(st).sort()) {
        const v = st[key];
        snapshot.push({ name: `param ${k} ${key}`, value: v instanceof Tensor ? bytesOf(v) : (v as number) });
      }
    });
    return { snapshot, wasmUpdates: optim_wasm_stats.updates - before, nativeUpdates: native_update_stats.updates - nativeBefore };
  } finally {
    set_optim_wasm_enabled(true);
    set_native_update_enabled(true);
  }
}

/** First differing element of two byte snapshots, for a readable failure. */
function firstDiff(a: Uint8Array, b: Uint8Array, dtype: DType): string | null {
  if (a.length !== b.length) return `lengths ${a.length} vs ${b.length}`;
  const esz = dtype === "float32" ? 4 : 8;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      const e = Math.floor(i / esz);
      const hex = (x: Uint8Array) => Buffer.from(x.subarray(e * esz, (e + 1) * esz)).reverse().toString("hex");
      return `element ${e}: wasm 0x${hex(a)} vs JS 0x${hex(b)}`;
    }
  }
  return null;
}

/** `native`: the native update on (the WebAssembly loops too, for what it leaves) against the JS loops. */
function expectIdentical(make: (groups: object[]) => Optimizer, dtype: DType, specials: boolean, native = false): void {
  const w = run(make, dtype, true, specials, 9, native);
  const js = run(make, dtype, false, specials);
  if (native) expect(w.nativeUpdates).toBeGreaterThan(0);
  else expect(w.wasmUpdates).toBeGreaterThan(0);
  expect(js.wasmUpdates + js.nativeUpdates).toBe(0);
  expect(w.snapshot.map((x) => x.name)).toEqual(js.snapshot.map((x) => x.name));
  w.snapshot.forEach((x, k) => {
    const y = js.snapshot[k].value;
    if (typeof x.value === "number") expect(x.value, x.name).toBe(y);
    else expect(firstDiff(x.value, y as Uint8Array, dtype), x.name).toBeNull();
  });
}

const SGD_CASES: Record<string, object> = {
  "plain": { lr: 0.1 },
  "weight_decay": { lr: 0.1, weight_decay: 0.01 },
  "maximize": { lr: 0.1, maximize: true, weight_decay: 0.01 },
  "momentum": { lr: 0.1, momentum: 0.9 },
  "momentum, dampening": { lr: 0.1, momentum: 0.9, dampening: 0.3 },
  "momentum, weight_decay, maximize": { lr: 0.1, momentum: 0.8, weight_decay: 1e-3, maximize: true },
  "nesterov": { lr: 0.1, momentum: 0.9, nesterov: true },
  "nesterov, weight_decay": { lr: 0.1, momentum: 0.9, nesterov: true, weight_decay: 0.05 },
};
const ADAM_CASES: Record<string, [typeof Adam, object]> = {
  "Adam": [Adam, { lr: 0.01 }],
  "Adam weight_decay (L2)": [Adam, { lr: 0.01, weight_decay: 0.1 }],
  "Adam amsgrad": [Adam, { lr: 0.01, amsgrad: true }],
  "Adam amsgrad, L2, maximize": [Adam, { lr: 0.01, amsgrad: true, weight_decay: 0.01, maximize: true }],
  "Adam betas (0.3, 0.9): lerp's other form": [Adam, { lr: 0.01, betas: [0.3, 0.9] }],
  "Adam eps 0.1, betas (0.5, 0.5)": [Adam, { lr: 0.01, betas: [0.5, 0.5], eps: 0.1 }],
  "AdamW": [AdamW, { lr: 0.01 }],
  "AdamW weight_decay 0": [AdamW, { lr: 0.01, weight_decay: 0 }],
  "AdamW amsgrad, maximize": [AdamW, { lr: 0.01, amsgrad: true, maximize: true, weight_decay: 0.1 }],
  "Adam decoupled_weight_decay, betas (0.2, 0.99)": [Adam, { lr: 0.02, betas: [0.2, 0.99], decoupled_weight_decay: true, weight_decay: 0.3 }],
};
/** lerp's form follows w = 1 − α: α > 0.5 gives ḡ + w·(g − ḡ), else g + (w − 1)·(g − ḡ). */
const RMSPROP_CASES: Record<string, object> = {
  "plain": { lr: 0.01 },
  "weight_decay, maximize": { lr: 0.01, weight_decay: 0.1, maximize: true },
  "centered": { lr: 0.01, centered: true },
  "centered, alpha 0.3: lerp's other form, weight_decay": { lr: 0.01, centered: true, alpha: 0.3, weight_decay: 0.01 },
  "momentum": { lr: 0.01, momentum: 0.9 },
  "momentum, weight_decay, maximize, eps 0.1": { lr: 0.01, momentum: 0.5, weight_decay: 1e-3, maximize: true, eps: 0.1 },
  "centered, momentum": { lr: 0.01, centered: true, momentum: 0.9 },
  "centered, momentum, alpha 0.5, weight_decay, maximize": { lr: 0.01, centered: true, momentum: 0.3, alpha: 0.5, weight_decay: 0.2, maximize: true },
};
const ADAGRAD_CASES: Record<string, object> = {
  "plain": { lr: 0.01 },
  "lr_decay": { lr: 0.01, lr_decay: 0.1 },
  "weight_decay, maximize": { lr: 0.01, weight_decay: 0.1, maximize: true },
  "initial_accumulator_value, lr_decay, weight_decay, eps 0.1": { lr: 0.1, initial_accumulator_value: 0.3, lr_decay: 0.01, weight_decay: 1e-3, eps: 0.1 },
};

describe("the native update loops of float32 parameters (SGD, Adam/AdamW, RMSprop, Adagrad)", () => {
  // skipped only where set-up built no addon (no C compiler) or the processor lacks AVX2 and FMA
  const itNative = native_in_place() ? it : it.skip;
  for (const specials of [false, true]) {
    for (const [name, o] of Object.entries(SGD_CASES)) {
      itNative(`SGD ${name} (float32${specials ? ", special values" : ""}): every byte as the JS loop`, () => {
        expectIdentical((groups) => new SGD(groups as never, o), "float32", specials, true);
      });
    }
  }

  for (const specials of [false, true]) {
    const tag = `float32${specials ? ", special values" : ""}`;
    for (const [name, [cls, o]] of Object.entries(ADAM_CASES)) {
      itNative(`${name} (${tag}): every byte as the JS loop`, () => {
        expectIdentical((groups) => new cls(groups as never, o), "float32", specials, true);
      });
    }
    for (const [name, o] of Object.entries(RMSPROP_CASES)) {
      itNative(`RMSprop ${name} (${tag}): every byte as the JS loop`, () => {
        expectIdentical((groups) => new RMSprop(groups as never, o), "float32", specials, true);
      });
    }
    for (const [name, o] of Object.entries(ADAGRAD_CASES)) {
      itNative(`Adagrad ${name} (${tag}): every byte as the JS loop`, () => {
        expectIdentical((groups) => new Adagrad(groups as never, o), "float32", specials, true);
      });
    }
  }

  itNative("leaves float64 parameters and those below WASM_MIN_ELEMENTS to the other loops", () => {
    const before = native_update_stats.updates;
    for (const [n, dtype] of [[WASM_MIN_ELEMENTS - 1, "float32"], [WASM_MIN_ELEMENTS + 3, "float64"]] as const) {
      const p = values(n, 1, dtype, false);
      const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
      for (let s = 0; s < 3; s++) {
        p.grad = values(n, 2 + s, dtype, false);
        opt.step();
      }
    }
    expect(native_update_stats.updates).toBe(before);
  });
});

describe("WebAssembly optimizer loops", () => {
  it("the module loads here (Node has WebAssembly SIMD) unless LRLAB_WASM=0, and can be switched off", () => {
    const on = process.env.LRLAB_WASM !== "0";
    expect(optim_wasm() !== null).toBe(on);
    set_optim_wasm_enabled(false);
    expect(optim_wasm()).toBeNull();
    set_optim_wasm_enabled(true);
    expect(optim_wasm() !== null).toBe(on);
  });

  it("kernel/src/optim/wasm/optim_bytes.ts is what gen_optim_wasm.cjs writes", () => {
    expect(readFileSync(gen.OUT, "utf8")).toBe(gen.source());
  });

  it("parameters below WASM_MIN_ELEMENTS stay on the JS loops", () => {
    const before = optim_wasm_stats.updates;
    const p = values(WASM_MIN_ELEMENTS - 1, 1, "float32", false);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    for (let s = 0; s < 3; s++) {
      p.grad = values(p.data.length, 2 + s, "float32", false);
      opt.step();
    }
    expect(optim_wasm_stats.updates).toBe(before);
  });

  for (const dtype of ["float32", "float64"] as const) {
    for (const specials of [false, true]) {
      const tag = `${dtype}${specials ? ", special values" : ""}`;
      for (const [name, o] of Object.entries(SGD_CASES)) {
        it(`SGD ${name} (${tag}): every byte as the JS loop`, () => {
          expectIdentical((groups) => new SGD(groups as never, o), dtype, specials);
        });
      }
      for (const [name, [cls, o]] of Object.entries(ADAM_CASES)) {
        it(`${name} (${tag}): every byte as the JS loop`, () => {
          expectIdentical((groups) => new cls(groups as never, o), dtype, specials);
        });
      }
      for (const [name, o] of Object.entries(RMSPROP_CASES)) {
        it(`RMSprop ${name} (${tag}): every byte as the JS loop`, () => {
          expectIdentical((groups) => new RMSprop(groups as never, o), dtype, specials);
        });
      }
      for (const [name, o] of Object.entries(ADAGRAD_CASES)) {
        it(`Adagrad ${name} (${tag}): every byte as the JS loop`, () => {
          expectIdentical((groups) => new Adagrad(groups as never, o), dtype, specials);
        });
      }
    }
  }
});
