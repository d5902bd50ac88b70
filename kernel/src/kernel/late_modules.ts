/**
 * A package installed while the kernel runs (`npm install lodash` in a terminal, after a cell
 * failed to import it): TypeScript's watch program keeps its failed lookup, so the cell went on
 * saying "Cannot find module 'lodash'" until the kernel restarted. Its own watching of
 * node_modules did not catch it either, and is left out (watch_host.ts).
 *
 * Instead, when a cell's errors say a package cannot be found and that package's folder is now in
 * a node_modules above the kernel's folder, the engine starts a new converter (TypeScript's
 * program read afresh: about a second) and compiles the cell again, once per state of that
 * folder: a folder that does not change (a package without types, say) is not retried at every
 * cell.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** "Cannot find module 'x' ...": 2307, and 2792 (the same with a moduleResolution hint). */
const NOT_FOUND = new Set([2307, 2792]);

/** The package a bare specifier names: `lodash/fp` -> `lodash`, `@scope/pkg/x` -> `@scope/pkg`; null for a path. */
export function packageOf(specifier: string): string | null {
  if (specifier === "" || specifier.startsWith(".") || path.isAbsolute(specifier) || specifier.startsWith("node:")) return null;
  const parts = specifier.split("/");
  if (specifier.startsWith("@")) return parts.length >= 2 && parts[1] !== "" ? `${parts[0]}/${parts[1]}` : null;
  return parts[0];
}

/** The folders a package can be found in from `dir`: its own and its @types, in every node_modules above. */
function folders(pkg: string, dir: string): string[] {
  const types = pkg.startsWith("@") ? pkg.slice(1).replace("/", "__") : pkg;
  const out: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    out.push(path.join(d, "node_modules", pkg), path.join(d, "node_modules", "@types", types));
    if (path.dirname(d) === d) return out;
  }
}

/** What is on disk for `pkg` from `dir`: the folders that exist and when each last changed; "" when none. */
function stamp(pkg: string, dir: string): string {
  const seen: string[] = [];
  for (const f of folders(pkg, dir)) {
    try {
      const st = fs.statSync(f);
      if (st.isDirectory()) seen.push(`${f}@${st.mtimeMs}`);
    } catch {
      // not there
    }
  }
  return seen.join("\n");
}

export class LateModules {
  /** Per package: what was on disk when the engine last started a new converter for it. */
  private readonly retried = new Map<string, string>();

  /**
   * The packages of `diagnostics`' "Cannot find module" errors whose folders are on disk now and
   * changed since the last retry for them (none yet counts as a change). Recorded as retried.
   */
  installedSince(diagnostics: readonly { code: number; messageText: unknown }[], dir: string): string[] {
    const found: string[] = [];
    for (const d of diagnostics) {
      if (!NOT_FOUND.has(d.code)) continue;
      const m = /Cannot find module '([^']+)'/.exec(String(d.messageText));
      const pkg = m ? packageOf(m[1]) : null;
      if (pkg === null || found.includes(pkg)) continue;
      const now = stamp(pkg, dir);
      if (now === "" || this.retried.get(pkg) === now) continue;
      this.retried.set(pkg, now);
      found.push(pkg);
    }
    return found;
  }
}
