/**
 * How datasets and loaders print (their `toString()`, used by a cell's echo and by
 * `console.log`): the class name with the sizes and settings, never the data —
 *
 *   TensorDataset(length=100, tensors=[float32 [100, 10], float32 [100, 1]])
 *   DataLoader(dataset=TensorDataset(...), batch_size=32, shuffle=True, drop_last=False, batches=4)
 *
 * PyTorch prints `<torch.utils.data.dataloader.DataLoader object at 0x...>`; the fields would
 * print every tensor of the dataset in full.
 */
import { Tensor } from "../tensor/tensor";
import { RandomSampler, SequentialSampler } from "./sampler";
import type { DatasetLike } from "./dataset";

/* eslint-disable @typescript-eslint/no-explicit-any */

/** `float32 [100, 10]`: what a tensor is, without its values. */
function tensorSummary(t: Tensor): string {
  return `${t.dtype} [${t.shape.join(", ")}]`;
}

/** A dataset in one line: TensorDataset and Subset say what they hold, arrays and other datasets their length. */
export function dataset_repr(ds: DatasetLike | unknown): string {
  if (Array.isArray(ds)) return `Array(${ds.length})`;
  if (ds === null || typeof ds !== "object") return String(ds);
  const d = ds as any;
  const name: string = d.constructor?.name ?? "Dataset";
  // (by shape, not instanceof: dataset.ts imports this file)
  if (Array.isArray(d.tensors) && d.tensors.every((t: unknown) => t instanceof Tensor)) {
    return `${name}(length=${d.length}, tensors=[${d.tensors.map(tensorSummary).join(", ")}])`;
  }
  if (Array.isArray(d.indices) && d.dataset !== undefined) {
    return `${name}(length=${d.length}, dataset=${dataset_repr(d.dataset)})`;
  }
  return typeof d.length === "number" ? `${name}(length=${d.length})` : name;
}

/** Python-style value for the loader's settings. */
function py(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  return String(v);
}

/** `DataLoader(dataset=..., batch_size=32, shuffle=True, drop_last=False, batches=4)`. */
export function loader_repr(loader: any): string {
  const parts = [`dataset=${dataset_repr(loader.dataset)}`, `batch_size=${py(loader.batch_size)}`];
  // shuffle is not kept: the sampler it chose says it (a sampler of the user's own is named).
  if (loader.sampler instanceof RandomSampler) parts.push("shuffle=True");
  else if (loader.sampler instanceof SequentialSampler) parts.push("shuffle=False");
  else parts.push(`sampler=${loader.sampler?.constructor?.name ?? py(loader.sampler)}`);
  if (loader.batch_size !== null) parts.push(`drop_last=${py(loader.drop_last)}`);
  // a batch_sampler of the user's own (batch_size is then None, and the batches are its)
  const ownBatches = loader.batch_size === null && loader.batch_sampler;
  if (ownBatches) parts.push(`batch_sampler=${loader.batch_sampler.constructor?.name ?? "?"}`);
  if (loader.generator) parts.push(`generator=${String(loader.generator)}`);
  if (loader.collate_fn) parts.push(`collate_fn=${loader.collate_fn.name || "<function>"}`);
  // (length is batches per epoch, or samples when batch_size is None)
  parts.push(loader.batch_size === null && !ownBatches ? `length=${loader.length}` : `batches=${loader.length}`);
  return `${loader.constructor?.name ?? "DataLoader"}(${parts.join(", ")})`;
}
