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
