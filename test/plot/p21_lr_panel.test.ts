/**
 * The static pictures of a traced warm-up + cosine with SGD(momentum=0.9) (a teacher's pass, userV
 * finding 2, the teacher's own run):
 * - the trace's "learning rate" panel (linear: the projected rate turns negative) took its range
 *   from the steady-state line γ/(1−μ) = 10 × lr, a 0–1 axis on which the configured lr (peak 0.1)
 *   lay flat in the bottom tenth. Now the range is the rates' own, the steady-state line is cut at
 *   its top, and a note over the panel says how high it goes.
 * - `%lr_compare seq --metric lr` opened on a log axis titled "Effective learning rate: comparison";
 *   now it opens as the schedule's preview does (linear for a cosine) and its title says configured.
 * The first and third cases failed before the change; the second and fourth guard what stays (a
 * reference near its lines, a title the user gave, the projected rate's comparison).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { trace } from "../../kernel/src/trace/index";
import { teacherSeqRun } from "./teacher_seq_run";
import { bundle, panelsFor, PLOT_MIME, PLOTLY_MIME, toVegaLite, type PlotPayload } from "../../kernel/src/plot/index";

let seq: ReturnType<typeof trace>;

beforeAll(() => {
  seq = teacherSeqRun();
});

describe("the trace's learning-rate panel keeps the rates' scale", () => {
  it("its range is the lr and projected lr's; the steady-state line is cut at the top, and said", () => {
    const b = bundle(seq);
    const payload = b[PLOT_MIME] as PlotPayload;
    const panel = panelsFor(payload)[0];
    // (split by scale from the per-sample lr: titled by the metrics it draws)
    expect(panel.title).toBe("lr, projected lr");
    expect(panel.log).toBe(false);
    // the rates (configured lr to 0.1, the projected lr a little over it) set the range, not 10 × lr = 1
    const steady = Math.max(...payload.series.filter((s) => s.metric === "lr_momentum_steady").flatMap((s) => s.mean as number[]));
    expect(steady).toBeCloseTo(1, 6);
    expect(panel.y_range).toBeDefined();
    const [lo, hi] = panel.y_range!;
    expect(hi).toBeLessThan(0.5);
    expect(hi).toBeGreaterThan(0.1);
    expect(lo).toBeLessThan(0);
    // the configured lr takes a fifth of the axis or more (it took a tenth)
    expect(0.1 / (hi - lo)).toBeGreaterThan(0.2);
    expect(panel.note).toContain("steady-state lr γ(1−τ)/(1−μ) reaches 1, above this axis: cut at its top, so that the rates keep their scale");
    // plotly's initial view and the SVG take that range; the SVG's lines are clipped to it
    const layout = (b[PLOTLY_MIME] as { layout: Record<string, any> }).layout;
    expect(layout.yaxis.range).toEqual(panel.y_range);
    expect(layout.yaxis.autorange).toBe(false);
    const vl = toVegaLite(payload) as any;
    const first = (vl.vconcat ?? vl.concat ?? [vl])[0];
    const lineLayer = first.layer.find((l: any) => l.mark?.type === "line");
    expect(lineLayer.encoding.y.scale.domain).toEqual(panel.y_range);
    expect(lineLayer.mark.clip).toBe(true);
    expect(b["image/svg+xml"]).toContain("above this axis");
  });

  it("a panel whose reference stays near its lines keeps its own range (no cut, no note)", () => {
    const payload = bundle(seq)[PLOT_MIME] as PlotPayload;
    // the steady-state line at the lr's own height: nothing rises over the rates
    const near: PlotPayload = { ...payload, series: payload.series.map((s) => (s.metric === "lr_momentum_steady" ? { ...s, mean: s.mean.map((v) => (v === null ? v : v / 10)) } : s)) };
    const panel = panelsFor(near)[0];
    expect(panel.y_range).toBeUndefined();
    expect(panel.note ?? "").not.toContain("above this axis");
  });
});

describe("%lr_compare --metric lr: the configured rate's comparison", () => {
  // (two runs make a comparison: the teacher's `%lr_compare lam oc --metric lr`; one run's is a trace's figure)
  it("opens on the preview's axis (linear for a warm-up + cosine) with an honest title", () => {
    const b = bundle({ seq, again: seq }, { default_metric: "lr" });
    const payload = b[PLOT_MIME] as PlotPayload;
    const panel = panelsFor(payload)[0];
    expect(panel.metrics).toEqual(["lr"]);
    expect(panel.log).toBe(false);
    // the payload keeps the default title: the extension titles each metric it shows
    expect(payload.title).toBe("Effective learning rate: comparison");
    expect((b[PLOTLY_MIME] as { layout: Record<string, any> }).layout.title.text).toBe("Configured learning rate: comparison");
    expect(b["text/plain"]).toMatch(/^Configured learning rate: comparison\n/);
    expect(b["image/svg+xml"]).toContain("Configured learning rate: comparison");
    expect(b["image/svg+xml"]).not.toContain("Effective learning rate");
  });

  it("a title the user gave, and other metrics, keep theirs", () => {
    expect((bundle({ seq, again: seq }, { default_metric: "lr", title: "mine" })[PLOTLY_MIME] as any).layout.title.text).toBe("mine");
    const projected = bundle({ seq, again: seq }, { default_metric: "lr_projected" });
    expect((projected[PLOTLY_MIME] as any).layout.title.text).toBe("Effective learning rate: comparison");
    // a projected rate keeps the rates' axis rule (here linear: it turns negative)
    expect(panelsFor(projected[PLOT_MIME] as PlotPayload)[0].metrics[0]).toBe("lr_projected");
  });
});
