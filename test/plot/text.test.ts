/** fmt (plot/text.ts): numbers in text summaries, 4 significant digits. */
import { describe, expect, it } from "vitest";
import { fmt } from "../../kernel/src/plot/text";

describe("fmt", () => {
  it("fixed from 1e-3 to 1e5, exponential outside, the form chosen on the rounded value", () => {
    expect(fmt(0.0010000000000000002)).toBe("0.001");
    // rounds to 0.001: written as the lr next to it, not "1e-3"
    expect(fmt(0.0009999918767056803)).toBe("0.001");
    expect(fmt(0.00099949)).toBe("9.995e-4");
    expect(fmt(1.25e-4)).toBe("1.25e-4");
    expect(fmt(12345.6)).toBe("12350");
    expect(fmt(99999.9)).toBe("1e+5");
    expect(fmt(0.05)).toBe("0.05");
    expect(fmt(-0.0009999999)).toBe("-0.001");
    expect(fmt(0)).toBe("0");
    expect(fmt(null)).toBe("—");
    expect(fmt(NaN)).toBe("NaN");
  });
});
