/**
 * `torch.Generator` for the CPU: an MT19937 engine plus the one-sample normal cache that PyTorch's
 * scalar Box-Muller path keeps (it draws a pair of normals and caches the second one).
 *
 * Seeds are unsigned 64-bit integers as in PyTorch (negative seeds wrap modulo 2^64, so
 * `manual_seed(-1)` gives initial_seed 18446744073709551615); only their low 32 bits reach the
 * engine. `initial_seed()` returns a number when the seed is a safe integer, otherwise a bigint.
 *
 * `get_state()` returns PyTorch's 5056-byte CPUGeneratorImplState, byte for byte (little-endian):
 *   0 seed u64 · 8 left i32 · 12 seeded i32 · 16 next u64 · 24 state 624×u64 ·
 *   5016 normal_x f64 · 5024 normal_y f64 (the cached double normal) · 5032 normal_rho f64 ·
 *   5040 normal_is_valid i32 · 5048 next float normal f32 · 5052 its valid flag u8 · padding.
 * so a state saved by `torch.get_rng_state().tolist()` in Python can be loaded here and back.
 * (PyTorch also accepts its older 5048-byte layout; we do not.)
 */

import { Tensor } from "../tensor/tensor";
import { MT19937, MT_N } from "./mt19937";

/** PyTorch's `default_rng_seed_val`: the seed of a fresh Generator and of the default one. */
export const DEFAULT_RNG_SEED = 67280421310721;
const STATE_SIZE = 5056;
const TWO_64 = 1n << 64n;

/** Normalises a user seed to an unsigned 64-bit bigint, with PyTorch's range. */
function toSeed(seed: number | bigint): bigint {
  if (typeof seed === "number") {
    if (!Number.isSafeInteger(seed)) {
      throw new TypeError(`manual_seed expected an integer seed (a safe integer or a bigint), got ${seed}`);
    }
    seed = BigInt(seed);
  } else if (typeof seed !== "bigint") {
    throw new TypeError(`manual_seed expected an integer seed, got ${typeof seed}`);
  }
  if (seed < -(1n << 63n) || seed >= TWO_64) {
    throw new RangeError(`Overflow when unpacking long: seed ${seed} is outside [-2^63, 2^64)`);
  }
  return seed < 0n ? seed + TWO_64 : seed;
}

function fromSeed(seed: bigint): number | bigint {
  return seed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(seed) : seed;
}

/** A fresh non-deterministic 64-bit seed (PyTorch reads /dev/urandom). */
function randomSeed(): bigint {
  const words = new Uint32Array(2);
  globalThis.crypto.getRandomValues(words);
  return (BigInt(words[0]) << 32n) | BigInt(words[1]);
}

export class Generator {
  readonly device = "cpu";
  /** The engine; exposed for the samplers in this folder. */
  readonly engine = new MT19937();
  private _seed: bigint = BigInt(DEFAULT_RNG_SEED);
  /** Cached second sample of the scalar (double) Box-Muller path, or null. */
  next_double_normal_sample: number | null = null;
  /** PyTorch keeps a float cache too; no CPU kernel fills it, but it is part of the state. */
  next_float_normal_sample: number | null = null;

  constructor(device: string = "cpu") {
    if (device !== "cpu") throw new RuntimeError(`Generator: only the "cpu" device exists here, got "${device}"`);
    this.set_seed(BigInt(DEFAULT_RNG_SEED));
  }

  /** Seeds the engine and clears the normal caches (as `torch.manual_seed` does). Returns this. */
  manual_seed(seed: number | bigint): this {
    this.set_seed(toSeed(seed));
    return this;
  }

  /** Seeds from a non-deterministic source and returns the new seed. */
  seed(): number | bigint {
    this.set_seed(randomSeed());
    return fromSeed(this._seed);
  }

  initial_seed(): number | bigint {
    return fromSeed(this._seed);
  }

  private set_seed(seed: bigint): void {
    this._seed = seed;
    this.engine.seed(Number(seed & 0xffffffffn));
    this.next_double_normal_sample = null;
    this.next_float_normal_sample = null;
  }

  /** One 32-bit draw, unsigned (PyTorch's `random()`). */
  random(): number {
    return this.engine.nextUint32();
  }

  /**
   * The 53 low bits of a 64-bit draw (`random64() & (2^53 - 1)`), as an exact number. PyTorch's
   * random64() is (first 32-bit draw << 32) | second; every double sampler keeps only 53 bits.
   */
  random53(): number {
    const hi = this.engine.nextUint32();
    const lo = this.engine.nextUint32();
    return (hi & 0x1fffff) * 4294967296 + lo;
  }

  /** A full 64-bit draw as a bigint (for integer ranges of 2^28 and more). */
  random64(): bigint {
    const hi = this.engine.nextUint32();
    const lo = this.engine.nextUint32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** PyTorch's state bytes (see the file comment), as a tensor of 5056 byte values. */
  get_state(): Tensor {
    const bytes = new Uint8Array(STATE_SIZE);
    const v = new DataView(bytes.buffer);
    v.setBigUint64(0, this._seed, true);
    v.setInt32(8, this.engine.left, true);
    v.setInt32(12, 1, true);
    v.setBigUint64(16, BigInt(this.engine.next), true);
    for (let i = 0; i < MT_N; i++) v.setBigUint64(24 + 8 * i, BigInt(this.engine.state[i]), true);
    if (this.next_double_normal_sample !== null) {
      v.setFloat64(5024, this.next_double_normal_sample, true);
      v.setInt32(5040, 1, true);
    }
    if (this.next_float_normal_sample !== null) {
      v.setFloat32(5048, this.next_float_normal_sample, true);
      v.setUint8(5052, 1);
    }
    // a uint8 tensor of the state's bytes, as PyTorch's
    return new Tensor(Float64Array.from(bytes), [STATE_SIZE], "uint8");
  }

  /** Restores a state from `get_state()` (ours or PyTorch's bytes: a Tensor, Uint8Array or array). */
  set_state(new_state: Tensor | Uint8Array | ArrayLike<number>): this {
    const values: ArrayLike<number> = new_state instanceof Tensor ? new_state.data : new_state;
    const n = values.length;
    if (n !== STATE_SIZE) {
      throw new RuntimeError(
        `Expected a CPUGeneratorImplState of size ${STATE_SIZE} (as get_state() returns) but found the input RNG state size to be ${n}`,
      );
    }
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const b = values[i];
      if (!Number.isInteger(b) || b < 0 || b > 255) {
        throw new TypeError(`RNG state must be a tensor of bytes (integers in 0..255); element ${i} is ${b}`);
      }
      bytes[i] = b;
    }
    const v = new DataView(bytes.buffer);
    const left = v.getInt32(8, true);
    const next = Number(v.getBigUint64(16, true));
    if (left < 1 || left > MT_N || next > MT_N) {
      throw new RuntimeError(`RNG state is corrupt: left must be in [1, ${MT_N}] and next in [0, ${MT_N}], got left=${left}, next=${next}`);
    }
    this._seed = v.getBigUint64(0, true);
    for (let i = 0; i < MT_N; i++) this.engine.state[i] = Number(v.getBigUint64(24 + 8 * i, true) & 0xffffffffn);
    this.engine.left = left;
    this.engine.next = next;
    this.next_double_normal_sample = v.getInt32(5040, true) !== 0 ? v.getFloat64(5024, true) : null;
    this.next_float_normal_sample = v.getUint8(5052) ? v.getFloat32(5048, true) : null;
    return this;
  }

  /**
   * `<torch.Generator object (device='cpu', initial_seed=0)>`: PyTorch's
   * `<torch._C.Generator object at 0x...>` with the seed instead of an address. Without it a
   * cell ending in `torch.manual_seed(0)` (which returns the generator) printed the engine's
   * 624-word state.
   */
  toString(): string {
    return `<torch.Generator object (device='${this.device}', initial_seed=${String(this.initial_seed())})>`;
  }

  /** `console.log(generator)` shows the same text (Node's util.inspect looks for this symbol). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** PyTorch's RuntimeError, for messages that are RuntimeErrors there. */
export class RuntimeError extends Error {
  override name = "RuntimeError";
}

/** The generator used when none is given (`torch.default_generator`). */
export const default_generator = new Generator();

/** Seeds the default generator; returns it, as `torch.manual_seed` does. */
export function manual_seed(seed: number | bigint): Generator {
  return default_generator.manual_seed(seed);
}

/** Seeds the default generator non-deterministically and returns the seed. */
export function seed(): number | bigint {
  return default_generator.seed();
}

export function initial_seed(): number | bigint {
  return default_generator.initial_seed();
}

export function get_rng_state(): Tensor {
  return default_generator.get_state();
}

export function set_rng_state(new_state: Tensor | Uint8Array | ArrayLike<number>): void {
  default_generator.set_state(new_state);
}
