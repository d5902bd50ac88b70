import { Tensor } from "../../tensor/tensor";
import { no_grad } from "../../tensor/grad_mode";
import { Module } from "../../nn/module";
import { AssertionError, TypeError_, ValueError } from "../lr_scheduler/errors";
import { checkOptions } from "../lr_scheduler/options";
import { typeName } from "../lr_scheduler/lr_scheduler";
import { get_swa_avg_fn, type AvgFn, type MultiAvgFn } from "./avg_fn";
import { deepcopy_module } from "./deepcopy";
import { bump_version } from "../../tensor/version";

export interface AveragedModelOptions {
  /** Where the copy lives, "cpu" or null (lrlab has only the CPU); default null. */
  device?: "cpu" | null;
  /** Averaging of one tensor, `(averaged, current, num_averaged) => new average`; default null, meaning equal weights (SWA). */
  avg_fn?: AvgFn | null;
  /** Averaging of lists of tensors in place, `(averaged_list, current_list, num_averaged) => void`; default null. */
  multi_avg_fn?: MultiAvgFn | null;
  /** Average the buffers too (BatchNorm's running statistics), instead of copying the model's; default false. */
  use_buffers?: boolean;
}

/**
 * `torch.optim.swa_utils.AveragedModel`: a copy of a model whose parameters are a running average
 * of the model's, for Stochastic Weight Averaging (SWA: Izmailov et al., "Averaging Weights Leads
 * to Wider Optima and Better Generalization", UAI 2018, arXiv:1803.05407) and Exponential Moving
 * Average (EMA, Polyak averaging with exponential weights).
 *
 * The constructor deep-copies `model` (deepcopy.ts: the copy is an instance of the model's own
 * class, with parameters and buffers of its own; what cannot be copied is named in an error), and
 * registers the buffer `n_averaged` (a 0-dim int64 tensor, 0). Each
 * `update_parameters(model)` then, with n = n_averaged:
 *
 *   n = 0:  W^avg ← W^model                              (the first model is copied)
 *   n > 0:  W^avg ← avg_fn(W^avg, W^model, n)             (default: W^avg + (W^model − W^avg)/(n + 1))
 *   n ← n + 1
 *
 * The default is the equal-weight mean of all the models averaged, the paper's
 * w_SWA ← (w_SWA · n_models + w) / (n_models + 1). `multi_avg_fn` does the same on lists of
 * tensors (one call per dtype), e.g. `get_ema_multi_avg_fn(0.999)` for
 * W^EMA ← decay · W^EMA + (1 − decay) · W^model. Only one of avg_fn and multi_avg_fn may be given.
 *
 * With `use_buffers: false` (default) the averages cover the parameters, and the buffers (e.g.
 * BatchNorm's running_mean, running_var, num_batches_tracked) are copied from the model at every
 * update; recompute BatchNorm statistics for the averaged weights with `update_bn(loader,
 * swa_model)` after training (the paper's approach). With `use_buffers: true` the buffers are
 * averaged with the parameters. `avg_fn` and `multi_avg_fn` are not part of `state_dict()`
 * (which holds `n_averaged` and `module.*`, as in PyTorch).
 *
 * `forward(...)` runs the copy (`swa_model.forward(x)`, with its hooks, as PyTorch's
 * `self.module(x)`); `swa_model.module` is the copy itself.
 *
 * Differences from PyTorch: `update_parameters` checks that the model has as many parameters (and
 * buffers) of the same shapes as the copy and says which differ (PyTorch zips the parameters
 * without checking and averages only the common prefix); `device` can only be the CPU.
 *
 *   const swa_model = new torch.optim.swa_utils.AveragedModel(model);
 *   const ema_model = new torch.optim.swa_utils.AveragedModel(model, {
 *     multi_avg_fn: torch.optim.swa_utils.get_ema_multi_avg_fn(0.999), use_buffers: true });
 *   // in the training loop, after optimizer.step():
 *   swa_model.update_parameters(model);
 */
export class AveragedModel<M extends Module = Module> extends Module {
  /** The averaged copy of the model. */
  declare module: M;
  /** How many models have been averaged (0-dim int64 tensor; a buffer, saved in state_dict). */
  declare n_averaged: Tensor;
  declare avg_fn: AvgFn | null;
  declare multi_avg_fn: MultiAvgFn | null;
  declare use_buffers: boolean;

  constructor(model: M, options: AveragedModelOptions = {}) {
    super();
    const o = checkOptions("AveragedModel", options, [], ["device", "avg_fn", "multi_avg_fn", "use_buffers"]);
    if (!(model instanceof Module)) {
      throw TypeError_(`AveragedModel: model must be a torch.nn.Module, got ${typeName(model)}`);
    }
    const avg_fn = o.avg_fn ?? null;
    const multi_avg_fn = o.multi_avg_fn ?? null;
    if (avg_fn !== null && multi_avg_fn !== null) {
      throw AssertionError("Only one of avg_fn and multi_avg_fn should be provided");
    }
    for (const [name, fn] of [["avg_fn", avg_fn], ["multi_avg_fn", multi_avg_fn]] as const) {
      if (fn !== null && typeof fn !== "function") {
        throw TypeError_(`AveragedModel: ${name} must be a function or null, got ${typeName(fn)}`);
      }
    }
    const use_buffers = o.use_buffers ?? false;
    if (typeof use_buffers !== "boolean") {
      throw TypeError_(`AveragedModel: use_buffers must be true or false, got ${typeName(use_buffers)} ${String(use_buffers)}`);
    }
    const device = o.device ?? null;
    if (device !== null && device !== "cpu") {
      throw ValueError(`lrlab runs on the CPU only; got device ${String(device)} (use "cpu" or leave device out)`);
    }
    this.module = deepcopy_module(model, "AveragedModel");
    this.register_buffer("n_averaged", new Tensor(new Float64Array(1), [], "int64"));
    this.avg_fn = avg_fn;
    this.multi_avg_fn = multi_avg_fn;
    this.use_buffers = use_buffers;
  }

  /** Runs the averaged copy: `swa_model.forward(x)` is the copy's `call(x)` (hooks included). */
  override forward(...args: Parameters<M["forward"]>): ReturnType<M["forward"]> {
    return this.module.call(...args);
  }

  /** The averaged tensors and the model's, by name, paired, with shapes checked. */
  private _pairs(model: Module): { names: string[]; mine: Tensor[]; theirs: Tensor[] } {
    const collect = (m: Module): [string, Tensor][] =>
      this.use_buffers ? [...m.named_parameters(), ...m.named_buffers()] : m.named_parameters();
    const mine = collect(this.module);
    const theirs = collect(model);
    const what = this.use_buffers ? "parameters and buffers" : "parameters";
    if (mine.length !== theirs.length) {
      throw ValueError(
        `AveragedModel.update_parameters: the model has ${theirs.length} ${what} but the averaged copy has ${mine.length}; ` +
          "pass the model this AveragedModel was made from (or one of the same architecture)",
      );
    }
    mine.forEach(([name, t], i) => {
      const [otherName, u] = theirs[i];
      if (t.shape.length !== u.shape.length || t.shape.some((d, k) => d !== u.shape[k])) {
        throw ValueError(
          `AveragedModel.update_parameters: ${otherName} of the model has shape [${u.shape.join(", ")}], ` +
            `but the averaged ${name} has shape [${t.shape.join(", ")}]`,
        );
      }
    });
    return { names: mine.map(([n]) => n), mine: mine.map(([, t]) => t.detach()), theirs: theirs.map(([, t]) => t.detach()) };
  }

  /** Averages `model`'s current parameters (and buffers, with use_buffers) into this copy; see the class comment. */
  update_parameters(model: Module): void {
    if (!(model instanceof Module)) {
      throw TypeError_(`AveragedModel.update_parameters: model must be a torch.nn.Module, got ${typeName(model)}`);
    }
    const { mine, theirs } = this._pairs(model);
    no_grad(() => {
      const n = this.n_averaged.detach(); // shares n_averaged's storage, as PyTorch's n_averaged.to(device)
      if (n.data[0] === 0) mine.forEach((p, i) => p.copy_(theirs[i]));
      if (n.data[0] > 0) {
        if (this.multi_avg_fn !== null || this.avg_fn === null) {
          // One call per dtype, as PyTorch's _group_tensors_by_device_and_dtype (one device here).
          const groups = new Map<string, [Tensor[], Tensor[]]>();
          mine.forEach((p, i) => {
            let g = groups.get(p.dtype);
            if (g === undefined) groups.set(p.dtype, (g = [[], []]));
            g[0].push(p);
            g[1].push(theirs[i]);
          });
          for (const [selfParams, modelParams] of groups.values()) {
            if (this.multi_avg_fn !== null) this.multi_avg_fn(selfParams, modelParams, n);
            else {
              // PyTorch on the CPU (no foreach kernels there): get_swa_avg_fn per tensor
              const avg = get_swa_avg_fn();
              selfParams.forEach((p, i) => p.copy_(avg(p, modelParams[i], n)));
            }
          }
        } else {
          const avg_fn = this.avg_fn;
          mine.forEach((p, i) => p.copy_(checkAverage(avg_fn(p.detach(), theirs[i], n), p)));
        }
      }
      if (!this.use_buffers) {
        // Not averaged: the copy's buffers follow the model's.
        const myBuffers = this.module.buffers();
        const theirBuffers = model.buffers();
        if (myBuffers.length !== theirBuffers.length) {
          throw ValueError(
            `AveragedModel.update_parameters: the model has ${theirBuffers.length} buffers but the averaged copy has ${myBuffers.length}`,
          );
        }
        myBuffers.forEach((b, i) => b.detach().copy_(theirBuffers[i]));
      }
      this.n_averaged.data[0] += 1;
      bump_version(this.n_averaged); // (PyTorch's `n_averaged += 1`, in place)
    });
  }
}

/** What a user's avg_fn returned must be a tensor that fits the averaged parameter. */
function checkAverage(result: unknown, target: Tensor): Tensor {
  if (!(result instanceof Tensor)) {
    throw TypeError_(
      `AveragedModel: avg_fn must return the new average as a Tensor (of shape [${target.shape.join(", ")}]), got ${typeName(result)}`,
    );
  }
  return result;
}
