/**
 * PyTorch's advanced indexing in `index()` and `index_put` / `index_put_`, against PyTorch 2.13
 * (fixtures/tensor/advanced_index.json, made by fixtures/generate_advanced_index.py): several int64
 * index tensors of any shapes (broadcast), bool masks, mixed with numbers, slices, "...", "None";
 * the placement rule (adjacent tensor dims in place, separated ones first; integers select first,
 * as PyTorch 2.13, not NumPy); values, shapes, dtypes, grad_fn names, gradients of sum(out * w)
 * (repeated indices accumulate), PyTorch's error messages; index_put's values broadcasting,
 * accumulate, int64/bool indices, gradients for x and values, the in-place form's rules.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../../kernel/src/tensor/index";
import { DType, Tensor } from "../../kernel/src/tensor/tensor";
import type { IndexSpec } from "../../kernel/src/tensor/indexing";
import { gradcheck, randn, rng } from "./gradcheck";

interface T {
  shape: number[];
  dtype: DType;
  values: (number | string)[];
}
type Nested = number | boolean | Nested[];
type Entry = number | string | { long: Nested } | { bool: Nested };
interface IndexCase {
  name: string;
  x: string;
  index: Entry[];
  out: T;
  grad_fn: string | null;
  w?: T;
  grad?: T;
}
interface PutCase {
  name: string;
  x: string;
  indices: Entry[];
  values: T;
  accumulate: boolean;
  inplace: boolean;
  out: T;
  grad_fn: string | null;
  w?: T;
  grad_x?: T;
  grad_values?: T;
}
interface ErrorCase {
  name: string;
  op: "index" | "index_put_";
  x: string;
  index?: Entry[];
  indices?: Entry[];
  values_shape?: number[];
  message: string;
}
interface Fixture {
  inputs: Record<string, T>;
  index: IndexCase[];
  put: PutCase[];
  errors: ErrorCase[];
  put_messages: Record<string, string>;
  random_index: { index: Entry[]; out?: T; message?: string }[];
  random_put: { indices: Entry[]; values: T; accumulate: boolean; out: T }[];
}
const fx = JSON.parse(readFileSync(join(__dirname, "../fixtures/tensor/advanced_index.json"), "utf8")) as Fixture;

const floating = (d: DType) => d === "float32" || d === "float64";

function build(t: T, requires_grad = false): Tensor {
  const data = t.dtype === "float32" ? new Float32Array(t.values.length) : new Float64Array(t.values.length);
  t.values.forEach((v, i) => (data[i] = Number(v)));
  return new Tensor(data, t.shape, t.dtype, requires_grad && floating(t.dtype));
}

/** A nested list as a tensor (empty lists keep their shape, [[]] is [1, 0]). */
function nested(v: Nested, dtype: DType): Tensor {
  const shape: number[] = [];
  for (let a: Nested = v; Array.isArray(a); a = a[0]) {
    shape.push(a.length);
    if (a.length === 0) break;
  }
  const flat: number[] = [];
  const walk = (a: Nested): void => {
    if (Array.isArray(a)) a.forEach(walk);
    else flat.push(Number(a));
  };
  walk(v);
  return new Tensor(Float64Array.from(flat), shape, dtype);
}

function entry(e: Entry): IndexSpec {
  if (typeof e === "number" || typeof e === "string") return e;
  return "long" in e ? nested(e.long, "int64") : nested(e.bool, "bool");
}

function expectTensor(got: Tensor, want: T, what: string, tol = 1e-5): void {
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  expect(got.dtype, `${what} dtype`).toBe(want.dtype);
  const w = want.values.map(Number);
  expect(got.data.length, `${what} size`).toBe(w.length);
  for (let i = 0; i < w.length; i++) {
    if (floating(want.dtype)) expect(Math.abs(got.data[i] - w[i]), `${what}[${i}]: ${got.data[i]} vs ${w[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w[i])));
    else expect(got.data[i], `${what}[${i}]`).toBe(w[i]);
  }
}

const L = (v: Nested) => nested(v, "int64");
const Bm = (v: Nested) => nested(v, "bool");

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("no error thrown");
}

describe("index(): advanced indexing against PyTorch", () => {
  for (const c of fx.index) {
    it(c.name, () => {
      const x = build(fx.inputs[c.x], true);
      const out = x.index(...c.index.map(entry));
      expectTensor(out, c.out, "out", 0);
      expect(out.grad_fn?.name() ?? null).toBe(c.grad_fn);
      if (c.grad) {
        torch.sum(torch.mul(out, build(c.w!))).backward();
        expectTensor(x.grad!, c.grad, "grad");
      }
    });
  }

  it("covers the porter's forms: logits[arange(B), y], x[idx2d], x[:, [0, 2], [1, 1]], x[rows.unsqueeze(1), cols], x[mask, 0]", () => {
    const x = torch.arange(12, { dtype: "float64" }).reshape(3, 4);
    expect(x.index(torch.arange(3, { dtype: "int64" }), L([3, 0, 1])).tolist()).toEqual([3, 4, 9]);
    expect(x.index(L([[0, 2], [1, 1]])).shape).toEqual([2, 2, 4]);
    const x3 = torch.arange(24).reshape(2, 3, 4);
    expect(x3.index(":", L([0, 2]), L([1, 1])).tolist()).toEqual([[1, 9], [13, 21]]);
    expect(x.index(L([0, 2]).unsqueeze(1), L([1, 3])).tolist()).toEqual([[1, 3], [9, 11]]);
    expect(x.index(Bm([true, false, true]), 0).tolist()).toEqual([0, 8]);
  });

  it("a float64 gradient with repeated and broadcast indices passes gradcheck", () => {
    const x = randn([3, 4, 2], rng(7));
    const xd = x.to("float64").detach().requires_grad_();
    gradcheck((t) => t.index(L([[0, 0], [2, 0]]), ":", L([1, 1])), [xd]);
    gradcheck((t) => t.index(Bm([true, false, true]), L([3, 3])), [xd]);
  });

  it("the result is a copy (PyTorch's advanced index is not a view): changing it leaves x", () => {
    const x = torch.arange(6, { dtype: "float32" }).reshape(2, 3);
    const r = x.index(L([[0, 1]]), L([2, 2]));
    r.fill_(-1);
    expect(x.tolist()).toEqual([[0, 1, 2], [3, 4, 5]]);
  });

  it("keeps the single-index fast paths and their grad_fn names", () => {
    const x = torch.arange(12, { dtype: "float32" }).reshape(3, 4).requires_grad_();
    expect(x.index(L([2, 0])).grad_fn?.name()).toBe("IndexBackward0");
    expect(x.index(":", L([1])).grad_fn?.name()).toBe("IndexBackward0");
    expect(x.index(0).grad_fn?.name()).toBe("SelectBackward0"); // as PyTorch
    expect(x.index("1:").grad_fn?.name()).toBe("SliceBackward0");
    expect(x.index(x.gt(3)).grad_fn?.name()).toBe("IndexBackward0");
  });

  it("names a non-integer index tensor in the general path as in the single one", () => {
    const x = torch.zeros(3, 4);
    expect(() => x.index(L([0]), torch.tensor([1.0]))).toThrow("tensors used as indices must be long, int, byte or bool tensors (got float32");
    expect(() => x.index(torch.tensor([[1.0]]))).toThrow("tensors used as indices must be long, int, byte or bool tensors (got float32");
  });
});

describe("index_put / index_put_ against PyTorch", () => {
  for (const c of fx.put) {
    it(c.name, () => {
      const fl = floating(fx.inputs[c.x].dtype);
      const x = build(fx.inputs[c.x], fl);
      const v = build(c.values, fl);
      const ids = c.indices.map(entry) as Tensor[];
      let out: Tensor;
      if (c.inplace) {
        const y = x.mul(1);
        out = y.index_put_(ids, v, c.accumulate);
        expect(out).toBe(y);
      } else out = torch.index_put(x, ids, v, c.accumulate);
      expectTensor(out, c.out, "out");
      expect(out.grad_fn?.name() ?? null).toBe(c.grad_fn);
      if (c.grad_x) {
        torch.sum(torch.mul(out, build(c.w!))).backward();
        expectTensor(x.grad!, c.grad_x, "grad x");
        expectTensor(v.grad!, c.grad_values!, "grad values");
      }
    });
  }

  it("the method and { accumulate } (Python's keyword) give the function's result", () => {
    const x = torch.zeros(3, 2);
    const idx = [L([1, 1, 0])];
    const v = torch.tensor([1, 2, 3], { dtype: "float32" }).unsqueeze(1);
    expect(x.index_put(idx, v, { accumulate: true }).tolist()).toEqual([[3, 3], [3, 3], [0, 0]]);
    expect(x.index_put(idx, v, true).tolist()).toEqual(torch.index_put(x, idx, v, { accumulate: true }).tolist());
    expect(x.tolist()).toEqual([[0, 0], [0, 0], [0, 0]]);
    expect(torch.index_put_(x, idx, v, { accumulate: true })).toBe(x);
    expect(x.tolist()).toEqual([[3, 3], [3, 3], [0, 0]]);
  });

  it("in place on a leaf that requires grad: PyTorch's error, fine under no_grad (no history)", () => {
    const w = torch.zeros(3).requires_grad_();
    expect(() => w.index_put_([L([1])], torch.tensor(1.0))).toThrow(fx.put_messages.leaf);
    torch.no_grad(() => w.index_put_([L([1])], torch.tensor(2.0)));
    expect(w.tolist()).toEqual([0, 2, 0]);
    expect(w.grad_fn).toBeNull();
    expect(w.is_leaf).toBe(true);
  });

  it("in place through a slice writes back into the tensor sliced (x[0].index_put_(...) changes x)", () => {
    const x = torch.zeros(2, 3);
    x.index(1).index_put_([L([0, 2])], torch.tensor([5.0, 6.0]));
    expect(x.tolist()).toEqual([[0, 0, 0], [5, 0, 6]]);
  });

  it("in place through a view changes its base and the base's gradient follows", () => {
    const a = torch.ones(2, 3).requires_grad_();
    const b = a.mul(2);
    const v = torch.tensor([7.0, 8.0]).requires_grad_();
    b.view(6).index_put_([L([0, 5])], v);
    expect(b.tolist()).toEqual([[7, 2, 2], [2, 2, 8]]);
    b.sum().backward();
    expect(a.grad!.tolist()).toEqual([[0, 2, 2], [2, 2, 0]]);
    expect(v.grad!.tolist()).toEqual([1, 1]);
  });

  it("PyTorch's argument errors", () => {
    const y = torch.zeros(3, 4);
    const m = fx.put_messages;
    expect(messageOf(() => y.index_put_([L([1])], torch.zeros(4, { dtype: "float64" })))).toBe(m.dtype_mismatch);
    // PyTorch: "..., but got NoneType" (a whole dim is not allowed in index_put_)
    expect(messageOf(() => y.index_put_([null as unknown as Tensor, L([1])], torch.tensor(1.0)))).toBe(m.none_index.replace("NoneType", "null"));
    expect(messageOf(() => y.index_put_([L([1])], 1.0 as unknown as Tensor))).toBe(m.values_not_tensor.replace("float", "number"));
    expect(messageOf(() => y.index_put_(L([1]) as unknown as Tensor[], torch.tensor(1.0)))).toBe(m.indices_not_tuple);
    expect(() => y.index_put_([torch.tensor([1.0])], torch.tensor(1.0))).toThrow("tensors used as indices must be long, int, byte or bool tensors");
    expect(() => y.index_put_([], torch.tensor(1.0))).toThrow("index_put_(): expected at least one index tensor");
    expect(y.tolist()).toEqual(torch.zeros(3, 4).tolist());
  });
});

describe("PyTorch's errors", () => {
  for (const c of fx.errors) {
    it(`${c.op}: ${c.name}`, () => {
      const x = build(fx.inputs[c.x]);
      const msg =
        c.op === "index"
          ? messageOf(() => x.index(...c.index!.map(entry)))
          : messageOf(() => x.index_put_(c.indices!.map(entry) as Tensor[], torch.zeros(c.values_shape!)));
      // x[...] in Python leaves out "(got n)" after "too many indices for tensor of dimension d", which lrlab adds
      if (c.message.startsWith("too many indices")) expect(msg.startsWith(c.message)).toBe(true);
      else expect(msg).toBe(c.message);
    });
  }
});

describe("random indices against PyTorch (seeded, over an int64 arange(120).reshape(2, 3, 4, 5))", () => {
  const xr = () => torch.arange(120, { dtype: "int64" }).reshape(2, 3, 4, 5);
  it(`x[index]: ${fx.random_index.length} indices, values or PyTorch's message`, () => {
    const x = xr();
    for (const c of fx.random_index) {
      const what = JSON.stringify(c.index);
      if (c.out) expectTensor(x.index(...c.index.map(entry)), c.out, what, 0);
      else {
        const msg = messageOf(() => x.index(...c.index.map(entry)));
        expect(msg.startsWith(c.message!), `${what}: ${msg} vs ${c.message}`).toBe(true);
      }
    }
  });
  it(`index_put_: ${fx.random_put.length} index lists, values broadcast, accumulate or not`, () => {
    for (const c of fx.random_put) {
      const x = xr();
      x.index_put_(c.indices.map(entry) as Tensor[], build(c.values), c.accumulate);
      expectTensor(x, c.out, JSON.stringify(c.indices), 0);
    }
  });
});
