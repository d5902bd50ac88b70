/**
 * The magic registry: every magic by name. One file per magic; adding one means adding it here.
 */
import type { Magic } from "./types";
import { didYouMean, MagicError, setLineRules } from "./parser";
import { lsmagic } from "./lsmagic";
import { time, timeLine } from "./time";
import { timeit, timeitCell } from "./timeit";
import { who } from "./who";
import { reset } from "./reset";
import { lr_trace } from "./lr_trace";
import { lr_schedule } from "./lr_schedule";
import { lr_compare } from "./lr_compare";
import { lr_find } from "./lr_find";
import { lr_scale } from "./lr_scale";

/**
 * The list, made on first use: %%time runs the magics in its body (run_cell.ts), so the magics'
 * modules and this one import each other, and whichever loads first must not find the other's
 * exports still missing.
 */
let registered: Magic[] | null = null;
const magics = (): Magic[] => (registered ??= linked([lsmagic, time, timeLine, timeit, timeitCell, who, reset, lr_trace, lr_schedule, lr_compare, lr_find, lr_scale]));

/** Each magic's keys and check, linked to its option list: parseArgs applies them as it parses a line. */
function linked(list: Magic[]): Magic[] {
  for (const m of list) {
    if (m.keys !== undefined || m.check !== undefined || m.keysOf !== undefined) setLineRules(m.options, { keys: m.keys, keysOf: m.keysOf?.bind(m), check: m.check?.bind(m) });
  }
  return list;
}

export function allMagics(): Magic[] {
  return magics().slice();
}

/**
 * The magic `name` (of `kind` when given); an unknown name is a MagicError listing the known ones.
 * `name` may carry its prefix: "%%time" is the cell magic; "%time", like "time" without a kind,
 * is the line magic when there is one (`%time?` showed %%time's help), else the cell magic.
 */
export function findMagic(name: string, kind?: "line" | "cell"): Magic {
  const prefix = /^%{1,2}/.exec(name)?.[0];
  if (prefix !== undefined) {
    name = name.slice(prefix.length);
    if (prefix === "%%") kind ??= "cell";
  }
  const MAGICS = magics();
  const m = MAGICS.find((x) => x.name === name && x.kind === (kind ?? "line")) ?? (kind ? undefined : MAGICS.find((x) => x.name === name));
  if (m) return m;
  const other = MAGICS.find((x) => x.name === name);
  if (other) {
    const p = other.kind === "cell" ? "%%" : "%";
    throw new MagicError(`${kind === "cell" ? "%%" : "%"}${name} is not a ${kind} magic; use ${p}${name}`);
  }
  const written = (x: Magic) => (x.kind === "cell" ? "%%" : "%") + x.name;
  const list = MAGICS.map(written);
  // the close name, of the kind asked for when there is one (%%tme → %%time, not %time)
  const sameKind = MAGICS.filter((x) => x.kind === (kind ?? "line")).map(written);
  const near = didYouMean(name, sameKind) || didYouMean(name, list);
  throw new MagicError(`unknown magic ${kind === "cell" ? "%%" : "%"}${name}${near}; available: ${list.join(", ")}`);
}
