/**
 * A string option the library does not take (`mode: "bicubic"`, `reduction: "avg"`): the type error
 * names an alias (InterpolateMode, Reduction), and the hint under it lists the values the alias
 * allows (ts_hints.ts literalHint, resolved with the cell's checker: module_docs.ts
 * literalUnionMembers). An overload error ("No overload matches this call.") is one error with its
 * chain under it, not one per line of the chain, and points at the offending option, not at the
 * call's start (ts_hints.ts overloadChains, literalPosition). Through the real kernel.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient } from "./client";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
}, 60_000);
afterAll(async () => { await k?.shutdown(); });

const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");

/** The cell's error as the user reads it: its error lines ("line:col - error TS…"), hints, and the whole traceback. */
async function failure(code: string): Promise<{ errors: string[]; hints: string[]; traceback: string[] }> {
  const r = await k.execute(code);
  expect(r.reply.content.status).toBe("error");
  const traceback = (r.reply.content.traceback as string[]).map(plain);
  return {
    errors: traceback.filter((l) => / - error (TS\d+|lrlab): /.test(l)),
    hints: traceback.filter((l) => l.startsWith("hint:")),
    traceback,
  };
}

describe("hints for a string option the library does not take", () => {
  it("nn.Upsample's mode: one error at the option, its overload chain under it, the modes in the hint", async () => {
    const f = await failure(`new torch.nn.Upsample({ scale_factor: 2, mode: "bicubic" })`);
    // was: six errors (TS2769, TS2772, TS2322, TS2772, TS2345, TS2353), all at 1:1
    expect(f.errors).toEqual(["1:42 - error TS2769: No overload matches this call."]);
    expect(f.traceback).toContain(`  Type '"bicubic"' is not assignable to type 'InterpolateMode'.`);
    expect(f.traceback.some((l) => /^ {2}Overload 2 of 2, /.test(l))).toBe(true);
    // the caret under `mode`
    const src = f.traceback.findIndex((l) => l.startsWith("   1 | "));
    expect(f.traceback[src + 1].indexOf("^") - "     | ".length).toBe(`new torch.nn.Upsample({ scale_factor: 2, `.length);
    expect(f.hints).toEqual([`hint: "bicubic" is not allowed here; InterpolateMode is one of "nearest", "nearest-exact", "linear", "bilinear"`]);
  }, 60_000);

  it("F.pad's positional mode: the overload error at the argument, the pad modes in the hint", async () => {
    const f = await failure(`const x = torch.ones([1, 1, 4, 4]);\ntorch.nn.functional.pad(x, [1, 1], "mirror")`);
    expect(f.errors).toEqual(["2:36 - error TS2769: No overload matches this call."]);
    expect(f.traceback).toContain(`  Argument of type '"mirror"' is not assignable to parameter of type 'PadMode'.`);
    expect(f.hints).toEqual([`hint: "mirror" is not allowed here; PadMode is one of "constant", "reflect", "replicate", "circular"`]);
  }, 60_000);

  it("a loss's reduction (two signatures) and GELU's approximate (one: TypeScript's own position, at the option)", async () => {
    const loss = await failure(`new torch.nn.MSELoss({ reduction: "avg" })`);
    // MSELoss has two signatures (options, or PyTorch's positional order): TypeScript says no
    // overload matches, with each one's reason; the hint still names the allowed values
    expect(loss.errors).toEqual([`1:24 - error TS2769: No overload matches this call.`]);
    expect(loss.hints).toEqual([`hint: "avg" is not allowed here; Reduction is one of "mean", "sum", "none"`]);
    const gelu = await failure(`new torch.nn.GELU({ approximate: "fast" })`);
    expect(gelu.errors).toEqual([`1:21 - error TS2322: Type '"fast"' is not assignable to type 'GeluApproximate'.`]);
    expect(gelu.hints).toEqual([`hint: "fast" is not allowed here; GeluApproximate is one of "none", "tanh"`]);
  }, 60_000);

  it("a misspelling (TypeScript names the closest value), and a cell's own alias or a written-out union too", async () => {
    const f = await failure(`new torch.nn.Upsample({ scale_factor: 2, mode: "bilinaer" })`);
    // TypeScript's own "Did you mean" (TS2820) is in the chain; the hint does not say it again
    expect(f.traceback).toContain(`  Type '"bilinaer"' is not assignable to type 'InterpolateMode'. Did you mean '"bilinear"'?`);
    expect(f.hints).toEqual([`hint: "bilinaer" is not allowed here; InterpolateMode is one of "nearest", "nearest-exact", "linear", "bilinear"`]);
    const own = await failure(`type Act = "relu" | "gelu";\nconst act: Act = "swish";`);
    expect(own.errors).toEqual([`2:7 - error TS2322: Type '"swish"' is not assignable to type 'Act'.`]);
    expect(own.hints).toEqual([`hint: "swish" is not allowed here; Act is one of "relu", "gelu"`]);
    const inline = await failure(`const side: "left" | "right" = "up";`);
    expect(inline.hints).toEqual([`hint: "up" is not allowed here; the allowed values are "left", "right"`]);
    // not a union of strings: no hint
    expect((await failure(`const n: number = "3";`)).hints).toEqual([]);
  }, 60_000);
});
