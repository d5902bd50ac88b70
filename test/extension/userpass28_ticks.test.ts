/**
 * A teacher's pass (userpass28): the README's first %%lr_trace (Adam, lr 1e−3) opens on a log
 * axis from 5.6e−4 to 7.6e−3, a decade and a bit, which logTicks labelled with every digit:
 * twelve labels, "9e−4" drawn on "1e−3". Labels must stay MIN_TICK_GAP of the axis apart, with
 * the decades kept.
 */
import { describe, expect, it } from "vitest";
import { logTicks, MIN_TICK_GAP } from "../../extension/src/figure";

const gaps = (t: number[]) => t.slice(1).map((v, i) => Math.log10(v) - Math.log10(t[i]));

describe("log ticks over a decade and a bit", () => {
  it("keep labels apart, decades kept: 5.6e−4 … 7.6e−3", () => {
    const lo = Math.log10(5.6e-4), hi = Math.log10(7.6e-3);
    const t = logTicks(lo, hi);
    expect(Math.min(...gaps(t))).toBeGreaterThanOrEqual(MIN_TICK_GAP * (hi - lo));
    expect(t).toContain(1e-3);
    expect(t).toContain(5e-3);
    expect(t).not.toContain(9e-4);
    expect(t.length).toBeGreaterThanOrEqual(4);
  });

  it("every range from 0.9 to 1.3 decades: no two labels closer than MIN_TICK_GAP, a decade inside is labelled", () => {
    for (let a = -4; a < -3; a += 0.037) {
      for (const span of [0.9, 1.0, 1.13, 1.2, 1.3]) {
        const t = logTicks(a, a + span);
        expect(Math.min(...gaps(t)), `${a} + ${span}`).toBeGreaterThanOrEqual(MIN_TICK_GAP * span - 1e-12);
        for (let d = Math.ceil(a); d <= a + span; d++) expect(t).toContain(Number((10 ** d).toPrecision(12)));
      }
    }
  });
});
