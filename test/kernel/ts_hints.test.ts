/** ts_hints.ts: short type names and the hints under type errors that PyTorch habits cause. */
import { describe, expect, it } from "vitest";
import { cellHints, hintFor, tidyMessage, useLibrary } from "../../kernel/src/kernel/ts_hints";
import * as torch from "../../kernel/src/index";
import * as lrlab from "../../kernel/src/tools";
import { run_names } from "../../kernel/src/trace/runs";

// The sources, run directly here, cannot require the library lazily as the built kernel does.
useLibrary({ torch, lrlab, run_names });

describe("type error hints", () => {
  it("takes the library's import paths out of type names", () => {
    expect(tidyMessage(`Operator '*' cannot be applied to types 'import("/x/kernel/dist/tensor/tensor").Tensor' and 'number'.`))
      .toBe("Operator '*' cannot be applied to types 'Tensor' and 'number'.");
    expect(tidyMessage("Type 'string' is not assignable to type 'number'.")).toBe("Type 'string' is not assignable to type 'number'.");
  });

  it("names the fix for calling a module and for operators on tensors", () => {
    expect(hintFor(2757, "Type 'MSELoss' has no call signatures.", "loss_fn(out, y)")).toMatch(/loss_fn\.forward\(\.\.\.\)/);
    // a generic module (Sequential<Tensor, Tensor>) had no hint; the callee as written (the error's span), not cut at "("
    expect(hintFor(2757, "Type 'Sequential<Tensor, Tensor>' has no call signatures.", "features(x)", "", "features")).toMatch(/features\.forward\(\.\.\.\)/);
    expect(hintFor(2757, "Type 'Linear' has no call signatures.", "ml.get(0)(x)", "", "ml.get(0)")).toMatch(/ ml\.get\(0\)\.forward\(\.\.\.\)/);
    // == on tensors: the objects compared, not the elements (a porter's pass)
    expect(hintFor(2339, "Property 'sum' does not exist on type 'boolean'.", "sum().item();", "correct += (pred == y).")).toBe(
      "hint: == compares JavaScript objects, not tensor elements (pred == y is a single boolean, and false for two tensors): use pred.eq(y) for the "
      + "element-wise comparison (a bool tensor: .sum() counts, .all().item() for one boolean); lt, le, gt, ge likewise");
    expect(hintFor(2367, "This comparison appears to be unintentional because the types 'Tensor' and 'number' have no overlap.", "t != 2) console.log(1)")).toMatch(/use t\.ne\(2\) for the element-wise comparison/);
    expect(hintFor(2339, "Property 'sum' does not exist on type 'boolean'.", "sum()", "const ok = done.")).toBeNull();
    // a cell too large for TypeScript's control flow analysis (data pasted inline)
    expect(hintFor(2563, "The containing function or module body is too large for control flow analysis.", "let x = 0")).toMatch(/^hint: the cell is too long for TypeScript to check; keep data in a file and read it/);
    expect(hintFor(2365, "Operator '*' cannot be applied to types 'Tensor' and 'number'.", "a * 2")).toMatch(/a \* b is a\.mul\(b\)/);
    expect(hintFor(2365, "Operator '@' cannot be applied to types 'Tensor' and 'Tensor'.", "a @ b")).toMatch(/use their methods/);
    // not about tensors: no hint
    expect(hintFor(2365, "Operator '+' cannot be applied to types 'boolean' and 'symbol'.", "x + y")).toBeNull();
    expect(hintFor(2322, "Type 'string' is not assignable to type 'number'.", "s")).toBeNull();
  });

  it("names what Python's builtins are here", () => {
    expect(hintFor(2304, "Cannot find name 'print'.", "print(x)")).toBe("hint: print is Python; here: console.log(x), or display(x) for a rich output");
    expect(hintFor(2552, "Cannot find name 'True'. Did you mean 'true'?", "True")).toBe("hint: True is Python; here: true");
    expect(hintFor(2304, "Cannot find name 'nonsense'.", "nonsense")).toBeNull();
    expect(hintFor(2304, "Cannot find name 'constructor'.", "constructor")).toBeNull(); // own names only, not Object.prototype's
  });

  it("names the fix for keyword arguments, `import torch`, and tensor methods that have no use here", () => {
    expect(hintFor(2304, "Cannot find name 'dtype'.", "dtype=torch.float64)", "torch.tensor(xs, ")).toMatch(/^hint: dtype=\.\.\. is a Python keyword argument; here options are one object, f\(x, \{ dtype: \.\.\. \}\)/);
    expect(hintFor(2304, "Cannot find name 'dim'.", "dim = 1)", "x.sum(")).toMatch(/keyword argument/);
    expect(hintFor(2304, "Cannot find name 'dim'.", "dim == 1)", "x.sum(")).toBeNull(); // a comparison
    expect(hintFor(4000, "Import declaration 'torch' is using private name ''.", "")).toMatch(/^hint: import torch is Python; torch and lrlab are already there/);
    expect(hintFor(2339, "Property 'numpy' does not exist on type 'Tensor'.", "numpy()")).toMatch(/t\.tolist\(\)/);
    expect(hintFor(2339, "Property 'cuda' does not exist on type 'Tensor'.", "cuda()")).toMatch(/CPU/);
    expect(hintFor(2339, "Property 'foo' does not exist on type 'Tensor'.", "foo()")).toBeNull();
    expect(hintFor(2515, "Non-abstract class 'MyDS' does not implement inherited abstract member 'get' from class 'Dataset<[Tensor, number]>'.", "MyDS"))
      .toMatch(/^hint: an lrlab Dataset implements get\(index\) and a length getter \(PyTorch's __getitem__ and __len__\)/);
    expect(hintFor(2515, "Non-abstract class 'A' does not implement inherited abstract member 'get' from class 'Base'.", "A")).toBeNull();
  });

  it("`x = 5` is an undeclared name, not a keyword argument: the keyword hint only inside a call's arguments", () => {
    const declare = (name: string, value: string) => `hint: ${name} is not declared: declare it where it is first set, let ${name} = ${value} (const ${name} = ${value} if it never changes)`;
    expect(hintFor(2304, "Cannot find name 'x'.", "x = 5", "")).toBe(declare("x", "5"));
    expect(hintFor(2304, "Cannot find name 'x'.", "x = 5;", "const a = 1;\n")).toBe(declare("x", "5"));
    expect(hintFor(2304, "Cannot find name 'lr'.", "lr = opt.param_groups[0].lr * 0.5;", "for (const g of gs) {\n  ")).toBe(declare("lr", "opt.param_groups[0].lr * 0.5"));
    // a long value is elided
    expect(hintFor(2304, "Cannot find name 'y'.", "y = torch.randn(1000, 1000).matmul(torch.randn(1000, 1000)).sum()", "")).toBe(declare("y", "..."));
    // a for loop's or an if's parentheses are not a call's
    expect(hintFor(2304, "Cannot find name 'i'.", "i = 0; i < 3; i++) {}", "for (")).toBe(declare("i", "0"));
    // inside a call, on this line or an earlier one; strings and comments do not count
    expect(hintFor(2304, "Cannot find name 'dtype'.", "dtype=torch.float64)", "torch.tensor([1, 2],\n  ")).toMatch(/keyword argument/);
    expect(hintFor(2304, "Cannot find name 'dtype'.", "dtype=torch.float64)", "f(\"(\", ")).toMatch(/keyword argument/);
    expect(hintFor(2304, "Cannot find name 'x'.", "x = 5", "f(\")\"); // (\n")).toBe(declare("x", "5"));
    expect(hintFor(2304, "Cannot find name 'x'.", "x = 5", "f(1);\n")).toBe(declare("x", "5"));
    expect(hintFor(2304, "Cannot find name 'x'.", "x = 5", "const f = (a) => {\n")).toBe(declare("x", "5"));
    // an array or object literal: neither
    expect(hintFor(2304, "Cannot find name 'x'.", "x = 5]", "const a = [")).toBeNull();
  });

  it("says that double backward is not supported where create_graph is asked for", () => {
    expect(hintFor(2353, "Object literal may only specify known properties, and 'create_graph' does not exist in type 'GradOptions'.", "{ create_graph: true })"))
      .toMatch(/^hint: lrlab's autograd computes first derivatives only: create_graph .* is not supported/);
    expect(hintFor(2353, "Object literal may only specify known properties, and 'colour' does not exist in type 'X'.", "{ colour: 1 }")).toBeNull();
  });

  it("names the library's namespaces in messages, and lists what one has when a name is missing from it", () => {
    const msg = tidyMessage(`Property 'Conv4d' does not exist on type 'typeof import("/x/kernel/dist/nn/index")'.`);
    expect(msg).toBe("Property 'Conv4d' does not exist on type 'typeof torch.nn'.");
    const nn = hintFor(2339, msg, "Conv4d(1, 2, 3)")!;
    // torch.nn has too many classes to list: the closest ones, and Tab for the rest
    expect(nn).toMatch(/^hint: lrlab's torch\.nn has no Conv4d; the closest: .*\bConv2d\b.* \(Tab after the dot lists all \d+\)$/);
    expect(nn).toMatch(/\bConv1d\b/);
    expect(nn).not.toMatch(/\bfunctional\b/); // classes only for torch.nn
    const optim = hintFor(2339, tidyMessage(`Property 'Adam2' does not exist on type 'typeof import("/x/kernel/dist/optim/index")'.`), "Adam2")!;
    expect(optim).toMatch(/^hint: lrlab's torch\.optim has no Adam2; it has .*\bAdamW\b/);
    const swa = hintFor(2339, tidyMessage(`Property 'SWA' does not exist on type 'typeof import("/x/kernel/dist/optim/swa_utils/index")'.`), "SWA")!;
    expect(swa).toMatch(/^hint: lrlab's torch\.optim\.swa_utils has no SWA; it has AveragedModel, SWALR, get_ema_avg_fn, .*update_bn$/);
    const tools = hintFor(2339, tidyMessage(`Property 'nothing' does not exist on type 'typeof import("/x/kernel/dist/tools")'.`), "nothing")!;
    expect(tools).toMatch(/^hint: lrlab has no nothing; it has .*\btrace\b.*\btrace_all\b/);
    // another module's path stays as it was
    expect(tidyMessage(`type 'typeof import("/x/node_modules/foo/index")'`)).toBe(`type 'typeof import("/x/node_modules/foo/index")'`);
  });

  it("has SparseAdam in torch.optim now (no hint for it): a misspelling gets the namespace's list", () => {
    const msg = tidyMessage(`Property 'SparseAdamm' does not exist on type 'typeof import("/x/kernel/dist/optim/index")'.`);
    expect(msg).toBe("Property 'SparseAdamm' does not exist on type 'typeof torch.optim'.");
    const hint = hintFor(2339, msg, "SparseAdamm(model.parameters())")!;
    expect(hint).toMatch(/^hint: lrlab's torch\.optim has no SparseAdamm; it has .*\bSparseAdam\b/);
    expect(hint).not.toMatch(/sparse gradients/);
    // another namespace's SparseAdam gets the usual list
    const nn = hintFor(2339, "Property 'SparseAdam' does not exist on type 'typeof torch.nn'.", "SparseAdam")!;
    expect(nn).toMatch(/^hint: lrlab's torch\.nn has no SparseAdam\b.*\(Tab after the dot lists all \d+\)$/);
  });

  it("gives each hint once, and the conditional operator hint only when no error named a tensor", () => {
    const maybe = hintFor(2362, "The left-hand side of an arithmetic operation must be of type 'any', 'number', 'bigint' or an enum type.", "a * 2")!;
    const sure = hintFor(2365, "Operator '+' cannot be applied to types 'number' and 'Tensor'.", "a * 2 + a")!;
    expect(maybe).toMatch(/^hint: if that is a tensor/);
    expect(cellHints([maybe, maybe])).toEqual([maybe]);
    expect(cellHints([maybe, sure, sure])).toEqual([sure]);
  });
});
