/**
 * Tab and Shift-Tab as a user meets them while discovering the library (as with PyTorch in
 * Jupyter): what inspect_request shows for a class, a call being typed, a namespace; what
 * complete_request offers at the start of a cell.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tmpdir } from "node:os";
import { KernelClient } from "./client";
import { DIST, Engine, makePrelude } from "./dist";

let k: KernelClient;

beforeAll(async () => {
  k = await KernelClient.start();
  const r = await k.execute("const model = new torch.nn.Linear(3, 1);\nconst opt = new torch.optim.Adam(model.parameters(), { lr: 0.01 });");
  expect(r.reply.content.status).toBe("ok");
});
afterAll(async () => { await k?.shutdown(); });

const inspect = async (code: string, pos = [...code].length) => {
  const c = (await k.request("inspect_request", { code, cursor_pos: pos, detail_level: 0 })).content;
  return { found: c.found as boolean, text: String(c.data?.["text/plain"] ?? "") };
};
const complete = async (code: string, pos = [...code].length) =>
  (await k.request("complete_request", { code, cursor_pos: pos })).content as { matches: string[]; cursor_start: number; cursor_end: number };

describe("Shift-Tab", () => {
  it("inside a call's arguments shows the function being called, as ipykernel does", async () => {
    // after a comma: nothing under the cursor; it answered found: false
    const sgd = await inspect("new torch.optim.SGD(model.parameters(), ");
    expect(sgd.found).toBe(true);
    expect(sgd.text).toMatch(/^new SGD\(params/);
    expect(sgd.text).toContain("stochastic gradient descent");
    // on a literal argument
    const randn = await inspect("torch.randn(2, 3)", 15);
    expect(randn.text).toMatch(/randn\(\.\.\.args/);
    const code = "const q = new torch.nn.MSELoss({ reduction: 'mean' })";
    expect((await inspect(code, code.indexOf("mean") + 2)).text).toMatch(/MSELoss\(/);
    // after a comma and a blank, before ")" is typed (it showed the argument before the comma)
    expect((await inspect("lrlab.trace(opt, ")).text).toMatch(/^trace\(optimizer: [\w.]*TraceableOptimizer/);
    // a name under the cursor still wins over the call around it
    const inner = "torch.optim.SGD(model.parameters(), { lr: 0.1 })";
    expect((await inspect(inner, inner.indexOf("parameters") + 3)).text).toMatch(/parameters\(/);
  });

  it("`new X(` shows the class's own comment when its constructor has none (it showed the declaring file's header)", async () => {
    // Unflatten's file header is the activation layers'; AvgPool2d's names the three pools
    const unflatten = await inspect("new torch.nn.Unflatten(");
    expect(unflatten.text).toMatch(/^new Unflatten\(dim: number/);
    expect(unflatten.text).toContain("splits dim `dim` into the sizes given");
    expect(unflatten.text).not.toContain("Activation layers");
    const pool = await inspect("new torch.nn.AvgPool2d(2, ", "new torch.nn.AvgPool2d".length);
    expect(pool.text).not.toMatch(/^nn\.MaxPool2d, nn\.AvgPool2d and nn\.AdaptiveAvgPool2d/m);
    // a constructor with a comment of its own keeps it (Linear's)
    expect((await inspect("new torch.nn.Linear(")).text).toContain("y = x Wᵀ + b");
  });

  it("shows no alias markup: no '(alias)' prefix, no 'export Adam' line", async () => {
    const { text } = await inspect("torch.optim.Adam");
    expect(text).not.toMatch(/\(alias\)/);
    expect(text).not.toMatch(/^(export|import) /m);
    expect(text.split("\n")[0]).toBe("class Adam");
    const f = await inspect("torch.nn.functional.cross_entropy");
    expect(f.text).toMatch(/^function cross_entropy\(input: /);
    expect(f.text).not.toMatch(/^export /m);
  });

  it("a class shows how to construct it and its options with their types and docs", async () => {
    const { text } = await inspect("torch.optim.Adam");
    expect(text).toMatch(/^new Adam\(params: [\w.]+, options\?: [\w.]*AdamOptions\)/m);
    expect(text).toMatch(/^ {2}betas\?: \[number, number\]/m);
    expect(text).toMatch(/^ {2}amsgrad\?: boolean/m);
    // before the math of the doc comment
    expect(text.indexOf("betas?")).toBeLessThan(text.indexOf("Kingma & Ba"));
    const sched = await inspect("torch.optim.lr_scheduler.OneCycleLR");
    expect(sched.text).toMatch(/^ {2}max_lr: number \| number\[\] +Peak rate, one for all groups or one per group\./m);
    expect(sched.text).toMatch(/^ {2}anneal_strategy\?: "cos" \| "linear"/m);
    // in the call being typed too
    expect((await inspect("new torch.optim.SGD(")).text).toMatch(/^ {2}nesterov\?: boolean/m);
    // a function's options object
    expect((await inspect("torch.nn.functional.cross_entropy")).text).toMatch(/^ {2}label_smoothing\?: number/m);
  });

  it("shows no absolute path of this machine (a type the cell cannot name)", async () => {
    const { text } = await inspect("torch.utils.data.DataLoader");
    expect(text).toMatch(/^ {2}sampler\?: Sampler(?: {2,}\S.*)?$/m); // the type by its name, its doc beside it
    expect(text).not.toMatch(/import\(|\/kernel\/dist\//);
    // a module's type: named by the package, not by this machine's folders
    const utils = await inspect("torch.utils");
    expect(utils.text).toContain('data: typeof import("lrlab/data")');
    expect(utils.text).not.toContain("/kernel/dist/");
  });

  it("the preloaded namespaces show the library's docs, not 'import torch'", async () => {
    const torch = await inspect("torch");
    expect(torch.text).not.toMatch(/^import /);
    expect(torch.text).toContain("PyTorch's semantics");
    expect((await inspect("lrlab")).text).not.toMatch(/^import /);
  });

  it("a library helper shows nothing, not its file's header about something else", async () => {
    // storageFor (tensor.ts, whose header describes the Tensor) is no longer torch.storageFor
    // (torch_namespace.test.ts); named through torch it is now nothing to inspect
    const { found, text } = await inspect("torch.storageFor");
    expect(found).toBe(false);
    expect(text).not.toContain("row-major typed array with a shape");
  });
});

describe("Tab", () => {
  it("at the start of a cell offers no module-scope names a cell does not have", async () => {
    // `module`, `__dirname`, `__filename` throw "is not defined" in a cell; `exports` is the
    // kernel's own scope object
    for (const prefix of ["", "mod", "__d", "__f", "exp"]) {
      const { matches } = await complete(prefix);
      for (const name of ["module", "__dirname", "__filename", "exports"]) expect(matches, `${prefix}: ${name}`).not.toContain(name);
    }
    expect((await complete("exp")).matches).toContain("export");
    expect((await complete("req")).matches).toContain("require");
    // a name the user declares is offered
    await k.execute("const module_count = 3;");
    expect((await complete("modu")).matches).toContain("module_count");
  });
});

describe("completion inside a ModuleList", () => {
  it("offers the members of what it holds: enc.layers[0].self_attn., list[0].", () => {
    const engine = new Engine(makePrelude(DIST), tmpdir());
    engine.run("const enc = new torch.nn.TransformerEncoder(new torch.nn.TransformerEncoderLayer(8, 2), 2);\nconst ml = new torch.nn.ModuleList([new torch.nn.Linear(2, 3)]);");
    const names = (src: string) => engine.complete(src, src.length).candidates;
    expect(names("enc.layers[0].")).toEqual(expect.arrayContaining(["self_attn", "linear1", "norm1"]));
    expect(names("enc.layers[0].self_attn.")).toEqual(expect.arrayContaining(["in_proj_weight", "out_proj"]));
    expect(names("ml[0].")).toEqual(expect.arrayContaining(["weight", "in_features"]));
  });
  it("offers a recurrent layer's first-layer weights (named at run time, typed by a pattern)", () => {
    const engine = new Engine(makePrelude(DIST), tmpdir());
    engine.run("const lstm = new torch.nn.LSTM(4, 8, 2);");
    expect(engine.complete("lstm.", 5).candidates).toEqual(expect.arrayContaining(["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]));
  });
});

describe("completion types (for JupyterLab's completer icons)", () => {
  it("name each candidate's kind, the library's re-exports resolved (TypeScript calls them all 'alias')", () => {
    const engine = new Engine(makePrelude(DIST), tmpdir());
    engine.run("const net = new torch.nn.Linear(2, 1);\nconst opt = new torch.optim.SGD(net.parameters(), { lr: 0.1 });");
    const typesOf = (src: string) => {
      const r = engine.complete(src, src.length);
      expect(r.types).toHaveLength(r.candidates.length);
      return new Map(r.candidates.map((c, i) => [c, r.types[i]]));
    };
    const optim = typesOf("torch.optim.");
    expect(optim.get("Adam")).toBe("class");
    expect(optim.get("lr_scheduler")).toBe("module");
    expect(typesOf("torch.").get("randn")).toBe("function");
    expect(typesOf("opt.").get("step")).toBe("function");
    expect(typesOf("opt.").get("param_groups")).toBe("property");
    expect(typesOf("ne").get("net")).toBe("instance");
    expect(typesOf("to").get("torch")).toBe("module");
    expect(typesOf("dis").get("display")).toBe("function");
    expect(typesOf("new torch.optim.Adam([], { ").get("betas")).toBe("property");
  }, 60_000);
});

describe("completion kinds", () => {
  it("complete_reply gives each match's kind in _jupyter_types_experimental (JupyterLab's icons), as ipykernel does", async () => {
    type Typed = { start: number; end: number; text: string; type: string };
    const kinds = async (code: string) => {
      const c = (await k.request("complete_request", { code, cursor_pos: [...code].length })).content;
      const t = c.metadata?._jupyter_types_experimental as Typed[];
      expect(t.map((x) => x.text)).toEqual(c.matches);
      expect(t.every((x) => x.start === c.cursor_start && x.end === c.cursor_end)).toBe(true);
      return new Map(t.map((x) => [x.text, x.type]));
    };
    const optim = await kinds("torch.optim.Ad");
    expect(optim.get("Adam")).toBe("class");
    expect((await kinds("opt.ste")).get("step")).toBe("function");
    expect((await kinds("torch.")).get("nn")).toBe("module");
    expect((await kinds("mode")).get("model")).toBe("instance");
    expect((await kinds("%lr_sch")).get("%lr_schedule")).toBe("magic");
  });
});
