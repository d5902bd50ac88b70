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
 *
 * Bulk draws (`fill`): the per-draw rule "if (--left == 0) twist; output temper(s[next++])" means
 * that from (left, next) the next left − 1 draws are s[next .. next + left − 1) without a twist,
 * and a draw with left = 1 twists first, after which it is as if left = 625, next = 0. `fill`
 * walks those runs with the counters in locals, so it yields exactly the words (and leaves exactly
 * the counters) of as many `nextUint32()` calls.
 *
 * The twist splits its index range so that no `% 624` is needed (same in-place order, k rising):
 *   k ∈ [0, 227):   s[k] = s[k + 397] ⊕ mix(s[k], s[k+1])      (s[k+397] not yet rewritten)
 *   k ∈ [227, 623): s[k] = s[k − 227] ⊕ mix(s[k], s[k+1])      (s[k−227] already rewritten)
 *   k = 623:        s[623] = s[396] ⊕ mix(s[623], s[0])         (s[0] already rewritten)
 */

export const MT_N = 624;
const MT_M = 397;
// As int32 constants (`| 0`): the bit operators work on int32 anyway, and V8 keeps the loops in
// integer registers when no operand is a double (0x80000000 and up are not small integers).
const MATRIX_A = 0x9908b0df | 0;
const UPPER_MASK = 0x80000000 | 0;
const LOWER_MASK = 0x7fffffff;
const TEMPER_B = 0x9d2c5680 | 0;
const TEMPER_C = 0xefc60000 | 0;

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

  /**
   * Writes the next `count` outputs into out[off .. off + count), as `count` calls of
   * `nextUint32()` would return them, and advances the counters the same way.
   */
  fill(out: Uint32Array, off: number, count: number): void {
    const s = this.state;
    let left = this.left;
    let next = this.next;
    let i = off;
    const end = off + count;
    while (i < end) {
      if (left === 1) {
        this.twist();
        left = MT_N + 1;
        next = 0;
      }
      const run = Math.min(left - 1, end - i);
      const stop = i + run;
      let k = next;
      for (; i < stop; i++) {
        let y = s[k++] | 0;
        y ^= y >>> 11;
        y ^= (y << 7) & TEMPER_B;
        y ^= (y << 15) & TEMPER_C;
        y ^= y >>> 18;
        out[i] = y;
      }
      next = k;
      left -= run;
    }
    this.left = left;
    this.next = next;
  }

  private twist(): void {
    const s = this.state;
    this.left = MT_N;
    this.next = 0;
    let k = 0;
    for (; k < MT_N - MT_M; k++) {
      const y = (s[k] & UPPER_MASK) | (s[k + 1] & LOWER_MASK);
      s[k] = s[k + MT_M] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    for (; k < MT_N - 1; k++) {
      const y = (s[k] & UPPER_MASK) | (s[k + 1] & LOWER_MASK);
      s[k] = s[k + MT_M - MT_N] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    const y = (s[MT_N - 1] & UPPER_MASK) | (s[0] & LOWER_MASK);
    s[MT_N - 1] = s[MT_M - 1] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
  }
}
