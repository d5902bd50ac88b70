/**
 * PyTorch's small integer dtypes, int32 (torch.int), int16 (torch.short), int8 and uint8, against
 * PyTorch 2.13 (test/fixtures/generate_int_dtypes.py writes test/fixtures/tensor/int_dtypes.json):
 * promotion (promote_types, result_type with 0-dim tensors and scalars), casts (truncation toward
 * zero, wrap-around), wrap-around of arithmetic results, integer division of negative values, the
 * overflow check on a scalar written into a small dtype, printing, and each dtype's facts; then
 * the typed surface a notebook cell sees (`torch.tensor([1, 2], { dtype: torch.int32 })`
 * type-checks in the kernel's engine).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/tensor/index";
import { get_rng_state, rand, randint, set_rng_state } from "../../kernel/src/random/index";
import * as F from "../../kernel/src/nn/functional/index";
import { DIST, Engine, makePrelude } from "../kernel/dist";

type DT = torch.DType;
interface Fixture {
  torch: string;
  promote: [DT, DT, DT][];
  result_type: { a: [DT, number]; b?: [DT, number]; scalar?: number | boolean; dtype: DT }[];
  casts: { from: DT; to: DT; x: (number | boolean)[]; y: (number | boolean)[] }[];
  arith: { dtype: DT; op: string; a: number[]; b: number[]; s?: number; y: number | number[]; y_dtype: DT }[];
  division: { dtype: DT; b_dtype?: DT; op: string; a: number[]; b: number[]; y?: number[]; y_dtype?: DT; error?: string }[];
  powers: { dtype: DT; op: string; a: number[]; b: number[]; y: number[]; y_dtype: DT }[];
  pow_errors: { dtype: DT; inplace: boolean; error: string }[];
  clamps: { dtype: DT; x: number[]; kw: { min?: number; max?: number }; y: number[]; y_: number[] }[];
  scalars: ({ dtype: DT; value: number } & Record<"fill_" | "full" | "tensor", { y?: number[]; error?: string }>)[];
  prints: { dtype: DT; data: number | number[] | number[][]; repr: string }[];
  facts: { dtype: DT; element_size: number; type: string; is_floating_point: boolean; str: string; iinfo?: { bits: number; min: number; max: number } }[];
  requires_grad: Record<string, string>;
}
const fx = JSON.parse(readFileSync(join(__dirname, "../fixtures/tensor/int_dtypes.json"), "utf8")) as Fixture;

/** A tensor of `dtype` holding 1, with one dimension (dims 1) or none. */
const sample = (dtype: DT, dims: number) => (dims ? torch.ones(1, { dtype }) : torch.tensor(1, { dtype }));
/** int64 storage holds numbers; values past 2^53 are compared as the doubles lrlab keeps. */
const num = (v: number | boolean) => (typeof v === "boolean" ? v : Number(v));

describe("promotion (PyTorch 2.13's table and priority groups)", () => {
  it("promote_types over every pair of dtypes (uint8 with int8 is int16)", () => {
    for (const [a, b, r] of fx.promote) expect(torch.promote_types(a, b), `${a} ${b}`).toBe(r);
  });

  it("result_type: a dimensioned tensor with a 0-dim one, two 0-dim tensors, a tensor with a Python scalar", () => {
    expect(fx.result_type.length).toBeGreaterThan(100);
    for (const c of fx.result_type) {
      const a = sample(...c.a);
      const b = c.b !== undefined ? sample(...c.b) : (c.scalar as number | boolean);
      expect(torch.result_type(a, b), JSON.stringify(c)).toBe(c.dtype);
    }
    // the arithmetic follows: uint8 + 5 stays uint8, + 0.5 is float32, a 0-dim int64 does not widen it
    const u = torch.tensor([1, 2], { dtype: torch.uint8 });
    expect(u.add(5).dtype).toBe("uint8");
    expect(u.add(0.5).dtype).toBe("float32");
    expect(u.mul(torch.tensor(3, { dtype: torch.int64 })).dtype).toBe("uint8");
    expect(torch.cat([u, torch.tensor([-1], { dtype: torch.int8 })]).dtype).toBe("int16");
  });
});

describe("casts: truncation toward zero, then wrap-around modulo 2^bits", () => {
  it("from float64, from int64 and between the small dtypes, as PyTorch's .to(dtype)", () => {
    for (const c of fx.casts) {
      const x = torch.tensor(c.x as number[], { dtype: c.from });
      const y = x.to(c.to);
      expect(y.dtype).toBe(c.to);
      expect(y.tolist(), `${c.from} -> ${c.to}`).toEqual(c.y.map(num));
    }
  });

  it("the methods .int() .short() .char() .byte(), and .type() by dtype or by tensor type name", () => {
    const x = torch.tensor([300.7, -1.5, 200, 40000], { dtype: torch.float64 });
    expect(x.int().tolist()).toEqual([300, -1, 200, 40000]);
    expect(x.int().dtype).toBe("int32");
    expect(x.short().tolist()).toEqual([300, -1, 200, -25536]);
    expect(x.char().tolist()).toEqual([44, -1, -56, 64]);
    expect(x.byte().tolist()).toEqual([44, 255, 200, 64]);
    expect(x.type(torch.int16).dtype).toBe("int16");
    expect(x.type("torch.ByteTensor").dtype).toBe("uint8");
    expect(x.to("torch.int32" as DT).dtype).toBe("int32");
    expect(x.to(torch.int).dtype).toBe("int32");
    expect(x.to(torch.short).dtype).toBe("int16");
    // images as uint8, then float / 255
    const img = torch.tensor([0, 51, 255], { dtype: torch.uint8 });
    expect(img.float().div(255).tolist()).toEqual([0, 0.2, 1].map(Math.fround));
  });

  it("NaN and ±Infinity (platform-defined in PyTorch) become 0 in the small integer dtypes", () => {
    const x = torch.tensor([NaN, Infinity, -Infinity]);
    for (const d of ["int32", "int16", "int8", "uint8"] as DT[]) expect(x.to(d).tolist(), d).toEqual([0, 0, 0]);
  });
});

describe("arithmetic results wrap around in their dtype", () => {
  it("add, sub, mul (tensor and scalar), neg, in place, shifts, bitwise_not, sum / cumsum with a dtype, abs, arange", () => {
    expect(fx.arith.length).toBeGreaterThan(100);
    for (const c of fx.arith) {
      const a = torch.tensor(c.a, { dtype: c.dtype });
      const b = torch.tensor(c.b, { dtype: c.dtype });
      const s = c.s as number;
      let y: torch.Tensor;
      switch (c.op) {
        case "add": y = a.add(b); break;
        case "sub": y = a.sub(b); break;
        case "mul": case "mul_big": y = a.mul(b); break;
        case "neg": y = a.neg(); break;
        case "add_scalar": y = a.add(s); break;
        case "mul_scalar": y = a.mul(s); break;
        case "sub_scalar": y = a.sub(s); break;
        case "add_": y = a.clone().add_(b); break;
        case "sub_": y = a.clone().sub_(b); break;
        case "mul_": y = a.clone().mul_(b); break;
        case "mul_scalar_": y = a.clone().mul_(s); break;
        case "bitwise_not": y = a.bitwise_not(); break;
        case "lshift": y = torch.bitwise_left_shift(a, s); break;
        case "rshift": y = torch.bitwise_right_shift(a, s); break;
        case "sum_dtype": y = a.sum({ dtype: c.dtype }); break;
        case "cumsum_dtype": y = a.cumsum(0, { dtype: c.dtype }); break;
        case "sum": y = a.sum(); break;
        case "abs": y = a.abs(); break;
        case "arange": y = c.dtype === "int8" ? torch.arange(120, 128, { dtype: c.dtype }) : torch.arange(120, 140, 3, { dtype: c.dtype }); break;
        case "arange_wrap": y = torch.arange(250, 260, { dtype: c.dtype }); break;
        default: throw new Error(`no case for ${c.op}`);
      }
      const what = `${c.dtype} ${c.op} ${s ?? ""}`;
      expect(y.dtype, what).toBe(c.y_dtype);
      expect(y.tolist(), what).toEqual(c.y);
    }
  });

  it("index_put_, masked_fill, scatter and fill_ write wrapped values too", () => {
    const x = torch.zeros(3, { dtype: torch.uint8 });
    x.index_put_([torch.tensor([0, 0], { dtype: torch.int64 })], torch.tensor([200, 100], { dtype: torch.uint8 }), true);
    expect(x.tolist()).toEqual([44, 0, 0]);
    expect(torch.zeros(2, { dtype: torch.uint8 }).masked_fill(torch.tensor([true, false]), -1).tolist()).toEqual([255, 0]);
    expect(torch.zeros(2, { dtype: torch.int32 }).masked_fill(torch.tensor([true, false]), 2.7).tolist()).toEqual([2, 0]);
    expect(torch.zeros(2, { dtype: torch.int8 }).fill_(-1).add_(-128).tolist()).toEqual([127, 127]);
    expect(torch.zeros(2, { dtype: torch.uint8 }).copy_(torch.tensor([256.5, -2])).tolist()).toEqual([0, 254]);
  });

  it("scatter, index_fill and where with a Python scalar: -1 wraps into uint8, 300 is PyTorch's overflow error", () => {
    // torch.zeros(3, dtype=torch.uint8).scatter_(0, torch.tensor([0]), 300) -> RuntimeError: value cannot be converted to type uint8_t without overflow
    const u = () => torch.zeros(3, { dtype: torch.uint8 });
    const i = torch.tensor([0], { dtype: torch.int64 });
    const overflow = "value cannot be converted to type uint8_t without overflow";
    expect(() => u().scatter_(0, i, 300)).toThrow(overflow);
    expect(u().scatter(0, i, -1).tolist()).toEqual([255, 0, 0]);
    expect(() => u().index_fill(0, i, 300)).toThrow(overflow);
    expect(u().index_fill(0, i, -1).tolist()).toEqual([255, 0, 0]);
    const cond = torch.tensor([true, false, true]);
    expect(() => torch.where(cond, u(), 300)).toThrow(overflow);
    expect(torch.where(cond, u(), -1).tolist()).toEqual([0, 255, 0]);
    expect(() => torch.full_like(u(), 300)).toThrow(overflow);
    expect(() => u().clamp(0, 300)).toThrow(overflow);
    expect(() => u().clamp_(0, 300)).toThrow(overflow);
    expect(u().add(7).clamp(0, 5).tolist()).toEqual([5, 5, 5]);
    // one bound only: the absent one must not clamp (it is ±Infinity inside)
    const i8 = () => torch.tensor([-100, 3, 100], { dtype: torch.int8 });
    expect(i8().clamp_min_(-5).tolist()).toEqual([-5, 3, 100]);
    expect(i8().clamp_max_(5).tolist()).toEqual([-100, 3, 5]);
    expect(i8().clamp_({ min: -5 }).tolist()).toEqual([-5, 3, 100]);
    expect(i8().clamp({ max: torch.tensor([5], { dtype: torch.int8 }) }).tolist()).toEqual([-100, 3, 5]);
    expect(u().new_full([2], -1).tolist()).toEqual([255, 255]);
    expect(torch.tensor([5], { dtype: torch.uint8 }).sub(torch.tensor([10], { dtype: torch.uint8 }), { alpha: 2 }).tolist()).toEqual([241]);
  });
});

describe("integer division and remainder (negative values, zero divisors)", () => {
  it("floor_divide, remainder, div with rounding modes, fmod and true division, as PyTorch", () => {
    for (const c of fx.division) {
      const a = torch.tensor(c.a, { dtype: c.dtype });
      const b = torch.tensor(c.b, { dtype: c.b_dtype ?? c.dtype });
      const what = `${c.dtype} ${c.op}`;
      if (c.error !== undefined) {
        expect(() => torch.floor_divide(a, b), what).toThrow("ZeroDivisionError");
        continue;
      }
      const y = {
        floor_divide: () => torch.floor_divide(a, b), remainder: () => torch.remainder(a, b),
        div_trunc: () => torch.div(a, b, { rounding_mode: "trunc" }), div_floor: () => torch.div(a, b, { rounding_mode: "floor" }),
        fmod: () => torch.fmod(a, b), true_divide: () => a.div(b), floor_divide_scalar: () => torch.floor_divide(a, 3),
        remainder_scalar: () => torch.remainder(a, 3), div_scalar: () => a.div(4), add: () => a.add(b),
      }[c.op]!();
      expect(y.dtype, what).toBe(c.y_dtype);
      const want = c.y!;
      if (y.dtype === "float32") expect(y.tolist(), what).toEqual(want.map(Math.fround));
      else expect(y.tolist(), what).toEqual(want);
    }
  });
});

describe("integer powers wrap around exactly", () => {
  it("pow / ** of int32, int16, int8 and uint8 (tensor and scalar exponents, a scalar base, in place, square), also past 2^53", () => {
    // e.g. int32 3 ** 40: 3^40 = 12157665459056928801 is past 2^53, where a double rounds it;
    // PyTorch multiplies in int32 (square-and-multiply), so the result is 3^40 mod 2^32 read as
    // a signed int32: 689956897
    expect(fx.powers.length).toBe(4 * 7 + 3);
    for (const c of fx.powers) {
      const a = torch.tensor(c.a, { dtype: c.dtype });
      const b = torch.tensor(c.b, { dtype: c.dtype });
      let y: torch.Tensor;
      switch (c.op) {
        case "tensor": case "negative_exponents": y = a.pow(b); break;
        case "scalar_37": y = a.pow(37); break;
        case "scalar_2": y = a.pow(2); break;
        case "scalar_3": y = a.pow(3); break;
        case "scalar_base": y = torch.pow(3, b); break;
        case "inplace": y = a.clone().pow_(b); break;
        case "square": y = torch.square(a); break;
        default: throw new Error(c.op);
      }
      expect(y.dtype, JSON.stringify(c)).toBe(c.y_dtype);
      expect(y.tolist(), `${c.dtype} ${c.op}`).toEqual(c.y);
    }
    expect(torch.tensor([3], { dtype: torch.int32 }).pow(40).tolist()).toEqual([689956897]);
  });

  it("a negative scalar exponent of an integer tensor is PyTorch's error, in place too (pow_ gave 0)", () => {
    expect(fx.pow_errors.length).toBe(10);
    for (const c of fx.pow_errors) {
      const t = torch.tensor([2, 1], { dtype: c.dtype });
      expect(() => (c.inplace ? t.pow_(-1) : torch.pow(t, -1)), JSON.stringify(c)).toThrow(c.error.replace(/^RuntimeError: /, ""));
      expect(t.tolist()).toEqual([2, 1]);
    }
    // a float exponent makes the result float: the in-place cast is refused first, as PyTorch's
    expect(() => torch.tensor([2, 1], { dtype: torch.int32 }).pow_(-0.5)).toThrow("result type Float can't be cast to the desired output type Int");
  });
});

describe("clamp of a small dtype with a negative bound", () => {
  it("the bound is written into the dtype first, as PyTorch's (uint8: clamp(min=-5) is clamp(min=251)), in place too", () => {
    expect(fx.clamps.length).toBe(6);
    for (const c of fx.clamps) {
      const x = torch.tensor(c.x, { dtype: c.dtype });
      const lo = c.kw.min ?? null, hi = c.kw.max ?? null;
      expect(torch.clamp(x, lo, hi).tolist(), JSON.stringify(c)).toEqual(c.y);
      expect(x.clone().clamp_(lo, hi).tolist(), JSON.stringify(c)).toEqual(c.y_);
    }
    // clamp_min / clamp_max take the same path
    expect(torch.clamp_min(torch.tensor([0, 255], { dtype: torch.uint8 }), -5).tolist()).toEqual([251, 255]);
  });
});

describe("a Python scalar written into a small dtype: PyTorch's overflow check", () => {
  it("fill_, full and torch.tensor refuse what does not fit (uint8 takes -255..255, wrapping negatives)", () => {
    for (const c of fx.scalars) {
      const makers = {
        fill_: () => torch.zeros(2, { dtype: c.dtype }).fill_(c.value),
        full: () => torch.full([2], c.value, { dtype: c.dtype }),
        tensor: () => torch.tensor([c.value], { dtype: c.dtype }),
      };
      for (const k of ["fill_", "full", "tensor"] as const) {
        const want = c[k];
        const what = `${k}(${c.value}) ${c.dtype}`;
        if (want.error !== undefined) expect(makers[k], what).toThrow(want.error.replace(/^RuntimeError: /, ""));
        else expect(makers[k]().tolist(), what).toEqual(want.y);
      }
    }
  });
});

describe("printing and facts", () => {
  it("repr as PyTorch prints it (the dtype suffix for every integer dtype but int64)", () => {
    for (const p of fx.prints) expect(torch.tensor(p.data, { dtype: p.dtype }).toString(), JSON.stringify(p)).toBe(p.repr);
  });

  it("element_size, type(), is_floating_point, iinfo, and requires_grad refused", () => {
    for (const f of fx.facts) {
      const t = torch.zeros(1, { dtype: f.dtype });
      expect(t.element_size(), f.dtype).toBe(f.element_size);
      expect(t.type(), f.dtype).toBe(f.type);
      expect(t.is_floating_point(), f.dtype).toBe(f.is_floating_point);
      expect(`torch.${f.dtype}`).toBe(f.str);
      if (f.iinfo !== undefined) {
        const i = torch.iinfo(f.dtype);
        expect(i.bits, f.dtype).toBe(f.iinfo.bits);
        expect(i.min, f.dtype).toBe(Number(f.iinfo.min));
        expect(i.max, f.dtype).toBe(Number(f.iinfo.max));
      } else expect(() => torch.iinfo(f.dtype)).toThrow("is not supported by torch.iinfo");
    }
    expect(String(torch.iinfo(torch.uint8))).toBe("iinfo(min=0, max=255, dtype=uint8)");
    for (const [d, e] of Object.entries(fx.requires_grad)) {
      expect(() => torch.zeros(1, { dtype: d as DT }).requires_grad_(), d).toThrow(e.replace(/^RuntimeError: /, ""));
      expect(() => torch.zeros(1, { dtype: d as DT, requires_grad: true }), d).toThrow("floating point");
    }
  });

  it("the constants and names: torch.int32 / int / int16 / short / int8 / uint8, and string names", () => {
    expect([torch.int32, torch.int, torch.int16, torch.short, torch.int8, torch.uint8]).toEqual(["int32", "int32", "int16", "int16", "int8", "uint8"]);
    for (const [name, d] of [["int", "int32"], ["torch.int32", "int32"], ["short", "int16"], ["torch.short", "int16"], ["torch.uint8", "uint8"], ["torch.int8", "int8"]]) {
      expect(torch.zeros(1, { dtype: name as DT }).dtype, name).toBe(d);
    }
    expect(() => torch.zeros(1, { dtype: "uint16" as DT })).toThrow(/allowed: .*"uint8"/);
  });
});

describe("ops taking integer tensors", () => {
  it("index tensors: int32 reads as int64 (gather, index_select, index, index_put_, embedding), uint8 as a mask; int16 is refused", () => {
    const x = torch.tensor([10, 20, 30]);
    const i32 = torch.tensor([2, 0], { dtype: torch.int32 });
    expect(x.gather(0, i32).tolist()).toEqual([30, 10]);
    expect(x.index_select(0, i32).tolist()).toEqual([30, 10]);
    expect(x.index(i32).tolist()).toEqual([30, 10]);
    expect(x.index(torch.tensor([1, 0, 1], { dtype: torch.uint8 })).tolist()).toEqual([10, 30]);
    expect(() => x.index(torch.tensor([1], { dtype: torch.int16 }))).toThrow("tensors used as indices must be long, int, byte or bool tensors");
    const y = torch.zeros(3);
    y.index_put_([i32], torch.tensor(1));
    expect(y.tolist()).toEqual([1, 0, 1]);
    expect(F.embedding(i32, torch.eye(3)).tolist()).toEqual([[0, 0, 1], [1, 0, 0]]);
    expect(() => F.embedding(torch.tensor([0], { dtype: torch.uint8 }), torch.eye(3))).toThrow("Long, Int; but got torch.ByteTensor");
  });

  it("cross_entropy takes Long or Byte class targets (not Int), one_hot only Long, as PyTorch 2.13", () => {
    const logits = torch.zeros(2, 3);
    expect(F.cross_entropy(logits, torch.tensor([0, 2], { dtype: torch.uint8 })).item()).toBeCloseTo(Math.log(3), 6);
    expect(() => F.cross_entropy(logits, torch.tensor([0, 2], { dtype: torch.int32 }))).toThrow("expected target dtype to be Long or Byte, but got Int");
    expect(() => F.one_hot(torch.tensor([0, 1], { dtype: torch.int32 }))).toThrow("LongTensor");
  });

  it("randint with a small dtype: its values, and PyTorch's bound check", () => {
    const r = randint(0, 10, [50], { dtype: torch.int8 });
    expect(r.dtype).toBe("int8");
    expect((r.tolist() as number[]).every((v) => Number.isInteger(v) && v >= 0 && v < 10)).toBe(true);
    expect(() => randint(0, 300, [3], { dtype: torch.uint8 })).toThrow("to - 1 is out of bounds for unsigned char");
    expect(() => torch.zeros(3, { dtype: torch.uint8 }).random_(0, 300)).toThrow("to - 1 is out of bounds for unsigned char");
    expect(() => randint(-200, 0, [3], { dtype: torch.int8 })).toThrow("from is out of bounds for signed char");
    expect(torch.zeros(2, { dtype: torch.int16 }).tolist()).toEqual([0, 0]);
    expect(torch.ones([2], { dtype: torch.uint8 }).dtype).toBe("uint8");
    expect(torch.empty(2, { dtype: torch.int32 }).dtype).toBe("int32");
  });

  it("searchsorted / bucketize with out_int32 give int32; torch.get_rng_state() is uint8 (PyTorch's ByteTensor) and set_rng_state takes it back", () => {
    const seq = torch.tensor([1, 3, 5, 7]);
    const v = torch.tensor([0, 4, 8]);
    expect(torch.searchsorted(seq, v, { out_int32: true }).dtype).toBe("int32");
    expect(torch.searchsorted(seq, v).dtype).toBe("int64");
    expect(torch.bucketize(v, seq, { out_int32: true }).dtype).toBe("int32");
    expect(torch.bucketize(v, seq, { out_int32: true }).tolist()).toEqual([0, 2, 4]);
    const state = get_rng_state();
    expect(state.dtype).toBe("uint8");
    const a = rand(3).tolist();
    set_rng_state(state);
    expect(rand(3).tolist()).toEqual(a);
  });

  it("save / load keeps the dtype and the values", () => {
    const file = join(tmpdir(), `lrlab_int_dtypes_${process.pid}.pt`);
    const sd = {
      a: torch.tensor([-2, 70000], { dtype: torch.int32 }), b: torch.tensor([-300, 5], { dtype: torch.int16 }),
      c: torch.tensor([-128, 127], { dtype: torch.int8 }), d: torch.tensor([0, 255], { dtype: torch.uint8 }),
    };
    torch.save(sd, file);
    const back = torch.load(file) as Record<string, torch.Tensor>;
    for (const [k, t] of Object.entries(sd)) {
      expect(back[k].dtype, k).toBe(t.dtype);
      expect(back[k].tolist(), k).toEqual(t.tolist());
    }
  });
});

describe("the typed surface in a notebook cell", () => {
  it("torch.int32 and friends type-check in the kernel's engine, with .int() / .byte() and torch.iinfo", async () => {
    const e = new Engine(makePrelude(DIST), tmpdir());
    try {
      const v = async (src: string) => ((await e.run(src)) as { value: unknown }).value;
      expect(await v("torch.tensor([1, 2], { dtype: torch.int32 }).dtype")).toBe("int32");
      expect(await v("const xb = torch.tensor([300.5, -1]).byte(); xb.tolist()")).toEqual([44, 255]);
      expect(await v("[torch.uint8, torch.int8, torch.int16, torch.short, torch.int].join()")).toBe("uint8,int8,int16,int16,int32");
      expect(await v("torch.zeros(2, { dtype: torch.uint8 }).int().short().char().dtype")).toBe("int8");
      expect(await v("torch.iinfo(torch.int16).max")).toBe(32767);
      expect(await v("const ii: torch.IInfo = torch.iinfo(torch.uint8); ii.bits")).toBe(8);
      expect(() => e.run("const bad: number = torch.int32;")).toThrow(/not assignable to type 'number'/);
    } finally {
      e.close();
    }
  }, 60_000);
});
