/**
 * The order of a range test's suggestions (a teacher's pass: on an already trained model,
 * %lr_find listed "steepest 0.001322, valley 0.00231, minimum/10 0.002154", neither by rate nor
 * by what to use, and said nothing of which to take). The recommended one comes first, marked,
 * then the others by rate; find_order.ts says why valley is the one recommended.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import type { Tensor } from "../../kernel/src/tensor/tensor";
import { find, type RangeTest } from "../../kernel/src/trace/index";
import { listingOrder, recommendedMethod } from "../../kernel/src/trace/find_order";
import { fmt } from "../../kernel/src/plot/text";
import { loaderStep } from "./loader_step";

/** The README tour's model after its %%lr_trace cell (ten epochs of Adam), then %lr_find's test of that optimizer. */
function trainedRangeTest(epochs: number): RangeTest {
  torch.manual_seed(0);
  const X = torch.randn(256, 10);
  const Y = X.matmul(torch.randn(10, 1)).add(torch.randn(256, 1).mul(0.1));
  const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(X, Y), { batch_size: 32, shuffle: true });
  torch.manual_seed(1);
  const model = new torch.nn.Sequential(new torch.nn.Linear(10, 32), new torch.nn.ReLU(), new torch.nn.Linear(32, 1));
  const loss_fn = new torch.nn.MSELoss();
  const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
  for (let e = 0; e < epochs; e++) {
    for (const [x, y] of loader as Iterable<[Tensor, Tensor]>) {
      opt.zero_grad();
      loss_fn.forward(model.forward(x), y).backward();
      opt.step();
    }
  }
  return find(opt, loaderStep(loader, model, loss_fn, opt), { model });
}

describe("listing order", () => {
  it("recommended first (valley, else steepest, else minimum/10), the rest by rate, missing ones last", () => {
    expect(listingOrder({ steepest: 0.01, valley: 0.005, "minimum/10": 0.001 })).toEqual(["valley", "minimum/10", "steepest"]);
    expect(listingOrder({ steepest: 0.0013, valley: 0.0023, "minimum/10": 0.0021 })).toEqual(["valley", "steepest", "minimum/10"]);
    expect(listingOrder({ steepest: 0.02, valley: null, "minimum/10": 0.003 })).toEqual(["steepest", "minimum/10", "valley"]);
    expect(recommendedMethod({ steepest: null, valley: null, "minimum/10": 0.003 })).toBe("minimum/10");
    // nothing to recommend: the fixed order, unmarked
    expect(listingOrder({ steepest: null, valley: null, "minimum/10": null })).toEqual(["steepest", "valley", "minimum/10"]);
    expect(recommendedMethod({ steepest: null, valley: null, "minimum/10": null })).toBeNull();
  });
});

describe("a range test of a trained model (the README tour's %lr_find)", () => {
  const r = trainedRangeTest(10);

  it("its summary names the recommended rate first, then the others from the lowest rate up", () => {
    const s = r.suggestions;
    expect(s.valley, r.toString()).not.toBeNull();
    const line = r.summary()[1];
    const shown = [...line.matchAll(/(steepest|valley|minimum\/10) (\S+)/g)].map((m) => ({ k: m[1], v: Number(m[2]) }));
    expect(shown.map((x) => x.k).sort()).toEqual(["minimum/10", "steepest", "valley"]);
    expect(line).toMatch(new RegExp(`^ {2}suggestions: valley ${fmt(s.valley).replace(/\./g, "\\.")} \\(recommended\\), `));
    const rest = shown.slice(1).map((x) => x.v);
    expect(rest).toEqual([...rest].sort((a, b) => a - b));
    expect(r.recommended).toBe("valley");
  });

  it("suggestion() gives the recommended rate by default", () => {
    expect(r.suggestion()).toBe(r.suggestions[r.recommended!]);
  });
});
