/**
 * The 32-bit Mersenne Twister (MT19937), as PyTorch's CPU generator runs it.
 *
 * Seeding (Matsumoto & Nishimura's `init_genrand`, which PyTorch uses on the low 32 bits of the
 * 64-bit seed):
 *   s[0] = seed mod 2^32,  s[j] = 1812433253 · (s[j-1] ⊕ (s[j-1] >> 30)) + j   (mod 2^32), j = 1..623
 * Each draw tempers the next state word:
 *   y ^= y >> 11;  y ^= (y << 7) & 0x9d2c5680;  y ^= (y << 15) & 0xefc60000;  y ^= y >> 18
 * and every 624 draws the whole state is regenerated ("twist"):
 *   s[k] = s[k+397] ⊕ (((s[k] & 0x80000000) | (s[k+1] & 0x7fffffff)) >> 1) ⊕ (s[k+1] odd ? 0x9908b0df : 0)
 * (indices mod 624, computed in place in increasing k).
 *
 * PyTorch keeps `left` (draws before the next twist, plus one) and `next` (index of the next word)
 * exactly as the C reference does: after seeding left = 1, next = 0, so the first draw twists.
 * We keep the same two counters, so `get_state()` bytes match PyTorch's.
 */

export const MT_N = 624;
const MT_M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

export class MT19937 {
  readonly state = new Uint32Array(MT_N);
  /** Draws left before the next twist, plus one (PyTorch's `left_`). */
  left = 1;
  /** Index of the next state word to temper (PyTorch's `next_`). */
  next = 0;

  constructor(seed = 5489) {
    this.seed(seed);
  }

  /** Re-initialises the state from the low 32 bits of `seed`. */
  seed(seed: number): void {
    const s = this.state;
    s[0] = seed >>> 0;
    for (let j = 1; j < MT_N; j++) {
      const prev = s[j - 1] ^ (s[j - 1] >>> 30);
      // 1812433253 * prev needs 64 bits; Math.imul gives the low 32, which is all we keep.
      s[j] = (Math.imul(1812433253, prev) + j) >>> 0;
    }
    this.left = 1;
    this.next = 0;
  }

  /** The next 32-bit output, as an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    if (--this.left === 0) this.twist();
    let y = this.state[this.next++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private twist(): void {
    const s = this.state;
    this.left = MT_N;
    this.next = 0;
    for (let k = 0; k < MT_N; k++) {
      const y = (s[k] & UPPER_MASK) | (s[(k + 1) % MT_N] & LOWER_MASK);
      s[k] = s[(k + MT_M) % MT_N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
  }
}
