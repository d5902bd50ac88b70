/**
 * A range test on data with nothing to learn (targets drawn independently of the inputs, as a
 * first try with torch.randn for both often is) finds no rate, and its note must say that more
 * iterations may not help: a user pass (session 28) followed the old "rerun with more iterations"
 * on such data. The same model on learnable targets gets suggestions and no such note.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { find } from "../../kernel/src/trace/index";

function rangeTest(learnable: boolean) {
  torch.manual_seed(0);
  const X = torch.randn([256, 10]);
  const Y = learnable ? X.matmul(torch.randn([10, 1])).add(torch.randn([256, 1]).mul(0.1)) : torch.randn([256, 1]);
  const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(X, Y), { batch_size: 32, shuffle: true });
  const model = new torch.nn.Sequential(new torch.nn.Linear(10, 32), new torch.nn.ReLU(), new torch.nn.Linear(32, 1));
  const optimizer = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
  const loss_fn = new torch.nn.MSELoss();
  let it = loader[Symbol.iterator]();
  return find(optimizer, () => {
    let n = it.next();
    if (n.done) { it = loader[Symbol.iterator](); n = it.next(); }
    const [x, y] = n.value as Tensor[];
    optimizer.zero_grad();
    const loss = loss_fn.forward(model.forward(x) as Tensor, y);
    loss.backward();
    return loss;
  }, { model });
}

const NOTE = "check that there is something to learn: targets drawn independently of the inputs (torch.randn for both) have no rate that makes their loss fall";

describe("a range test with nothing to learn", () => {
  it("suggests no rate and says that the data may be why", () => {
    const r = rangeTest(false);
    expect(r.suggestions).toEqual({ steepest: null, valley: null, "minimum/10": null });
    expect(r.notes.some((n) => n.includes("did not fall below its starting level") && n.includes(NOTE))).toBe(true);
  });

  it("on learnable targets: suggestions, and no such note", () => {
    const r = rangeTest(true);
    expect(r.suggestions.steepest).not.toBeNull();
    expect(r.notes.some((n) => n.includes(NOTE))).toBe(false);
  });
});
