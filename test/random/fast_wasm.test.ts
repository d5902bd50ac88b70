/** The random samplers' WebAssembly module: embedded bytes current, the FMA probe meaningful. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fmaf } from "../../kernel/src/random/fpmath";
import { PROBE_LANES, random_wasm_kind } from "../../kernel/src/random/wasm_rng";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const gen = require("../../kernel/scripts/gen_random_wasm.cjs") as { source(): string; OUT: string };

describe("random WebAssembly module", () => {
  it("wasm_bytes.ts is what gen_random_wasm.cjs generates (re-run the script after changing it)", () => {
    expect(readFileSync(gen.OUT, "utf8")).toBe(gen.source());
  });

  it("the probe's operands tell a fused multiply-add from a multiply then add, in every lane", () => {
    const f = Math.fround;
    const seen = new Set<number>();
    for (const l of PROBE_LANES) {
      expect([f(l.a), f(l.b), f(l.c), f(l.fused)]).toEqual([l.a, l.b, l.c, l.fused]); // all floats
      expect(fmaf(l.a, l.b, l.c)).toBe(l.fused);
      expect(f(f(l.a * l.b) + l.c)).not.toBe(l.fused);
      seen.add(l.fused);
    }
    expect(seen.size).toBe(4); // a lane that ignored its own operands would show
  });

  it("loads on this machine (Node ≥ 20 has WebAssembly SIMD)", () => {
    expect(random_wasm_kind()).not.toBe(null);
  });
});
