/**
 * The kernel's messages, completion and docs after three users' passes (userpass16: userF items 1
 * and 4, userG items 9 and 10, userH item 5). Each test failed before its fix:
 *   1  a misspelt key in an optimizer's, scheduler's or layer's options object: one line naming
 *      the key, the closest accepted key and the accepted keys, at the key (it was a 10-line
 *      overload dump at `new`, ending in "'lr' does not exist in type 'Tensor'");
 *   2  a frame in a function an earlier cell defined names that cell, `In [1] line 6` (it read
 *      "cell line 6" in a 3-line cell);
 *   3  TS 5 standard decorators: a hint that the kernel's decorators are the legacy ones;
 *   4  is_complete's indent after a closed inner block (`class A {\n  m() {\n  ...\n  }`: "  ");
 *   5  model.load_state_dict of a JSON round-tripped checkpoint: the torch.save hint, once;
 *   6  Tab on `torch.`: aliases (arccos, clip, ...) are "function", not "instance";
 *   7  Shift-Tab on `new torch.optim.Adam` (no parenthesis yet): the options and their defaults.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIST } from "./dist";
import { errorEngine, plain } from "./cell_errors";
import { KernelClient } from "./client";

const load = createRequire(__filename);
const { isCompleteCell } = load(join(DIST, "kernel/is_complete.js")) as typeof import("../../kernel/src/kernel/is_complete");

const { engine: e, traceback } = errorEngine("const lin = new torch.nn.Linear(10, 2); const oo = new torch.optim.SGD(lin.parameters(), { lr: 0.1 });");

describe("1: a misspelt option key is one line, at the key", () => {
  it("Adam's beta: the key, TypeScript's suggestion, the accepted keys; no positional overload", () => {
    const src = "new torch.optim.Adam(lin.parameters(), { lr: 0.1, beta: [0.9, 0.99] })";
    const tb = traceback(src);
    expect(tb[0]).toBe(`1:${src.indexOf("beta") + 1} - error TS2561: Adam has no option 'beta' (did you mean betas?); `
      + "accepted: lr, betas, eps, weight_decay, amsgrad, maximize, decoupled_weight_decay, foreach, fused, capturable, differentiable");
    // the caret under the key, and nothing else: no chain, no "'lr' does not exist in type 'Tensor'"
    expect(tb).toEqual([tb[0], `   1 | ${src}`, `     | ${" ".repeat(src.indexOf("beta"))}^`]);
  }, 60_000);

  it("SGD's learning_rate (Keras's name): suggests lr", () => {
    const tb = traceback("new torch.optim.SGD(lin.parameters(), { learning_rate: 0.1 })");
    expect(tb[0]).toMatch(/^1:41 - error TS2353: SGD has no option 'learning_rate' \(did you mean lr\?\); accepted: lr, momentum, dampening, weight_decay, nesterov, maximize/);
    expect(tb.join("\n")).not.toMatch(/Tensor|Overload|Positional/);
  }, 60_000);

  it("a scheduler's gama and a layer's paddin, as the magics say it", () => {
    const src = "new torch.optim.lr_scheduler.StepLR(oo, { step_size: 5, gama: 0.5 })";
    expect(traceback(src)[0]).toBe(`1:${src.indexOf("gama") + 1} - error TS2561: StepLR has no option 'gama' (did you mean gamma?); accepted: step_size, gamma, last_epoch`);
    const conv = "const c = new torch.nn.Conv2d(1, 2, 3, { stride: 1, paddin: 1 });";
    expect(traceback(conv)[0]).toBe(`1:${conv.indexOf("paddin") + 1} - error TS2561: Conv2d has no option 'paddin' (did you mean padding?); `
      + "accepted: stride, padding, dilation, groups, bias, padding_mode, dtype");
  }, 60_000);

  it("other overload errors keep TypeScript's chain", () => {
    // its first overload's chain says 'scale_factor' is no key of number[]: not an options type
    const tb = traceback(`new torch.nn.Upsample({ scale_factor: 2, mode: "bicubic" })`);
    expect(tb[0]).toBe("1:42 - error TS2769: No overload matches this call.");
    expect(tb.some((l) => /^ {2}Overload 2 of 2, /.test(l))).toBe(true);
  }, 60_000);
});

describe("3: TS 5 standard decorators", () => {
  it("get a hint naming the legacy decorators the kernel compiles", () => {
    const tb = traceback("function logged2(target: any, ctx: ClassMethodDecoratorContext) { return target; }\nclass D2 { @logged2 m() { return 1; } }");
    const hints = tb.filter((l) => l.startsWith("hint:"));
    expect(hints).toHaveLength(1);
    expect(hints[0]).toMatch(/legacy experimentalDecorators, not TS 5's standard ones/);
    expect(hints[0]).toContain("(target, key: string, descriptor: PropertyDescriptor)");
  }, 60_000);
});

describe("5: model.load_state_dict of a JSON round-tripped checkpoint", () => {
  it("PyTorch's lines, then the torch.save hint once", () => {
    const tb = traceback("const m2 = new torch.nn.Sequential(new torch.nn.Linear(3, 4), new torch.nn.Linear(4, 1));\n"
      + "m2.load_state_dict(JSON.parse(JSON.stringify(m2.state_dict())));");
    const text = tb.join("\n");
    expect(text.match(/expected torch\.Tensor or Tensor-like object from checkpoint but received Array/g)).toHaveLength(4);
    expect(text.match(/JSON\.stringify turns every tensor of a state_dict into an array/g)).toHaveLength(1);
    expect(text).toContain("torch.save(model.state_dict(), path) and model.load_state_dict(torch.load(path))");
    // after PyTorch's lines
    expect(text.indexOf("JSON.stringify turns")).toBeGreaterThan(text.lastIndexOf("received Array"));
  }, 60_000);
});

describe("6, 7: completion kinds and Shift-Tab", () => {
  it("Tab on torch.: aliases are functions", () => {
    const c = e().complete("torch.", 6);
    const kind = (n: string) => c.types[c.candidates.indexOf(n)];
    for (const n of ["arccos", "clip", "concat", "swapaxes", "greater", "inference_mode"]) expect(kind(n), n).toBe("function");
    expect(kind("float32")).toBe("instance");
    expect(kind("nn")).toBe("module");
  }, 60_000);

  it("Shift-Tab on `new torch.optim.Adam` shows the options with their defaults", () => {
    const src = "const opt = new torch.optim.Adam";
    const text = e().inspect(src, src.length) ?? "";
    expect(text.split("\n")[1]).toBe("options: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, maximize: false, "
      + "decoupled_weight_decay: false, capturable: false, differentiable: false }; accepted and ignored: foreach, fused");
    const step = "new torch.optim.lr_scheduler.StepLR";
    expect(e().inspect(step, step.length)).toContain("\noptions: { step_size, gamma: 0.1, last_epoch: -1 }\n");
  }, 60_000);
});

describe("4: is_complete after a closed inner block", () => {
  it("keeps the closing line's indent", () => {
    expect(isCompleteCell("class A {\n  m(): number {\n    return 1;\n  }")).toEqual({ status: "incomplete", indent: "  " });
    expect(isCompleteCell("class A {\n  m(): number {\n    return 1;\n  }\n")).toEqual({ status: "incomplete", indent: "  " });
    expect(isCompleteCell("if (a) {\n  b();\n} else {")).toEqual({ status: "incomplete", indent: "  " });
    // unchanged: an opening line, and a closer at the top level
    expect(isCompleteCell("function f() {\n  if (x) {\n")).toEqual({ status: "incomplete", indent: "    " });
    expect(isCompleteCell("class A {\n  m() {}\n}")).toEqual({ status: "complete" });
  });
});

describe("2: a frame in an earlier cell's function names that cell (real kernel)", () => {
  let k: KernelClient;
  beforeAll(async () => { k = await KernelClient.start(); }, 120_000);
  afterAll(async () => { await k?.shutdown(); });

  it("In [1] line 6, and cell line 3 for the cell that ran", async () => {
    const def = await k.execute(`class Net extends torch.nn.Module {
  fc = new torch.nn.Linear(3, 5);
  forward(x: torch.Tensor) {
    const h = this.fc.forward(x);
    // the shapes do not fit
    return h.matmul(torch.ones([4, 4]));
  }
}
const net = new Net();`);
    expect(def.reply.content.status).toBe("ok");
    const r = await k.execute("const x = torch.randn([4, 3]);\n\nnet.forward(x);");
    expect(r.reply.content.status).toBe("error");
    const tb = (r.reply.content.traceback as string[]).map(plain);
    const n = def.reply.content.execution_count;
    expect(tb[0]).toBe(`In [${n}] line 6: return h.matmul(torch.ones([4, 4]));`);
    expect(tb).toContain(`    at Net.forward (In [${n}] line 6)`);
    expect(tb).toContain("    at cell line 3");
  }, 120_000);
});
