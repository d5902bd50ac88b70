/**
 * What the converter's watch program takes in and watches, trimmed to what a notebook needs.
 *
 * 1. Global declarations: TypeScript takes in every package under each `node_modules/@types` above
 *    the kernel's folder unless `types` names the ones it wants. Run from this repository, that
 *    put the test tools' @types (chai, estree, json-schema, ...) into every cell's global scope
 *    (`chai` gave "Did you mean 'Chai'?") and ~140 KB more to parse at start. Cells get Node's
 *    (`types: ["node"]`); a package a cell imports still finds its @types by module resolution.
 *    With lrlab's declaration bundle (dts_bundle.ts), its type root and package are added.
 *
 * 2. Directory watches in node_modules: for module lookups, TypeScript watches the kernel folder's
 *    `node_modules` (and `node_modules/@types`) recursively, which on Linux it does itself: a
 *    directory listing and an inotify watch for every folder below. Run from a project's root,
 *    that was 1,616 watches and ~150-240 ms of the warm-up here (1,462 folders), and a big
 *    monorepo can exhaust the system's inotify watches. It did not even serve its purpose: a
 *    package installed after a cell failed to import it stayed "Cannot find module" until the
 *    kernel restarted. Those watches are left out; late_modules.ts finds such a package instead.
 *    Files TypeScript read (a package's .d.ts, a local module) are still watched, one by one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BUNDLE_PACKAGE } from "./dts_bundle";

type TS = any;

/**
 * The compiler options for cells: tslab's, with the global @types limited to Node's when a type
 * root holds them (else as before: `types: ["node"]` unresolved would be an error on every cell).
 * `bundleRoot`: the type root of lrlab's declaration bundle (dts_bundle.ts), which the prelude's
 * imports then name: added to the roots, and to `types` when that lists them (or was chosen).
 */
export function cellCompilerOptions(options: TS, bundleRoot?: string): TS {
  const roots: string[] = Array.isArray(options.typeRoots) ? options.typeRoots : [];
  if (options.types !== undefined) {
    return bundleRoot === undefined ? options : { ...options, typeRoots: [...roots, bundleRoot], types: [...options.types, BUNDLE_PACKAGE] };
  }
  const hasNode = roots.some((r) => fs.existsSync(path.join(r, "node", "package.json")));
  if (bundleRoot !== undefined) {
    // (without `types`, TypeScript takes in every package of every root: the bundle's too)
    const withBundle = { ...options, typeRoots: [...roots, bundleRoot] };
    return hasNode ? { ...withBundle, types: ["node", BUNDLE_PACKAGE] } : withBundle;
  }
  return hasNode ? { ...options, types: ["node"] } : options;
}

/** Whether `dir` is a node_modules folder or inside one. */
export function inNodeModules(dir: string): boolean {
  return /(^|[\\/])node_modules([\\/]|$)/.test(dir);
}

/** `system` with recursive watches of node_modules folders left out (see the header, 2.). */
export function withoutNodeModulesWatches(system: TS): TS {
  const watchDirectory = system.watchDirectory;
  if (typeof watchDirectory !== "function") return system;
  const host = Object.create(system);
  host.watchDirectory = (dir: string, callback: TS, recursive?: boolean, options?: TS) =>
    recursive && inNodeModules(dir) ? { close() {} } : watchDirectory.call(system, dir, callback, recursive, options);
  return host;
}
