/**
 * A teacher's traced run (userV, session 20: t2.txt's setup, build_seq and train_seq): a small
 * regression MLP under SGD(momentum=0.9) with a LinearLR warm-up then CosineAnnealingLR
 * (SequentialLR), 4 epochs of 16 batches. Its momentum steady-state line, 10 × lr, is what
 * squashed the static lr panel; test/plot/p21_lr_panel.test.ts and
 * test/extension/p21b_reference_axis.test.ts read it.
 */
import * as torch from "../../kernel/src/index";
import { trace } from "../../kernel/src/trace/index";

export function teacherSeqRun(): ReturnType<typeof trace> {
  torch.manual_seed(0);
  const X = torch.randn(512, 10);
  const w = torch.randn(10, 1);
  const Y = X.matmul(w).add(torch.randn(512, 1).mul(0.3));
  const ds = new torch.utils.data.TensorDataset(X, Y);
  const lossFn = new torch.nn.MSELoss();
  torch.manual_seed(1);
  const m = new torch.nn.Sequential(new torch.nn.Linear(10, 32), new torch.nn.ReLU(), new torch.nn.Linear(32, 1));
  const o = new torch.optim.SGD(m.parameters(), { lr: 0.1, momentum: 0.9 });
  const { LinearLR, CosineAnnealingLR, SequentialLR } = torch.optim.lr_scheduler;
  const s = new SequentialLR(o, [new LinearLR(o, { start_factor: 1 / 8, total_iters: 7 }), new CosineAnnealingLR(o, { T_max: 56 })], { milestones: [8] });
  const seq = trace(o, { name: "seq", batch_size: 32 });
  const dl = new torch.utils.data.DataLoader(ds, { batch_size: 32, shuffle: true });
  for (let ep = 0; ep < 4; ep++) {
    for (const [x, y] of dl) {
      o.zero_grad();
      const l = lossFn.forward(m.forward(x), y);
      l.backward();
      seq.log_loss(l);
      o.step();
      s.step();
    }
  }
  seq.stop();
  return seq;
}
