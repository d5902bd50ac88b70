/** The magic-line parser and cell splitter (no kernel needed). */
import { describe, expect, it } from "vitest";
import { tokenize, parseArgs, splitCell, convertValue, MagicError, OptionSpec } from "../../kernel/src/magics/parser";
import { globToRegExp, History } from "../../kernel/src/kernel/history";
import { codePointsToIndex, indexToCodePoints } from "../../kernel/src/kernel/unicode";
import { Signer } from "../../kernel/src/kernel/wire";
import { formatSeconds } from "../../kernel/src/magics/time";
import { codeView, expressionAt, magicLineAt, magicNameAt } from "../../kernel/src/magics/assist";

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
    expect(() => parseArgs("--stepz 3", OPTS)).toThrow(/unknown option --stepz; allowed: --steps, --lr/);
    expect(() => parseArgs("--steps 2.5", OPTS)).toThrow(/--steps must be an integer/);
    expect(() => parseArgs("--lr fast", OPTS)).toThrow(/--lr must be a number/);
    expect(() => parseArgs("--steps", OPTS)).toThrow(/needs a value/);
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
    expect(magicNameAt(code, 16)).toBe("lr_schedule");
    expect(magicNameAt(code, 3)).toBeNull();
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
