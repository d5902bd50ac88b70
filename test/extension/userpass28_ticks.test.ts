/**
 * A teacher's pass (userpass28): the README's first %%lr_trace (Adam, lr 1e−3) opens on a log
 * axis from 5.6e−4 to 7.6e−3, a decade and a bit, which logTicks labelled with every digit:
 * twelve labels, "9e−4" drawn on "1e−3". Labels must stay MIN_TICK_GAP of the axis apart, with
 * the decades kept.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildFigureWithRoles, logTicks, MIN_TICK_GAP, tickLabels } from "../../extension/src/figure";
import { PLOT_MIME, validatePayload } from "../../extension/src/payload";
import { initialState } from "../../extension/src/state";
import { themeFrom } from "../../extension/src/theme";

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

/**
 * Notebook 01's comparison of B = 32, 128, 512 at lr 0.01 on the per-sample lr (its point): the
 * B = 32 line at 3.1e−4 ran above the last label, 2e−4, with nothing to read its value by (1-2-5
 * ticks got no tick near the top, as every-digit ticks do: withTopTick).
 */
describe("notebook 01's per-sample comparison", () => {
  it("labels the axis near its top line: a tick at 3e−4 over the B = 32 line's 3.1e−4", () => {
    const nb = JSON.parse(readFileSync(join(__dirname, "..", "..", "notebooks", "01-batch-size.ipynb"), "utf8"));
    const cell = nb.cells.find((c: any) => c.cell_type === "code" && c.source.join("").startsWith(`%lr_compare "B=32, lr=0.01" "B=128`));
    const p = validatePayload(cell.outputs.find((o: any) => o.data?.[PLOT_MIME]).data[PLOT_MIME]);
    const y = buildFigureWithRoles(p, initialState(p), themeFrom(() => "", true)).layout.yaxis as any;
    expect(y.type).toBe("log");
    const ticks = y.tickvals as number[];
    expect(ticks).toContain(2e-4);
    // a label by the line at 3.125e-4 (a sixth of this 1.3-decade axis above 2e−4)
    expect(ticks).toContain(3e-4);
    expect(y.ticktext).toEqual(tickLabels(ticks));
  });
});
