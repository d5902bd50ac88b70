/**
 * A teacher's pass (userpass28): `%lr_compare adam sgdm` on the projected lr draws each run's
 * configured lr dotted in the run's colour under one legend entry, "configured lr", whose swatch
 * was the first run's (blue): sgdm's orange dotted line at 0.01 had no entry (beside "sgdm ·
 * steady-state lr", orange dashed). With lines of several colours the entry is a swatch of its own
 * in the muted text colour, so that it names every dotted line; one line keeps its own entry.
 */
import { describe, expect, it } from "vitest";
import { buildFigureWithRoles } from "../../extension/src/figure";
import { validatePayload } from "../../extension/src/payload";
import { initialState } from "../../extension/src/state";
import { themeFrom } from "../../extension/src/theme";
import { fixture } from "./fixtures";

const light = themeFrom(() => "", true);
const colour = (t: any) => (t.line as { color: string }).color;

describe("the configured lr's legend entry", () => {
  it("over several runs: one entry, in none of the runs' colours, toggling them all", () => {
    const p = validatePayload(fixture("compare"));
    const f = buildFigureWithRoles(p, { ...initialState(p), metric: "lr_projected" }, light);
    const conf = f.data.filter((_, i) => f.roles[i] === "configured");
    expect(new Set(conf.map(colour)).size).toBeGreaterThan(1);
    const entries = f.data.filter((t, i) => (f.roles[i] === "configured" || f.roles[i] === "configured-legend") && t.showlegend !== false);
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    expect(entry.name).toBe("configured lr");
    expect(conf.map(colour)).not.toContain(colour(entry));
    expect(colour(entry)).toBe(light.fontMuted);
    expect((entry.line as { dash: string }).dash).toBe("dot");
    // a click on it toggles every dotted line (plotly's toggle of the legend group)
    expect(new Set([...conf, entry].map((t) => t.legendgroup)).size).toBe(1);
    expect(entry.hoverinfo).toBe("skip");
  });

  it("over one run: the line's own entry, as before", () => {
    const p = validatePayload(fixture("compare"));
    const one = { ...p, series: p.series.filter((s) => s.name === p.series[0].name) };
    const f = buildFigureWithRoles(one, { ...initialState(one), metric: "lr_projected" }, light);
    expect(f.roles).not.toContain("configured-legend");
    const conf = f.data.filter((_, i) => f.roles[i] === "configured");
    expect(conf.filter((t) => t.showlegend !== false)).toHaveLength(1);
  });
});
