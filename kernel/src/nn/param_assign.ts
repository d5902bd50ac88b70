/**
 * `load_state_dict`'s result, as PyTorch prints and unpacks it.
 *
 * Not done here, deliberately: PyTorch's `Module.__setattr__` TypeError for a plain tensor
 * assigned to a parameter's field (`m.weight = torch.ones([2, 2])` replaces the weight, which
 * leaves `parameters()` and `state_dict()`). JavaScript can only intercept such assignments with
 * a Proxy around every module, and a Proxy makes every property read of every module (a layer's
 * `this.weight`, a model's `this.fc1` in each forward) ~40 ns instead of ~1 ns: measured 5-10% of
 * a small model's training step, for every user, to catch a rare mistake. The README says to
 * assign a Parameter.
 */
import { inspect } from "node:util";
import type { Module } from "./module";

/** A Python string literal (repr) of `s`. */
function pyStr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  return q + s.replace(/\\/g, "\\\\").replace(new RegExp(q, "g"), `\\${q}`).replace(/\n/g, "\\n") + q;
}

/**
 * What `load_state_dict` returns (PyTorch's `_IncompatibleKeys` named tuple): the two key lists,
 * also as `const [missing, unexpected] = r`; printed as PyTorch prints it.
 */
export class IncompatibleKeys {
  constructor(
    readonly missing_keys: string[],
    readonly unexpected_keys: string[],
  ) {}

  /** `<All keys matched successfully>`, or `_IncompatibleKeys(missing_keys=[...], unexpected_keys=[...])`. */
  toString(): string {
    if (this.missing_keys.length === 0 && this.unexpected_keys.length === 0) return "<All keys matched successfully>";
    const list = (ks: string[]): string => `[${ks.map(pyStr).join(", ")}]`;
    return `_IncompatibleKeys(missing_keys=${list(this.missing_keys)}, unexpected_keys=${list(this.unexpected_keys)})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  *[Symbol.iterator](): IterableIterator<string[]> {
    yield this.missing_keys;
    yield this.unexpected_keys;
  }
}

/**
 * Unexpected keys in PyTorch's order: each is found by the deepest module its dotted path reaches
 * (PyTorch's loader reports it there), modules in load order (depth first), and keys in the
 * state_dict's order within one module.
 */
export function unexpectedKeysInLoadOrder(root: Module, keys: string[]): string[] {
  if (keys.length < 2) return keys;
  const at = moduleOfKey(root._walk_modules(new Set(), "", false));
  return keys.map((k, i) => [at(k), i, k] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, , k]) => k);
}

/**
 * For modules in load order (their dotted paths, depth first), the function that gives a
 * state_dict key's module: the position of the deepest module its dotted path reaches (0, the
 * root, when none), where PyTorch's loader meets the key.
 */
export function moduleOfKey(mods: readonly (readonly [string, unknown])[]): (key: string) => number {
  const index = new Map<string, number>();
  mods.forEach(([path], i) => {
    if (!index.has(path)) index.set(path, i);
  });
  return (key: string): number => {
    const parts = key.split(".");
    let best = 0;
    for (let j = 1; j < parts.length; j++) {
      const i = index.get(parts.slice(0, j).join("."));
      if (i !== undefined) best = i;
    }
    return best;
  };
}
