import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import * as torch from "../../kernel/src/tensor/index";
import { DType, Tensor } from "../../kernel/src/tensor/tensor";
import { format_fixed, format_sci } from "../../kernel/src/tensor/print";

interface Case {
  name: string;
  shape: number[];
  dtype: DType;
  requires_grad: boolean;
  values: (number | string)[];
  repr: string;
  options?: Partial<torch.PrintOptions>;
}

const fixture = JSON.parse(readFileSync(join(__dirname, "../fixtures/tensor/print.json"), "utf8")) as { cases: Case[] };

function decode(v: number | string): number {
  if (v === "nan") return NaN;
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  if (v === "-0") return -0;
  return v as number;
}

function build(c: Case): Tensor {
  const data = c.dtype === "float32" ? new Float32Array(c.values.length) : new Float64Array(c.values.length);
  c.values.forEach((v, i) => (data[i] = decode(v)));
  return new Tensor(data, c.shape, c.dtype, c.requires_grad);
}

describe("printing matches PyTorch's repr (fixtures from torch)", () => {
  it("has cases", () => expect(fixture.cases.length).toBeGreaterThan(40));
  for (const c of fixture.cases) {
    it(c.name, () => {
      if (c.options) torch.set_printoptions(c.options);
      try {
        expect(String(build(c))).toBe(c.repr);
      } finally {
        torch.set_printoptions({ profile: "default", sci_mode: null });
      }
    });
  }
});

describe("printing", () => {
  it("String(torch.tensor([1, 2])) is tensor([1., 2.])", () => {
    expect(String(torch.tensor([1, 2]))).toBe("tensor([1., 2.])");
  });
  it("util.inspect (console.log) gives the same text", () => {
    const t = torch.tensor([[0.1, 0.2]], { requires_grad: true });
    expect(inspect(t)).toBe("tensor([[0.1000, 0.2000]], requires_grad=True)");
  });
  it("shows grad_fn for results of recorded ops", () => {
    const a = torch.tensor([1, 2], { requires_grad: true });
    expect(String(a.add(1))).toBe("tensor([2., 3.], grad_fn=<AddBackward0>)");
    expect(String(a.mul(a).sum())).toBe("tensor(5., grad_fn=<SumBackward0>)");
    expect(String(torch.no_grad(() => a.mul(2)))).toBe("tensor([2., 4.])");
  });
  it("formats numbers like Python (half to even, exponent with two digits)", () => {
    expect(format_fixed(0.03125, 4)).toBe("0.0312");
    expect(format_fixed(0.09375, 4)).toBe("0.0938");
    expect(format_fixed(-2.5, 0)).toBe("-2");
    expect(format_fixed(3.5, 0)).toBe("4");
    expect(format_fixed(9.99996, 4)).toBe("10.0000");
    expect(format_sci(1234567, 4)).toBe("1.2346e+06");
    expect(format_sci(1.5e-10, 4)).toBe("1.5000e-10");
    expect(format_sci(1e100, 4)).toBe("1.0000e+100");
    expect(format_sci(0, 4)).toBe("0.0000e+00");
  });
  it("shows dtype=torch.float32 when the default dtype is float64", () => {
    torch.set_default_dtype("float64");
    try {
      expect(String(torch.tensor([1.5]))).toBe("tensor([1.5000])");
      expect(String(torch.tensor([1.5], { dtype: "float32" }))).toBe("tensor([1.5000], dtype=torch.float32)");
    } finally {
      torch.set_default_dtype("float32");
    }
  });
});

describe("conversion to primitives", () => {
  it("one-element tensors act as numbers in arithmetic, strings give the repr", () => {
    const n = torch.tensor([2.5]);
    let total = 0;
    total += n as unknown as number;
    expect(total).toBe(2.5);
    expect(Number(torch.tensor(3))).toBe(3);
    expect((torch.tensor(0.5) as unknown as number) < 1).toBe(true);
    expect(`${n}`).toBe("tensor([2.5000])");
    expect(String(n)).toBe("tensor([2.5000])");
    expect(() => Number(torch.tensor([1, 2]))).toThrow("only one element tensors can be converted to Python scalars");
    expect("" + (torch.tensor([1, 2]) as unknown as string)).toBe("tensor([1., 2.])");
  });
});

describe("named tuples", () => {
  it("print as torch.return_types", () => {
    const x = torch.tensor([[3, 1, 2], [0, 5, 4]]);
    expect(String(x.max(1))).toBe("torch.return_types.max(\nvalues=tensor([3., 5.]),\nindices=tensor([0, 1]))");
    expect(inspect(x.long().sort(1))).toBe(
      "torch.return_types.sort(\nvalues=tensor([[1, 2, 3],\n        [0, 4, 5]]),\nindices=tensor([[1, 2, 0],\n        [0, 2, 1]]))",
    );
    const r = x.min(0);
    expect(r[0]).toBe(r.values);
    expect(r[1]).toBe(r.indices);
  });
});
