/**
 * lrlab: a training library with PyTorch's semantics and names.
 *
 *   import * as torch from "lrlab";
 *   const model = new torch.nn.Linear(10, 1);
 *   const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
 *
 * The kernel preloads this namespace as `torch`.
 */
export * from "./tensor/index";
export * from "./random/index";
export * as nn from "./nn/index";
export * as optim from "./optim/index";
import * as data from "./data/index";
import * as hooks from "./utils/hooks";
/** `torch.utils.data`: TensorDataset, DataLoader; `torch.utils.hooks`: RemovableHandle. */
export const utils = { data, hooks };
