/**
 * A teacher's traced run (a user's pass, session U1): README's Adam regression MLP, traced with
 * per-parameter lines over 40 epochs of 8 batches (320 steps). Its static picture wrote its lr
 * axis "1e−5 … 1e−2" over an element-wise lr axis "0.001 … 10" (test/plot/u1_tick_notation).
 */
import * as torch from "../../kernel/src/index";
import { trace } from "../../kernel/src/trace/index";

export function adamPerParamRun(epochs = 40, lr = 1e-3): ReturnType<typeof trace> {
  torch.manual_seed(0);
  const X = torch.randn(256, 10);
  const Y = X.matmul(torch.randn(10, 1)).add(torch.randn(256, 1).mul(0.1));
  const dl = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(X, Y), { batch_size: 32, shuffle: true });
  const model = new torch.nn.Sequential(new torch.nn.Linear(10, 32), new torch.nn.ReLU(), new torch.nn.Linear(32, 1));
  const o = new torch.optim.Adam(model.parameters(), { lr });
  const lossFn = new torch.nn.MSELoss();
  const t = trace(o, { name: "adam", batch_size: 32, per_param: true, named_parameters: model.named_parameters() });
  for (let ep = 0; ep < epochs; ep++) {
    for (const [x, y] of dl) {
      o.zero_grad();
      const l = lossFn.forward(model.forward(x), y);
      l.backward();
      t.log_loss(l);
      o.step();
    }
  }
  t.stop();
  return t;
}
