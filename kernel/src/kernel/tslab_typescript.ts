/**
 * tslab's TypeScript (the package `@tslab/typescript-for-tslab`, pinned at 5.0.4 by tslab), loaded
 * with three hooks put into its source text, and installed as that module for everyone who requires
 * it (tslab's converter, our engine, the hints).
 *
 * Why patch the text: these places are local functions of `createProgram` and of the watch
 * program, which nothing outside the bundle can reach.
 *
 * - `checker`: a program's `getTypeChecker()` asks `hooks.checkerFor(program, createTypeChecker)`
 *   for its checker, so that consecutive cells can share one (shared_checker.ts). Without the hook
 *   every cell's program builds a new checker, which resolves the standard library's types
 *   (Array's members for a `for…of`, …) all over again.
 * - `absolutePath`: `getCreateSourceFileOptions` normalises the path of every file of the program
 *   on every rebuild (~290 files, ~0.3 ms per cell) to pass it to a function that ignores it under
 *   tslab's module resolution (node10); the same normalisation, remembered per file.
 * - `uptoDate`: the watch program's isProgramUptoDate asks whether any file of the program
 *   changed, in the program's order, where the cell files come after ~290 library files; the file
 *   found changed last time is asked first (anyNotUptoDate): the same answer, ~0.15 ms sooner per
 *   new cell in a kernel.
 *
 * Each patch must find its text exactly once; a patch whose text is missing (another TypeScript)
 * is skipped and `appliedPatches` says so (test/kernel/shared_checker.test.ts requires all three). With
 * none applied, the module is loaded as it is. The patched text is compiled with a V8 code cache
 * (code_cache.ts), written after the kernel's warm-up (Engine.warm()).
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { runCached, type CachedScript, type CodeCacheState } from "./code_cache";
import { applyTextPatches, moduleFor, type TextPatch } from "./patched_module";

type TS = any;

export interface TypeScriptHooks {
  /** The checker of `program`; `create` builds a new one for a host (a program or a stand-in). */
  checkerFor: ((program: TS, create: (host: TS) => TS) => TS) | null;
  /** getNormalizedAbsolutePath(fileName, directory), possibly remembered. */
  absolutePath: (fileName: string, directory: string, normalize: (f: string, d: string) => string) => string;
  /** `files.some(notUptoDate)` for isProgramUptoDate (`notUptoDate` has no effect but a cached read). */
  anyNotUptoDate: (files: readonly TS[], notUptoDate: (f: TS) => boolean) => boolean;
}

export const hooks: TypeScriptHooks = {
  checkerFor: null,
  absolutePath: (fileName, directory, normalize) => normalize(fileName, directory),
  anyNotUptoDate: (files, notUptoDate) => files.some(notUptoDate),
};

/**
 * The file isProgramUptoDate found changed last time: looked at first. tslab marks the cell file
 * changed before every rebuild, and it sits after ~290 library files (the previous cells'
 * declarations just before it, whose text is hashed to tell whether it changed): each rebuild
 * asked all of them first (~0.5 ms of a new cell in a kernel's profile) to learn that the program
 * changed. The answer is the same (`some` of a predicate that only reads files, through the
 * watch's cache); only the order of the questions differs.
 */
let lastNotUptoDate = -1;
function anyNotUptoDate(files: readonly TS[], notUptoDate: (f: TS) => boolean): boolean {
  const i = lastNotUptoDate;
  if (i >= 0 && i < files.length && notUptoDate(files[i])) return true;
  lastNotUptoDate = files.findIndex(notUptoDate);
  return lastNotUptoDate >= 0;
}

const PATCHES: TextPatch[] = [
  {
    name: "checker",
    find: "return typeChecker || (typeChecker = createTypeChecker(program));",
    replace: "return typeChecker || (typeChecker = __lrlabHooks.checkerFor ? __lrlabHooks.checkerFor(program, createTypeChecker) : createTypeChecker(program));",
  },
  {
    name: "uptoDate",
    find: "if (program.getSourceFiles().some(sourceFileNotUptoDate))",
    replace: "if (__lrlabHooks.anyNotUptoDate(program.getSourceFiles(), sourceFileNotUptoDate))",
  },
  {
    name: "absolutePath",
    find: "getImpliedNodeFormatForFileWorker(getNormalizedAbsolutePath(fileName, currentDirectory),",
    replace: "getImpliedNodeFormatForFileWorker(__lrlabHooks.absolutePath(fileName, currentDirectory, getNormalizedAbsolutePath),",
  },
];

/** Names of the patches the loaded module carries. */
export const appliedPatches: string[] = [];

let compiled: CachedScript | null = null;

/** What the loaded module's code cache did ("off" before the module is loaded, or without patches). */
export function typeScriptCodeCache(): { state: CodeCacheState; file: string | null } {
  return { state: compiled?.state ?? "off", file: compiled?.file ?? null };
}

/** Writes the code cache of the loaded module if it had none (once its hot functions have run). */
export function saveTypeScriptCodeCache(): boolean {
  return compiled?.save() ?? false;
}

/** Loads the module at `tsPath` with the patches (once; later calls return the same module). */
export function loadTslabTypeScript(tsPath: string): TS {
  const cache = require.cache as Record<string, NodeModule | undefined>;
  const cached = cache[tsPath];
  if (cached?.loaded) return cached.exports;
  const { text, applied } = applyTextPatches(fs.readFileSync(tsPath, "utf8"), PATCHES);
  appliedPatches.push(...applied);
  if (appliedPatches.length === 0) return require(tsPath);
  const m = moduleFor(tsPath, module);
  // Node's own module wrapper, plus the hooks; compiled with a code cache (code_cache.ts).
  const wrapper = `(function (exports, require, module, __filename, __dirname, __lrlabHooks) {${text}\n})`;
  compiled = runCached(wrapper, tsPath, tsPath, "typescript", appliedPatches.join(","));
  cache[tsPath] = m;
  try {
    (compiled.value as Function).call(m.exports, m.exports, createRequire(tsPath), m, tsPath, path.dirname(tsPath), hooks);
  } catch (e) {
    delete cache[tsPath];
    throw e;
  }
  m.loaded = true;
  hooks.anyNotUptoDate = anyNotUptoDate;
  // by directory, then file name: a key made of both was a new string to hash for each file of
  // each rebuild (~290 per cell, 0.08 ms in a kernel's profile)
  const absolute = new Map<string, Map<string, string>>();
  hooks.absolutePath = (fileName, directory, normalize) => {
    let inDir = absolute.get(directory);
    if (inDir === undefined) absolute.set(directory, (inDir = new Map()));
    let p = inDir.get(fileName);
    if (p === undefined) inDir.set(fileName, (p = normalize(fileName, directory)));
    return p;
  };
  return m.exports;
}
