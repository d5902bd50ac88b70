/**
 * Loading a module from text the kernel changed or wrote: tslab's TypeScript and converter with
 * their patches (tslab_typescript.ts, engine_tslab.ts), cells' local .ts modules (engine.ts).
 */
import Module from "node:module";
import * as path from "node:path";

export interface TextPatch {
  /** Patches of one name apply all together or not at all. */
  name: string;
  find: string;
  replace: string;
}

/**
 * `text` with the patches applied: those of a name whose every `find` occurs exactly once (else
 * none of that name, e.g. another version of the file), and the names applied.
 */
export function applyTextPatches(text: string, patches: readonly TextPatch[]): { text: string; applied: string[] } {
  const applied: string[] = [];
  const once = (p: TextPatch) => { const at = text.indexOf(p.find); return at >= 0 && text.indexOf(p.find, at + 1) < 0; };
  for (const name of new Set(patches.map((p) => p.name))) {
    const parts = patches.filter((p) => p.name === name);
    if (!parts.every(once)) continue;
    for (const p of parts) text = text.replace(p.find, () => p.replace);
    applied.push(name);
  }
  return { text, applied };
}

export type LoadableModule = Module & { paths: string[]; _compile(code: string, file: string): void };

/** A module for `file`, child of `parent`, that resolves its requires as Node would for that file (not yet run). */
export function moduleFor(file: string, parent: NodeModule): LoadableModule {
  const m = new Module(file, parent) as LoadableModule;
  m.filename = file;
  m.paths = (Module as any)._nodeModulePaths(path.dirname(file));
  return m;
}
