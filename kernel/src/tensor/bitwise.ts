/**
 * Bitwise ops on integer (int64, int32, int16, int8, uint8) and bool tensors with PyTorch's names
 * and dtype rules (a result narrower than int64 wraps to its dtype as every integer result): bitwise_and,
 * bitwise_or, bitwise_xor, bitwise_not, bitwise_left_shift, bitwise_right_shift, and gcd, lcm.
 * int64 values live in a Float64Array (exact to 2^53): values that fit in 32 bits use JavaScript's
 * 32-bit operators, others go through BigInt with 64-bit two's-complement wrapping (as C++'s
 * int64_t), so results past 2^53 are the nearest double of PyTorch's. Shifts follow PyTorch's
 * rules for out-of-range amounts (a shift by < 0 or >= 64 gives 0, or -1 for a negative value
 * shifted right). Float operands are refused with PyTorch's message; none of these has a gradient.
 */
import { DType, Tensor } from "./tensor";
import { TensorLike, check_operand, ew, result_type } from "./operand";
import { SCALAR_TYPE_NAME, is_integer } from "./dtype";

function cname(d: DType): string {
  return SCALAR_TYPE_NAME[d];
}

/** Python's message for a non-tensor where the signature takes a Tensor only. */
function must_be_tensor(x: unknown, op: string, arg: string, pos: number): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    const t = x === null ? "NoneType" : typeof x === "number" ? (Number.isInteger(x) ? "int" : "float") : typeof x === "boolean" ? "bool" : Array.isArray(x) ? "list" : typeof x;
    throw new TypeError(`${op}(): argument '${arg}' (position ${pos}) must be Tensor, not ${t}`);
  }
}

/** Operands of a binary bitwise op: at least one tensor; the promoted dtype must be an integer dtype or bool. */
function binary_dtype(a: TensorLike, b: TensorLike, op: string, kernel_name: string): DType {
  if (!(a instanceof Tensor)) must_be_tensor(b, op, "other", 2);
  check_operand(a, op, "input");
  check_operand(b, op);
  const dt = result_type(a, b);
  if (!is_integer(dt) && dt !== "bool") throw new TypeError(`"${kernel_name}_cpu" not implemented for '${cname(dt)}'`);
  return dt;
}

// 64-bit two's-complement forms; the fast path covers operands that fit in int32.
const FITS = "(a === (a | 0) && b === (b | 0))";
const big = (op: string) => `Number(BigInt.asIntN(64, BigInt(a) ${op} BigInt(b)))`;

/** a & b element-wise (integer or bool; bool stays bool). */
export function bitwise_and(a: TensorLike, b: TensorLike): Tensor {
  const dt = binary_dtype(a, b, "bitwise_and", "bitwise_and");
  return ew(`${FITS} ? (a & b) : ${big("&")}`, [a, b], dt);
}

/** a | b element-wise (integer or bool). */
export function bitwise_or(a: TensorLike, b: TensorLike): Tensor {
  const dt = binary_dtype(a, b, "bitwise_or", "bitwise_or");
  return ew(`${FITS} ? (a | b) : ${big("|")}`, [a, b], dt);
}

/** a ^ b element-wise (integer or bool). */
export function bitwise_xor(a: TensorLike, b: TensorLike): Tensor {
  const dt = binary_dtype(a, b, "bitwise_xor", "bitwise_xor");
  return ew(`${FITS} ? (a ^ b) : ${big("^")}`, [a, b], dt);
}

/** ~x: -x - 1 for int64, logical not for bool. */
export function bitwise_not(x: Tensor): Tensor {
  must_be_tensor(x, "bitwise_not", "input", 1);
  if (!is_integer(x.dtype) && x.dtype !== "bool") throw new TypeError(`"bitwise_not_cpu" not implemented for '${cname(x.dtype)}'`);
  return ew(x.dtype === "bool" ? "a === 0 ? 1 : 0" : "-a - 1", [x], x.dtype);
}

/** Shifts have no bool kernel (a bool tensor shifted by an int is int64, by promotion). */
function shift_dtype(a: TensorLike, b: TensorLike, op: string, kernel_name: string): DType {
  const dt = binary_dtype(a, b, op, kernel_name);
  if (dt === "bool") throw new TypeError(`"${kernel_name}_cpu" not implemented for 'Bool'`);
  return dt;
}

/** a << b, wrapping at 64 bits; 0 for a shift by < 0 or >= 64. bool operands give int64 with an int. */
export function bitwise_left_shift(a: TensorLike, b: TensorLike): Tensor {
  const dt = shift_dtype(a, b, "bitwise_left_shift", "lshift");
  return ew(`(b < 0 || b >= 64) ? 0 : ${big("<<")}`, [a, b], dt);
}

/** a >> b (arithmetic); a shift by < 0 or >= 64 gives -1 for negative a, else 0. */
export function bitwise_right_shift(a: TensorLike, b: TensorLike): Tensor {
  const dt = shift_dtype(a, b, "bitwise_right_shift", "rshift");
  return ew(`(b < 0 || b >= 64) ? (a < 0 ? -1 : 0) : (${FITS} && b < 32) ? (a >> b) : ${big(">>")}`, [a, b], dt);
}

function int_pair(a: Tensor, b: Tensor, op: string): DType {
  must_be_tensor(a, op, "input", 1);
  must_be_tensor(b, op, "other", 2);
  const dt = result_type(a, b);
  if (!is_integer(dt)) throw new TypeError(`"${op}_cpu" not implemented for '${cname(dt)}'`);
  return dt;
}

/** Greatest common divisor, >= 0 (gcd(0, 0) = 0); int64 only. */
export function gcd(a: Tensor, b: Tensor): Tensor {
  const dt = int_pair(a, b, "gcd");
  return ew(gcd_kernel, [a, b], dt);
}

/** Least common multiple, >= 0 (0 if either is 0); int64 only. */
export function lcm(a: Tensor, b: Tensor): Tensor {
  const dt = int_pair(a, b, "lcm");
  const g = ew(gcd_kernel, [a, b], dt);
  return ew("c === 0 ? 0 : Math.abs(a / c * b)", [a, b, g], dt);
}

/** The Euclidean algorithm as an element-wise kernel (out = gcd(|a|, |b|)). */
function gcd_kernel(O: Float64Array | Float32Array, oo: number, n: number, ...ops: (Float64Array | Float32Array | number)[]): void {
  const [A, A_o, A_s, B, B_o, B_s] = ops as [Float64Array, number, number, Float64Array, number, number];
  for (let i = 0; i < n; i++) {
    let x = Math.abs(A[A_o + i * A_s]);
    let y = Math.abs(B[B_o + i * B_s]);
    while (y !== 0) {
      const t = x % y;
      x = y;
      y = t;
    }
    O[oo + i] = x;
  }
}
