/**
 * Norm-based ops PyTorch has beyond reduce.ts: dist (the p-norm of a difference, broadcast) and
 * renorm (each slice along a dim rescaled to p-norm at most maxnorm). Both are built from the
 * differentiable sub / norm / where / mul, so their gradients are those ops' (renorm's is exactly
 * PyTorch's renorm_backward: it differentiates through the norm too); the result's node carries
 * PyTorch's name (DistBackward0, RenormBackward0).
 */
import { checkKeywords } from "../utils/py_args";
import { Tensor, check_tensor } from "./tensor";
import { rename, saved_also } from "./autograd";
import { is_floating, SCALAR_TYPE_NAME } from "./dtype";
import { norm } from "./reduce";
import { add, mul, reciprocal, sub } from "./elementwise";
import { gt, where } from "./compare";
import { wrap_dim } from "./shape";

function tensor_arg(x: unknown, op: string, arg: string, pos: number): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    const t = x === null ? "NoneType" : typeof x === "number" ? (Number.isInteger(x) ? "int" : "float") : Array.isArray(x) ? "list" : typeof x;
    throw new TypeError(`${op}(): argument '${arg}' (position ${pos}) must be Tensor, not ${t}`);
  }
}

/** ‖input - other‖_p over all elements (broadcast), p = 2 by default (0: count, ±inf: max/min |·|). */
export function dist(input: Tensor, other: Tensor, p: number | { p?: number } = 2): Tensor {
  check_tensor(input, "dist");
  tensor_arg(other, "dist", "other", 2);
  if (typeof p === "object" && p !== null) checkKeywords("dist", p, ["p"]);
  const pp = typeof p === "object" && p !== null ? p.p ?? 2 : p;
  if (typeof pp !== "number") throw new TypeError(`dist(): argument 'p' must be Number, not ${typeof pp}`);
  if (!is_floating(input.dtype) || !is_floating(other.dtype)) {
    throw new TypeError(`norm(): input dtype should be either floating point or complex. Got ${SCALAR_TYPE_NAME[is_floating(input.dtype) ? other.dtype : input.dtype]} instead.`);
  }
  // (PyTorch's DistBackward0 saves both inputs and the result; norm saved the result)
  return saved_also(rename(norm(sub(input, other), pp), "DistBackward0"), [input, other]);
}

/**
 * Each slice input.select(dim, i) whose p-norm exceeds maxnorm scaled by maxnorm / (norm + 1e-7);
 * the others unchanged. p > 0, maxnorm >= 0, floats only.
 */
export function renorm(input: Tensor, p: number, dim: number, maxnorm: number): Tensor {
  check_tensor(input, "renorm");
  for (const [k, v] of [["p", p], ["dim", dim], ["maxnorm", maxnorm]] as const) {
    if (typeof v !== "number") throw new TypeError(`renorm(): argument '${k}' must be ${k === "dim" ? "int" : "Number"}, not ${v === undefined ? "missing" : typeof v}`);
  }
  if (!(p > 0)) throw new RangeError("renorm: non-positive-norm not supported");
  if (!(maxnorm >= 0)) throw new RangeError(`renorm: expected maxnorm to be >= 0 but got ${maxnorm}`);
  if (!is_floating(input.dtype)) throw new TypeError(`linalg.vector_norm: Expected a floating point or complex tensor as input. Got ${SCALAR_TYPE_NAME[input.dtype]}`);
  const nd = input.dim();
  if (nd <= 1) throw new RangeError(`renorm: input needs at least 2 dimensions, got ${nd} dimensions`);
  const d = wrap_dim(dim, nd);
  const others = input.shape.map((_, k) => k).filter((k) => k !== d);
  const n = norm(input, p, others, true);
  const factor = where(gt(n, maxnorm), mul(reciprocal(add(n, 1e-7)), maxnorm), 1);
  return rename(mul(input, factor), "RenormBackward0");
}
