/**
 * Shared plumbing of the losses in probabilistic.ts, margin.ts, multi_margin.ts and ctc.ts (the torch.nn
 * losses beyond the regression and cross-entropy ones): argument checks with PyTorch's wording,
 * the result dtype, broadcasting of two or three operands to one shape, and a gradient buffer
 * (accumulated in double) turned back into a tensor of an operand's shape and dtype.
 */
import { Tensor } from "../../tensor/tensor";
import type { DType } from "../../tensor/tensor";
import { promote_types } from "../../tensor/dtype";
import { describe, sameShape } from "../_autograd";
import type { Reduction } from "../_autograd";
import { broadcastIndex } from "../_broadcast";
import { broadcastOrThrow } from "./loss";
import { cast } from "./linear";
import { ValueError } from "../../optim/lr_scheduler/errors";
import { nearKey } from "../../close_matches";

/** `v` as a Tensor, or PyTorch's argument error naming `what`. */
export function tensorArg(op: string, v: unknown, what: string): Tensor {
  if (!(v instanceof Tensor)) throw new TypeError(`${op}(): argument '${what}' must be Tensor, not ${describe(v)}`);
  return v;
}

/** The promoted dtype of `ts` (PyTorch's rule), which must be floating. */
export function floatResult(op: string, ...ts: Tensor[]): DType {
  let d: DType = ts[0].dtype;
  for (const t of ts.slice(1)) d = promote_types(d, t.dtype);
  if (d !== "float32" && d !== "float64") {
    throw new TypeError(`${op}(): expected floating point inputs (float32 or float64), got ${ts.map((t) => t.dtype).join(", ")}`);
  }
  return d;
}

/**
 * A reduction among `allowed`, or PyTorch's ValueError (`"<r> is not a valid value for
 * reduction"`, or `"<r> is not valid"` for the losses written in Python with that wording), plus
 * the allowed values.
 */
export function reductionArg<R extends string = Reduction>(
  reduction: unknown,
  short = false,
  allowed: readonly string[] = ["mean", "sum", "none"],
): R {
  if (typeof reduction === "string" && allowed.includes(reduction)) return reduction as R;
  if (reduction === "elementwise_mean" && allowed.includes("mean")) {
    // (PyTorch's legacy name, still taken, with this warning)
    console.warn("UserWarning: reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.");
    return "mean" as R;
  }
  const list = allowed.map((a) => `"${a}"`).join(", ");
  throw ValueError(`${String(reduction)} ${short ? "is not valid" : "is not a valid value for reduction"} (allowed: ${list})`);
}

/** Operands broadcast to one shape: that shape and, per operand, its read index (null when it has the shape). */
export interface Broadcast {
  shape: number[];
  n: number;
  idx: (Int32Array | null)[];
}

export function broadcastAll(shapes: readonly (readonly number[])[]): Broadcast {
  let shape = [...shapes[0]];
  for (const s of shapes.slice(1)) shape = broadcastOrThrow(shape, s);
  const idx = shapes.map((s) => (sameShape(s, shape) ? null : broadcastIndex(s, shape)));
  let n = 1;
  for (const d of shape) n *= d;
  return { shape, n, idx };
}

/** A gradient buffer (doubles, in `like`'s layout) as a tensor of `like`'s shape and dtype. */
export function gradOf(acc: Float64Array, like: Tensor): Tensor {
  return new Tensor(cast(acc, like.dtype), like.shape, like.dtype);
}

/** "[2, 3]": sizes as ATen's messages print them. */
export function sizesStr(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** A parameter of lossArgs: its Python name and the kind of value it takes. */
export type LossParam = readonly [name: string, kind: "number" | "boolean" | "tensor" | "string"];

/**
 * Python's positional-or-keyword parameters after a loss's tensors: `F.multi_margin_loss(x, y, 2,
 * 0.5, w)` or `F.multi_margin_loss(x, y, { p: 2, margin: 0.5, weight: w })`. `positional` lists
 * Python's parameters in order up to its deprecated `size_average` (which lrlab, as its other
 * losses, does not take); `keywords` the rest (`reduction`, ...), given in the trailing object.
 * Too many values, a value given twice, an unknown keyword or a value of the wrong kind is an
 * error in Python's wording. A "tensor" parameter also takes null (Python's None).
 */
export function lossArgs(op: string, positional: readonly LossParam[], keywords: readonly LossParam[], args: readonly unknown[]): Record<string, unknown> {
  const last = args.length > 0 ? args[args.length - 1] : undefined;
  const isKw = typeof last === "object" && last !== null && !Array.isArray(last) && !(last instanceof Tensor);
  const kw = isKw ? (last as Record<string, unknown>) : {};
  const pos = isKw ? args.slice(0, -1) : args;
  let n = pos.length;
  while (n > 0 && pos[n - 1] === undefined) n--;
  if (n > positional.length) {
    throw new TypeError(
      `${op}() takes at most ${positional.length} optional positional argument${positional.length === 1 ? "" : "s"}` +
        `${positional.length ? ` (${positional.map((p) => p[0]).join(", ")})` : ""} but ${n} were given` +
        (keywords.length ? `; pass ${keywords.map((k) => k[0]).join(", ")} in an options object` : ""),
    );
  }
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) if (pos[i] !== undefined) out[positional[i][0]] = pos[i];
  const all = [...positional, ...keywords];
  for (const [k, v] of Object.entries(kw)) {
    if (!all.some((p) => p[0] === k)) {
      throw new TypeError(`${op}() got an unexpected keyword argument '${k}' (allowed: ${all.map((p) => p[0]).join(", ")})${nearKey(k, all.map((p) => p[0]))}`);
    }
    if (k in out) throw new TypeError(`${op}() got multiple values for argument '${k}'`);
    if (v !== undefined) out[k] = v;
  }
  for (const [name, kind] of all) {
    const v = out[name];
    if (v === undefined) continue;
    const ok = kind === "tensor" ? v === null || v instanceof Tensor : typeof v === kind;
    if (!ok) {
      const want = kind === "tensor" ? "Tensor or null" : kind === "number" ? "a number" : kind === "boolean" ? "a boolean" : "a string";
      throw new TypeError(`${op}(): argument '${name}' must be ${want}, not ${describe(v)}`);
    }
  }
  return out;
}
