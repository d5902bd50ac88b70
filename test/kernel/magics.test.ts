/**
 * Every magic, through the real kernel: output, plot bundles, and bad lines (usage + what was
 * wrong, status error, nothing run).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, ofType, resultText } from "./client";

const PLOT = "application/vnd.lrlab.plot+json";
let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
  await k.execute(`
torch.manual_seed(0);
const net = new torch.nn.Linear(3, 1);
const X = torch.randn(16, 3), Y = torch.randn(16, 1);
const loss_fn = new torch.nn.MSELoss();
function train(opt: torch.optim.Optimizer, steps: number) {
  for (let i = 0; i < steps; i++) {
    opt.zero_grad();
    const l = loss_fn.forward(net.forward(X), Y);
    l.backward();
    opt.step();
  }
}`);
});
afterAll(async () => { await k?.shutdown(); });

/** A cell's stderr text. */
const stderrOf = (r: Awaited<ReturnType<KernelClient["execute"]>>) =>
  ofType(r, "stream").filter((m) => m.content.name === "stderr").map((m) => m.content.text).join("");
const plots = (r: Awaited<ReturnType<KernelClient["execute"]>>) =>
  r.outputs.filter((m) => (m.header.msg_type === "display_data" || m.header.msg_type === "update_display_data") && m.content.data[PLOT]);

describe("general magics", () => {
  it("%lsmagic lists line and cell magics", async () => {
    const r = await k.execute("%lsmagic");
    for (const n of ["%lsmagic", "%timeit", "%who", "%reset", "%lr_schedule", "%lr_compare", "%lr_find", "%lr_scale", "%%time", "%%lr_trace"]) expect(r.stdout).toContain(n);
  });

  it("%name? and %%name? page the magic's help", async () => {
    const r = await k.execute("%lr_schedule?");
    expect(r.reply.content.payload[0].data["text/plain"]).toContain("--steps");
    const c = await k.execute("%%lr_trace?");
    expect(c.reply.content.payload[0].data["text/plain"]).toContain("--every");
  });

  it("%%time prints CPU and wall time and keeps the cell's result", async () => {
    const r = await k.execute("%%time\nlet s = 0;\nfor (let i = 0; i < 1e5; i++) s += i;\ns");
    expect(r.stdout).toMatch(/CPU times: user .*, total: /);
    expect(r.stdout).toMatch(/Wall time: [\d.]+ (s|ms|µs|ns)/);
    expect(resultText(r)).toBe(String((1e5 * (1e5 - 1)) / 2));
  });

  it("%%time: code that throws prints its times and its error, code that fails its type check only the error (as IPython)", async () => {
    const threw = await k.execute("%%time\nthrow new Error('fails')");
    expect(threw.reply.content.status).toBe("error");
    expect(threw.stdout).toContain("Wall time");
    const unchecked = await k.execute("%%time\nconst t0: number = 'x';");
    expect(unchecked.reply.content.status).toBe("error");
    expect(unchecked.stdout).not.toContain("Wall time");
  });

  it("%timeit times a statement written with quotes and options", async () => {
    const r = await k.execute('%timeit --number 100 --repeat 3 "a b".split(" ").length');
    expect(r.reply.content.status).toBe("ok");
    expect(r.stdout).toMatch(/± .* per loop \(mean ± std. dev. of 3 runs, 100 loops each\)/);
    const bad = await k.execute("%timeit");
    expect(bad.reply.content.ename).toBe("UsageError");
  });

  it("%time (the line form) and %timeit's short options, as in IPython", async () => {
    const r = await k.execute("%time torch.arange(6).reshape(2, 3).shape[1]");
    expect(r.stdout).toMatch(/^CPU times: user .*, total: .*\nWall time: [\d.]+ (s|ms|µs|ns)/);
    expect(resultText(r)).toBe("3");
    expect((await k.execute("%time")).reply.content.evalue).toMatch(/%time needs a statement/);
    const short = await k.execute("%timeit -n 5 -r 2 Math.sqrt(2)");
    expect(short.stdout).toMatch(/per loop \(mean ± std\. dev\. of 2 runs, 5 loops each\)/);
    expect((await k.execute("%timeit -n7 Math.sqrt(3)")).stdout).toMatch(/7 loops each/);
  });

  it("%timeit times a statement that awaits, each call awaited", async () => {
    // was TS1308 "'await' expressions are only allowed within async functions"
    await k.execute("let awaitedCalls = 0;\nconst tick = async () => { awaitedCalls++; await new Promise((r) => setTimeout(r, 1)); };");
    const r = await k.execute("%timeit -n 3 -r 2 await tick()");
    expect(r.reply.content.status).toBe("ok");
    expect(r.stdout).toMatch(/^\S+ \S+ ± \S+ \S+ per loop \(mean ± std\. dev\. of 2 runs, 3 loops each\)/);
    expect(resultText(await k.execute("awaitedCalls"))).toBe("6");
  });

  it("%timeit with an option it does not have is a UsageError naming it and -n/-r, not TypeScript's errors", async () => {
    const r = await k.execute("%timeit -x 1+1");
    expect(r.reply.content.ename).toBe("UsageError");
    expect(r.reply.content.evalue).toBe("unknown option -x; allowed: -n/--number, -r/--repeat (before the statement)");
    // a statement may start with a minus
    await k.execute("let timeitNeg = 3;");
    expect((await k.execute("%timeit -n 2 -r 1 -timeitNeg + 1")).reply.content.status).toBe("ok");
  });

  it("%%time runs the magics in its body, as IPython does", async () => {
    // the magic line was TypeScript to the engine: errors
    const r = await k.execute("%%time\nconst timeQ = 2;\n%lr_scale linear lr=0.1 batch_size=256 new_batch_size=1024\ntimeQ * 3");
    expect(r.reply.content.status).toBe("ok");
    expect(r.stdout).toMatch(/^linear: batch ×4 → lr 0\.4\n[^]*CPU times: [^]*Wall time/);
    expect(resultText(r)).toBe("6");
    // a bad magic line: its usage error, nothing run, no times
    const bad = await k.execute("%%time\n(globalThis as any).timeRan = true;\n%lr_scale linear lr=0.1 lr=0.2");
    expect(bad.reply.content.ename).toBe("UsageError");
    expect(bad.stdout).not.toContain("Wall time");
    expect(resultText(await k.execute("(globalThis as any).timeRan === undefined"))).toBe("true");
  });

  it("%timeit of a pure expression times computing it: a time above 0, loops counted 1, 2, 5, 10, ... as IPython", async () => {
    // `1+1` once timed an empty loop (V8 dropped the unread value) and printed
    // "0 ns ± 0 ns per loop (..., 1000000000 loops each)".
    const r = await k.execute("%timeit Math.sqrt(timeitArg)");
    expect(r.reply.content.ename).toBe("TSError"); // not defined yet: the error is the checker's
    await k.execute("let timeitArg = 2;");
    const ok = await k.execute("%timeit Math.sqrt(timeitArg)");
    expect(ok.reply.content.status).toBe("ok");
    const m = /^([\d.e+-]+) (ns|µs|ms|s) ± ([\d.e+-]+) (ns|µs|ms|s) per loop \(mean ± std\. dev\. of 7 runs, ([\d,]+) loops each\)/.exec(ok.stdout.trim());
    expect(m, ok.stdout).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
    const loops = Number(m![5].replace(/,/g, ""));
    expect(String(loops)).toMatch(/^[125]0*$/);
    if (loops >= 1000) expect(m![5]).toContain(",");
    // a declaration is not an expression: it is timed as a block
    const decl = await k.execute("%timeit --number 10 --repeat 2 const q = timeitArg * 2");
    expect(decl.reply.content.status).toBe("ok");
    expect(decl.stdout).toMatch(/per loop \(mean ± std\. dev\. of 2 runs, 10 loops each\)/);
  });

  it("%%timeit times the cell's lines; a statement on its first line is setup, run before each run (as IPython)", async () => {
    // it was "UsageError: %%timeit is not a cell magic; use %timeit"
    const r = await k.execute("%%timeit -n 4 -r 3\nconst y = net.forward(X);\ny.relu();");
    expect(r.reply.content.status).toBe("ok");
    expect(r.stdout).toMatch(/^[\d.]+ (ns|µs|ms|s) ± [\d.]+ (ns|µs|ms|s) per loop \(mean ± std\. dev\. of 3 runs, 4 loops each\)\n$/);
    // setup: its names are the timed code's; it runs again before each run (count starts over)
    const setup = await k.execute('%%timeit -n 3 -r 4 let cellCount = 0;\ncellCount++;\nif (cellCount > 3) throw new Error("setup ran once: " + cellCount);');
    expect(setup.reply.content.status).toBe("ok");
    expect(setup.stdout).toMatch(/of 4 runs, 3 loops each/);
    // (the setup's names stay the timed code's: not the notebook's)
    expect((await k.execute("%who")).stdout).not.toContain("cellCount");
    // autorange, and awaiting code
    expect((await k.execute("%%timeit\nMath.sqrt(2)")).stdout).toMatch(/of 7 runs, [\d,]+ loops each/);
    expect((await k.execute("%%timeit -n 2 -r 1\nawait new Promise((ok) => setTimeout(ok, 1));")).stdout).toMatch(/of 1 run, 2 loops each/);
    // errors keep the cell's line numbers; an empty body says what goes where
    const typeErr = await k.execute('%%timeit\nconst ok1 = 1;\nconst bad1: number = "x";');
    expect(typeErr.reply.content.evalue).toMatch(/^3:7 - Type 'string' is not assignable to type 'number'/);
    const threw = await k.execute('%%timeit -n 1 -r 1 const z = 1;\nconst w = z;\nthrow new Error("boom");');
    expect(ofType(threw, "error")[0].content.traceback.join("\n")).toContain("cell line 3");
    // a runtime error quotes the user's statement, not %timeit's wrapper around it (it quoted
    // `(() => (JSON.parse("{")` and named the frame `exports.tsLastExpr`)
    const plainTb = (r: typeof threw) => ofType(r, "error")[0].content.traceback.join("\n").replace(/\u001b\[[0-9;]*m/g, "");
    expect(plainTb(threw)).toMatch(/^cell line 3: throw new Error\("boom"\);$/m);
    const parse = plainTb(await k.execute("%timeit -n 1 -r 1 JSON.parse('{')"));
    expect(parse).toMatch(/^cell line 1: JSON\.parse\('\{'\)$/m);
    expect(parse).toMatch(/^ {4}at cell line 1$/m);
    expect(parse).not.toContain("tsLastExpr");
    const empty = await k.execute("%%timeit -n 3");
    expect(empty.reply.content.evalue).toBe("%%timeit times the code on the lines after %%timeit, and there is none; for one statement: %timeit <statement>");
    expect((await k.execute("%%timeit -x\n1+1")).reply.content.evalue).toMatch(/^unknown option -x; allowed: -n\/--number, -r\/--repeat/);
    expect((await k.execute("%lsmagic")).stdout).toContain("%%timeit");
  });

  it("%%lr_trace --per-param names parameters as the user's modules do (the variable's name in front when several)", async () => {
    await k.execute(`%%lr_trace --per-param --no-live --name ppOne
const ppModel = new torch.nn.Sequential(new torch.nn.Linear(3, 4), new torch.nn.ReLU(), new torch.nn.Linear(4, 1));
const ppFirst = ppModel.get(0); // a variable holding one layer: the model still names it
const ppOpt = new torch.optim.SGD(ppModel.parameters(), { lr: 0.1 });
for (let i = 0; i < 3; i++) { ppOpt.zero_grad(); ppModel.forward(torch.randn(8, 3)).pow(2).mean().backward(); ppOpt.step(); }`);
    expect(resultText(await k.execute("_lr_trace.traces[0].param_names()"))).toBe("[ '0.weight', '0.bias', '2.weight', '2.bias' ]");
    await k.execute(`%%lr_trace --per-param --no-live --name ppTwo
const ppEnc = new torch.nn.Linear(3, 4), ppHead = new torch.nn.Linear(4, 1);
const ppAdam = new torch.optim.Adam([...ppEnc.parameters(), ...ppHead.parameters(), torch.zeros([2], { requires_grad: true })], { lr: 0.01 });
for (let i = 0; i < 3; i++) { ppAdam.zero_grad(); ppHead.forward(ppEnc.forward(torch.randn(8, 3))).pow(2).mean().backward(); ppAdam.step(); }`);
    // the loose tensor has no gradient: it is not traced
    expect(resultText(await k.execute("_lr_trace.traces[0].param_names()"))).toBe("[ 'ppEnc.weight', 'ppEnc.bias', 'ppHead.weight', 'ppHead.bias' ]");
  });

  it("Tab on a magic line offers its options and words; in the cell's code, TypeScript's completion of that code", async () => {
    await k.execute("const tabModel = new torch.nn.Linear(2, 1);\nconst tabTrace = lrlab.trace(new torch.optim.SGD(tabModel.parameters(), { lr: 0.1 }));");
    const complete = async (code: string) => {
      const c = (await k.request("complete_request", { code, cursor_pos: code.length })).content;
      return { matches: c.matches as string[], replaced: code.slice(c.cursor_start, c.cursor_end) };
    };
    expect(await complete("%lr_schedule Step")).toEqual({ matches: ["StepLR"], replaced: "Step" });
    expect((await complete("%lr_schedule StepLR ")).matches).toEqual(["step_size=", "gamma=", "last_epoch="]);
    expect((await complete("%lr_schedule StepLR step_size=3 ")).matches).toEqual(["gamma=", "last_epoch="]);
    // schedulers that combine others take objects a line cannot write: no keys offered (schedulers= was, then refused)
    expect((await complete("%lr_schedule SequentialLR ")).matches).toEqual([]);
    expect((await complete("%lr_schedule ChainedScheduler ")).matches).toEqual([]);
    expect((await complete("%lr_schedule StepLR step_size=3 --optimizer Ad")).matches).toEqual(expect.arrayContaining(["Adam", "AdamW", "Adagrad"]));
    // exactly the optimizers a preview accepts (LBFGS, Muon, Adafactor were offered, then rejected)
    const optimizers = (await complete("%lr_schedule StepLR step_size=5 --optimizer ")).matches;
    expect(optimizers).toEqual(resultText(await k.execute("lrlab.PREVIEW_OPTIMIZERS.join(' ')"))!.slice(1, -1).split(" "));
    for (const o of optimizers) expect((await k.execute(`%lr_schedule StepLR step_size=5 --steps 3 --optimizer ${o}`)).reply.content.status, o).toBe("ok");
    const lbfgs = await k.execute("%lr_schedule StepLR step_size=5 --steps 3 --optimizer LBFGS");
    expect(lbfgs.reply.content.evalue).toMatch(/^--optimizer LBFGS: a preview simulates on SGD, Adam, /);
    // Tab after a bare -- or -: the magic's options (it gave ~190 TypeScript globals)
    expect(await complete("%lr_find model=tabModel loss=loss_fn data=[X, Y] --")).toEqual({
      matches: ["--start-lr", "--end-lr", "--num-iter", "--step-mode", "--smooth-f", "--diverge-th", "--name"], replaced: "--" });
    expect(await complete("%timeit -")).toEqual({ matches: ["-n", "--number", "-r", "--repeat"], replaced: "-" });
    expect(await complete("%%lr_trace --met")).toEqual({ matches: ["--metrics"], replaced: "--met" });
    expect(await complete("%%lr_trace --no")).toEqual({ matches: ["--no-live"], replaced: "--no" });
    // a list option completes its last item only
    const list = await complete("%%lr_trace --metrics lr,lr_pro");
    expect(list).toEqual({ matches: ["lr_projected"], replaced: "lr_pro" });
    expect((await complete("%lr_find ")).matches).toEqual(["model=", "loss=", "data=", "optimizer=", "step="]);
    expect(await complete("%lr_find model=tabM")).toEqual({ matches: ["tabModel"], replaced: "tabM" });
    expect((await complete("%lr_scale linear lr=0.1 b")).matches).toEqual(["batch_size=", "betas="]);
    // %lr_compare: recorded runs and the variables holding traces (not the model)
    expect((await complete("%lr_compare tab")).matches).toEqual(["tabTrace"]);
    // not a run already named on the line; the last cell's _lr_trace only once "_" is typed
    await k.execute("%%lr_trace --name tabRun --no-live\ntrain(new torch.optim.SGD(net.parameters(), { lr: 0.001 }), 1);");
    const runs = (await complete("%lr_compare ")).matches;
    expect(runs).toEqual(expect.arrayContaining(["tabRun", "tabTrace"]));
    expect(runs.filter((m) => m.startsWith("_"))).toEqual([]);
    expect((await complete("%lr_compare tabRun ")).matches).not.toContain("tabRun");
    expect((await complete("%lr_compare _")).matches).toEqual(["_lr_trace"]);
    // the code of a magic cell: the magic line is not TypeScript; the body sees _lr_trace
    expect(await complete("%%lr_trace --name a\n_lr_trace.log_l")).toEqual({ matches: ["log_loss"], replaced: "log_l" });
    expect((await complete("%timeit --number 5 torch.rand")).matches).toContain("randn");
    // inside a key=value's expression: TypeScript's completion of it; after it, the magic's keys
    expect(await complete("%lr_find model=tabModel loss=new torch.nn.MSE")).toEqual({ matches: ["MSELoss"], replaced: "MSE" });
    expect((await complete("%lr_find model=tabModel loss=new torch.nn.MSELoss() da")).matches).toEqual(["data="]);
    expect((await complete("%lr_schedule LambdaLR lr_lambda=(e) => Math.ma")).matches).toEqual(expect.arrayContaining(["max"]));
    // names starting with "_" only once "_" is typed (IPython's default)
    const members = (await complete("tabTrace.")).matches;
    expect(members).toEqual(expect.arrayContaining(["latest", "summary", "diverged_at"]));
    expect(members.filter((m) => m.startsWith("_"))).toEqual([]);
    expect((await complete("tabTrace._")).matches).toEqual(expect.arrayContaining(["_repr_mimebundle_", "_before_step"]));
    expect((await complete("tabTrace._repr")).matches).toEqual(["_repr_mimebundle_"]);
    // %who: the type names it takes (it offered nothing), those of the user's variables first
    const who = (await complete("%who ")).matches;
    expect(who).toEqual(expect.arrayContaining(["Linear", "Module", "Trace", "number", "string", "function", "class"]));
    expect(who.indexOf("Linear")).toBeLessThan(who.indexOf("bigint"));
    expect(await complete("%who Lin")).toEqual({ matches: ["Linear"], replaced: "Lin" });
    expect((await complete("%who Module ")).matches).not.toContain("Module");
  });

  it("Shift-Tab shows a magic's help on its line, and the code's docs in its body", async () => {
    const inspect = async (code: string, pos = code.length) =>
      String((await k.request("inspect_request", { code, cursor_pos: pos, detail_level: 0 })).content.data?.["text/plain"] ?? "");
    expect(await inspect("%%lr_trace --name a")).toMatch(/^%%lr_trace: /);
    // in a key=value's expression: that code's docs
    expect(await inspect("%lr_find model=m loss=new torch.nn.MSELoss")).toMatch(/new MSELoss\(options\?: \{\s*reduction/);
    const body = "%%lr_trace --name a\nconst o = new torch.optim.Adam";
    expect(await inspect(body)).toMatch(/Adam\(params/);
    expect(await inspect(body, 5)).toMatch(/^%%lr_trace: /);
    // in the statement of %timeit / %time: that code's docs (it was the magic's help), as in a %%time body
    for (const line of ["%timeit net.forward", "%time net.forward", "%timeit -n 3 net.forward"]) {
      expect(await inspect(line, line.indexOf("forw") + 4), line).toMatch(/Linear\.forward\(input/);
    }
    expect(await inspect("%timeit net.forward", 3)).toMatch(/^%timeit: /);
    expect(await inspect("%%time\nnet.forward", 3)).toMatch(/^%%time: /);
    // on the scheduler's name in %lr_schedule: that scheduler's docs (it was the magic's help), anywhere in the name
    const sched = "%lr_schedule OneCycleLR max_lr=0.1";
    for (const at of [sched.indexOf("One"), sched.indexOf("Cycle"), sched.indexOf(" max")]) {
      const text = await inspect(sched, at);
      expect(text, String(at)).toMatch(/class OneCycleLR/);
      expect(text, String(at)).toMatch(/Super-Convergence/);
    }
    expect(await inspect("%lr_schedule SWALR swa_lr=0.05", 16)).toMatch(/class SWALR/);
    // elsewhere on the line (the magic's name, an option), and an unknown scheduler: the magic's help
    expect(await inspect(sched, 3)).toMatch(/^%lr_schedule: /);
    expect(await inspect(sched + " --steps 5", sched.length + 4)).toMatch(/^%lr_schedule: /);
    expect(await inspect("%lr_schedule NoSuchLR x=1", 16)).toMatch(/^%lr_schedule: /);
    // %time? pages the line magic's help (it paged %%time's), %%time? the cell magic's
    const page = async (code: string) => (await k.execute(code)).reply.content.payload[0].data["text/plain"];
    expect(await page("%time?")).toMatch(/^%time: <statement>/);
    expect(await page("%%time?")).toMatch(/^%%time: /);
  });

  it("%who lists user names, filtered by type; %reset forgets them and keeps the prelude", async () => {
    await k.execute("const whoNum = 3; const whoStr = 'x'; const _whoHidden = 1;");
    const all = await k.execute("%who");
    expect(all.stdout).toContain("whoNum");
    expect(all.stdout).not.toContain("torch");
    expect(all.stdout).not.toContain("_whoHidden"); // as IPython: underscore names are hidden
    const nums = await k.execute("%who number");
    expect(nums.stdout).toContain("whoNum");
    expect(nums.stdout).not.toContain("whoStr");
    // a class matches its instances and those of its subclasses
    const modules = await k.execute("%who Module");
    expect(modules.stdout.trim().split("\t")).toEqual(expect.arrayContaining(["net", "loss_fn"]));
    expect(modules.stdout).not.toContain("whoNum");
    expect((await k.execute("%who bigint")).stdout.trim()).toBe("No variables match your requested type.");
    expect((await k.execute("%who CosineAnnealingLR")).stdout.trim()).toBe("No variables match your requested type."); // a library class
    // an unknown option or type: an error naming it and what there is (it printed "Interactive namespace is empty.")
    const option = await k.execute("%who -x");
    expect(option.reply.content.ename).toBe("UsageError");
    expect(option.reply.content.evalue).toMatch(/^unknown option -x; %who takes no options, only type names/);
    // a Parameter answers to Parameter and Tensor, not to the library's inner class ParameterBody
    await k.execute("const whoParam = new torch.nn.Parameter(torch.zeros([2]));");
    expect((await k.execute("%who Parameter")).stdout.trim().split("\t")).toContain("whoParam");
    const typo = await k.execute("%who Tensorr");
    expect(typo.reply.content.evalue).not.toContain("ParameterBody");
    expect(typo.reply.content.ename).toBe("UsageError");
    expect(typo.reply.content.evalue).toMatch(/^unknown type "Tensorr" \(did you mean Tensor\?\); types of your variables: .*\bTensor\b.*; also: .*\bboolean\b.*, or a class name \(Tensor, Module/);
    const k2 = await KernelClient.start();
    try {
      await k2.execute("const gone = 1;");
      const r = await k2.execute("%reset -f");
      expect(r.stdout).toMatch(/Deleted \d+ name/);
      const after = await k2.execute("gone");
      expect(after.reply.content.ename).toBe("TSError");
      expect(resultText(await k2.execute("typeof torch.tensor"))).toBe("'function'");
      const redeclare = await k2.execute("const gone = 2; gone");
      expect(resultText(redeclare)).toBe("2");
    } finally {
      await k2.shutdown();
    }
  }, 60_000);

  it("an unknown magic names the known ones", async () => {
    const r = await k.execute("%nope 1 2");
    expect(r.reply.content.ename).toBe("UsageError");
    expect(r.reply.content.evalue).toContain("%lr_schedule");
  });
});

describe("learning-rate magics", () => {
  it("%%lr_trace traces the optimizers stepped in the cell: live plot, then the final plot", async () => {
    const r = await k.execute("%%lr_trace --name sgd --every 1\nconst o1 = new torch.optim.SGD(net.parameters(), { lr: 0.05, momentum: 0.9 });\ntrain(o1, 30);");
    expect(r.reply.content.status).toBe("ok");
    const ps = plots(r);
    expect(ps[0].content.data[PLOT].live).toBe(true);
    const final = ps[ps.length - 1];
    expect(final.header.msg_type).toBe("update_display_data");
    expect(final.content.transient.display_id).toBe(ps[0].content.transient.display_id);
    expect(final.content.data[PLOT].live).toBe(false);
    expect(final.content.data[PLOT].kind).toBe("trace");
    expect(final.content.data["image/svg+xml"]).toContain("<svg");
    expect(final.content.data["application/vnd.plotly.v1+json"].data.length).toBeGreaterThan(0);
  });

  it("%%lr_trace --no-live shows only the final plot; _lr_trace takes the loss", async () => {
    const r = await k.execute("%%lr_trace --name adam --no-live --metrics lr,lr_projected,loss\nconst o2 = new torch.optim.Adam(net.parameters(), { lr: 0.01 });\nfor (let i = 0; i < 10; i++) { o2.zero_grad(); const l = loss_fn.forward(net.forward(X), Y); l.backward(); o2.step(); _lr_trace.log_loss(l); }");
    expect(r.reply.content.status).toBe("ok");
    const ps = plots(r);
    expect(ps).toHaveLength(1);
    expect(ps[0].header.msg_type).toBe("display_data");
    const metrics = ps[0].content.data[PLOT].metrics.map((m: { key: string }) => m.key);
    expect(metrics).toContain("loss");
  });

  it("%%lr_trace with an unknown metric is an error naming the valid ones, and runs nothing", async () => {
    const r = await k.execute("%%lr_trace --metrics nonsense\nglobalThis.traceRan = true;");
    expect(r.reply.content.ename).toBe("UsageError");
    expect(r.reply.content.evalue).toContain("lr_projected");
    expect(resultText(await k.execute("(globalThis as any).traceRan === undefined"))).toBe("true");
  });

  it("%lr_compare overlays recorded runs", async () => {
    const r = await k.execute("%lr_compare sgd adam");
    expect(r.reply.content.status).toBe("ok");
    const p = plots(r)[0].content.data[PLOT];
    expect(p.kind).toBe("compare");
    const names = new Set(p.series.map((s: { name: string }) => s.name));
    expect(names).toEqual(new Set(["sgd", "adam"]));
    const unknown = await k.execute("%lr_compare sgd adam --metric nonsense");
    expect(unknown.reply.content.ename).toBe("UsageError");
    expect(unknown.reply.content.evalue).toMatch(/^unknown metric "nonsense"; valid: lr, lr_projected/);
    expect(plots(unknown)).toHaveLength(0);
    // a run without a logged loss, compared on the loss
    await k.execute("const noLossW = torch.randn(3, { requires_grad: true });\nconst noLossOpt = new torch.optim.SGD([noLossW], { lr: 0.1 });\n"
      + "const noLoss = lrlab.trace(noLossOpt);\nfor (let i = 0; i < 3; i++) { noLossOpt.zero_grad(); noLossW.pow(2).sum().backward(); noLossOpt.step(); }");
    const absent = await k.execute("%lr_compare noLoss --metric loss");
    expect(absent.reply.content.status).toBe("ok");
    const p2 = plots(absent)[0].content.data[PLOT];
    expect(p2.metrics.map((m: { key: string }) => m.key)).not.toContain("loss");
    expect(absent.stdout).toContain(`%lr_compare: loss was not recorded in noLoss; showing ${p2.default_metric}`);
    // some runs have the metric, one not: its line was silently absent from the plot and its legend
    await k.execute("%%lr_trace --name withB --batch-size 16 --no-live\ntrain(new torch.optim.SGD(net.parameters(), { lr: 0.01 }), 2);");
    const some = await k.execute("%lr_compare withB noLoss --metric lr_per_sample");
    expect(plots(some)[0].content.data[PLOT].default_metric).toBe("lr_per_sample");
    expect(some.stdout).toBe("%lr_compare: noLoss has no lr_per_sample (it needs the batch size: %%lr_trace --batch-size B, "
      + "or lrlab.trace(optimizer, { batch_size: B })): its line is left out of this metric's view\n");
    expect((await k.execute("%lr_compare withB noLoss --metric lr_projected")).stdout).toBe("");
    const bad = await k.execute("%lr_compare sgd nosuchrun");
    expect(bad.reply.content.evalue).toContain("nosuchrun");
    expect(bad.reply.content.evalue).toContain("sgd");
  });

  it("a recorded run is lrlab.run(name) in code; its name used as a variable gets a hint", async () => {
    const r = await k.execute('const sgdRun = lrlab.run("sgd")!;\n[lrlab.run_names().includes("adam"), sgdRun.traces.length, sgdRun.traces[0].steps > 0, !lrlab.run_names().includes("nosuchrun"), sgdRun.latest()!.lr > 0].join(",")');
    expect(resultText(r)).toBe("'true,1,true,true,true'");
    const named = await k.execute("sgd.traces");
    expect(named.reply.content.ename).toBe("TSError");
    expect(ofType(named, "error")[0].content.traceback.join("\n")).toContain('hint: sgd is the name of a %%lr_trace run, not a variable: lrlab.run("sgd") is its trace');
    const other = await k.execute("nosuchrun.traces");
    expect(ofType(other, "error")[0].content.traceback.join("\n")).not.toContain("hint:");
  });

  it("%%lr_trace says when its optimizer stepped without a gradient (loss.backward() forgotten)", async () => {
    // the plot showed a flat configured lr, status ok, and nothing said that nothing had moved
    const forgot = "const fgOpt = new torch.optim.SGD(net.parameters(), { lr: 0.1 });\n"
      + "for (let i = 0; i < 4; i++) { fgOpt.zero_grad(); loss_fn.forward(net.forward(X), Y); fgOpt.step(); }";
    const r = await k.execute(`%%lr_trace --name forgot --no-live\n${forgot}`);
    expect(r.reply.content.status).toBe("ok");
    expect(plots(r)).toHaveLength(1);
    expect(stderrOf(r)).toBe("%%lr_trace: forgot (SGD) stepped 4 times without a gradient (every parameter's .grad was null: nothing moved, "
      + "and the plot shows only the configured lr); call loss.backward() before optimizer.step()\n");
    // without grad_norm among its metrics, the last step is what it knows
    const last = await k.execute(`%%lr_trace --name forgot2 --metrics lr --no-live\n${forgot.replace(/fgOpt/g, "fgOpt2")}`);
    expect(stderrOf(last)).toMatch(/^%%lr_trace: forgot2 \(SGD\) took its last step without a gradient/);
    // a run with gradients, even at some steps only, says nothing
    const some = await k.execute("%%lr_trace --name someGrad --no-live\nconst sgOpt = new torch.optim.SGD(net.parameters(), { lr: 0.01 });\n"
      + "for (let i = 0; i < 4; i++) { sgOpt.zero_grad(); const l = loss_fn.forward(net.forward(X), Y); if (i < 2) l.backward(); sgOpt.step(); }");
    expect(stderrOf(some)).toBe("");
  });

  it("in the %%lr_trace cell that records a run, lrlab.run(name) is that run once an optimizer has stepped", async () => {
    // it was undefined until the cell ended: `lrlab.run("inCell").diverged_at` threw
    // "Cannot read properties of undefined (reading 'diverged_at')"
    const r = await k.execute(`%%lr_trace --name inCell --no-live
// before the first step: an error saying so (it was undefined)
const before = (() => { try { lrlab.run("inCell"); return false; } catch (e) { return /no optimizer has stepped in it yet/.test(String(e)); } })();
const inCellOpt = new torch.optim.SGD(net.parameters(), { lr: 0.01 });
train(inCellOpt, 3);
[before, lrlab.run("inCell") === _lr_trace, lrlab.run("inCell").diverged_at, lrlab.run_names().at(-1)].join(",")`);
    expect(r.reply.content.status).toBe("ok");
    expect(resultText(r)).toBe("'true,true,,inCell'");
    // after the cell: the saved run; a cell that never steps leaves the earlier run of its name
    const saved = await k.execute('const inCellRun = lrlab.run("inCell")!; inCellRun.steps');
    expect(resultText(saved)).toBe("3");
    await k.execute(`%%lr_trace --name inCell --no-live\nconst none = lrlab.run("inCell") === inCellRun;`);
    expect(resultText(await k.execute('[none, lrlab.run("inCell") === inCellRun].join(",")'))).toBe("'true,true'");
  });

  it("a type error in a magic cell's body, or in code after a line magic, names the cell's line; nothing else shows", async () => {
    const body = await k.execute("%%lr_trace --name lineCheck\nconst okLine = 1;\nconst badLine: number = 'x';");
    expect(body.reply.content.evalue).toMatch(/^3:7 - Type 'string' is not assignable/);
    expect(ofType(body, "error")[0].content.traceback.join("\n")).toContain("   3 | const badLine: number = 'x';");
    // the body never ran: no "no optimizer stepped" display
    expect(body.outputs.filter((m) => m.header.msg_type === "display_data")).toEqual([]);
    const after = await k.execute("%lr_scale linear lr=0.1 batch_size=1 new_batch_size=2\n\nconst badToo: string = 1;");
    expect(after.reply.content.evalue).toMatch(/^3:7 - Type 'number'/);
    const thrown = await k.execute("const fine = 1;\n%who\nthrow new Error('at line 3')");
    expect(ofType(thrown, "error")[0].content.traceback[0]).toContain("cell line 3");
  });

  it("%lr_schedule previews a scheduler; consecutive lines overlay in one plot", async () => {
    const r = await k.execute("%lr_schedule StepLR step_size=3 gamma=0.5 --steps 10 --lr 0.1\n%lr_schedule CosineAnnealingLR T_max=10 --steps 10 --lr 0.1");
    expect(r.reply.content.status).toBe("ok");
    const ps = plots(r);
    expect(ps).toHaveLength(1);
    const p = ps[0].content.data[PLOT];
    expect(p.kind).toBe("schedule");
    expect(new Set(p.series.map((s: { name: string }) => s.name)).size).toBe(2);
    const step = p.series.find((s: { name: string; metric: string }) => s.name.startsWith("StepLR") && s.metric === "lr");
    // PyTorch: StepLR(step_size=3, gamma=0.5) from 0.1 → 0.1 ×3, 0.05 ×3, 0.025 ×3, 0.0125
    expect(step.mean.slice(0, 10).map((v: number) => +v.toPrecision(6))).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125]);
  });

  it("%lr_schedule takes arrow functions as TypeScript (LambdaLR)", async () => {
    const r = await k.execute('%lr_schedule LambdaLR lr_lambda="(epoch: number) => 0.5 ** epoch" --steps 4 --lr 1');
    expect(r.reply.content.status).toBe("ok");
    const p = plots(r)[0].content.data[PLOT];
    const lr = p.series.find((s: { metric: string }) => s.metric === "lr");
    expect(lr.mean.slice(0, 4)).toEqual([1, 0.5, 0.25, 0.125]);
  });

  it("%lr_schedule keeps an expression's quotes, and lr_lambda may name a function the cells defined", async () => {
    const lrOf = (r: Awaited<ReturnType<KernelClient["execute"]>>) =>
      plots(r)[0].content.data[PLOT].series.find((s: { metric: string }) => s.metric === "lr").mean.map((v: number) => +v.toPrecision(6));
    // 'ab' lost its quotes: "Cannot find name 'ab'"
    for (const lambda of [`(e) => 'ab'.length * 0.1`, `(e) => "ab".length * 0.1`, `(e) => ({a:2})['a'] * 0.1`]) {
      const r = await k.execute(`%lr_schedule LambdaLR lr_lambda=${lambda} --steps 3 --lr 1`);
      expect(r.reply.content.status, lambda).toBe("ok");
      expect(lrOf(r)).toEqual([0.2, 0.2, 0.2]);
      expect(plots(r)[0].content.data[PLOT].series[0].name).toBe(`LambdaLR(lr_lambda=${lambda})`);
    }
    // "lr_lambda should be a function, but got string"
    await k.execute("const myLam = (e: number) => 0.5 ** e;");
    const named = await k.execute("%lr_schedule LambdaLR lr_lambda=myLam --steps 3 --lr 1");
    expect(named.reply.content.status).toBe("ok");
    expect(lrOf(named)).toEqual([1, 0.5, 0.25]);
    expect((await k.execute("%lr_schedule LambdaLR lr_lambda=noSuchLam --steps 3")).reply.content.evalue).toBe("lr_lambda=noSuchLam: Cannot find name 'noSuchLam'.");
  });

  it("%lr_schedule: a repeated key, a bare value, an empty value are errors saying so; a scheduler's message is prefixed once", async () => {
    const twice = await k.execute("%lr_schedule StepLR step_size=5 step_size=3 --steps 20");
    expect(twice.reply.content.ename).toBe("UsageError");
    expect(twice.reply.content.evalue).toMatch(/^step_size given twice/);
    expect(plots(twice)).toHaveLength(0);
    expect((await k.execute("%lr_scale linear lr=0.1 lr=0.2 batch_size=1 new_batch_size=2")).reply.content.evalue).toMatch(/^lr given twice/);
    // "one scheduler per line, got StepLR 5"
    const bare = await k.execute("%lr_schedule StepLR 5 --steps 20");
    expect(bare.reply.content.evalue).toBe('unexpected "5": a scheduler\'s options are key=value (StepLR takes step_size=, gamma=, last_epoch=; e.g. step_size=5)');
    expect((await k.execute("%lr_schedule StepLR ExponentialLR --steps 20")).reply.content.evalue).toMatch(/^one scheduler per line/);
    // "...but got " with nothing after it
    expect((await k.execute("%lr_schedule StepLR step_size= --steps 3")).reply.content.evalue).toMatch(/^step_size= has no value/);
    // "MultiStepLR: MultiStepLR: ..."
    const multi = await k.execute("%lr_schedule MultiStepLR milestones=5 --steps 3");
    expect(multi.reply.content.evalue).toMatch(/^MultiStepLR: milestones must be/);
    const plain = await k.execute("%lr_schedule StepLR step_size=0 --steps 3");
    expect(plain.reply.content.evalue).toMatch(/^StepLR: /);
  });

  it("%lr_schedule with a bad scheduler name lists the valid names and runs nothing", async () => {
    const r = await k.execute("%lr_schedule StepLR step_size=2 --steps 5\n%lr_schedule StepLRR step_size=2 --steps 5");
    expect(r.reply.content.ename).toBe("UsageError");
    expect(r.reply.content.evalue).toContain("CosineAnnealingLR");
    expect(plots(r)).toHaveLength(0);
    const tb = ofType(r, "error")[0].content.traceback.join("\n");
    expect(tb).toContain("--steps N");
    const missing = await k.execute("%lr_schedule StepLR step_size=2");
    expect(missing.reply.content.evalue).toContain("--steps N is required for StepLR");
  });

  it("%lr_schedule ReduceLROnPlateau takes the metric of each step from --metrics; elsewhere --metrics is an error", async () => {
    const r = await k.execute("%lr_schedule ReduceLROnPlateau factor=0.5 patience=1 --metrics 1,0.8,0.8,0.8,0.8,0.8 --lr 0.1");
    expect(r.reply.content.status).toBe("ok");
    const lr = plots(r)[0].content.data[PLOT].series.find((s: { metric: string }) => s.metric === "lr");
    // PyTorch 2.13, lr before each step (o.step(); s.step(m)): [0.1, 0.1, 0.1, 0.1, 0.05, 0.05]
    expect(lr.mean).toEqual([0.1, 0.1, 0.1, 0.1, 0.05, 0.05]);
    expect((await k.execute("%lr_schedule ReduceLROnPlateau --steps 3")).reply.content.evalue).toMatch(/give the metric of each step, e\.g\. --metrics 1,0\.8/);
    expect((await k.execute("%lr_schedule ReduceLROnPlateau --metrics lr,momentum")).reply.content.evalue).toMatch(/--metrics takes numbers .* got "lr"/);
    // %%lr_trace's --metrics picks what to record; here it is not that, and says so
    expect((await k.execute("%lr_schedule StepLR step_size=2 --steps 4 --metrics lr,momentum")).reply.content.evalue).toMatch(/StepLR takes none/);
  });

  it("%lr_schedule SequentialLR / ChainedScheduler: the error gives the code that previews them, and that code runs", async () => {
    const r = await k.execute("%lr_schedule SequentialLR milestones=[5] --steps 25");
    expect(r.reply.content.ename).toBe("UsageError");
    // the example is the user's run: its --steps, and the main scheduler over the steps after the warm-up
    expect(r.reply.content.evalue).toMatch(/\{ T_max: 20 \}\); return .*\}, \{ steps: 25, lr: 0\.1 \}\)$/m);
    const code = /\n {2}(lrlab\.preview\(.*)$/m.exec(r.reply.content.evalue)?.[1];
    expect(code).toBeDefined();
    const run = await k.execute(code!);
    expect(run.reply.content.status).toBe("ok");
    expect(resultText(run)).toMatch(/SequentialLR/);
    // the line's schedulers, milestones and --lr are the example's (it wrote milestones [5] and lr 0.1 whatever they were: a porter's pass)
    const given = await k.execute("%lr_schedule SequentialLR schedulers=[LinearLR,CosineAnnealingLR] milestones=[50] --steps 192 --lr 0.003");
    const givenCode = /\n {2}(lrlab\.preview\(.*)$/m.exec(given.reply.content.evalue)?.[1];
    expect(givenCode).toBe("lrlab.preview((opt) => { const s0 = new torch.optim.lr_scheduler.LinearLR(opt, { start_factor: 0.1, total_iters: 50 }); "
      + "const s1 = new torch.optim.lr_scheduler.CosineAnnealingLR(opt, { T_max: 142 }); "
      + "return new torch.optim.lr_scheduler.SequentialLR(opt, { schedulers: [s0, s1], milestones: [50] }); }, { steps: 192, lr: 0.003 })");
    expect((await k.execute(givenCode!)).reply.content.status).toBe("ok");
    // and for a scheduler the notebook built (a porter's pass found no way): preview the object
    expect(given.reply.content.evalue).toMatch(/\nor, for a scheduler your code already built: lrlab\.preview\(scheduler, \{ steps: 192 \}\)/);
    const built = await k.execute("const o_pv = new torch.optim.SGD([new torch.nn.Parameter(torch.zeros(1))], { lr: 0.1 });\n"
      + "const s_pv = new torch.optim.lr_scheduler.StepLR(o_pv, { step_size: 2, gamma: 0.5 });\n"
      + "const pv = lrlab.preview(s_pv, { steps: 6 });\n[pv.lrs[0].join(','), o_pv.param_groups[0].lr]");
    expect(resultText(built)).toBe("[ '0.1,0.1,0.05,0.05,0.025,0.025', 0.1 ]");
    const chained = await k.execute("%lr_schedule ChainedScheduler --steps 10");
    expect(chained.reply.content.evalue).toMatch(/ChainedScheduler combines other schedulers/);
    const chainedCode = /\n {2}(lrlab\.preview\(.*)$/m.exec(chained.reply.content.evalue)?.[1];
    expect(resultText(await k.execute(chainedCode!))).toMatch(/ChainedScheduler/);
  });

  it("%lr_schedule without --steps: a schedule that defines its length runs that many steps", async () => {
    const r = await k.execute("%lr_schedule OneCycleLR max_lr=0.1 total_steps=20\n%lr_schedule CosineAnnealingLR T_max=12 --lr 0.1");
    expect(r.reply.content.status).toBe("ok");
    const p = plots(r)[0].content.data[PLOT];
    const lengths = p.series.filter((s: { metric: string }) => s.metric === "lr").map((s: { name: string; mean: number[] }) => [s.name.split("(")[0], s.mean.length]);
    expect(lengths).toEqual([["OneCycleLR", 20], ["CosineAnnealingLR", 12]]);
    // OneCycleLR ends at max_lr / div_factor / final_div_factor = 0.1 / 25 / 1e4 (PyTorch's defaults)
    const one = p.series.find((s: { name: string; metric: string }) => s.name.startsWith("OneCycleLR") && s.metric === "lr");
    expect(one.mean[19]).toBeCloseTo(0.1 / 25 / 1e4, 12);
  });

  it("%lr_find runs a range test, plots it with suggestions and restores the model", async () => {
    const w0 = resultText(await k.execute("Array.from(net.weight.data).join(',')"));
    const r = await k.execute("%lr_find model=net loss=loss_fn data=[X, Y] --start-lr 1e-5 --end-lr 1 --num-iter 30");
    expect(r.reply.content.status).toBe("ok");
    const p = plots(r)[0].content.data[PLOT];
    expect(p.kind).toBe("range_test");
    expect(r.stdout).toContain("suggested lr");
    expect(resultText(await k.execute("Array.from(net.weight.data).join(',')"))).toBe(w0);
    const bad = await k.execute("%lr_find model=net data=[X, Y]");
    expect(bad.reply.content.evalue).toContain("loss=");
    // an expression that does not compile: the key, the expression, TypeScript's words, no positions
    const typo = await k.execute("%lr_find model=net loss=loss_fn data=[X, Y] optimizer=nosuchopt");
    expect(typo.reply.content.evalue).toBe("optimizer=nosuchopt: Cannot find name 'nosuchopt'.");
  });

  it("%lr_find: a model without parameters is a UsageError; the suggestions print as the plot writes them", async () => {
    // it was the optimizer's raw "optimizer got an empty parameter list", with dist/ frames
    const none = await k.execute("%lr_find model=loss_fn loss=loss_fn data=[X, Y]");
    expect(none.reply.content.ename).toBe("UsageError");
    expect(none.reply.content.evalue).toMatch(/^model=loss_fn has no parameters \(it is a MSELoss\)/);
    // rates too small to train: no number, and why, on stdout as in the plot's text
    const flat = await k.execute("%lr_find model=net loss=loss_fn data=[X, Y] --start-lr 1e-7 --end-lr 1e-5 --num-iter 10");
    expect(flat.stdout).toMatch(/^suggested lr: steepest —, valley —, minimum\/10 — \(with SGD\(lr\) over model\.parameters\(\), since no optimizer= was given: pass optimizer=opt to test yours\)\n {2}no suggestion: the smoothed loss did not fall .*\n$/);
    expect(plots(flat)[0].content.data["text/plain"]).toContain(flat.stdout.split("\n")[1].trim());
    // "1e-6" in the plot's text, "0.000001" on stdout: now the same numbers, written alike (a
    // fresh net as the file's first: the tests above trained `net`, and this sweep gives 8.532e-5)
    await k.execute("torch.manual_seed(0); const sci_net = new torch.nn.Linear(3, 1);");
    const r = await k.execute("%lr_find model=sci_net loss=loss_fn data=[X, Y] --start-lr 1e-6 --end-lr 1e-2 --num-iter 30");
    const text: string = plots(r)[0].content.data["text/plain"];
    // (the recommended one first, marked: trace/find_order.ts)
    const inPlot = Object.fromEntries([...text.matchAll(/(steepest|valley|minimum\/10) (\S+?)(?: \(recommended\))?(?:,|$)/gm)].map((m) => [m[1], m[2]]));
    const printed = Object.fromEntries([...r.stdout.matchAll(/(steepest|valley|minimum\/10) (\S+?)(?: \(recommended\))?(?:,| \(with |\n|$)/g)].map((m) => [m[1], m[2]]));
    expect(Object.keys(printed)).toHaveLength(3);
    for (const [k, v] of Object.entries(printed)) if (v !== "none") expect(v).toBe(inPlot[k]);
    expect(Object.values(printed).some((v) => /e-/.test(v))).toBe(true);
  });

  it("%lr_scale applies a batch-size rule; a bad rule lists the valid ones", async () => {
    const r = await k.execute("%lr_scale linear lr=0.1 batch_size=256 new_batch_size=1024");
    expect(r.stdout).toContain("lr 0.4");
    const s = await k.execute("%lr_scale sqrt lr=0.1 batch_size=256 new_batch_size=1024");
    expect(s.stdout).toContain("lr 0.2");
    const bad = await k.execute("%lr_scale cubic lr=0.1 batch_size=1 new_batch_size=2");
    expect(bad.reply.content.evalue).toContain("adam_sqrt");
    // The rule may also be given as a key, like the other arguments.
    const keyed = await k.execute("%lr_scale rule=linear lr=0.1 batch_size=256 new_batch_size=1024");
    expect(keyed.stdout).toContain("lr 0.4");
    const two = await k.execute("%lr_scale linear rule=sqrt lr=0.1 batch_size=256 new_batch_size=1024");
    expect(two.reply.content.evalue).toContain("got linear and sqrt");
    // "new_batch_size must be a positive integer, got undefined"
    const missing = await k.execute("%lr_scale linear lr=0.1 batch_size=256");
    expect(missing.reply.content.evalue).toBe("new_batch_size= missing: the linear rule needs lr=, batch_size=, new_batch_size=");
    expect((await k.execute("%lr_scale noise lr=0.1 batch_size=2 new_batch_size=4")).reply.content.evalue).toMatch(/^dataset_size= missing/);
    const zero = await k.execute("%lr_scale linear lr=0.1 batch_size=0 new_batch_size=1024");
    expect(zero.reply.content.status).toBe("error");
    expect(zero.reply.content.evalue).toContain("batch_size");
  });
});
