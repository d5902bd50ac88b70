/**
 * swa_utils in notebook cells (the kernel's engine on kernel/dist): a Module subclass written in a
 * cell is deep-copied by AveragedModel, SWALR type-checks and prints, an arrow-function forward is
 * refused with the fix, and `torch.optim.SparseAdam` (which once got a hint to use Adam) is there,
 * taking an embedding's sparse gradient in a cell.
 */
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DIST, Engine, makePrelude } from "../../kernel/dist";

const load = createRequire(__filename);
const { errorContent } = load(join(DIST, "kernel/errors.js")) as typeof import("../../../kernel/src/kernel/errors");
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");

describe("swa_utils in cells", () => {
  it("AveragedModel of a cell's class, SWALR, and the errors a cell can meet", () => {
    const e = new Engine(makePrelude(DIST), tmpdir());
    try {
      const run = (src: string) => (e.run(src) as { value: unknown }).value;
      const error = (src: string): string => {
        try {
          e.run(src);
        } catch (err) {
          return errorContent(err, e).traceback.map(plain).join("\n");
        }
        throw new Error(`cell did not throw: ${src}`);
      };
      run(`
torch.manual_seed(0);
class Net extends torch.nn.Module {
  fc = new torch.nn.Linear(3, 1);
  forward(x: torch.Tensor) { return this.fc.forward(x).tanh(); }
}
const net = new Net();
const opt = new torch.optim.SGD(net.parameters(), { lr: 0.1 });
const swa_model = new torch.optim.swa_utils.AveragedModel(net);
const swa_scheduler = new torch.optim.swa_utils.SWALR(opt, { swa_lr: 0.05, anneal_epochs: 2 });
const X = torch.randn(8, 3), Y = torch.randn(8, 1);
for (let i = 0; i < 4; i++) {
  opt.zero_grad();
  new torch.nn.MSELoss().forward(net.forward(X), Y).backward();
  opt.step();
  swa_model.update_parameters(net);
  swa_scheduler.step();
}`);
      expect(run("swa_model.module instanceof Net")).toBe(true);
      expect(run("swa_model.n_averaged.item()")).toBe(4);
      expect(run("swa_model.module.fc.weight === net.fc.weight")).toBe(false);
      expect(run("swa_model.forward(X).shape")).toEqual([8, 1]);
      expect(run("String(swa_scheduler)")).toBe("SWALR(swa_lr=[0.05], anneal_epochs=2, anneal_strategy='cos', last_epoch=4, lr=[0.05])");

      const arrow = error(`
class Bad extends torch.nn.Module {
  fc = new torch.nn.Linear(3, 1);
  forward = (x: torch.Tensor) => this.fc.forward(x);
}
new torch.optim.swa_utils.AveragedModel(new Bad());`);
      expect(arrow).toContain("AveragedModel: cannot copy model (Bad): its field 'forward' is an arrow function that uses `this`");

      run(`
const emb = new torch.nn.Embedding(5, 2, { sparse: true });
const sparse_opt = new torch.optim.SparseAdam(emb.parameters(), { lr: 0.01 });
emb.forward(torch.tensor([1, 3, 1], { dtype: "int64" })).sum().backward();
const sparse_grad = emb.weight.grad!;`);
      expect(run("[sparse_grad.is_sparse, sparse_grad._nnz(), sparse_grad.is_coalesced()]")).toEqual([true, 3, false]);
      run("sparse_opt.step();");
      expect(run("sparse_opt.state.get(emb.weight)!.step")).toBe(1);
      // a dense gradient: PyTorch's error
      const dense = error("emb.weight.grad = torch.zeros(5, 2); sparse_opt.step();");
      expect(dense).toContain("SparseAdam does not support dense gradients, please consider Adam instead");
    } finally {
      e.close();
    }
  }, 60_000);
});
