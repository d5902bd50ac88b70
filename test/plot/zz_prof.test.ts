import { it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { Adam } from "../../kernel/src/optim/index";
import { trace } from "../../kernel/src/trace/index";
it("prof", () => {
  for (const traced of [false, true]) {
    const p = new Tensor(Float64Array.from([1, -1, 0.5, 2]), [4], "float64", true);
    const g = new Tensor(new Float64Array(4), [4], "float64");
    const opt = new Adam([p], { lr: 1e-3 });
    if (traced) trace(opt);
    const t0 = Date.now();
    for (let i = 0; i < 200000; i++) { for (let k = 0; k < 4; k++) g.data[k] = p.data[k]; p.grad = g; opt.step(); }
    console.log(traced, Date.now() - t0);
  }
});
