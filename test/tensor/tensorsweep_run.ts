/**
 * The interpreter of test/fixtures/generate_tensorsweep.py's case descriptions on lrlab's side, and
 * the comparison of what lrlab did with what PyTorch 2.13 did (tensorsweep.test.ts).
 *
 * A case is data: `torch.<op>(...args, kw)`, `self.<op>(...args, kw)`, `F.<op>(...)`, `self[args]`
 * (lrlab: `self.index(...args)`), `self.grad = args[0]` or a property; Python's keyword arguments
 * become lrlab's trailing options object. The recorded outcome is the same on both sides: the
 * result (tensors as shape, dtype, values, requires_grad and grad_fn name), `self` after an
 * in-place method, the gradients of the leaf arguments after backward of sum(out * w), or the
 * error's kind and message.
 */
import * as torch from "../../kernel/src/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { ValuesIndices } from "../../kernel/src/tensor/return_types";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export interface Case {
  name: string;
  call: "torch" | "method" | "F" | "getitem" | "setgrad" | "attr";
  op: string;
  self: unknown;
  args: unknown[];
  kw: Record<string, unknown>;
  inplace: boolean;
  ident: boolean;
  out?: unknown;
  self_after?: unknown;
  grads?: unknown[];
  error?: string;
  message?: string;
}

/** What a run gave, in the fixture's encoding. */
export interface Outcome {
  out?: unknown;
  self_after?: unknown;
  grads?: unknown[];
  error?: string;
  message?: string;
}

const enc = (v: unknown): unknown => {
  if (typeof v !== "number") return v;
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  return v;
};

const dec = (v: unknown): unknown => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v);
const deep = (v: unknown): unknown => (Array.isArray(v) ? v.map(deep) : dec(v));

class Run {
  leaves: Tensor[] = [];

  build(v: unknown): unknown {
    if (Array.isArray(v)) return v.map((x) => this.build(x));
    if (v === "...") return "...";
    if (v === null || typeof v !== "object") return v;
    const o = v as Record<string, unknown>;
    if ("T" in o) {
      let t = torch.tensor(deep(o.T) as Any, { dtype: o.dtype as Any, requires_grad: o.rg as boolean });
      if (o.rg) this.leaves.push(t);
      for (const step of (o.chain ?? []) as [string, ...unknown[]][]) {
        // a name ending in "!" is called for its effect (backward): the tensor stays
        const name = step[0].replace(/!$/, "");
        const r = (t as Any)[name](...step.slice(1).map((a) => this.build(a)));
        if (!step[0].endsWith("!")) t = r;
      }
      return t;
    }
    if ("D" in o) return o.D;
    if ("F" in o) return dec(o.F);
    if ("slice" in o) return o.slice === "" ? ":" : o.slice;
    if ("None" in o) return "None";
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, this.build(x)]));
  }
}

export function ser(v: unknown): unknown {
  if (v instanceof Tensor) {
    const data = v.dtype === "bool" ? Array.from(v.data, (x) => x !== 0) : Array.from(v.data, enc);
    return { shape: [...v.shape], dtype: v.dtype, data, rg: v.requires_grad, fn: v.grad_fn === null ? null : v.grad_fn.name() };
  }
  if (v instanceof ValuesIndices) return { values: ser(v.values), indices: ser(v.indices) };
  if (Array.isArray(v)) return v.map(ser);
  if (v === undefined) return null;
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, ser(x)]));
  return enc(v);
}

function tensorsOf(v: unknown): Tensor[] {
  if (v instanceof Tensor) return [v];
  if (v instanceof ValuesIndices) return [v.values, v.indices];
  if (Array.isArray(v)) return v.flatMap(tensorsOf);
  if (v !== null && typeof v === "object") return Object.values(v).flatMap(tensorsOf);
  return [];
}

const weights = (n: number): number[] => Array.from({ length: n }, (_, i) => 1 + 0.25 * ((7 * i) % 5));

export function execute(c: Case): Outcome {
  const r = new Run();
  const self = c.self === null ? null : (r.build(c.self) as Any);
  const args = c.args.map((a) => r.build(a));
  const kw = Object.keys(c.kw).length > 0 ? [r.build(c.kw)] : [];
  let out: unknown;
  switch (c.call) {
    case "torch":
      out = (torch as Any)[c.op](...args, ...kw);
      break;
    case "F":
      out = (torch.nn.functional as Any)[c.op](...args, ...kw);
      break;
    case "method":
      out = self[c.op](...args, ...kw);
      break;
    case "attr":
      out = self[c.op];
      break;
    case "getitem":
      out = self.index(...args);
      break;
    case "setgrad":
      self.grad = args[0];
      out = self.grad;
      break;
  }
  const rec: Outcome = { out: c.ident ? { is_self: out === self } : ser(out) };
  if (c.inplace) rec.self_after = ser(self);
  const outs = tensorsOf(out).filter((t) => t.requires_grad && (t.dtype === "float32" || t.dtype === "float64"));
  if (outs.length > 0 && r.leaves.length > 0) {
    let loss: Tensor | null = null;
    for (const t of outs) {
      const term = t.mul(torch.tensor(weights(t.numel()), { dtype: t.dtype }).reshape([...t.shape])).sum();
      loss = loss === null ? term : loss.add(term);
    }
    rec.grads = torch.autograd.grad(loss!, r.leaves, { allow_unused: true }).map((g) => (g === null ? null : ser(g)));
  }
  return rec;
}

/** Runs a case in lrlab; an error is its kind (PyTorch's IndexError is lrlab's RangeError) and text. */
export function run(c: Case): Outcome {
  try {
    return execute(c);
  } catch (e) {
    const err = e as Error;
    return { error: err.name === "RangeError" ? "IndexError" : err.name, message: err.message };
  }
}

/** Values agree: exactly for ints and bools, within float32's or float64's rounding for floats. */
function close(a: unknown, b: unknown, rtol: number): boolean {
  if (typeof a === "number" && typeof b === "number") return a === b || Math.abs(a - b) <= rtol * Math.max(1, Math.abs(b));
  return a === b;
}

/** The differences between lrlab's outcome and PyTorch's, as readable lines (empty: the same). */
export function differences(c: Case, got: Outcome): string[] {
  const diffs: string[] = [];
  if (c.error !== undefined) {
    if (got.error === undefined) return [`PyTorch raised ${c.error}: ${c.message}; lrlab returned ${JSON.stringify(got.out).slice(0, 200)}`];
    if (got.error !== c.error) diffs.push(`error kind: lrlab ${got.error}, PyTorch ${c.error}`);
    // PyTorch's words; lrlab may add why and what to do around them
    if (!got.message!.includes(c.message!)) diffs.push(`message: lrlab ${JSON.stringify(got.message)}\n    PyTorch ${JSON.stringify(c.message)}`);
    return diffs;
  }
  if (got.error !== undefined) return [`lrlab raised ${got.error}: ${got.message}`];
  // empty / empty_like / new_empty: the values are whatever the memory held
  const skipData = /(^|_)empty/.test(c.op) || c.op === "new_empty";
  compare(got.out, c.out, "out", diffs, skipData);
  if (c.inplace) compare(got.self_after, c.self_after, "self", diffs, false);
  compare(got.grads ?? null, c.grads ?? null, "grads", diffs, false);
  return diffs;
}

function isTensorRecord(v: unknown): v is { shape: number[]; dtype: string; data: unknown[]; rg: boolean; fn: string | null } {
  return v !== null && typeof v === "object" && "shape" in v && "dtype" in v && "data" in v;
}

function compare(got: unknown, want: unknown, path: string, diffs: string[], skipData: boolean): void {
  if (isTensorRecord(want)) {
    if (!isTensorRecord(got)) {
      diffs.push(`${path}: lrlab ${JSON.stringify(got)?.slice(0, 200)}, PyTorch a tensor`);
      return;
    }
    for (const k of ["shape", "dtype", "rg", "fn"] as const) {
      if (JSON.stringify(got[k]) !== JSON.stringify(want[k])) diffs.push(`${path}.${k}: lrlab ${JSON.stringify(got[k])}, PyTorch ${JSON.stringify(want[k])}`);
    }
    if (skipData || JSON.stringify(got.shape) !== JSON.stringify(want.shape)) return;
    const rtol = want.dtype === "float32" ? 2e-6 : 1e-12;
    const bad = want.data.findIndex((w, i) => !close(got.data[i], w, rtol));
    if (bad >= 0) diffs.push(`${path}.data: lrlab ${JSON.stringify(got.data).slice(0, 300)}, PyTorch ${JSON.stringify(want.data).slice(0, 300)}`);
    return;
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(got) || got.length !== want.length) {
      diffs.push(`${path}: lrlab ${JSON.stringify(got)?.slice(0, 200)}, PyTorch ${JSON.stringify(want).slice(0, 200)}`);
      return;
    }
    want.forEach((w, i) => compare(got[i], w, `${path}[${i}]`, diffs, skipData));
    return;
  }
  if (want !== null && typeof want === "object") {
    if (got === null || typeof got !== "object") {
      diffs.push(`${path}: lrlab ${JSON.stringify(got)?.slice(0, 200)}, PyTorch ${JSON.stringify(want).slice(0, 200)}`);
      return;
    }
    for (const k of Object.keys(want)) compare((got as Any)[k], (want as Any)[k], `${path}.${k}`, diffs, skipData);
    return;
  }
  if (!close(got, want, 2e-7)) diffs.push(`${path}: lrlab ${JSON.stringify(got)}, PyTorch ${JSON.stringify(want)}`);
}
