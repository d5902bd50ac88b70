/**
 * One traced step's measurement as a job: everything the post-hook needs from the elements (each
 * parameter's sums, its group's combined sums, their metrics and ρ quantiles), computed from the
 * copies θ_t, g_t, θ_{t+1} that sit in a trace's WebAssembly memory, and nothing else. Being a
 * pure function of that memory, it runs the same on the tracer's worker thread (trace_worker.ts,
 * on the shared memory) and on the main thread (when no worker is ready): same code, same order
 * of operations, the same numbers.
 */
import { measure, type Measured } from "./metrics";
import type { Quantiles } from "./quantiles";
import { rhoQuantiles, type ElementPart, type RhoDraws } from "./sample";
import { accumulate, StepSums } from "./sums";
import { memoryView, wasmSums, type SumsModule, type WasmPlace } from "./wasm_sums";

/** Elements from which a parameter goes through the WebAssembly pass (below, the copies dominate). */
export const WASM_MIN_ELEMENTS = 2048;

/** A parameter in a job: where its copies are, and how many elements. */
export interface JobSlot extends WasmPlace {
  n: number;
}

export interface StepJob {
  /** Per parameter group, its parameters with a gradient. */
  groups: JobSlot[][];
  /** Also measure every parameter alone (the trace's `per_param`). */
  per_param: boolean;
  /** Whether lr_elementwise is recorded (the trace's `metrics`): else its ρ summary is not taken. */
  elementwise: boolean;
}

export interface GroupResult {
  /** The group's metrics from its parameters' combined sums. */
  measured: Measured;
  /** Per parameter (per_param only): its own metrics. */
  params: Measured[] | null;
}


/** The sums of one parameter into `s` (reset by the caller): WebAssembly for large ones, else JS. */
export function slotSums(mod: SumsModule | null, part: ElementPart, w: WasmPlace | null, n: number, out: number, s: StepSums): void {
  if (mod !== null && w !== null && n >= WASM_MIN_ELEMENTS && wasmSums(mod, w, n, out, s)) return;
  // small, no module, or a sum not finite (non-finite values, an overflow): the JS pass (the
  // careful one when needed)
  accumulate(part.theta, part.grad, part.after, s.reset());
}

/**
 * Measures a step whose copies are in `mod`'s memory (see the file comment); `out` is the byte
 * offset of the output block this thread's passes use (wasm_sums.ts MAIN_OUT, WORKER_OUT).
 */
export function runJob(mod: SumsModule, job: StepJob, out: number): GroupResult[] {
  const results: GroupResult[] = [];
  const total = new StepSums();
  for (const slots of job.groups) {
    total.reset();
    const parts: ElementPart[] = [];
    const sums: StepSums[] = [];
    for (const w of slots) {
      const part = { theta: memoryView(mod, w.f32, w.theta, w.n), grad: memoryView(mod, w.f32, w.grad, w.n), after: memoryView(mod, w.f32, w.after, w.n) };
      const s = new StepSums();
      slotSums(mod, part, w, w.n, out, s);
      total.add(s);
      parts.push(part);
      sums.push(s);
    }
    results.push(measureGroup(parts, sums, total, job.per_param, null, null, job.elementwise));
  }
  return results;
}

const noSums = new StepSums();

/**
 * A group's metrics from its parameters' arrays and sums (`total`: theirs combined), and each
 * parameter's with `per_param`: the one place both the deferred and the immediate path take them.
 * `draws`: the group's ρ sample drawn during the passes (the immediate path, sample.ts RhoDraws);
 * `paramDraws`: each parameter's own (per_param), or null.
 */
export function measureGroup(
  parts: readonly ElementPart[], sums: readonly StepSums[], total: StepSums, per_param: boolean,
  draws: RhoDraws | null = null, paramDraws: readonly (RhoDraws | null)[] | null = null, elementwise = true,
): GroupResult {
  // the parameters first: a parameter's own ρ sample may be a view of its share of the group's
  // (snapshot.ts viewShared), whose order the group's summary may permute (quantiles.ts summarize);
  // the group's summary does not depend on the order of its values, the parameter's would on which
  // values its view holds
  const params = per_param ? sums.map((s, k) => measure(s, elementwise ? () => rhoQuantiles([parts[k]], s, paramDraws?.[k] ?? null) : null, [parts[k]])) : null;
  let measured: Measured;
  rhoParts = parts;
  rhoSums = total;
  rhoDraws = draws;
  try {
    measured = measure(parts.length > 0 ? total : noSums, elementwise ? rhoOfGroup : null, parts);
  } finally {
    rhoParts = NO_PARTS;
    rhoSums = noSums;
    rhoDraws = null;
  }
  return { measured, params };
}

/**
 * The group `measureGroup` measures, and its ρ quantiles as one function made once (not a closure
 * over them at every step: the tracer's fixed per-step cost on tiny models, PERF.md session 22).
 */
const NO_PARTS: readonly ElementPart[] = [];
let rhoParts: readonly ElementPart[] = NO_PARTS;
let rhoSums: StepSums = noSums;
let rhoDraws: RhoDraws | null = null;
const rhoOfGroup = (): Quantiles => rhoQuantiles(rhoParts, rhoSums, rhoDraws);
