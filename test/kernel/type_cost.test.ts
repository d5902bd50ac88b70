/**
 * What the type checker does for the cells everyone writes, counted rather than timed (every
 * cell gets a new checker, so this work is paid again in every cell that has the call). Counts
 * are deterministic for a TypeScript version and the library's declarations; the budgets sit
 * well above today's counts and far below what the costly shapes cost, so a declaration that
 * makes a common call expensive again fails here.
 *
 * Found this way: a Parameter related to a Tensor member by member (every `model.parameters()`
 * passed to an optimizer), and `lrlab.trace(opt)` checked the optimizer's `Map<Tensor, ParamState>` against
 * the tracer's `Map<Tensor, Record<string, any>>`, which has the checker measure Map's variance:
 * 280 type instantiations and ~8 ms per cell; with `state` typed by its one used method, 23.
 */
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { DIST, Engine, envForSuite, latestProgram, makePrelude } from "./dist";

/** [cell, budget of type instantiations for checking and emitting it] */
const CELLS: [string, number][] = [
  ["const x = 1;", 10],
  ["const t = torch.randn(2, 2).add(1);", 30],
  ["const tr = lrlab.trace(opt, { batch_size: 2 });", 100],
  // a Parameter where a Tensor is expected: 188 instantiations for the relation alone when
  // Parameter declared members of its own (nn/parameter.ts), 0 now
  ["const w: torch.Tensor = model.weight;", 10],
  ["const sgd = new torch.optim.SGD(model.parameters(), { lr: 0.1 });", 120],
  ["const tr2 = lrlab.trace(adam, { batch_size: 2, per_param: true });", 100],
  // the groups typed with their options (optim/groups.ts): declared members, not mapped types,
  // which cost ~80 more instantiations in each of these (53 -> 132, 3 -> 82)
  ["const sch = new torch.optim.lr_scheduler.StepLR(opt, { step_size: 2 });", 80],
  ["const m = opt.param_groups[0].momentum * 2;", 10],
  ["const sch2 = new torch.optim.lr_scheduler.OneCycleLR(adam, { max_lr: 0.1, total_steps: 10 });", 80],
];

describe("type-checking cost of common cells", () => {
  // Counted on a checker of the cell's own: a shared checker (shared_checker.ts) counts from the
  // first cell it served. (The test passed only under npm test, whose check mode makes the
  // latest program one with its own checker.)
  envForSuite("LRLAB_SHARED_CHECKER", "0");
  envForSuite("LRLAB_CHECK_SHARED_CHECKER", "0");
  it("stays within its budget of type instantiations", () => {
    const engine = new Engine(makePrelude(DIST), tmpdir());
    engine.run("const model = new torch.nn.Linear(2, 1);\nconst opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });\n"
      + "const adam = new torch.optim.Adam(model.parameters(), { lr: 0.01 });");
    const counts: Record<string, number> = {};
    for (const [cell] of CELLS) {
      expect(engine.compile(cell).diagnostics, cell).toEqual([]);
      counts[cell] = latestProgram().getTypeChecker().getInstantiationCount();
    }
    for (const [cell, budget] of CELLS) expect(counts[cell], `${cell}: ${JSON.stringify(counts)}`).toBeLessThanOrEqual(budget);
  }, 60_000);
});
