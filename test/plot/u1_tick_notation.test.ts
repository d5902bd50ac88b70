/**
 * One notation for the numbers of the static picture's axes (a teacher's pass, in nbconvert's
 * export and on GitHub, which show the SVG): README's Adam run traced with --per-param drew its
 * lr panel "1e−5, 1e−4, 1e−3, 1e−2" over an element-wise lr panel "0.001, 0.01, 0.1, 1, 10", so
 * one figure wrote 0.01 both as "1e−2" and as "0.01"; and a log axis without given ticks, or a
 * linear one, labelled each tick alone ("1e−3" next to "0.01", "5e−4" next to "0.001").
 *
 * The labels read are the ones Vega draws: the picture's spec is run and its scenegraph walked,
 * each axis's labels kept with its title (which names its panel, and so whether it is a log axis).
 */
import { describe, expect, it } from "vitest";
import * as vega from "vega";
import * as vl from "vega-lite";
import { toVegaLite } from "../../kernel/src/plot/svg";
import { numberMinus } from "../../kernel/src/plot/ticks";
import { bucketsOf } from "../../kernel/src/plot/downsample";
import { make_figure, panelsFor, type FigureSource } from "../../kernel/src/plot/figure";
import { figure } from "../../kernel/src/plot/bundle";
import type { PlotPayload } from "../../kernel/src/plot/payload";
import { adamPerParamRun } from "./u1_adam_run";

interface Axis { title: string; labels: string[] }

/** The axes Vega draws for the picture of `payload`: each with its title and its tick labels. */
function drawnAxes(payload: PlotPayload): Axis[] {
  const spec = vl.compile(toVegaLite(payload) as unknown as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(spec), { renderer: "none" });
  view.run();
  const axes: Axis[] = [];
  const texts = (node: any, role: string): string[] => {
    const out: string[] = [];
    const walk = (n: any) => {
      if (!n) return;
      if (n.role === role && n.marktype === "text") for (const it of n.items ?? []) {
        const t = Array.isArray(it.text) ? it.text.join(" ") : it.text;
        if (t !== "" && t !== undefined && it.opacity !== 0) out.push(String(t));
      }
      for (const it of n.items ?? []) walk(it);
    };
    walk(node);
    return out;
  };
  const visit = (n: any) => {
    if (!n) return;
    if (n.role === "axis") {
      for (const g of n.items ?? []) {
        const labels = texts(g, "axis-label");
        if (labels.length > 0) axes.push({ title: texts(g, "axis-title").join(" "), labels });
      }
      return;
    }
    for (const it of n.items ?? []) visit(it);
  };
  visit((view.scenegraph() as any).root);
  view.finalize();
  return axes;
}

const exponent = (l: string) => /e/.test(l);
/** Whether an axis's labels are in one notation: all exponents, or none ("0" is both). */
const oneNotation = (labels: string[]) => labels.filter((l) => l !== "0").every(exponent) || !labels.some(exponent);
const value = (l: string) => Number(l.replace(/\u2212/g, "-"));

/** The log axes of a payload's picture: its log panels' y axes, and its x axis when it is a log one. */
function logAxes(payload: PlotPayload, axes: Axis[]): Axis[] {
  const flat = (t: string) => t.replace(/\s+/g, " ");
  const logTitles = new Set(panelsFor(payload).filter((p) => p.log).map((p) => flat(p.title)));
  return axes.filter((a) => logTitles.has(flat(a.title)) || (payload.x_log === true && a.title === payload.x_label));
}

function expectOneNotation(payload: PlotPayload): Axis[] {
  const axes = drawnAxes(payload);
  for (const a of axes) expect(oneNotation(a.labels), `${a.title}: ${a.labels.join(", ")}`).toBe(true);
  // every log axis of the figure alike: no rate written "1e−2" in one panel and "0.01" in another
  const logs = logAxes(payload, axes);
  const spelled = new Map<number, Set<string>>();
  for (const a of logs) for (const l of a.labels) spelled.set(value(l), (spelled.get(value(l)) ?? new Set()).add(l));
  for (const [v, s] of spelled) expect([...s], `${v} on ${logs.map((a) => `${a.title}: ${a.labels.join(", ")}`).join(" | ")}`).toHaveLength(1);
  const styles = new Set(logs.map((a) => a.labels.some(exponent)));
  expect(styles.size, logs.map((a) => `${a.title}: ${a.labels.join(", ")}`).join(" | ")).toBeLessThanOrEqual(1);
  return axes;
}

describe("the static picture's axes: one notation", () => {
  it("README's Adam run with --per-param: its log panels write their rates alike", () => {
    const t = adamPerParamRun();
    const payload = figure(t, {}).payload;
    const axes = expectOneNotation(payload);
    // the panels the teacher saw: the lr panel's decades below 1e-3 and the element-wise one's above
    expect(logAxes(payload, axes).length).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it("the caption's numbers have the ticks' minus sign", () => {
    const t = adamPerParamRun(4);
    const b = t.bundle();
    expect(String(b["text/plain"])).toMatch(/lr_per_sample \d\.\d+e-5/);
    const svg = String(b["image/svg+xml"]);
    expect(svg).toMatch(/lr_per_sample \d\.\d+e\u22125/);
    expect(svg).not.toMatch(/\de-\d/);
    expect(numberMinus("lr_projected -0.038, q05–q95 (--batch-size 8) 8.5e-5 [-2, 3]")).toBe("lr_projected \u22120.038, q05–q95 (--batch-size 8) 8.5e\u22125 [\u22122, 3]");
  }, 60_000);

  it("a log axis within one decade boundary (Vega's own ticks before) and a linear loss axis of small values", () => {
    const x = Array.from({ length: 50 }, (_, i) => i);
    const src: FigureSource = {
      name: "small",
      series: [
        // 0.004 to 0.012: ticks 0.004 … 0.01 (plain) and maybe beyond
        { metric: "lr", group: 0, buckets: bucketsOf(x, x.map((i) => 0.004 + (0.008 * i) / 49)) },
        { metric: "update_ratio", group: 0, buckets: bucketsOf(x, x.map((i) => 8e-4 + (4e-4 * i) / 49)) },
        // a loss from 0.0022 down to 0.0002: linear ticks 0, 5e−4, 0.001, … were mixed
        { metric: "loss", group: null, buckets: bucketsOf(x, x.map((i) => 2e-4 + 2e-3 / (1 + i))) },
      ],
    };
    expectOneNotation(make_figure([src], { kind: "trace" }).payload);
  });

  it("a range test: its learning-rate axis and any other log axis alike", () => {
    const lrs = Array.from({ length: 60 }, (_, i) => 1e-5 * 10 ** (i / 12));
    const src: FigureSource = { name: "rt", series: [{ metric: "loss", group: null, buckets: bucketsOf(lrs, lrs.map((v) => 1 + v)) }] };
    const axes = expectOneNotation(make_figure([src], { kind: "range_test" }).payload);
    expect(axes.find((a) => a.title === "learning rate")?.labels).toEqual(["1e−5", "1e−4", "1e−3", "1e−2", "1e−1"]);
  });
});
