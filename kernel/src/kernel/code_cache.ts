/**
 * A V8 code cache for one big script (TypeScript's compiler, 8 MB): the bytecode of the functions
 * the kernel ran, kept on disk, so that the next kernel neither compiles them again nor parses
 * the source eagerly. Node 20 has no module compile cache, and TypeScript is loaded by
 * tslab_typescript.ts with vm anyway.
 *
 * Measured (a new kernel's first cell, from `node` to the first `1+1` answered): 1.33-1.38 s
 * without, 1.14-1.19 s with (TypeScript's load 210 -> 86 ms, the rest in its first parse and check).
 *
 * The file: `<dir>/<name>-<hash>.v8cache`, the hash over the source's path, size and mtime, a key
 * the caller gives, Node's version and V8 flags (V8 also checks the source and its own version,
 * and rejects a cache that does not fit; a rejected one is written again). Directory:
 * LRLAB_CACHE_DIR, else $XDG_CACHE_HOME/lrlab, else ~/.cache/lrlab. LRLAB_CODE_CACHE=0 turns it
 * off. A cache that cannot be read or written is no cache: nothing fails because of it.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vm from "node:vm";

/** Caches kept per script name (several installs or versions of lrlab may share the directory). */
const KEEP = 3;

export type CodeCacheState = "off" | "none" | "accepted" | "rejected" | "written";

export interface CachedScript {
  /** The script's completion value (run once). */
  value: unknown;
  /** What happened to the cache: none found, accepted, rejected by V8, written by save(), or off. */
  state: CodeCacheState;
  file: string | null;
  /**
   * Writes the cache when there was none or V8 rejected it: call it once the functions that
   * matter have run (their bytecode is what it holds). True when written.
   */
  save(): boolean;
}

export function codeCacheDir(): string {
  if (process.env.LRLAB_CACHE_DIR) return process.env.LRLAB_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "lrlab");
}

/** Compiles and runs `source` (named `filename`, read from `sourceFile`) with a code cache. */
export function runCached(source: string, filename: string, sourceFile: string, name: string, key: string): CachedScript {
  if (process.env.LRLAB_CODE_CACHE === "0") {
    const value = new vm.Script(source, { filename }).runInThisContext();
    return { value, state: "off", file: null, save: () => false };
  }
  let file: string | null = null;
  let cachedData: Buffer | undefined;
  try {
    const st = fs.statSync(sourceFile);
    const hash = createHash("sha256")
      .update([sourceFile, st.size, st.mtimeMs, key, process.version, process.arch, process.execArgv.join(" ")].join("\0"))
      .digest("hex").slice(0, 16);
    file = path.join(codeCacheDir(), `${name}-${hash}.v8cache`);
    if (fs.existsSync(file)) cachedData = fs.readFileSync(file);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(source, { filename, cachedData });
  const result: CachedScript = {
    value: script.runInThisContext(),
    state: cachedData === undefined ? "none" : script.cachedDataRejected ? "rejected" : "accepted",
    file,
    save: () => {
      if (!file || (result.state !== "none" && result.state !== "rejected")) return false;
      try {
        const data = script.createCachedData();
        const dir = path.dirname(file);
        fs.mkdirSync(dir, { recursive: true });
        // The new cache appears whole or not at all; of this script's caches (other versions,
        // other installs) the KEEP newest stay.
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, data);
        fs.renameSync(tmp, file);
        const mine = fs.readdirSync(dir).filter((f) => f.startsWith(`${name}-`) && f.endsWith(".v8cache"))
          .map((f) => ({ f, t: fs.statSync(path.join(dir, f)).mtimeMs })).sort((a, b) => b.t - a.t);
        for (const { f } of mine.slice(KEEP)) if (f !== path.basename(file)) fs.rmSync(path.join(dir, f), { force: true });
        result.state = "written";
        return true;
      } catch {
        return false;
      }
    },
  };
  return result;
}
