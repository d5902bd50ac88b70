/**
 * An import alias (`import nn = torch.nn;`) is a top-level name like any other: it is carried to
 * the later cells, and so are the classes declared with it (their base class `nn.Module`), until a
 * cell redeclares it. Stock tslab dropped the alias from the carried declarations at the next cell
 * (engine_tslab.ts, CONVERTER_PATCHES `importAliases`). And the hint under "Cannot find namespace"
 * when a `const` holds a namespace (ts_hints.ts). Through the kernel's Engine, on kernel/dist, with
 * the carried declarations checked against TypeScript's printer (LRLAB_CHECK_DECLS_PRINT).
 */
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DIST, Engine, envForSuite, makePrelude } from "./dist";

const load = createRequire(__filename);
const tslab = load(join(DIST, "kernel/engine_tslab.js")) as typeof import("../../kernel/src/kernel/engine_tslab");
const { errorContent } = load(join(DIST, "kernel/errors.js")) as typeof import("../../kernel/src/kernel/errors");

type Eng = InstanceType<typeof Engine>;
const value = (e: Eng, src: string) => (e.run(src) as { value: unknown }).value;
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");
/** The cell's type errors as "TScode: message" lines, and its hints, as the user reads them. */
function failure(e: Eng, src: string): { errors: string[]; hints: string[] } {
  let err: unknown;
  try { e.run(src); } catch (x) { err = x; }
  if (err === undefined) throw new Error(`cell did not throw: ${src}`);
  const tb = errorContent(err, e, src).traceback.map(plain);
  return { errors: tb.filter((l) => / - error TS\d+: /.test(l)).map((l) => l.replace(/^.* - error /, "")), hints: tb.filter((l) => l.startsWith("hint:")) };
}

describe("import aliases across cells", () => {
  envForSuite("LRLAB_CHECK_DECLS_PRINT", "1");

  it("keep the alias and the base class of a class declared with it (the user's four cells)", () => {
    const e = new Engine(makePrelude(DIST), tmpdir());
    e.run("1");
    expect(tslab.appliedConverterPatches).toContain("importAliases");
    e.run("import nn = torch.nn;\nclass Net extends nn.Module { fc = new nn.Linear(4, 2); forward(x: torch.Tensor) { return this.fc.forward(x); } }\nconst net = new Net();");
    e.run("const opt = new torch.optim.SGD(net.parameters(), { lr: 0.1 });");
    // was: TS2339 Property 'parameters' does not exist on type 'Net'.
    expect(value(e, "net.parameters().length")).toBe(2);
    // was: TS2304 Cannot find name 'nn'.
    expect(value(e, "nn === torch.nn")).toBe(true);
    // types and values through the alias, cells later, with cells between that declare other names
    e.run("const unrelated = 3;");
    expect(value(e, "let seq: nn.Sequential = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());\nseq.forward(torch.ones([1, 2])).shape")).toEqual([1, 3]);
    expect(value(e, "const out: torch.Tensor = net.forward(torch.ones([1, 4])); out.shape[1] + unrelated")).toBe(5);
    e.close();
  }, 120_000);

  it("are replaced when redeclared, as an alias, a const or a type", () => {
    const e = new Engine(makePrelude(DIST), tmpdir());
    e.run("import nn = torch.nn;");
    e.run("const between = 1;");
    // another alias of the same name: the new one stands, in the cell and after it
    e.run("import nn = torch.optim;");
    expect(value(e, "nn === torch.optim")).toBe(true);
    expect(failure(e, "let lin: nn.Linear;").errors).toEqual(["TS2694: Namespace 'torch.optim' has no exported member 'Linear'."]);
    expect(value(e, "typeof nn.SGD + between")).toBe("function1");
    // a type of the same name beside an alias of a namespace: both stay
    e.run("import nn = torch.nn;\ntype nn = number;");
    expect(value(e, "const k: nn = 3; const relu: nn.ReLU = new nn.ReLU(); k")).toBe(3);
    expect(value(e, "nn === torch.nn")).toBe(true);
    // a const of the same name: the alias goes
    e.run("const nn = 5;");
    expect(value(e, "nn + 1")).toBe(6);
    // an alias of a class whose type a cell redeclares: its value is left as `any`, as tslab
    // leaves an import's
    e.run("import Lin = torch.nn.Linear;");
    expect(value(e, "new Lin(2, 2).in_features")).toBe(2);
    e.run("type Lin = string;");
    expect(value(e, "const w: Lin = 'w'; w + (Lin === torch.nn.Linear)")).toBe("wtrue");
    e.close();
  }, 120_000);

  it("are what the hint under 'Cannot find namespace' names when a const holds the namespace", () => {
    const e = new Engine(makePrelude(DIST), tmpdir());
    // the const in the same cell: the hint quotes it; the declaration error echoing the missing
    // namespace at the same place (TS4025 "has or is using private name") is left out
    const same = failure(e, "const nn = torch.nn;\nlet m: nn.Sequential;");
    expect(same.errors).toEqual(["TS2503: Cannot find namespace 'nn'."]);
    expect(same.hints).toEqual(["hint: `const nn = torch.nn;` holds the value only: nn.Sequential works in expressions (new nn.Sequential(...)), not as a type; "
      + "`import nn = torch.nn;` names the namespace for types too, in this cell and the later ones"]);
    // the const in an earlier cell: the hint says when it applies
    e.run("const optim = torch.optim;");
    const later = failure(e, "let o: optim.SGD;");
    expect(later.errors).toEqual(["TS2503: Cannot find namespace 'optim'."]);
    expect(later.hints[0]).toMatch(/^hint: if optim is a const \(`const optim = torch.nn;`\), it holds the value only: optim\.SGD works in expressions/);
    // and what it says works, across cells
    e.run("import optim = torch.optim;");
    e.run("const params = [torch.zeros([2], { requires_grad: true })];");
    expect(value(e, "let o: optim.SGD = new optim.SGD(params, { lr: 0.1 }); o instanceof torch.optim.SGD")).toBe(true);
    e.close();
  }, 120_000);
});
