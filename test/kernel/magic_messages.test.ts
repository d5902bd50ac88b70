/**
 * What a bad magic line says: the unknown name (magic, key, option, value), the close one ("did
 * you mean"), what is allowed; and nothing of its cell runs. Printed numbers without float noise.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeMatches, didYouMean, parseArgs, type OptionSpec } from "../../kernel/src/magics/parser";
import { scale } from "../../kernel/src/trace/scale";
import { KernelClient, ofType, resultText } from "./client";

describe("close matches (parser.ts)", () => {
  it("ignores case, leading - and %, a trailing =, and -/_ differences; keeps only the best kind of match", () => {
    expect(closeMatches("--batchsize", ["--batch-size", "--steps"])).toEqual(["--batch-size"]);
    expect(closeMatches("steplr", ["StepLR", "MultiStepLR"])).toEqual(["StepLR"]);
    expect(closeMatches("num_iter=", ["model=", "--num-iter"])).toEqual(["--num-iter"]);
    // edit distance with swapped neighbours (Damerau): --nubmer is one edit from --number
    expect(closeMatches("--nubmer", ["--number", "--repeat"])).toEqual(["--number"]);
    expect(closeMatches("%%tme", ["%%time", "%%lr_trace"])).toEqual(["%%time"]);
    // a prefix (--num → --num-iter), a shared start (new_bs → new_batch_size)
    expect(closeMatches("--num", ["--num-iter", "--name"])).toEqual(["--num-iter"]);
    expect(closeMatches("new_bs", ["lr=", "batch_size=", "new_batch_size="])).toEqual(["new_batch_size="]);
    // the nearer beats the merely sharing: lr_sched is lr_schedule, not lr_scale
    expect(closeMatches("lr_sched", ["%lr_scale", "%lr_schedule"])).toEqual(["%lr_schedule"]);
    // nothing close: nothing; single letters are not "close" to each other
    expect(closeMatches("-x", ["-n", "-r"])).toEqual([]);
    expect(didYouMean("nonsense", ["lr", "lr_projected"])).toBe("");
    expect(didYouMean("Tensr", ["Tensor", "Linear"])).toBe(" (did you mean Tensor?)");
  });

  it("parseArgs names the close option, and the close value of an option with values", () => {
    const opts: OptionSpec[] = [
      { name: "batch_size", type: "int", help: "" },
      { name: "step_mode", type: "string", help: "", values: () => ["exp", "linear"] },
      { name: "metrics", type: "list", help: "", values: () => ["lr", "lr_projected"] },
    ];
    expect(() => parseArgs("--batchsize 3", opts)).toThrow(/^unknown option --batchsize \(did you mean --batch-size\?\); allowed: --batch-size, --step-mode, --metrics$/);
    expect(() => parseArgs("--step-mode expo", opts)).toThrow(/^unknown step mode "expo" \(did you mean exp\?\); valid: exp, linear$/);
    expect(() => parseArgs("--metrics lr,lr_projectd", opts)).toThrow(/^unknown metric "lr_projectd" \(did you mean lr_projected\?\); valid: lr, lr_projected$/);
    expect(parseArgs("--step-mode linear --metrics lr", opts).flags).toEqual({ step_mode: "linear", metrics: ["lr"] });
  });
});

describe("lrlab.scale prints without float noise", () => {
  it("the printed result is rounded (12 significant digits), the returned numbers are exact", () => {
    const r = scale({ rule: "adam_sqrt", lr: 1e-3, batch_size: 64, new_batch_size: 256, betas: [0.9, 0.999] });
    expect(r.betas![0]).toBe(1 - 4 * (1 - 0.9)); // 0.6000000000000001, as computed
    expect(inspect(r)).toContain("betas: [ 0.6, 0.996 ]");
    expect(inspect(r)).not.toMatch(/0000000|99999/);
    expect(Object.keys(r)).toEqual(["rule", "factor", "lr", "betas", "eps", "reference"]);
    const linear = scale({ rule: "linear", lr: 0.1, batch_size: 1, new_batch_size: 3 });
    expect(linear.lr).toBe(0.1 * 3);
    expect(inspect(linear)).toContain("lr: 0.3,");
    expect(JSON.parse(JSON.stringify(linear)).lr).toBe(0.1 * 3);
  });
});

describe("magic errors through the kernel", () => {
  let k: KernelClient;
  beforeAll(async () => {
    k = await KernelClient.start();
    await k.execute(`
torch.manual_seed(0);
const net = new torch.nn.Linear(3, 1);
const X = torch.randn(16, 3), Y = torch.randn(16, 1);
const loss_fn = new torch.nn.MSELoss();`);
  });
  afterAll(async () => { await k?.shutdown(); });

  const evalue = async (code: string) => {
    const r = await k.execute(code);
    expect(r.reply.content.ename, code).toBe("UsageError");
    return r.reply.content.evalue as string;
  };

  it("%lr_scale names an unknown key, the close one and the keys there are (it said 'new_batch_size= missing')", async () => {
    expect(await evalue("%lr_scale linear lr=0.1 batch_size=256 new_bs=1024")).toBe(
      "unknown key new_bs= (did you mean new_batch_size=?); %lr_scale takes rule=, lr=, batch_size=, new_batch_size=, betas=, eps=, momentum=, dataset_size=");
    expect(await evalue("%lr_scale noise lr=0.1 batch_size=1 new_batch_size=2 datasetsize=100")).toMatch(/^unknown key datasetsize= \(did you mean dataset_size=\?\)/);
    // an option written for a key, a key written without its =, a misspelt rule, a word too many
    expect(await evalue("%lr_scale linear lr=0.1 batch_size=256 new_batch_size=1024 --batch-size 3")).toMatch(
      /^unknown option --batch-size \(did you mean batch_size=\?\); %lr_scale takes no options, only key=value: rule=, lr=/);
    expect(await evalue("%lr_scale linear lr 0.1 batch_size=1 new_batch_size=2")).toBe("unexpected lr: write lr=<value>, with no spaces around the =");
    expect(await evalue("%lr_scale liner lr=0.1 batch_size=1 new_batch_size=2")).toBe('unknown rule "liner" (did you mean linear?); valid rules: linear, sqrt, adam_sqrt, noise');
    expect(await evalue("%lr_scale rule=sqr lr=0.1 batch_size=1 new_batch_size=2")).toMatch(/^unknown rule "sqr" \(did you mean sqrt\?\)/);
    expect(await evalue("%lr_scale linear lr=0.1 batch_size=1 new_batch_size=2 extra")).toMatch(/^unexpected "extra": after the rule \(linear\), %lr_scale takes key=value: lr=, /);
    // a key of another rule was silently ignored
    expect(await evalue("%lr_scale linear lr=0.1 batch_size=1 new_batch_size=2 betas=[0.9,0.99]")).toBe(
      "betas= is for the adam_sqrt rule, not linear; the linear rule needs lr=, batch_size=, new_batch_size=");
    expect(await evalue("%lr_scale noise lr=0.1 batch_size=1 new_batch_size=2")).toBe(
      "dataset_size= missing: the noise rule needs lr=, batch_size=, new_batch_size=, dataset_size= (optional: momentum=)");
    // the library's words without its "scale: " prefix
    expect(await evalue("%lr_scale linear lr=abc batch_size=1 new_batch_size=2")).toBe("lr must be a finite number > 0, got abc");
  });

  it("%lr_scale and lrlab.scale print their numbers without float noise", async () => {
    const adam = await k.execute("%lr_scale adam_sqrt lr=0.001 batch_size=64 new_batch_size=192 betas=[0.9, 0.999]");
    expect(adam.stdout).toBe("adam_sqrt: batch ×3 → lr 0.00173205080757\nbetas [0.7, 0.997]\neps 5.7735026919e-9\n(Malladi et al. 2022, arXiv:2205.10287)\n");
    const lin = await k.execute("%lr_scale linear lr=0.1 batch_size=256 new_batch_size=768");
    expect(lin.stdout).toContain("→ lr 0.3\n");
    const shown = resultText(await k.execute("lrlab.scale({ rule: 'adam_sqrt', lr: 0.001, batch_size: 64, new_batch_size: 256, betas: [0.9, 0.999] })"));
    expect(shown).toContain("betas: [ 0.6, 0.996 ]");
    expect(resultText(await k.execute("lrlab.scale({ rule: 'adam_sqrt', lr: 0.001, batch_size: 64, new_batch_size: 256, betas: [0.9, 0.999] }).betas![0] === 1 - 4 * (1 - 0.9)"))).toBe("true");
    // the error's numbers too
    expect(await evalue("%lr_scale adam_sqrt lr=0.1 batch_size=3 new_batch_size=40")).not.toMatch(/\d{13}/);
  });

  it("a bad magic line runs nothing of its cell, the code before it included; the kernel keeps its state", async () => {
    const r = await k.execute("const ranBefore = 1;\n%lr_scale linear lr=0.1 batch_size=1 new_bs=2\nconst ranAfter = 2;");
    expect(r.reply.content.ename).toBe("UsageError");
    expect((await k.execute("typeof ranBefore")).reply.content.ename).toBe("TSError");
    for (const line of ["%lr_find model=net loss=loss_fn dat=[X, Y]", "%lr_find net loss=loss_fn data=[X, Y]", "%lr_schedule StepLR stepsize=2 --steps 3",
      "%lr_schedule StepLRR step_size=2 --steps 3", "%lr_scale noise lr=0.1 batch_size=1 new_batch_size=2"]) {
      const bad = await k.execute(`globalThis.halfRan = true;\n${line}`);
      expect(bad.reply.content.ename, line).toBe("UsageError");
      expect(bad.outputs.filter((m) => m.header.msg_type === "display_data"), line).toEqual([]);
      expect(resultText(await k.execute("(globalThis as any).halfRan === undefined")), line).toBe("true");
    }
    expect(resultText(await k.execute("net.weight.shape.join(',')"))).toBe("'1,3'");
  });

  it("a magic written after code on its line says it goes on a line of its own (TypeScript's dozen errors did not)", async () => {
    // it was 13 TSErrors ("Expression expected", "Cannot find name 'lr_find'", "Cannot assign to
    // 'net' because it is a constant", ...) and hints to declare loss and data as variables
    const r = await k.execute("net.eval(); %lr_find model=net loss=loss_fn data=[X, Y] --num-iter 10");
    expect(r.reply.content.ename).toBe("UsageError");
    expect(r.reply.content.evalue).toBe("line 1: %lr_find after code on its line: a magic goes on a line of its own, the code before it on the line above (as in IPython), here: net.eval();");
    expect(ofType(r, "error")[0].content.traceback.join("\n")).not.toContain("hint:");
    // in a cell with other magics, on the line it is on; a cell magic's place is the first line
    expect(await evalue("%lr_scale linear lr=0.1 batch_size=1 new_batch_size=2\nconst afterScale = 1; %lr_compare a")).toMatch(
      /^line 2: %lr_compare after code on its line: a magic goes on a line of its own/);
    expect(await evalue("const t = 1; %%time")).toMatch(/^line 1: %%time after code on its line: a magic goes on the first line of its cell, the code on the lines below it/);
    // the modulo operator, a % in a string or comment, and an unknown name stay TypeScript's
    expect(resultText(await k.execute("const tenModThree = 10 %3; tenModThree"))).toBe("1");
    for (const code of ['const pct = "50%time"; pct.length + undefinedName', "undefinedName; // %timeit later", "undefinedName %nomagic"]) {
      expect((await k.execute(code)).reply.content.ename, code).toBe("TSError");
    }
  });

  it("%lr_find: unknown keys and options name the close one; a key without = says so", async () => {
    expect(await evalue("%lr_find model=net loss=loss_fn dat=[X, Y]")).toBe("unknown key dat= (did you mean data=?); %lr_find takes model=, loss=, data=, optimizer=, step=");
    expect(await evalue("%lr_find model=net loss=loss_fn data=[X, Y] num_iter=10")).toMatch(/^unknown key num_iter= \(did you mean --num-iter\?\)/);
    expect(await evalue("%lr_find model=net loss=loss_fn data=[X, Y] --numiter 10")).toMatch(/^unknown option --numiter \(did you mean --num-iter\?\); allowed: --start-lr, /);
    expect(await evalue("%lr_find model=net loss=loss_fn data=[X, Y] --step-mode expo")).toBe('unknown step mode "expo" (did you mean exp?); valid: exp, linear');
    expect(await evalue("%lr_find model net loss=loss_fn data=[X, Y]")).toMatch(/^unexpected model \(write model=<value>\): %lr_find takes model=, loss=, data=, optimizer=, step= and --options/);
    expect(await evalue("%lr_find model=net data=[X, Y]")).toBe("loss= missing: %lr_find needs model=, loss=, data= (or step=(batch, model) => loss in place of loss=; optional: optimizer=)");
  });

  it("%lr_find: a wrong loss=, model=, data= or optimizer= is named, with the step that failed (loss=model said only 'mat1 and mat2 shapes cannot be multiplied')", async () => {
    // the model passed as the loss: caught before anything runs
    expect(await evalue("%lr_find model=net loss=net data=[X, Y]")).toBe(
      "loss=net is the model itself (model=net): loss= takes a loss, e.g. loss=new torch.nn.MSELoss(), or a function (output, target) => loss");
    // another module as the loss: its forward fails on (output, target), and the message says so
    expect(await evalue("%lr_find model=net loss=new torch.nn.Linear(3, 1) data=[X, Y]")).toMatch(new RegExp(
      "^loss=new torch\\.nn\\.Linear\\(3, 1\\) failed on the first batch: loss\\(output, target\\) with output \\[16, 1\\] and target \\[16, 1\\] threw: "
      + "mat1 and mat2 shapes cannot be multiplied \\(16x1 and 3x1\\); loss=new torch\\.nn\\.Linear\\(3, 1\\) is a Linear with parameters: a model, not a loss\\?"));
    // a class for an instance
    expect(await evalue("%lr_find model=net loss=torch.nn.MSELoss data=[X, Y]")).toBe("loss=torch.nn.MSELoss is a class, not a loss: write loss=new torch.nn.MSELoss()");
    // the model's forward fails on the data: model= and data= named, with the input's shape
    expect(await evalue("%lr_find model=net loss=loss_fn data=[torch.randn(16, 5), Y]")).toMatch(
      /^model=net failed on the first batch of data=\[torch\.randn\(16, 5\), Y\]: model\.forward\(input\) with input \[16, 5\] threw: mat1 and mat2 shapes cannot be multiplied/);
    // a loss that is not one number (backward() said "grad can be implicitly created only for scalar outputs")
    expect(await evalue("%lr_find model=net loss=new torch.nn.MSELoss({ reduction: 'none' }) data=[X, Y]")).toMatch(
      /^loss=new torch\.nn\.MSELoss\(\{ reduction: 'none' \}\) returned a tensor of shape \[16, 1\] on the first batch, not one number: /);
    // an optimizer of another model trains nothing of this one
    await k.execute("const other_net = new torch.nn.Linear(3, 1); const other_opt = new torch.optim.SGD(other_net.parameters(), { lr: 0.1 });");
    expect(await evalue("%lr_find model=net loss=loss_fn data=[X, Y] optimizer=other_opt")).toMatch(/^optimizer=other_opt does not update any parameter of model=net/);
    expect(await evalue("%lr_find model=net loss=loss_fn data=[X, Y] optimizer=loss_fn")).toMatch(/^optimizer=loss_fn is not a torch\.optim optimizer/);
    // the model was left as it was
    expect(resultText(await k.execute("net.weight.shape.join(',')"))).toBe("'1,3'");
  });

  it("%lr_find prints its suggestions as its summary writes them: same order, names and numbers", async () => {
    const r = await k.execute("%lr_find model=net loss=loss_fn data=[X, Y] --start-lr 1e-5 --end-lr 1 --num-iter 30");
    expect(r.reply.content.status).toBe("ok");
    const summary = /suggestions: (.*)$/m.exec(r.outputs.find((m) => m.header.msg_type === "display_data")!.content.data["text/plain"])![1];
    // the recommended one first, then the others by rate (trace/find_order.ts)
    expect(summary).toMatch(/^valley \S+ \(recommended\), (steepest \S+, minimum\/10 \S+|minimum\/10 \S+, steepest \S+)$/);
    // then which optimizer the rates are for (no optimizer=: an SGD the magic made, said so)
    expect(r.stdout).toBe(`suggested lr: ${summary} (with SGD(lr) over model.parameters(), since no optimizer= was given: pass optimizer=opt to test yours)\n`);
  });

  it("%lr_schedule, %%lr_trace, %lr_compare: the close scheduler, key, option and value", async () => {
    expect(await evalue("%lr_schedule StepLRR step_size=2 --steps 5")).toMatch(/^unknown scheduler "StepLRR" \(did you mean StepLR\?\); valid names: LambdaLR, /);
    expect(await evalue("%lr_schedule steplr step_size=2 --steps 5")).toMatch(/^unknown scheduler "steplr" \(did you mean StepLR\?\)/);
    // Python's call form gets the line's form; PyTorch's full path is the same class
    expect(await evalue("%lr_schedule StepLR(step_size=5, gamma=0.5)")).toBe(
      "StepLR(...) is Python's call: write the scheduler's options as key=value words after its name, without parentheses or commas, "
      + "e.g. %lr_schedule StepLR step_size=... gamma=... --steps 100");
    expect(await evalue("%lr_schedule torch.optim.lr_scheduler.StepLR step_size=2 --steps 5 --lr 0.1 --no-such-option")).toMatch(/^unknown option --no-such-option/);
    const dotted = await k.execute("%lr_schedule torch.optim.lr_scheduler.StepLR step_size=2 --steps 5");
    expect(dotted.reply.content.status).toBe("ok");
    expect(await evalue("%lr_schedule StepLR stepsize=2 --steps 5")).toBe(
      "StepLR: StepLR.__init__() got an unexpected keyword argument 'stepsize' (did you mean step_size=?); accepted: step_size, gamma, last_epoch");
    expect(await evalue("%lr_schedule StepLR step_size=2 steps=5")).toMatch(/^StepLR: .*'steps' \(did you mean --steps\?\)/);
    expect(await evalue("%lr_schedule StepLR step_size=2 --step 5")).toMatch(/^unknown option --step \(did you mean --steps\?\); allowed: --steps, --lr/);
    expect(await evalue("%lr_schedule StepLR step_size=2 -steps 5")).toMatch(/^unknown option -steps \(did you mean --steps\?\)/);
    // the scheduler's own argument written as an option (argparse's habit): told to be key=value
    expect(await evalue("%lr_schedule StepLR --step_size 10 --gamma 0.5 --steps 30")).toBe(
      "unknown option --step_size: step_size is StepLR's own argument, written key=value (step_size=<value>); the --options are the magic's: --steps, --lr, --optimizer, --metrics, --name");
    expect(await evalue("%lr_schedule torch.optim.lr_scheduler.OneCycleLR --max-lr 1 --total_steps 10")).toMatch(/^unknown option --max-lr: max_lr is torch\.optim\.lr_scheduler\.OneCycleLR's own argument, written key=value \(max_lr=<value>\)/);
    // not one of its arguments: as before
    expect(await evalue("%lr_schedule StepLR --bogus 1")).toMatch(/^unknown option --bogus; allowed: --steps/);
    // --help (argparse's habit): where the help is
    expect(await evalue("%lr_scale --help")).toBe("--help: a magic's help is %lr_scale? (a cell of that alone), or Shift-Tab on its line");
    expect(await evalue("%lr_find -h")).toBe("-h: a magic's help is %lr_find? (a cell of that alone), or Shift-Tab on its line");
    expect(await evalue("%lr_schedule StepLR step_size=2 --steps 5 --optimizer adam")).toMatch(/^--optimizer adam \(did you mean Adam\?\): a preview simulates on SGD, Adam, /);
    expect(await evalue("%%lr_trace --metrics lr,lr_projectd\nconst zz = 1;")).toMatch(/^unknown metric "lr_projectd" \(did you mean lr_projected\?\); valid: lr, lr_projected, /);
    expect(await evalue("%%lr_trace --nmae x\nconst zz = 1;")).toMatch(/^unknown option --nmae \(did you mean --name\?\)/);
    expect(await evalue("%%lr_trace --reduction avg\nconst zz = 1;")).toBe('unknown reduction "avg"; valid: mean, sum');
    // a run named with "=" in it reads as key=value unless quoted: the message says to quote it
    expect(await evalue("%lr_compare lr=0.1")).toBe(
      'unexpected lr=...; give run names (a run name with "=" in it is written in quotes, %lr_compare "lr=0.1")');
    await k.execute('const o_eq = new torch.optim.SGD([torch.zeros([1], { requires_grad: true })], { lr: 0.1 }); const t_eq = lrlab.trace(o_eq, { name: "lr=0.2" });');
    expect(await evalue("%lr_compare lr=0.2")).toBe('unexpected lr=...; give run names (a run is named "lr=0.2": quote it, %lr_compare "lr=0.2")');
    expect(await evalue("%lr_compare a --metrc lr")).toMatch(/^unknown option --metrc \(did you mean --metric\?\); allowed: --metric, --x, --title/);
    expect(await evalue("%lr_compare a --metric lr_projectd")).toMatch(/^unknown metric "lr_projectd" \(did you mean lr_projected\?\); valid: lr, /);
    // a misspelt run: the recorded runs and the variables holding traces are the candidates
    await k.execute(`const ttnet = new torch.nn.Linear(2, 1); const ttopt = new torch.optim.SGD(ttnet.parameters(), { lr: 0.1 });
const sgd_run = lrlab.trace(ttopt); ttopt.step(); sgd_run.stop();`);
    expect(await evalue("%lr_compare sdg_run")).toMatch(/^no run named "sdg_run" \(did you mean sgd_run\?\); recorded runs: /);
  });

  it("%lr_schedule: a boolean option takes true or false only (cycle_momentum=no ran OneCycleLR with momentum still cycling)", async () => {
    expect(await evalue("%lr_schedule OneCycleLR max_lr=0.1 total_steps=20 cycle_momentum=no")).toBe('OneCycleLR: cycle_momentum must be true or false, got "no"');
    expect(await evalue("%lr_schedule OneCycleLR max_lr=0.1 total_steps=20 three_phase=yes")).toBe('OneCycleLR: three_phase must be true or false, got "yes"');
    // 1/0 are refused as the parser refuses them for --flag=1 (a cell's options object would not type-check either)
    expect(await evalue("%lr_schedule OneCycleLR max_lr=0.1 total_steps=20 three_phase=0")).toBe("OneCycleLR: three_phase must be true or false, got 0");
    expect(await evalue("%lr_schedule CyclicLR base_lr=0.01 max_lr=0.1 cycle_momentum=1")).toBe("CyclicLR: cycle_momentum must be true or false, got 1");
    // a bad line runs nothing (checked as it is parsed)
    const bad = await k.execute("globalThis.boolRan = true;\n%lr_schedule OneCycleLR max_lr=0.1 total_steps=20 cycle_momentum=no");
    expect(bad.outputs.filter((m) => m.header.msg_type === "display_data")).toEqual([]);
    expect(resultText(await k.execute("(globalThis as any).boolRan === undefined"))).toBe("true");
    // true/false/True/False as before, and they take effect
    for (const v of ["true", "false", "True", "False"]) {
      const r = await k.execute(`%lr_schedule OneCycleLR max_lr=0.1 total_steps=20 cycle_momentum=${v} three_phase=${v}`);
      expect(r.reply.content.status, v).toBe("ok");
    }
    const kept = await k.execute("lrlab.preview((o) => new torch.optim.lr_scheduler.OneCycleLR(o, { max_lr: 0.1, total_steps: 20, cycle_momentum: false }), { steps: 20 }).momentum!.every((m) => m === 0.9)");
    expect(resultText(kept)).toBe("true");
    // --flag=value of a boolean option: true/false too (--live=yes was read as false)
    expect(await evalue("%%lr_trace --live=yes\nconst zz = 1;")).toBe('--live must be true or false, got "yes"');
    expect(await evalue("%%lr_trace --per-param=1\nconst zz = 1;")).toBe("--per-param must be true or false, got 1");
  });

  it("%lr_schedule without --steps: an invalid option that sets the length is named (it said --steps N is required)", async () => {
    expect(await evalue("%lr_schedule CosineAnnealingLR T_max=ten")).toBe("CosineAnnealingLR: Expected positive T_max, but got ten");
    expect(await evalue("%lr_schedule CosineAnnealingLR T_max=[10]")).toBe("CosineAnnealingLR: Expected positive T_max, but got [10]");
    expect(await evalue("%lr_schedule PolynomialLR total_iters=abc")).toBe("PolynomialLR: Expected non-negative integer total_iters, but got abc");
    expect(await evalue("%lr_schedule OneCycleLR max_lr=[0.1,0.2] total_steps=10")).toMatch(/^OneCycleLR: max_lr must have the same length as optimizer\.param_groups/);
    // the same words as with --steps
    expect(await evalue("%lr_schedule CosineAnnealingLR T_max=ten --steps 10")).toBe("CosineAnnealingLR: Expected positive T_max, but got ten");
    // valid options that give no whole number of steps: what to do, not a contradiction
    expect(await evalue("%lr_schedule CosineAnnealingLR T_max=10.5")).toBe(
      "CosineAnnealingLR: without --steps the preview runs T_max steps, and T_max=10.5 is not a positive integer; give --steps N");
    expect(await evalue("%lr_schedule PolynomialLR total_iters=0")).toBe(
      "PolynomialLR: without --steps the preview runs total_iters steps, and total_iters=0 is not a positive integer; give --steps N");
    // a scheduler with no length of its own still asks for --steps
    expect(await evalue("%lr_schedule StepLR step_size=2")).toMatch(/^--steps N is required for StepLR/);
  });

  it("%lr_schedule: a function option that returns no finite number is an error naming it (it plotted NaN with status ok)", async () => {
    expect(await evalue("%lr_schedule LambdaLR lr_lambda=(e) => e.foo --steps 5")).toBe("LambdaLR: lr_lambda returned undefined (not a finite number) at epoch 0");
    expect(await evalue("%lr_schedule LambdaLR lr_lambda=(e) => e < 3 ? 1 : NaN --steps 5")).toBe("LambdaLR: lr_lambda returned NaN (not a finite number) at epoch 3");
    expect(await evalue("%lr_schedule MultiplicativeLR lr_lambda=(e) => 1 / (e - 2) --steps 5")).toBe("MultiplicativeLR: lr_lambda returned Infinity (not a finite number) at epoch 2");
    expect(await evalue('%lr_schedule CyclicLR base_lr=0.01 max_lr=0.1 step_size_up=2 scale_fn=(x) => "a" --steps 5')).toBe(
      'CyclicLR: scale_fn returned "a" (not a finite number) at x = 1');
    // a schedule that reaches a non-finite lr by its numbers alone: named too
    expect(await evalue("%lr_schedule ExponentialLR gamma=1e200 --steps 5")).toBe("ExponentialLR: the lr is Infinity (not a finite number) from step 2; the preview cannot plot it");
    // a boolean factor is a number, as in Python (True * lr)
    const ok = await k.execute("%lr_schedule LambdaLR lr_lambda=(e) => e < 2 --steps 4 --lr 1");
    expect(ok.reply.content.status).toBe("ok");
  });

  it("unknown magics, %timeit, %reset, %who: the close name, a missing value, what is allowed", async () => {
    expect(await evalue("%lr_scal linear")).toMatch(/^unknown magic %lr_scal \(did you mean %lr_scale\?\); available: %lsmagic, /);
    expect(await evalue("%lr_sched StepLR")).toMatch(/^unknown magic %lr_sched \(did you mean %lr_schedule\?\)/);
    expect(await evalue("%%tme\n1")).toMatch(/^unknown magic %%tme \(did you mean %%time\?\)/);
    expect(await evalue("%%lr_trac\n1")).toMatch(/^unknown magic %%lr_trac \(did you mean %%lr_trace\?\)/);
    expect(await evalue("%lr_scael?")).toMatch(/^unknown magic %lr_scael \(did you mean %lr_scale\?\)/);
    expect(await evalue("%timeit --nubmer 5 1+1")).toBe("unknown option --nubmer (did you mean --number?); allowed: -n/--number, -r/--repeat (before the statement)");
    // it said "unknown option -n"
    expect(await evalue("%timeit -n")).toBe("option -n/--number needs a value (int), then the statement");
    expect(await evalue("%timeit --repeat")).toBe("option -r/--repeat needs a value (int), then the statement");
    expect(await evalue("%reset -g")).toBe("unknown option -g; allowed: -f/--force");
    expect(await evalue("%reset --forse")).toBe("unknown option --forse (did you mean --force?); allowed: -f/--force");
    expect(await evalue("%reset x=1")).toBe("%reset: unexpected argument x=; %reset takes only -f");
    expect(await evalue("%who Tensr")).toMatch(/^unknown type "Tensr" \(did you mean Tensor\?\)/);
    expect(await evalue("%who --type Tensor")).toBe("unknown option --type; %who takes no options");
    // state kept through all of it
    expect(resultText(await k.execute("net.weight.shape.join(',')"))).toBe("'1,3'");
  });
});

describe("scheduler keywords that take one of a few words (lr_schedule.ts WORD_VALUES)", () => {
  it("every listed word is one the scheduler accepts, and a word outside the list is refused", async () => {
    // As the kernel loads them (kernel/dist): WORD_VALUES reads each list from its scheduler's
    // module with Node's require on use (the kernel starts without the library), which the
    // TypeScript sources run here could not do.
    const load = createRequire(__filename);
    const DIST = join(__dirname, "../../kernel/dist");
    const torch = load(join(DIST, "index.js")) as typeof import("../../kernel/src/index");
    const { WORD_VALUES } = load(join(DIST, "magics/lr_schedule.js")) as typeof import("../../kernel/src/magics/lr_schedule");
    const required: Record<string, object> = {
      OneCycleLR: { max_lr: 0.1, total_steps: 10 }, SWALR: { swa_lr: 0.05 }, CyclicLR: { base_lr: 0.01, max_lr: 0.1 }, ReduceLROnPlateau: {},
    };
    const cls = (name: string): any => (torch.optim.lr_scheduler as any)[name] ?? (torch.optim.swa_utils as any)[name];
    const make = (name: string, extra: object) => {
      const opt = new torch.optim.SGD([torch.zeros([1], { requires_grad: true })], { lr: 0.1, momentum: 0.9 });
      return new (cls(name))(opt, { ...required[name], ...extra });
    };
    expect(Object.keys(WORD_VALUES).sort()).toEqual(Object.keys(required).sort());
    for (const [name, keys] of Object.entries(WORD_VALUES)) {
      for (const [key, words] of Object.entries(keys)) {
        for (const w of words) expect(() => make(name, { [key]: w }), `${name} ${key}=${w}`).not.toThrow();
        expect(() => make(name, { [key]: "nonsense" }), `${name} ${key}=nonsense`).toThrow();
      }
    }
  });

  it("BOOLEAN_KEYS lists every boolean option of the schedulers' option interfaces, and only those", async () => {
    // Read from the declarations (the options objects' interfaces), so a boolean option a
    // scheduler gains cannot slip past %lr_schedule's true/false check.
    const ts = await import("typescript");
    const { readdirSync, readFileSync } = await import("node:fs");
    const SRC = join(__dirname, "../../kernel/src/optim");
    const files = [...readdirSync(join(SRC, "lr_scheduler")).map((f) => join(SRC, "lr_scheduler", f)), join(SRC, "swa_utils/swalr.ts")].filter((f) => f.endsWith(".ts"));
    const found: Record<string, string[]> = {};
    for (const file of files) {
      const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
      sf.forEachChild((node) => {
        if (!ts.isInterfaceDeclaration(node) || !/^\w+Options$/.test(node.name.text)) return;
        for (const m of node.members) {
          if (ts.isPropertySignature(m) && m.type && /\bboolean\b/.test(m.type.getText(sf))) (found[node.name.text.replace(/Options$/, "")] ??= []).push(m.name.getText(sf));
        }
      });
    }
    const load = createRequire(__filename);
    const { BOOLEAN_KEYS } = load(join(__dirname, "../../kernel/dist/magics/lr_schedule.js")) as typeof import("../../kernel/src/magics/lr_schedule");
    expect(Object.fromEntries(Object.entries(BOOLEAN_KEYS).map(([k, v]) => [k, [...v].sort()]))).toEqual(
      Object.fromEntries(Object.entries(found).map(([k, v]) => [k, v.sort()])));
    expect(found.OneCycleLR).toEqual(["cycle_momentum", "three_phase"]); // the scan finds them
  });

  it("through the kernel: Tab after anneal_strategy= offers the words; a misspelt one is named with the close word", async () => {
    const k = await KernelClient.start();
    try {
      const code = "%lr_schedule OneCycleLR max_lr=0.1 total_steps=10 anneal_strategy=";
      const c = (await k.request("complete_request", { code, cursor_pos: [...code].length })).content;
      expect(c.matches).toEqual(["cos", "linear"]);
      const mode = "%lr_schedule ReduceLROnPlateau mode=m";
      expect((await k.request("complete_request", { code: mode, cursor_pos: [...mode].length })).content.matches).toEqual(["min", "max"]);
      const r = await k.execute("%lr_schedule OneCycleLR max_lr=0.1 total_steps=10 anneal_strategy=cosin");
      expect(r.reply.content.evalue).toBe("OneCycleLR: anneal_strategy=cosin (did you mean cos?); anneal_strategy is one of cos, linear");
      const ok = await k.execute("%lr_schedule OneCycleLR max_lr=0.1 total_steps=10 anneal_strategy=linear");
      expect(ok.reply.content.status, JSON.stringify(ok.reply.content)).toBe("ok");
    } finally {
      await k.shutdown();
    }
  });
});
