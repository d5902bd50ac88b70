/**
 * Detail level 1, against the real kernel: `name??` in a cell and inspect_request with
 * detail_level 1 add the source of what the name holds (kernel/src/kernel/source_of.ts), as
 * IPython's `??` does; `name?` and detail level 0 do not. A function or class a cell defined
 * shows as the cell wrote it, with its types; lrlab's library shows its compiled JavaScript.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient } from "./client";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
  const r = await k.execute(`function sq(x: number): number {
  // squares, for the test
  return x * x;
}
class Box<T> {
  constructor(public v: T) {}
  get(): T { return this.v; }
}
const dbl = (n: number) => n * 2;
const box = new Box(3);
function outer_s(k: number) {
  function inner_s(q: number) {
    return q * k;
  }
  return inner_s;
}
const made_s = outer_s(2);
/** A point, for the test. */
interface Pt_s { x: number; y: number }
type Pair_s = [number, number];`);
  expect(r.reply.content.status).toBe("ok");
});
afterAll(async () => { await k?.shutdown(); });

const page = async (code: string): Promise<string> => {
  const r = await k.execute(code);
  expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
  return r.reply.content.payload[0].data["text/plain"];
};

describe("name?? shows the source", () => {
  it("of a cell's function, class and arrow function, in the cell's TypeScript", async () => {
    expect(await page("sq??")).toBe(`function sq(x: number): number

Source:
function sq(x: number): number {
  // squares, for the test
  return x * x;
}`);
    expect(await page("Box??")).toContain(`Source:
class Box<T> {
  constructor(public v: T) {}
  get(): T { return this.v; }
}`);
    expect(await page("??dbl")).toContain("Source:\nconst dbl = (n: number) => n * 2;");
    // an instance: its class's source
    expect(await page("box??")).toContain("Source:\nclass Box<T> {");
    // a function declared inside another: shown as it reads on its own, not indented after its first line
    expect(await page("made_s??")).toContain("Source:\nfunction inner_s(q: number) {\n  return q * k;\n}");
  });

  it("of a function or class that shares its line with other statements: itself, not the line's first statement", async () => {
    // `myfn??` showed `const aa_s = 1;`, the first declaration on the function's line
    const r = await k.execute("const aa_s = 1; function myfn_s(a: number): number { return a * 2 }\n"
      + "class Q_s { x = 1 }; const qq_s = 2; class R_s { y = 2 }; async function* gen_s() { yield 1 }");
    expect(r.reply.content.status).toBe("ok");
    expect(await page("myfn_s??")).toContain("Source:\nfunction myfn_s(a: number): number { return a * 2 }");
    expect(await page("R_s??")).toContain("Source:\nclass R_s { y = 2 }");
    expect(await page("Q_s??")).toContain("Source:\nclass Q_s { x = 1 }");
    expect(await page("gen_s??")).toContain("Source:\nasync function* gen_s() { yield 1 }");
  });

  it("of lrlab's library as compiled JavaScript; none for a built-in, without an error", async () => {
    const sgd = await page("torch.optim.SGD??");
    expect(sgd).toContain("Source (compiled JavaScript):\nclass SGD");
    const max = await page("Math.max??");
    expect(max).toContain("Math.max");
    expect(max).not.toContain("Source");
  });

  it("a type's name (interface, type alias) shows its docs, not \"not found\"; an unknown name still says not found", async () => {
    const pt = await page("Pt_s?");
    expect(pt).toContain("interface Pt_s");
    expect(pt).toContain("A point, for the test.");
    expect(await page("Pair_s??")).toContain("type Pair_s = [number, number]");
    const r = await k.execute("NoSuchThing_s?");
    expect(r.reply.content.evalue ?? JSON.stringify(r.reply.content)).toMatch(/Object `NoSuchThing_s` not found/);
  });

  it("name? and a help line after code stay without it; ?? after code adds it", async () => {
    expect(await page("sq?")).not.toContain("Source");
    const r = await k.execute("const z = 1\nsq??");
    expect(r.reply.content.payload[0].data["text/plain"]).toContain("Source:\nfunction sq(x: number): number {");
  });
});

describe("inspect_request's detail_level", () => {
  for (const level of [0, 1]) {
    it(`${level}: the signature${level ? ", then the source" : " only"}`, async () => {
      const r = await k.request("inspect_request", { code: "sq(2) + dbl(1)", cursor_pos: 1, detail_level: level });
      expect(r.content.found).toBe(true);
      const text: string = r.content.data["text/plain"];
      expect(text.startsWith("function sq(x: number): number")).toBe(true);
      expect(text.includes("Source:\nfunction sq(x: number): number {")).toBe(level === 1);
    });
  }
});

describe("name?? on getters, wrapped methods, overloads and library instances", () => {
  beforeAll(async () => {
    const r = await k.execute(`class Temp_s {
  c = 20;
  get f(): number {
    return this.c * 9 / 5 + 32;
  }
  set f(v: number) {
    this.c = (v - 32) * 5 / 9;
  }
}
const temp_s = new Temp_s();
class One_s { k = 7; get w(): number { return this.k; } }
const one_s = new One_s();
function ovl_s(a: number): number;
function ovl_s(a: string): string;
function ovl_s(a: any): any {
  return a;
}
class Ovm_s {
  pick(a: number): number;
  pick(a: string): string;
  pick(a: any): any { return a; }
}
const ovm_s = new Ovm_s();
const lin_s = new torch.nn.Linear(2, 1);
const opt_s = new torch.optim.SGD(lin_s.parameters(), { lr: 0.1 });
const t_s = torch.ones(2, 3);
const tr_s = lrlab.trace(opt_s);`);
    expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
  });

  it("a getter shows its source (and its setter's): the cell's TypeScript, or the library's JavaScript", async () => {
    const f = await page("temp_s.f??");
    expect(f).toContain("Source:\nget f(): number {\n  return this.c * 9 / 5 + 32;\n}");
    expect(f).toContain("set f(v: number) {\n  this.c = (v - 32) * 5 / 9;\n}");
    // a class written on one line: the getter, not the whole class
    expect(await page("one_s.w??")).toMatch(/Source:\nget w\(\): number \{ return this\.k; \}$/);
    expect(await page("t_s.T??")).toContain("Source (compiled JavaScript):\nget T() {");
    expect(await page("tr_s.active??")).toContain("Source (compiled JavaScript):\nget active() {");
    // inspect_request at detail level 1 too
    const r = await k.request("inspect_request", { code: "temp_s.f", cursor_pos: 8, detail_level: 1 });
    expect(r.content.data["text/plain"]).toContain("Source:\nget f(): number {");
    // a module's re-exported name is an accessor too: what it names shows, not the accessor
    expect(await page("torch.optim.SGD??")).toContain("Source (compiled JavaScript):\nclass SGD");
  });

  it("an optimizer's step shows its own step, not the hook wrapper", async () => {
    const step = await page("opt_s.step??");
    expect(step).toContain("Source (compiled JavaScript):\nstep(closure");
    expect(step).not.toContain("stepArgs");
  });

  it("an overloaded function or method shows its overloads before the implementation", async () => {
    expect(await page("ovl_s??")).toContain(`Source:
function ovl_s(a: number): number;
function ovl_s(a: string): string;
function ovl_s(a: any): any {
  return a;
}`);
    expect(await page("ovm_s.pick??")).toContain("Source:\npick(a: number): number;\npick(a: string): string;\npick(a: any): any { return a; }");
    // the library's: the signatures its .d.ts declares, then the compiled implementation
    const max = await page("torch.max??");
    const sigs = max.indexOf("function max(x: Tensor): Tensor;\nfunction max(x: Tensor, dim:");
    expect(sigs, max).toBeGreaterThan(0);
    expect(max.indexOf("function max(x: Tensor, other: Tensor): Tensor;")).toBeGreaterThan(sigs);
    expect(max.indexOf("Source (compiled JavaScript):\nfunction max(")).toBeGreaterThan(sigs);
    const tmax = await page("t_s.max??");
    expect(tmax).toContain("max(): Tensor;\nmax(dim:");
    expect(tmax.indexOf("max(): Tensor;")).toBeLessThan(tmax.indexOf("Source (compiled JavaScript):\nmax("));
    // one signature: no overloads section
    expect(await page("torch.zeros??")).not.toContain("Overloads");
  });

  it("an instance of a library class shows its class's compiled source, a long one cut short", async () => {
    expect(await page("opt_s??")).toContain("Source (compiled JavaScript):\nclass SGD extends");
    expect(await page("lin_s??")).toContain("Source (compiled JavaScript):\nclass Linear extends");
    const t = await page("t_s??");
    expect(t).toContain("Source (compiled JavaScript):\nclass Tensor");
    expect(t).toMatch(/\n… \d+ more lines/);
    expect(t.split("\n").length).toBeLessThan(260);
    // a plain object has none
    expect(await page("opt_s.defaults??")).not.toContain("Source");
  });
});

describe("a help request on something that is not a name", () => {
  const refused = async (code: string): Promise<string> => {
    const r = await k.execute(code);
    expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("error");
    expect(r.reply.content.ename).not.toBe("TSError");
    return String(r.reply.content.evalue);
  };
  it("says what was wrong and what ? and ?? take, as IPython's \"Object `1+1` not found.\"", async () => {
    for (const code of ["1+1??", "1+1?", "?1+1", "??1+1"]) {
      const e = await refused(code);
      expect(e, code).toContain("Object `1+1` not found");
      expect(e, code).toMatch(/name or a property path/);
      expect(e, code).toContain("torch.optim.SGD");
    }
    for (const code of ["??", "?", " ? "]) expect(await refused(code), code).toMatch(/Nothing to look up.*name or a property path/s);
    for (const code of ["x.??", "x.?"]) expect(await refused(code), code).toContain("Object `x.` not found");
  });

  it("on a cell's last line: refused before the cell runs; a comment ending in ? still runs", async () => {
    expect(await refused("globalThis.ran_s = 1\n1+1??")).toContain("Object `1+1` not found");
    const r = await k.execute("typeof (globalThis as any).ran_s");
    expect(r.outputs.find((m) => m.header.msg_type === "execute_result")?.content.data["text/plain"]).toBe("'undefined'");
    const ok = await k.execute("const cm_s = 1 // really?");
    expect(ok.reply.content.status).toBe("ok");
  });
});
