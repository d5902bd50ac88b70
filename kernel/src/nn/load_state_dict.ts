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
import { AssertionError, RuntimeError } from "../errors";
import type { Module } from "./module";
import { IncompatibleKeys, moduleOfKey, unexpectedKeysInLoadOrder } from "./param_assign";
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
 * are `own`. Throws PyTorch's "Error(s) in loading state_dict" text (a RuntimeError). With
 * `assign` (key -> setter), each checkpoint tensor is handed to its key's setter instead of being
 * copied into the module's tensor (PyTorch's assign=True).
 */
export function loadStateDict(
  root: Module,
  state_dict: Record<string, unknown>,
  strict: boolean,
  own: [string, Tensor][],
  assign?: Map<string, (value: Tensor) => void>,
): IncompatibleKeys {
  // PyTorch copies the checkpoint (the upgrades below add keys to the copy, not to the user's dict)
  const sd = new Map<string, unknown>(Object.keys(state_dict).map((k) => [k, state_dict[k]]));
  const raw = (state_dict as { _metadata?: unknown })._metadata;
  const metadata = raw !== null && typeof raw === "object" ? (raw as StateDictMetadata) : undefined;
  const mods = root._walk_modules(new Set(), "", false);
  const hooked = mods.some(([, m]) => m._state_hooks !== undefined && m._state_hooks.load_pre.size + m._state_hooks.load_post.size > 0);
  const errors: string[] = [];
  let missing_keys: string[];
  let unexpected_keys: string[];
  if (hooked) {
    [missing_keys, unexpected_keys] = hookedKeys(mods, sd, metadata, own, errors);
  } else {
    for (const [path, m] of mods) m._upgrade_state_dict(sd, path === "" ? "" : `${path}.`, metadata?.[path]?.version);
    const ownKeys = new Set(own.map(([k]) => k));
    missing_keys = own.map(([k]) => k).filter((k) => !sd.has(k));
    unexpected_keys = unexpectedKeysInLoadOrder(root, [...sd.keys()].filter((k) => !ownKeys.has(k)));
  }
  if (strict) {
    // PyTorch puts both first, missing keys before unexpected ones
    if (unexpected_keys.length > 0) errors.unshift(`Unexpected key(s) in state_dict: ${unexpected_keys.map((k) => `"${k}"`).join(", ")}. `);
    if (missing_keys.length > 0) errors.unshift(`Missing key(s) in state_dict: ${missing_keys.map((k) => `"${k}"`).join(", ")}. `);
  }
  const copies: [string, Tensor, Tensor][] = [];
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
    copies.push([k, target, shape === src.shape ? src : src.reshape([])]);
  }
  if (errors.length > 0) {
    throw RuntimeError(
      `Error(s) in loading state_dict for ${root._get_name()}:\n\t${errors.join("\n\t")}` +
        (roundTripped
          ? "\nJSON.stringify turns every tensor of a state_dict into an array: save and load checkpoints with " +
            "torch.save(model.state_dict(), path) and model.load_state_dict(torch.load(path)), which keep the tensors " +
            "(or rebuild each entry with torch.tensor(values, { dtype }) before loading); nothing was loaded."
          : ""),
    );
  }
  for (const [k, target, src] of copies) {
    if (assign !== undefined) assign.get(k)?.(src);
    else {
      // a shared storage (num_batches_tracked filled in with the module's own tensor) needs no copy
      if (target.data !== src.data) target.data.set(src.data);
      bump_version(target); // (PyTorch's `param.copy_(input_param)`)
    }
  }
  return new IncompatibleKeys(missing_keys, unexpected_keys);
}

/**
 * The missing and unexpected keys found module by module in PyTorch's load order, when some module
 * has load_state_dict hooks: each module's upgrade and pre-hooks `(module, state_dict, prefix,
 * local_metadata, strict, missing_keys, unexpected_keys, error_msgs)` run before its own keys are
 * checked (the hook gets the checkpoint's keys under its prefix, as PyTorch's local dict, and what
 * it changes there is kept), and its post-hooks `(module, incompatible_keys)` after its subtree's,
 * with the lists as found so far, which they may change in place (PyTorch's `load`).
 */
function hookedKeys(
  mods: [string, Module][],
  sd: Map<string, unknown>,
  metadata: StateDictMetadata | undefined,
  own: [string, Tensor][],
  error_msgs: string[],
): [string[], string[]] {
  // the module a key belongs to: the deepest one its dotted path reaches
  const at = moduleOfKey(mods);
  const ownAt = own.map(([k]) => [k, at(k)] as const);
  const ownKeys = new Set(own.map(([k]) => k));
  const missing: string[] = [];
  const unexpected: string[] = [];
  const incompatible = new IncompatibleKeys(missing, unexpected);
  const post = (i: number): void => {
    const [, m] = mods[i];
    for (const hook of [...(m._state_hooks?.load_post.values() ?? [])]) {
      const r = hook(m, incompatible);
      if (r !== undefined && r !== null) {
        throw AssertionError(
          "Hooks registered with ``register_load_state_dict_post_hook`` are not expected to return new values, if incompatible_keys need to be modified, it should be done inplace.",
        );
      }
    }
  };
  const stack: number[] = [];
  mods.forEach(([path, m], i) => {
    while (stack.length > 0) {
      const top = mods[stack[stack.length - 1]][0];
      if (top === "" || path.startsWith(`${top}.`)) break;
      post(stack.pop()!);
    }
    const prefix = path === "" ? "" : `${path}.`;
    const local_metadata = metadata?.[path] ?? {};
    m._upgrade_state_dict(sd, prefix, local_metadata.version);
    for (const hook of [...(m._state_hooks?.load_pre.values() ?? [])]) {
      const local: Record<string, unknown> = {};
      for (const [k, v] of sd) if (k.startsWith(prefix)) local[k] = v;
      hook(m, local, prefix, local_metadata, true, missing, unexpected, error_msgs);
      for (const k of [...sd.keys()]) if (k.startsWith(prefix) && !(k in local)) sd.delete(k);
      for (const [k, v] of Object.entries(local)) sd.set(k, v);
    }
    for (const [k, j] of ownAt) if (j === i && !sd.has(k)) missing.push(k);
    for (const k of sd.keys()) if (!ownKeys.has(k) && at(k) === i) unexpected.push(k);
    stack.push(i);
  });
  while (stack.length > 0) post(stack.pop()!);
  return [missing, unexpected];
}
