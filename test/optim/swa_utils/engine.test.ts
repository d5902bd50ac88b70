/**
 * swa_utils in notebook cells (the kernel's engine on kernel/dist): a Module subclass written in a
 * cell is deep-copied by AveragedModel, SWALR type-checks and prints, an arrow-function forward is
 * refused with the fix, and `new torch.optim.SparseAdam(...)` gets the hint to use Adam.
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

      const sparse = error("new torch.optim.SparseAdam(net.parameters(), { lr: 0.01 });");
      expect(sparse).toContain("Property 'SparseAdam' does not exist on type 'typeof torch.optim'.");
      expect(sparse).toContain("hint: lrlab's torch.optim has no SparseAdam: PyTorch's SparseAdam only takes sparse gradients");
      expect(sparse).toContain("Use torch.optim.Adam");
    } finally {
      e.close();
    }
  }, 60_000);
});
