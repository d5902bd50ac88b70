/**
 * Helpers of the saved-size tests (saved_size.test.ts, many_params.test.ts): the size of a
 * display bundle as nbformat writes it, and a small MLP traced for a long run.
 */
import * as torch from "../../kernel/src/index";
import { trace, type Trace } from "../../kernel/src/trace/index";
import type { MimeBundle } from "../../kernel/src/plot/index";

/**
 * The bytes one display_data output takes in a notebook written by nbformat (indent=1, utf-8).
 * Computed here, not with the library's savedSize: a test's measure must not be the code it checks.
 */
export function savedBytes(bundle: MimeBundle): number {
  // nbformat stores multi-line strings as lists of lines
  const data = Object.fromEntries(Object.entries(bundle).map(([k, v]) =>
    [k, typeof v === "string" && v.includes("\n") ? v.split(/(?<=\n)/) : v]));
  const nb = {
    cells: [{ cell_type: "code", execution_count: 1, id: "x", metadata: {}, source: [],
      outputs: [{ output_type: "display_data", data, metadata: {} }] }],
    metadata: {}, nbformat: 4, nbformat_minor: 5,
  };
  return Buffer.byteLength(JSON.stringify(nb, null, 1), "utf8");
}

/** A small MLP (4-8-1) trained `steps` steps with the optimizer and schedule `make` builds, the loss logged. */
export function tracedRun(make: (params: torch.nn.Parameter[]) => { optimizer: torch.optim.Optimizer; sched: { step(): void } }, steps: number, name: string): Trace {
  torch.manual_seed(0);
  const model = new torch.nn.Sequential(new torch.nn.Linear(4, 8), new torch.nn.ReLU(), new torch.nn.Linear(8, 1));
  const { optimizer, sched } = make(model.parameters());
  const t = trace(optimizer, { batch_size: 8, name });
  const x = torch.randn(8, 4);
  const y = torch.randn(8, 1);
  return trainLogged(model, optimizer, t, x, y, steps, () => sched.step());
}

/**
 * `steps` steps of `model` on (x, y) under the MSE loss, the loss logged to `t`, `each` after
 * every optimizer step (a scheduler's); stops `t` and returns it. The loop of the plot tests' runs.
 */
export function trainLogged(
  model: torch.nn.Module, optimizer: torch.optim.Optimizer, t: Trace, x: torch.Tensor, y: torch.Tensor, steps: number, each?: () => void,
): Trace {
  const loss_fn = new torch.nn.MSELoss();
  for (let i = 0; i < steps; i++) {
    optimizer.zero_grad();
    const loss = loss_fn.forward(model.forward(x), y);
    loss.backward();
    t.log_loss(loss);
    optimizer.step();
    each?.();
  }
  t.stop();
  return t;
}
