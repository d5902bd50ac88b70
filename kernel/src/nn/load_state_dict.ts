/**
 * Module.load_state_dict's work (PyTorch's `Module.load_state_dict` and `_load_from_state_dict`):
 * checks the checkpoint's keys and shapes against the module's own tensors, then copies the values,
 * only once everything checked, so a failed load leaves the module untouched.
 *
 * Two backward-compatibility rules of PyTorch's are kept, since checkpoints written by older code
 * rely on them:
 * - a module may fill in keys an older checkpoint lacks before the check (`_upgrade_state_dict`,
 *   given the version the checkpoint's `_metadata` records for that module, or undefined): BatchNorm
 *   adds `num_batches_tracked` (normalization.ts);
 * - a shape-[1] tensor loads into a 0-dim parameter or buffer (PyTorch's `input_param[0]`).
 */
import { Tensor } from "../tensor/tensor";
import type { Module } from "./module";
import { IncompatibleKeys, unexpectedKeysInLoadOrder } from "./param_assign";
import { bump_version } from "../tensor/version";

/** What state_dict() records per module path (PyTorch's `state_dict._metadata`): `{ "": { version: 1 }, "0": ... }`. */
export type StateDictMetadata = Record<string, { version?: number }>;

function describe(v: unknown): string {
  if (v === null) return "NoneType";
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}

/**
 * Loads `state_dict` into `root`, whose own [key, tensor] entries (its state_dict with keep_vars)
 * are `own`. Throws PyTorch's "Error(s) in loading state_dict" text.
 */
export function loadStateDict(root: Module, state_dict: Record<string, unknown>, strict: boolean, own: [string, Tensor][]): IncompatibleKeys {
  // PyTorch copies the checkpoint (the upgrades below add keys to the copy, not to the user's dict)
  const sd = new Map<string, unknown>(Object.keys(state_dict).map((k) => [k, state_dict[k]]));
  const metadata = (state_dict as { _metadata?: StateDictMetadata })._metadata;
  for (const [path, m] of root.named_modules(new Set(), "", false)) {
    const version = metadata && typeof metadata === "object" ? metadata[path]?.version : undefined;
    m._upgrade_state_dict(sd, path === "" ? "" : `${path}.`, version);
  }
  const ownKeys = new Set(own.map(([k]) => k));
  const missing_keys = own.map(([k]) => k).filter((k) => !sd.has(k));
  const unexpected_keys = unexpectedKeysInLoadOrder(root, [...sd.keys()].filter((k) => !ownKeys.has(k)));
  const errors: string[] = [];
  if (strict) {
    // PyTorch puts both first, missing keys before unexpected ones
    if (missing_keys.length > 0) errors.push(`Missing key(s) in state_dict: ${missing_keys.map((k) => `"${k}"`).join(", ")}. `);
    if (unexpected_keys.length > 0) errors.push(`Unexpected key(s) in state_dict: ${unexpected_keys.map((k) => `"${k}"`).join(", ")}. `);
  }
  const copies: [Tensor, Tensor][] = [];
  // an array (or plain object) where a tensor goes: a checkpoint read back from JSON (the hint below, once)
  let roundTripped = false;
  for (const [k, target] of own) {
    if (!sd.has(k)) continue;
    const src = sd.get(k);
    if (!(src instanceof Tensor)) {
      errors.push(`While copying the parameter named "${k}", expected torch.Tensor or Tensor-like object from checkpoint but received ${describe(src)}`);
      roundTripped ||= Array.isArray(src) || (src !== null && typeof src === "object");
      continue;
    }
    // PyTorch's backward compatibility: a 0-dim parameter or buffer was once saved with shape [1]
    const shape = target.shape.length === 0 && src.shape.length === 1 && src.shape[0] === 1 ? [] : src.shape;
    if (shape.length !== target.shape.length || shape.some((d, i) => d !== target.shape[i])) {
      errors.push(
        `size mismatch for ${k}: copying a param with shape torch.Size([${shape.join(", ")}]) from checkpoint, the shape in current model is torch.Size([${target.shape.join(", ")}]).`,
      );
      continue;
    }
    copies.push([target, src]);
  }
  if (errors.length > 0) {
    throw new Error(
      `Error(s) in loading state_dict for ${root._get_name()}:\n\t${errors.join("\n\t")}` +
        (roundTripped
          ? "\nJSON.stringify turns every tensor of a state_dict into an array: save and load checkpoints with " +
            "torch.save(model.state_dict(), path) and model.load_state_dict(torch.load(path)), which keep the tensors " +
            "(or rebuild each entry with torch.tensor(values, { dtype }) before loading); nothing was loaded."
          : ""),
    );
  }
  for (const [target, src] of copies) {
    // a shared storage (num_batches_tracked filled in with the module's own tensor) needs no copy
    if (target.data !== src.data) target.data.set(src.data);
    bump_version(target); // (PyTorch's `param.copy_(input_param)`)
  }
  return new IncompatibleKeys(missing_keys, unexpected_keys);
}
