/** The magic-line parser and cell splitter (no kernel needed). */
import { describe, expect, it } from "vitest";
import { tokenize, parseArgs, splitCell, convertValue, MagicError, OptionSpec } from "../../kernel/src/magics/parser";
import { globToRegExp, History } from "../../kernel/src/kernel/history";
import { codePointsToIndex, indexToCodePoints } from "../../kernel/src/kernel/unicode";
import { Signer } from "../../kernel/src/kernel/wire";
import { formatSeconds } from "../../kernel/src/magics/time";
import { codeView, completeMagicLine, expressionAt, magicLineAt, magicNameAt } from "../../kernel/src/magics/assist";
import { findMagic } from "../../kernel/src/magics/registry";
import { isCompleteCell } from "../../kernel/src/kernel/is_complete";

const OPTS: OptionSpec[] = [
  { name: "steps", type: "int", help: "" },
  { name: "lr", type: "number", help: "", default: 0.1 },
  { name: "name", type: "string", help: "" },
  { name: "live", type: "boolean", help: "", default: true },
  { name: "metrics", type: "list", help: "" },
];

describe("magic parser", () => {
  it("tokenizes quotes and bracketed values", () => {
    expect(tokenize(`a "b c" 'd \\' e' betas=[0.9, 0.99] x`)).toEqual(["a", "b c", "d ' e", "betas=[0.9, 0.99]", "x"]);
    expect(() => tokenize(`"open`)).toThrow(MagicError);
  });

  it("parses --flag value, --flag=value, --no-flag, key=value and lists", () => {
    const a = parseArgs(`StepLR step_size=3 gamma=0.5 --steps 10 --name "my run" --no-live --metrics lr,loss betas=[0.9,0.99] mode=min`, OPTS);
    expect(a.positional).toEqual(["StepLR"]);
    expect(a.kv).toEqual([["step_size", 3], ["gamma", 0.5], ["betas", [0.9, 0.99]], ["mode", "min"]]);
    expect(a.flags).toEqual({ steps: 10, lr: 0.1, name: "my run", live: false, metrics: ["lr", "loss"] });
    expect(parseArgs("--steps=4 --metrics a b", OPTS).flags.metrics).toEqual(["a", "b"]);
  });

  it("lets an expression value with spaces run to the next option or key=value, and a number not", () => {
    const a = parseArgs("model=net loss=new torch.nn.MSELoss() data=loader --steps 5", OPTS);
    expect(a.kv).toEqual([["model", "net"], ["loss", "new torch.nn.MSELoss()"], ["data", "loader"]]);
    expect(a.flags.steps).toBe(5);
    const b = parseArgs("LambdaLR lr_lambda=(e) => e >= 3 ? 0.5 ** e : 1 --steps 30", OPTS);
    expect(b.positional).toEqual(["LambdaLR"]);
    expect(b.raw.lr_lambda).toBe("(e) => e >= 3 ? 0.5 ** e : 1");
    expect(b.flags.steps).toBe(30);
    // after a number, true/false or JSON value a word stays a word (a second scheduler, say)
    const c = parseArgs("StepLR step_size=5 ExponentialLR gamma=0.9 betas=[1, 2] x", OPTS);
    expect(c.positional).toEqual(["StepLR", "ExponentialLR", "x"]);
    expect(c.kv).toEqual([["step_size", 5], ["gamma", 0.9], ["betas", [1, 2]]]);
  });

  it("rejects unknown options and bad types with what is allowed", () => {
    expect(() => parseArgs("--stepz 3", OPTS)).toThrow(/unknown option --stepz \(did you mean --steps\?\); allowed: --steps, --lr/);
    expect(() => parseArgs("--wxyz 3", OPTS)).toThrow(/^unknown option --wxyz; allowed: --steps, --lr/);
    expect(() => parseArgs("--steps 2.5", OPTS)).toThrow(/--steps must be an integer/);
    expect(() => parseArgs("--lr fast", OPTS)).toThrow(/--lr must be a number/);
    expect(() => parseArgs("--steps", OPTS)).toThrow(/needs a value/);
  });

  it("keeps an expression value as written, quotes included; a value that is one quoted string loses them", () => {
    // 'ab'.length lost its quotes and became ab.length ("Cannot find name 'ab'")
    expect(parseArgs(`LambdaLR lr_lambda=(e) => 'ab'.length * 0.1 --steps 3`, OPTS).raw.lr_lambda).toBe(`(e) => 'ab'.length * 0.1`);
    expect(parseArgs(`lr_lambda=(e) => "a b".length --steps 3`, OPTS).raw.lr_lambda).toBe(`(e) => "a b".length`);
    expect(parseArgs(`lr_lambda=(e) => ({a:1})['a'] * e`, OPTS).raw.lr_lambda).toBe(`(e) => ({a:1})['a'] * e`);
    expect(parseArgs(`loss=f("it\\"s") data=d`, OPTS).raw.loss).toBe(`f("it\\"s")`);
    // a whole quoted value is the value: its quotes go, and it ends at the closing quote
    const q = parseArgs(`lr_lambda="(epoch) => 0.95 ** epoch" --name "my run" 'solo word'`, OPTS);
    expect(q.raw.lr_lambda).toBe("(epoch) => 0.95 ** epoch");
    expect(q.flags.name).toBe("my run");
    expect(q.positional).toEqual(["solo word"]);
    expect(parseArgs(`mode="min" x`, OPTS)).toMatchObject({ kv: [["mode", "min"]], positional: ["x"] });
    // a quoted key=value is a word, not a key
    expect(parseArgs(`"a=b"`, OPTS).positional).toEqual(["a=b"]);
  });

  it("rejects a key or an option given twice, and a key without a value, naming it", () => {
    // the last one won silently while the legend showed both
    expect(() => parseArgs("StepLR step_size=5 step_size=3 --steps 20", OPTS)).toThrow(/^step_size given twice \(step_size=5 and step_size=3\)/);
    expect(() => parseArgs("--steps 5 --steps=6", OPTS)).toThrow(/^--steps given twice \(--steps 5 and --steps=6\); give it once$/);
    expect(() => parseArgs("--live --no-live", OPTS)).toThrow(/^--live given twice/);
    expect(() => parseArgs("--metrics a --metrics b", OPTS)).toThrow(/^--metrics given twice/);
    // "step_size must be ... but got " with nothing after it
    expect(() => parseArgs("StepLR step_size= --steps 3", OPTS)).toThrow(/^step_size= has no value: write step_size=<value>/);
    for (const bad of ["step_size=5 step_size=3", "step_size="]) {
      try { parseArgs(bad, OPTS); } catch (e) { expect(e).toBeInstanceOf(MagicError); }
    }
  });

  it("a key=value written with spaces around the = says to write it without them", () => {
    // it said: unexpected "step_size": a scheduler's options are key=value (... e.g. step_size=step_size)
    expect(() => parseArgs("StepLR step_size = 5 --steps 20", OPTS)).toThrow(/^step_size = 5: write step_size=5, with no spaces around the =$/);
    expect(() => parseArgs("StepLR gamma =0.5 --steps 20", OPTS)).toThrow(/^gamma =0.5: write gamma=0.5, with no spaces around the =$/);
    expect(() => parseArgs("model = net", OPTS)).toThrow(MagicError);
    // an expression's own = stays in its value; a bare word before => is no key
    expect(parseArgs("LambdaLR lr_lambda=(e) => e == 1 ? 1 : 0.5", OPTS).raw.lr_lambda).toBe("(e) => e == 1 ? 1 : 0.5");
    expect(parseArgs("a b", OPTS).positional).toEqual(["a", "b"]);
  });

  it("a boolean option's --flag=value takes true or false only (--live=yes was read as false, --live=1 too)", () => {
    expect(parseArgs("--live=false", OPTS).flags.live).toBe(false);
    expect(parseArgs("--live=False", OPTS).flags.live).toBe(false);
    expect(parseArgs("--live=true", OPTS).flags.live).toBe(true);
    expect(parseArgs("--live=True", OPTS).flags.live).toBe(true);
    expect(parseArgs("--live", OPTS).flags.live).toBe(true);
    expect(() => parseArgs("--live=yes", OPTS)).toThrow(/^--live must be true or false, got "yes"$/);
    expect(() => parseArgs("--live=1", OPTS)).toThrow(/^--live must be true or false, got 1$/);
    expect(() => parseArgs("--live=0", OPTS)).toThrow(/^--live must be true or false, got 0$/);
    expect(() => parseArgs("--live=", OPTS)).toThrow(/^--live must be true or false, got ""$/);
  });

  it("reads an option's short form (-n 5, -n5) and names it among the allowed", () => {
    const short: OptionSpec[] = [{ name: "number", short: "n", type: "int", help: "" }, { name: "repeat", short: "r", type: "int", help: "" }];
    expect(parseArgs("-n 5 -r3", short).flags).toEqual({ number: 5, repeat: 3 });
    expect(() => parseArgs("-n 5 --number 6", short)).toThrow(/--number given twice/);
    expect(() => parseArgs("--x 1", short)).toThrow(/^unknown option --x; allowed: -n\/--number, -r\/--repeat/);
    // a bad value is named as written: it said "--number must be an integer" for -n abc
    expect(() => parseArgs("-n abc", short)).toThrow(/^-n\/--number must be an integer, got "abc"$/);
    expect(() => parseArgs("-r2.5", short)).toThrow(/^-r\/--repeat must be an integer, got 2.5$/);
    expect(() => parseArgs("--number abc", short)).toThrow(/^--number must be an integer, got "abc"$/);
    // a word like -f stays a word for a magic with neither options nor keys (%who -x names it itself);
    // for one with options it is an option misspelt (-steps 5 was the scheduler name "-steps")
    expect(parseArgs("-f", []).positional).toEqual(["-f"]);
    expect(() => parseArgs("-steps 5", OPTS)).toThrow(/^unknown option -steps \(did you mean --steps\?\); allowed: --steps, --lr/);
    expect(parseArgs("x=-1 --lr -0.5", OPTS)).toMatchObject({ kv: [["x", -1]], flags: { lr: -0.5 } });
  });

  it("converts values", () => {
    expect(convertValue("1e-3")).toBe(0.001);
    expect(convertValue("True")).toBe(true);
    expect(convertValue("{\"a\":1}")).toEqual({ a: 1 });
    expect(convertValue("net")).toBe("net");
  });

  it("splits cells into code and magics", () => {
    expect(splitCell("%%time\nlet x = 1;\nx")).toEqual([{ kind: "cell", name: "time", help: false, args: "", body: "let x = 1;\nx", firstLine: 1 }]);
    expect(splitCell("\n\n%%time\nx")).toMatchObject([{ kind: "cell", body: "x", firstLine: 3 }]);
    const parts = splitCell("const a = 1;\n%lr_schedule StepLR --steps 3\n%lr_schedule? \na + 1");
    expect(parts.map((p) => p.kind)).toEqual(["code", "line", "line", "code"]);
    expect(parts[2]).toMatchObject({ name: "lr_schedule", help: true });
    expect(splitCell("const m = 7 % 3;")).toEqual([{ kind: "code", code: "const m = 7 % 3;", firstLine: 0 }]);
  });

  it("a cell magic below the first line is one UsageError saying where it goes, not TypeScript's errors", () => {
    expect(() => splitCell("let it = 0;\n%%lr_trace --name long\nfor (;;) {}")).toThrow(MagicError);
    expect(() => splitCell("let it = 0;\n  %%lr_trace --name long")).toThrow(
      "line 2: %%lr_trace is a cell magic: it goes on the first line of its cell, the code on the lines below it (as in IPython)",
    );
  });
});

describe("magic cells for completion and quick info (assist.ts)", () => {
  it("codeView blanks magic lines in place, keeps %timeit's statement, and adds a cell magic's declarations", () => {
    const cell = "%%lr_trace --name a\nconst x = 1;\n%who\nx";
    const view = codeView(cell);
    expect(view.slice(0, cell.length)).toBe(" ".repeat(19) + "\nconst x = 1;\n    \nx");
    expect(view.slice(cell.length)).toBe("\ndeclare let _lr_trace: lrlab.GlobalTrace;");
    expect(codeView("%timeit --number 5 f(1)")).toBe(" ".repeat(19) + "f(1)");
    // a %% line after code is no cell magic: left as it is (the cell fails to run anyway)
    expect(codeView("x\n%%time")).toBe("x\n%%time");
  });

  it("finds the TypeScript expression of a key=value around the cursor on a magic line", () => {
    const at = (line: string, cursor = line.length) => {
      const r = expressionAt(line, cursor);
      return r && line.slice(r.start, r.end);
    };
    const line = "%lr_find model=net loss=new torch.nn.MSE --num-iter 5";
    expect(at(line, line.indexOf(" --"))).toBe("new torch.nn.MSE");
    expect(at("%lr_schedule LambdaLR lr_lambda=(e) => Math.ma")).toBe("(e) => Math.ma");
    expect(at("%lr_schedule LambdaLR lr_lambda=(e) => e")).toBe("(e) => e");
    expect(at("%lr_find loss=new Lin")).toBe("new Lin");
    // the magic's own words: a bare name right after "=", a new word after a finished expression,
    // an option, a number's word, the magic's name, another magic's body
    expect(at("%lr_find model=ne")).toBeNull();
    expect(at("%lr_find model=")).toBeNull();
    expect(at("%lr_find loss=new torch.nn.MSELoss() da")).toBeNull();
    expect(at("%lr_find loss=new torch.nn.MSELoss() --num")).toBeNull();
    expect(at("%lr_schedule StepLR step_size=3 gam")).toBeNull();
    expect(at("%lr_find", 3)).toBeNull();
    expect(at("%timeit x = a.b")).toBeNull();
    expect(at("const y = a.b")).toBeNull();
  });

  it("finds the magic line at the cursor, and the word being typed", () => {
    const code = "const a = 1;\n%lr_schedule StepLR step_size=3 --lr 0.";
    const at = magicLineAt(code, code.length)!;
    expect(at.magic.name).toBe("lr_schedule");
    expect(at.words).toEqual(["StepLR", "step_size=3", "--lr"]);
    expect(at.word).toBe("0.");
    expect(magicLineAt(code, 5)).toBeNull(); // in the code
    expect(magicLineAt(code, 16)).toBeNull(); // on the magic's name: the magic names complete there
    expect(magicLineAt("%timeit torch.ra", 16)).toBeNull(); // %timeit's argument is code
    expect(magicNameAt(code, 16)).toBe("%lr_schedule");
    expect(magicNameAt(code, 3)).toBeNull();
  });

  it("Tab after a bare - or -- on a magic line: the magic's options, not TypeScript's globals", () => {
    const line = "%lr_find model=net loss=loss_fn data=data --";
    expect(expressionAt(line, line.length)).toBeNull();
    const at = magicLineAt(line, line.length)!;
    expect(completeMagicLine(at, () => []).matches).toEqual(["--start-lr", "--end-lr", "--num-iter", "--step-mode", "--smooth-f", "--diverge-th", "--name"]);
    expect(expressionAt("%lr_find loss=new torch.nn.MSELoss() -", 38)).toBeNull();
    // a minus that an operator or => asks for is the expression's
    expect(expressionAt("%lr_schedule LambdaLR lr_lambda=(e) => -", 40)).not.toBeNull();
    // %timeit's own options, before its statement (its statement is code)
    const options = (code: string) => completeMagicLine(magicLineAt(code, code.length)!, () => []).matches;
    expect(options("%timeit -")).toEqual(["-n", "--number", "-r", "--repeat"]);
    expect(options("%timeit -n 5 --")).toEqual(["--number", "--repeat"]);
    expect(options("%timeit -n ")).toEqual([]); // its value: a number, nothing to offer
    expect(magicLineAt("%timeit x -", 11)).toBeNull();
    expect(magicLineAt("%timeit -n 5 ", 13)).toBeNull(); // the statement
  });

  it("Shift-Tab in the code of %timeit / %time is that code's, and %time? is %time's help", () => {
    // the cursor in `net.forw` showed the magic's help
    expect(magicNameAt("%timeit net.forward", 16)).toBeNull();
    expect(magicNameAt("%timeit -n 5 net.forward", 21)).toBeNull();
    expect(magicNameAt("%time net.forward", 14)).toBeNull();
    expect(magicNameAt("%timeit -n 5 net.forward", 10)).toBe("%timeit"); // on its options: its help
    expect(magicNameAt("%%time\nx", 4)).toBe("%%time");
    // without a kind the line magic comes first (`%time?` paged %%time's help); "%%" asks for the cell magic
    expect(findMagic("time").kind).toBe("line");
    expect(findMagic("%time").kind).toBe("line");
    expect(findMagic("%%time").kind).toBe("cell");
    expect(findMagic("lr_trace").kind).toBe("cell");
  });
});

describe("is_complete", () => {
  it("a cell magic awaits its body and ends with an empty line, as in IPython", () => {
    expect(isCompleteCell("%%lr_trace --name a")).toEqual({ status: "incomplete", indent: "" });
    expect(isCompleteCell("%%time")).toEqual({ status: "incomplete", indent: "" });
    expect(isCompleteCell("%%time\n")).toEqual({ status: "incomplete", indent: "" });
    expect(isCompleteCell("%%time\nfor (let i = 0; i < 3; i++) {")).toEqual({ status: "incomplete", indent: "  " });
    expect(isCompleteCell("%%time\n1 + 1\n\n").status).toBe("complete");
    expect(isCompleteCell("%%time\n\n").status).toBe("complete");
    expect(isCompleteCell("%lsmagic").status).toBe("complete");
  });

  it("an unterminated template literal is incomplete (it may go on over lines); an unterminated string is invalid", () => {
    expect(isCompleteCell("const s = `line one")).toEqual({ status: "incomplete", indent: "" });
    expect(isCompleteCell("const s = `line one\nline two")).toEqual({ status: "incomplete", indent: "" });
    expect(isCompleteCell("const s = `line one\nline two`").status).toBe("complete");
    expect(isCompleteCell("const s = 'line one").status).toBe("invalid");
  });
});

describe("history and helpers", () => {
  it("formats durations as IPython does: %.3g in ms, µs, ns; ns is the floor unit", () => {
    expect(formatSeconds(12.345)).toBe("12.35 s");
    expect(formatSeconds(0.0123456)).toBe("12.3 ms");
    expect(formatSeconds(0.0009999999)).toBe("1 ms"); // not "1000 µs"
    expect(formatSeconds(0.000123456)).toBe("123 µs");
    expect(formatSeconds(8.5312e-9)).toBe("8.53 ns");
    expect(formatSeconds(2.534e-10)).toBe("0.253 ns"); // a sub-ns loop is not "0 ns"
    expect(formatSeconds(0)).toBe("0 ns");
  });

  it("globs like IPython's history search", () => {
    expect(globToRegExp("6 ?*").test("6 * 7")).toBe(true);
    expect(globToRegExp("a[bc]d").test("acd")).toBe(true);
    // a set RegExp refuses (reversed range) matches nothing, as fnmatch's does; it threw, and the
    // history_request got no reply
    expect(globToRegExp("[z-a]*").test("zoo")).toBe(false);
    expect(globToRegExp("*[b-a]").test("ab")).toBe(false);
    expect(globToRegExp("x.y").test("xzy")).toBe(false);
  });

  it("is bounded and answers tail/range/search", () => {
    const h = new History(3);
    for (let i = 1; i <= 5; i++) h.add(i, `cell ${i}`);
    expect(h.tail(10).map((r) => r[1])).toEqual([3, 4, 5]);
    expect(h.range(0, 4, 5)).toEqual([[1, 4, "cell 4"]]);
    expect(h.search("cell [45]", null, false).length).toBe(2);
  });

  it("converts cursor positions between code points and UTF-16", () => {
    const s = "a😀b";
    expect(codePointsToIndex(s, 2)).toBe(3);
    expect(indexToCodePoints(s, 3)).toBe(2);
  });

  it("signs with the scheme, treats an empty key as unsigned, rejects bad signatures", () => {
    const s = new Signer("k", "hmac-sha256");
    const frames = ["{}", "{}", "{}", "{}"].map((x) => Buffer.from(x));
    expect(s.verify(s.sign(frames), frames)).toBe(true);
    expect(s.verify("00" + s.sign(frames).slice(2), frames)).toBe(false);
    expect(new Signer("k", "hmac-sha512").sign(frames)).toHaveLength(128);
    expect(new Signer("").sign(frames)).toBe("");
    expect(() => new Signer("k", "md-nothing")).toThrow(/signature_scheme/);
  });
});
