/**
 * Traps of PyTorch code ported to a cell, found by a user pass (session 14, user A), through the
 * real kernel: a tensor as a condition (always true in JavaScript: an error before the cell runs,
 * tensor_condition.ts), and the hints under the errors of `state_dict().keys()`, a constructor
 * that sets undeclared fields (`this.fc1 = ...`), `with torch.no_grad():`, a cell magic below the
 * first line under another cell magic (magics/run_cell.ts), and a keyword argument read against
 * the called function's signature (keyword_hint.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient } from "./client";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
}, 60_000);
afterAll(async () => { await k?.shutdown(); });

const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");

/** The cell's error as the user reads it: its error lines, hints, the whole traceback, and what it printed. */
async function failure(code: string): Promise<{ ename: string; errors: string[]; hints: string[]; traceback: string[]; stdout: string }> {
  const r = await k.execute(code);
  expect(r.reply.content.status).toBe("error");
  const traceback = (r.reply.content.traceback as string[]).map(plain);
  return {
    ename: r.reply.content.ename as string,
    errors: traceback.filter((l) => / - error (TS\d+|lrlab): /.test(l)),
    hints: traceback.filter((l) => l.startsWith("hint:")),
    traceback,
    stdout: r.stdout,
  };
}

async function ok(code: string): Promise<string> {
  const r = await k.execute(code);
  expect(r.reply.content.status, plain(((r.reply.content.traceback as string[] | undefined) ?? []).join("\n"))).toBe("ok");
  return r.stdout;
}

const fix = (t: string) => `write ${t}.item() for a one-element tensor, ${t}.any().item() or ${t}.all().item() for several elements`;

describe("a tensor as a condition is an error before the cell runs", () => {
  it("if, ?:, !, while, && in a condition, Boolean(): each named, with what to write; nothing runs", async () => {
    const f = await failure([
      "const x = torch.tensor([-1.0, -2.0]);",
      "const loss = torch.tensor(1.5);",
      "const best = torch.tensor(2.0);",
      "if (x.sum().gt(0)) console.log(\"positive? sum =\", x.sum().item());",
      "if (torch.isnan(loss)) console.log(\"NaN loss\");",
      "console.log(loss.gt(best) ? \"worse\" : \"better\");",
      "const mask = x.gt(0);",
      "if (!mask) console.log(\"none\");",
      "let t = torch.tensor(0.5), n = 0;",
      "while (t.lt(1) && n++ < 3) t = t.add(1);",
      "if (loss.lt(best) && x.numel() > 1) console.log(\"improved\");",
      "console.log(Boolean(mask));",
    ].join("\n"));
    // was: it ran, printed "positive? sum = -3", "NaN loss", "worse", "improved", "true"
    expect(f.stdout).toBe("");
    expect(f.ename).toBe("TSError");
    expect(f.errors).toEqual([
      `4:5 - error lrlab: This condition will always return true since 'x.sum().gt(0)' is a Tensor, an object: ${fix("x.sum().gt(0)")}`,
      `5:5 - error lrlab: This condition will always return true since 'torch.isnan(loss)' is a Tensor, an object: ${fix("torch.isnan(loss)")}`,
      `6:13 - error lrlab: This condition will always return true since 'loss.gt(best)' is a Tensor, an object: ${fix("loss.gt(best)")}`,
      `8:6 - error lrlab: !mask will always return false since 'mask' is a Tensor, an object: ${fix("mask")}`,
      `10:8 - error lrlab: This condition will always return true since 't.lt(1)' is a Tensor, an object: ${fix("t.lt(1)")}`,
      `11:5 - error lrlab: This condition will always return true since 'loss.lt(best)' is a Tensor, an object: ${fix("loss.lt(best)")}`,
      `12:21 - error lrlab: Boolean(mask) will always return true since 'mask' is a Tensor, an object: ${fix("mask")}`,
    ]);
    // one hint for all of them
    expect(f.hints).toHaveLength(1);
    expect(f.hints[0]).toMatch(/^hint: JavaScript reads every object as true, a tensor too.*t\.item\(\).*t\.any\(\)\.item\(\) \/ t\.all\(\)\.item\(\)/);
    // the caret under the condition
    const src = f.traceback.findIndex((l) => l.startsWith("   4 | "));
    expect(f.traceback[src + 1].indexOf("^") - "     | ".length).toBe("if (".length);
  }, 60_000);

  it("a tensor from an earlier cell's const, a class field, the left operand of ||, a loop's break guard", async () => {
    await ok("const loss_prev = torch.tensor(Number.NaN);");
    const f = await failure([
      "for (let i = 0; i < 3; i++) {",
      "  if (torch.isnan(loss_prev)) break;",
      "}",
      "if (loss_prev.isnan()) console.log(1);",
      "const flag = loss_prev.isnan() || false;",
      "class Guard { limit = torch.tensor(1.0); ok(v: torch.Tensor) { return this.limit ? v.lt(this.limit).all().item() : 0; } }",
    ].join("\n"));
    expect(f.errors.map((e) => e.replace(/ - error lrlab: .*? since '([^']*)'.*/, " $1"))).toEqual([
      "2:7 torch.isnan(loss_prev)",
      "4:5 loss_prev.isnan()",
      "5:14 loss_prev.isnan()",
      "6:71 this.limit",
    ]);
    // a name from an earlier cell that holds a tensor
    const prev = await failure("if (loss_prev) console.log(\"set\");");
    expect(prev.errors).toEqual([`1:5 - error lrlab: This condition will always return true since 'loss_prev' is a Tensor, an object: ${fix("loss_prev")}`]);
  }, 60_000);

  it("no error for null checks: p.grad (Tensor | null), optional values, bias, nullable lets, any, non-tensors", async () => {
    const out = await ok([
      "const p = new torch.nn.Parameter(torch.ones([2]));",
      "if (p.grad) console.log(\"grad\");",
      "if (!p.grad) console.log(\"no grad\");",
      "const g = p.grad;",
      "if (g) console.log(\"g\");",
      "const lin = new torch.nn.Linear(2, 2, { bias: false });",
      "if (lin.bias) console.log(\"bias\");",
      "function f(a?: torch.Tensor, b: torch.Tensor | null = null) { if (a) return 1; if (b) return 2; return !a || !b ? 3 : 4; }",
      "console.log(f());",
      "function g2(x: torch.Tensor) { return x ? 1 : 0; }",
      "let best: torch.Tensor | null = null;",
      "if (best) console.log(\"best\");",
      "let bt = torch.tensor(1);",
      "bt = null;",
      "if (bt) console.log(\"bt\");",
      // a state_dict's missing key raises KeyError as PyTorch's does (nn/state_dict_keys.ts): a plain record here
      "const sd: Record<string, torch.Tensor> = { ...lin.state_dict() };",
      "if (sd[\"weight\"] && !sd[\"bias\"]) console.log(\"weight only\");",
      "const xs: torch.Tensor[] = [];",
      "if (xs[0]) console.log(\"xs\");",
      "const maybe = xs.length > 0 ? torch.ones([1]) : null;",
      "if (maybe) console.log(\"maybe\");",
      "class Box { t?: torch.Tensor; u: torch.Tensor | null = null; check() { return this.t ? 1 : this.u ? 2 : 0; } }",
      "console.log(new Box().check());",
      "let tr0: ReturnType<typeof lrlab.trace>;",
      "const m = tr0 ? tr0.latest() : null;",
      "if (m && tr0) console.log(\"metrics\");",
      "const anyT: any = torch.ones([1]);",
      "if (anyT && lin) console.log(\"any\");",
      "if (torch.ones([1]).item() > 0 && torch.tensor(1) < torch.tensor(2)) console.log(\"values\");",
    ].join("\n"));
    expect(out).toBe("no grad\n3\nweight only\n0\nany\nvalues\n");
    // an earlier cell's let holding a tensor may be set to null by any cell: left alone
    await ok("let running = torch.zeros([1]);");
    expect(await ok("if (running) console.log(\"running\");")).toBe("running\n");
  }, 60_000);
});

describe("hints for Python habits", () => {
  it("state_dict().keys() / .items(): Object.keys / Object.entries, not a module's forward", async () => {
    await ok("const model = new torch.nn.Linear(2, 1);");
    const keys = await failure("model.state_dict().keys()");
    expect(keys.errors[0]).toBe("1:20 - error TS2349: This expression is not callable.");
    expect(keys.hints).toEqual(["hint: a state_dict here is a plain object (parameter name → tensor), not a Python dict: "
      + "Object.keys(model.state_dict()) is .keys(), Object.entries(model.state_dict()) is .items() "
      + "(for (const [name, t] of Object.entries(model.state_dict())) ...), Object.values(model.state_dict()) is .values(), (name in model.state_dict() ? model.state_dict()[name] : d) is .get(name, d)"]);
    const items = await failure("const sd = model.state_dict();\nfor (const [k, v] of sd.items()) console.log(k);");
    expect(items.hints).toHaveLength(1);
    expect(items.hints[0]).toContain("Object.entries(sd) is .items()");
    expect(items.hints.join("\n")).not.toContain("forward");
    // calling a module still gets the forward hint
    expect((await failure("model(torch.ones([1, 2]))")).hints).toEqual(["hint: a torch.nn module (or loss) is called through its forward method: model.forward(...) (JavaScript objects cannot be called as in Python)"]);
  }, 60_000);

  it("a Python-style constructor: declare the layers as class fields, one hint for the cell", async () => {
    const f = await failure([
      "class Net extends torch.nn.Module {",
      "  constructor() {",
      "    super();",
      "    this.fc1 = new torch.nn.Linear(4, 8);",
      "    this.fc2 = new torch.nn.Linear(8, 1);",
      "  }",
      "  forward(x: torch.Tensor) { return this.fc2.forward(this.fc1.forward(x).relu()); }",
      "}",
    ].join("\n"));
    expect(f.errors).toHaveLength(4);
    expect(f.hints).toEqual(["hint: a TypeScript class declares its fields in its body (Python's self.x = ... in __init__ makes one): "
      + "declare each of Net's before the constructor, with its value, fc1 = new torch.nn.Linear(4, 8); or with its type, fc1: torch.nn.Linear; "
      + "(then this.fc1 = ... in the constructor sets it)"]);
    // both ways the hint names work
    await ok("class Net2 extends torch.nn.Module {\n  fc1 = new torch.nn.Linear(4, 8);\n  fc2: torch.nn.Linear;\n  constructor() { super(); this.fc2 = new torch.nn.Linear(8, 1); }\n"
      + "  forward(x: torch.Tensor) { return this.fc2.forward(this.fc1.forward(x).relu()); }\n}\nnew Net2().forward(torch.ones([1, 4])).shape");
  }, 60_000);

  it("with torch.no_grad(): and torch.no_grad() without a function: torch.no_grad(() => { ... })", async () => {
    const hint = "hint: torch.no_grad is a function here, not a context manager (JavaScript has no with): torch.no_grad(() => { ... }) runs the block with gradients off and returns its value";
    expect((await failure("with torch.no_grad(): pass")).hints).toEqual([hint]);
    expect((await failure("const nograd = torch.no_grad();")).hints).toEqual([hint]);
    expect((await failure("with open(\"f.txt\") as f: pass")).hints[0]).toMatch(/^hint: with is Python's context manager/);
  }, 60_000);

  it("a keyword argument: by the called function's signature (positional, options object, neither)", async () => {
    // (type-checked only: these cells fail before they run)
    await ok("const w = new torch.nn.Parameter(torch.ones([2]));\nlet tr: ReturnType<typeof lrlab.trace>;");
    // was: "here options are one object, f(x, { loss: ... })", wrong for log_loss's positional loss
    expect((await failure("tr.log_loss(loss=torch.tensor(1.0));")).hints).toEqual([
      "hint: loss=... is a Python keyword argument; log_loss takes loss by position: tr.log_loss(torch.tensor(1.0))"]);
    expect((await failure("const o = new torch.optim.SGD([w], lr=0.1, momentum=0.9);")).hints).toEqual([
      "hint: lr=..., momentum=... are Python keyword arguments; SGD takes lr and momentum in one options object: new torch.optim.SGD([w], { lr: 0.1, momentum: 0.9 })"]);
    expect((await failure("tr.log_loss(torch.tensor(1.0), batch_size=8);")).hints).toEqual([
      "hint: batch_size=... is a Python keyword argument; log_loss takes batch_size in one options object: tr.log_loss(torch.tensor(1.0), { batch_size: 8 })"]);
    expect((await failure("tr.log_loss(torch.tensor(1.0), lossy=8);")).hints).toEqual([
      "hint: lossy=... is a Python keyword argument; lossy is none of log_loss's parameters or options (Shift-Tab shows its signature)"]);
    // an undeclared name set as a statement keeps its own hint
    expect((await failure("undeclared_x = 5")).hints).toEqual(["hint: undeclared_x is not declared: declare it where it is first set, let undeclared_x = 5 (const undeclared_x = 5 if it never changes)"]);
  }, 60_000);
});

describe("a cell magic below the first line", () => {
  it("%%time under %%lr_trace: put %%time first; any other cell magic there: one to a cell", async () => {
    await ok("const pm = new torch.nn.Parameter(torch.ones([2]));\nconst om = new torch.optim.SGD([pm], { lr: 0.1 });");
    const f = await failure("%%lr_trace --name timed2 --no-live\n%%time\nom.zero_grad(); pm.pow(2).sum().backward(); om.step();");
    // was: TSError 2:1 - Expression expected.; 2:2 - Expression expected.; 2:3 - Cannot find name 'time'.
    expect(f.ename).toBe("UsageError");
    expect(f.traceback[0]).toBe("UsageError: line 2: %%time must be the cell's first line (it is a cell magic, and the lines below %%lr_trace are its code): "
      + "put it before %%lr_trace: %%time on line 1, %%lr_trace ... on line 2, then the code");
    const twice = await failure("%%time\n%%lr_trace --name timed3 --no-live\n%%lr_trace --name timed4\nom.step();");
    expect(twice.traceback[0]).toMatch(/^UsageError: line 3: %%lr_trace must be the cell's first line .*: a cell has one cell magic \(%%time can go before it\)$/);
    // the documented order works
    const r = await ok("%%time\n%%lr_trace --name timed5 --no-live\nom.zero_grad(); pm.pow(2).sum().backward(); om.step();");
    expect(r).toMatch(/Wall time:/);
  }, 60_000);
});
