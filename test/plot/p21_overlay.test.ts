/**
 * The agreement of a run's configured lr with a schedule preview (plot/schedule_overlay.ts), on
 * buckets made by hand: a run past 2,000 steps (buckets of several steps, compared at their last
 * step), a run that starts before the preview, and param groups that differ in number. The magic
 * that prints it: test/magics/p21_compare_preview.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { Bucket } from "../../kernel/src/trace/series";
import { agreementLines, agreementText, compareLr } from "../../kernel/src/plot/schedule_overlay";
import { bucketsOf } from "../../kernel/src/plot/downsample";

/** Buckets of `width` steps each over `lr` (mean and last as a tracer keeps them). */
function merged(lr: readonly number[], width: number): Bucket[] {
  const out: Bucket[] = [];
  for (let i = 0; i < lr.length; i += width) {
    const vs = lr.slice(i, i + width);
    const sum = vs.reduce((a, b) => a + b, 0);
    out.push({ first_step: i, last_step: i + vs.length - 1, pushes: vs.length, count: vs.length, sum, mean: sum / vs.length, min: Math.min(...vs), max: Math.max(...vs), last: vs[vs.length - 1] });
  }
  return out;
}

const cosine = Array.from({ length: 4000 }, (_, i) => 0.05 * (1 + Math.cos((Math.PI * i) / 4000)));

describe("a run's lr against a preview", () => {
  it("a run of merged buckets is compared at each bucket's last step, and the text says so", () => {
    const a = compareLr(merged(cosine, 2), cosine, 0);
    expect(a.common).toBe(2000);
    expect(a.first_diff).toBeNull();
    expect(agreementText("long", "pv", a)).toBe("long vs pv (preview): lr agrees at all 2000 common steps (1–3999; the run's buckets of several steps at their last step): max abs diff 0, max rel diff 0");
  });

  it("a preview that starts later (a resumed schedule) is compared where both have steps", () => {
    const run = bucketsOf([0, 1, 2, 3, 4], [0.1, 0.1, 0.05, 0.05, 0.025]);
    const a = compareLr(run, [0.05, 0.05, 0.05], 2);
    expect(agreementText("r", "pv", a)).toBe("r vs pv (preview): lr differs from step 4 (r 0.025, pv 0.05): 1 of 3 common steps (2–4) differ; max abs diff 0.025 at step 4, max rel diff 0.5");
  });

  it("param groups are compared one by one, and a difference in their number is said", () => {
    const src = {
      name: "r",
      series: [0, 1].map((g) => ({ metric: "lr", group: g, buckets: bucketsOf([0, 1], g === 0 ? [0.1, 0.1] : [0.01, 0.02]) })),
    };
    const pv = { plot_kind: "schedule" as const, name: "p", lrs: [[0.1, 0.1]], first_step: 0 };
    expect(agreementLines("r", src, "pv", pv)).toEqual([
      "r vs pv (preview): group 0's lr agrees at all 2 common steps (0–1): max abs diff 0, max rel diff 0",
      "  (r has 2 param groups, pv 1: group 0 compared)",
    ]);
  });
});
