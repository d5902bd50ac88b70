/**
 * Large steps measured at once, in place (steps.ts `in_place`, snapshot.ts `captureInPlace`): where
 * the native pass runs, only θ_t is copied (by the update loop's tap once one was filled) and the
 * gradient and θ_{t+1} are read where they are after the step. Against the worker's measurement
 * from the trace's copies (offload.test.ts compares the two on more workloads): bit-identical
 * reports, any length (the native pass pads the last n mod 4 elements as the copies are padded),
 * float32 and float64, optimizers with and without an update loop; listeners hear each step at
 * the end of its own step(); a tap relied on and left empty is still a step reported as not
 * measured, never one measured from stale values.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { SGD, Adam, NAdam } from "../../kernel/src/optim/index";
import { trace, type Trace } from "../../kernel/src/trace/trace";
import { set_in_place_allowed } from "../../kernel/src/trace/steps";
import { native_in_place } from "../../kernel/src/trace/native_sums";
import type { StepMetrics } from "../../kernel/src/trace/metrics";
import { rng } from "../tensor/gradcheck";

type Opt = Parameters<typeof trace>[0] & { step(): void };
type Slot = { inPlace: boolean; copied: boolean; tapOk: boolean; p: Tensor };

// skipped only where the native pass is not built or the processor lacks AVX2 (native_sums.test.ts checks that)
const itNative = native_in_place() ? it : it.skip;

afterEach(() => set_in_place_allowed(true));

function report(t: Trace) {
  return { json: t.to_json(), summary: t.summary(), errors: t.errors.map((e) => e.message) };
}

/** The same training twice: measured in place, and by the worker (forced). */
function twins(sizes: number[], make: (ps: Tensor[]) => Opt, dtype: "float32" | "float64" = "float32", per_param = true) {
  const rnd = rng(3);
  const C = (values: number[]) => (dtype === "float32" ? Float32Array.from(values) : Float64Array.from(values));
  const init = sizes.map((n) => C(Array.from({ length: n }, () => rnd() - 0.5)));
  const side = (worker: boolean) => {
    const ps = init.map((v) => new Tensor(C(Array.from(v)), [v.length], dtype, true));
    const opt = make(ps);
    const t = trace(opt, { per_param, batch_size: 16 });
    if (worker) t._use_worker = true;
    const g = rng(8);
    const setGrads = () => ps.forEach((p) => {
      p.grad = new Tensor(C(Array.from({ length: p.data.length }, () => (g() < 0.1 ? 0 : (g() - 0.5) * 0.01))), [p.data.length], dtype);
    });
    return { ps, opt, t, setGrads };
  };
  return { ip: side(false), w: side(true) };
}

const slots = (t: Trace) => [...(t._snapshots as unknown as { slotOf: Map<Tensor, Slot> }).slotOf.values()];

describe("in-place measurement of large steps", () => {
  itNative("any length (n mod 4 = 1, 2, 3), float32 and float64, SGD momentum and Adam: the worker's report bit for bit", () => {
    for (const dtype of ["float32", "float64"] as const) {
      for (const make of [(ps: Tensor[]) => new SGD(ps, { lr: 0.05, momentum: 0.9 }), (ps: Tensor[]) => new Adam(ps, { lr: 1e-3 })]) {
        const { ip, w } = twins([300 * 257 + 1, 2050, 2051, 7], (ps) => make(ps) as unknown as Opt, dtype);
        for (let s = 0; s < 5; s++) {
          for (const side of [ip, w]) {
            side.setGrads();
            side.opt.step();
          }
        }
        expect(report(ip.t)).toEqual(report(w.t));
        expect(ip.t.errors).toEqual([]);
        // the path taken: the large parameters in place, θ_t by the loop's tap (no copy before the step)
        const big = slots(ip.t).filter((s) => s.p.data.length >= 2048);
        expect(big.length).toBe(3);
        for (const s of big) expect([s.inPlace, s.tapOk, s.copied]).toEqual([true, true, false]);
      }
    }
  });

  itNative("an optimizer without an update loop (NAdam): the gradient is copied before each step, the same report", () => {
    const { ip, w } = twins([200 * 100, 3000], (ps) => new NAdam(ps, { lr: 2e-3 }) as unknown as Opt);
    for (let s = 0; s < 4; s++) {
      for (const side of [ip, w]) {
        side.setGrads();
        side.opt.step();
      }
    }
    expect(report(ip.t)).toEqual(report(w.t));
    for (const s of slots(ip.t)) expect([s.inPlace, s.tapOk, s.copied]).toEqual([true, false, true]);
  });

  itNative("listeners hear a large step at the end of its own step() (the worker's: two steps later)", () => {
    const { ip, w } = twins([300 * 300], (ps) => new SGD(ps, { lr: 0.01 }) as unknown as Opt, "float32", false);
    const heard: Record<string, number[]> = { ip: [], w: [] };
    ip.t.on_step((_, ms: StepMetrics[]) => heard.ip.push(ms[0].step));
    w.t.on_step((_, ms: StepMetrics[]) => heard.w.push(ms[0].step));
    for (let s = 0; s < 5; s++) {
      for (const side of [ip, w]) {
        side.setGrads();
        side.opt.step();
      }
      expect(heard.ip).toEqual([...Array(s + 1).keys()]);
    }
    w.t.latest();
    expect(heard.w).toEqual(heard.ip);
  });

  itNative("a tap relied on and left empty (the optimizer updated the parameter another way): that step is not measured, the next one is", () => {
    const { ip } = twins([300 * 300], (ps) => new SGD(ps, { lr: 0.01, momentum: 0.9 }) as unknown as Opt, "float32", false);
    for (let s = 0; s < 3; s++) {
      ip.setGrads();
      ip.opt.step();
    }
    expect(slots(ip.t)[0].tapOk).toBe(true);
    const p = ip.ps[0];
    // the parameter's data array replaced during the step (as by an optimizer that updates it
    // another way): the tap, keyed by the array, does not count
    ip.setGrads();
    const before = p.data;
    const swap = ip.t._snapshots as unknown as { take_after: (slot: Slot, label: string) => void };
    const take = swap.take_after.bind(swap);
    let once = true;
    swap.take_after = (slot: Slot, label: string) => {
      if (once && slot.p === p) {
        once = false;
        p.data = Float32Array.from(before); // the same values in another array: as if updated elsewhere
      }
      take(slot, label);
    };
    ip.opt.step();
    expect(ip.t.errors.map((e) => e.message).join("\n")).toMatch(/step not measured for parameter 0\.0/);
    ip.setGrads();
    ip.opt.step(); // copied before the step again: measured
    expect(ip.t.latest()!.step).toBe(4);
    expect(ip.t.latest()!.lr_projected).toBeGreaterThan(0);
    expect(ip.t.series("lr_projected")!.columns().x).toEqual([0, 1, 2, 4]); // step 3 has no value
  });

  itNative("switched off (set_in_place_allowed(false), as LRLAB_TRACE_IN_PLACE=0): the copies and the worker's path", () => {
    set_in_place_allowed(false);
    const { ip } = twins([300 * 300], (ps) => new SGD(ps, { lr: 0.01 }) as unknown as Opt, "float32", false);
    ip.setGrads();
    ip.opt.step();
    ip.t.latest();
    expect(slots(ip.t)[0].inPlace).toBe(false);
  });
});
