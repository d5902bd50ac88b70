/**
 * `==` / `!=` with a tensor on a side is an error of the cell (tensor_equality.ts): JavaScript
 * compares the objects where PyTorch compares elements, and TypeScript lets Tensor == Tensor
 * through, so `if (pred == y)` was silently false (a porter's pass). Identity (`===`), null checks,
 * numbers and `any` stay allowed.
 */
import { tmpdir } from "node:os";
import { beforeAll, describe, expect, it } from "vitest";
import { DIST, Engine, makePrelude } from "./dist";

type Diag = { line: number; column: number; message: string; code: number; hint?: string };

let engine: InstanceType<typeof Engine>;
beforeAll(() => {
  engine = new Engine(makePrelude(DIST), tmpdir());
  engine.run([
    "const pred = torch.tensor([1, 2, 3]);",
    "const y = torch.tensor([1, 0, 3]);",
    "const model = new torch.nn.Linear(2, 2);",
    "const w = model.weight;",
    "const anyT: any = torch.ones([1]);",
  ].join("\n"));
}, 60_000);

const errorsOf = (src: string): Diag[] => {
  try {
    engine.compile(src);
  } catch (e) {
    return (e as { diagnostics: Diag[] }).diagnostics;
  }
  return [];
};

describe("== / != on tensors", () => {
  it("two tensors: an error at the operator, saying what to write, with the hint", () => {
    const [e, ...more] = errorsOf("const n = 1;\nif (pred == y) console.log(\"same\");");
    expect(more).toEqual([]);
    expect(e).toMatchObject({ line: 2, column: "if (pred ".length + 1, code: 0 });
    expect(e.message).toBe("'pred == y' compares two tensor objects in JavaScript (always false unless they are the same object), "
      + "not their elements as PyTorch's == does: use pred.eq(y) (element-wise, a bool tensor), torch.equal(pred, y) (same shape and values), "
      + "or === if you mean the same object");
    expect(e.hint).toMatch(/^hint: tensors have no operators in JavaScript, == and != included.*a\.eq\(b\) \/ a\.ne\(b\).*torch\.equal\(a, b\)/);
  });

  it("!=: ne, !torch.equal, !==", () => {
    const [e] = errorsOf("const diff = pred != y;");
    expect(e).toMatchObject({ line: 1, column: "const diff = pred ".length + 1, code: 0 });
    expect(e.message).toBe("'pred != y' compares two tensor objects in JavaScript (always true unless they are the same object), "
      + "not their elements as PyTorch's != does: use pred.ne(y) (element-wise, a bool tensor), !torch.equal(pred, y) (same shape and values), "
      + "or !== if you mean not the same object");
  });

  it("a tensor and a Parameter, a call's result, parentheses", () => {
    expect(errorsOf("if (w == model.weight) {}")[0].message).toMatch(/^'w == model\.weight' compares two tensor objects/);
    expect(errorsOf("const same = (model.forward(torch.ones([1, 2])).argmax(1) == y);")[0].message)
      .toMatch(/use model\.forward\(torch\.ones\(\[1, 2\]\)\)\.argmax\(1\)\.eq\(y\)/);
    // a side too long to quote: a and b for both
    expect(errorsOf("const long = model.forward(torch.ones([1, 2])).softmax(1).argmax(1).flatten() == y;")[0].message)
      .toMatch(/^'a == b' compares two tensor objects .*use a\.eq\(b\)/);
    // a tensor compared with an object that is not one: the tensor's method
    const [o] = errorsOf("const o = {};\nconst b = o == pred;");
    expect(o.message).toBe("'o == pred' compares objects in JavaScript (true only for the same object), not their elements as PyTorch's == does: "
      + "use pred.eq(o) (element-wise, a bool tensor), or === if you mean the same object");
  });

  it("inside a function, an arrow, a class method; each one reported, in order", () => {
    const errors = errorsOf([
      "function same(a: torch.Tensor, b: torch.Tensor) { return a == b; }",
      "const differ = (a: torch.Tensor, b: torch.nn.Parameter) => a != b;",
      "class Acc { best: torch.Tensor = torch.zeros([1]); is(t: torch.Tensor) { if (this.best == t) return 1; return 0; } }",
      "function generic<T extends torch.Tensor>(a: T, b: T) { return a == b; }",
    ].join("\n"));
    expect(errors.map((e) => [e.line, e.column, e.message.slice(0, e.message.indexOf("' "))])).toEqual([
      [1, 60, "'a == b"],
      [2, 62, "'a != b"],
      [3, 88, "'this.best == t"],
      [4, 65, "'a == b"],
    ]);
  });

  it("a tensor that may be null (Tensor | null) is still compared as an object", () => {
    const [e] = errorsOf("let best: torch.Tensor | null = null;\nif (best == pred) {}");
    expect(e).toMatchObject({ line: 2, code: 0 });
  });

  it("not flagged: ===, !==, null / undefined checks, numbers, any, non-tensors", () => {
    for (const ok of [
      "if (pred === y) {}",
      "const p = model.weight; if (p !== model.weight) {}",
      "if (pred == null || y != undefined || model.weight.grad == null) {}",
      "if (pred != void 0) {}",
      "let maybe: torch.Tensor | undefined; if (maybe == undefined) {}",
      "if (pred.sum().item() == 4 && pred.numel() != 2) {}",
      "if (anyT == pred || pred != anyT) {}",
      "const u: unknown = 1; if (pred == u) {}",
      "function h(v: torch.Tensor | number) { return pred == v; }",
      "if (model == model) {}",
      "const s: string = 'a'; const same = s == 'b';",
      "const f = (a: number, b: number) => a <= b && a >= b;",
      "// pred == y in a comment\nconst q = \"pred == y\";",
    ]) expect(errorsOf(ok), ok).toEqual([]);
  });

  it("the cell with the error did not run: nothing it declares exists", () => {
    expect(errorsOf("const notRun = pred == y;")).toHaveLength(1);
    expect(engine.userNames()).not.toContain("notRun");
  });
});
