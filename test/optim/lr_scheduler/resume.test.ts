/**
 * A run saved with state_dict() in the middle and resumed in a fresh optimizer + scheduler continues
 * exactly as the uninterrupted PyTorch run (the fixtures' cases with `resume_at`; the generator
 * also asserts PyTorch itself resumes identically). The scheduler state goes through JSON, as a
 * checkpoint file would.
 */
import { describe, expect, it, vi } from "vitest";
import { expectSnapshot, fixtureNames, loadFixture, makeOptimizer, makeScheduler, snapshot, stepOnce } from "./specs";

describe("lr_scheduler state_dict resume matches the uninterrupted PyTorch 2.13.0 run", () => {
  const cases = fixtureNames().flatMap((n) => loadFixture(n).cases.filter((c) => c.resume_at !== undefined));

  it("covers every scheduler kind that has a resume case", () => {
    expect(cases.length).toBeGreaterThanOrEqual(14);
  });

  for (const c of cases) {
    it(`${c.name}: save after step ${c.resume_at}, resume, continue to ${c.steps}`, () => {
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      try {
        const k = c.resume_at as number;
        const arg = (i: number) => (c.step_args ? c.step_args[i] : undefined);
        const opt1 = makeOptimizer(c.optimizer);
        const sched1 = makeScheduler(c.scheduler, opt1);
        for (let i = 0; i < k; i++) stepOnce(opt1, sched1, arg(i));
        const optState = opt1.state_dict();
        const schedState = JSON.parse(JSON.stringify(sched1.state_dict()));

        // A fresh run: construction moves the rates, then the checkpoint puts everything back.
        const opt2 = makeOptimizer(c.optimizer);
        const sched2 = makeScheduler(c.scheduler, opt2);
        opt2.load_state_dict(optState);
        sched2.load_state_dict(schedState);
        expectSnapshot(snapshot(opt2, sched2, c.record), c.records[k - 1], `resumed after step ${k}`);
        for (let i = k; i < c.steps; i++) {
          stepOnce(opt2, sched2, arg(i));
          expectSnapshot(snapshot(opt2, sched2, c.record), c.records[i], `after step ${i + 1}`);
        }
      } finally {
        warn.mockRestore();
      }
    });
  }
});
