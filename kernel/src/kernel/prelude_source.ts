/**
 * The prelude of every cell, for the type checker and at run time: `torch` (the lrlab library),
 * `lrlab` (lrlab/tools), `display`, `clear_output` and `prompt`.
 *
 * The type checker sees them as imports at the top of the previous cells' declarations: of the
 * modules of lrlab's declaration bundle (`"lrlab-kernel:index"`, dts_bundle.ts) when it is there
 * and matches dist/, the cells' program then taking the bundle in as a type root (`typeRoot`);
 * else by the absolute path of this package's own dist/ (its per-file declarations). Either way
 * completion and Shift-Tab docs work wherever the kernel runs (this repository, or any folder
 * after `lrlab install --user`). At run time the same modules are required by the absolute paths
 * of dist/ and put in the cells' shared scope.
 */
import * as path from "node:path";
import { freshBundle, MODULE_PREFIX } from "./dts_bundle";

export interface Prelude {
  /** TypeScript declarations the first cell starts from. */
  declarations: string;
  /** The values, by name. */
  values(): Record<string, unknown>;
  /**
   * The type root of lrlab's declaration bundle, which the declarations import from (the cells'
   * program must take it in: watch_host.ts cellCompilerOptions); unset when they import dist's
   * per-file declarations.
   */
  typeRoot?: string;
}

/** A stand-in for a module that failed to load: any use throws the load error. */
function broken(name: string, error: unknown): unknown {
  const fail = () => { throw new Error(`${name} could not be loaded: ${(error as Error)?.message ?? error}`); };
  return new Proxy({}, { get: fail, has: fail, ownKeys: fail });
}

/**
 * The prelude of lrlab's `distDir`. `bundle`: whether its declarations may come from the
 * declaration bundle (when it is fresh); by default unless LRLAB_DTS_BUNDLE=0.
 */
export function makePrelude(distDir = path.resolve(__dirname, ".."), bundle = process.env.LRLAB_DTS_BUNDLE !== "0"): Prelude {
  const typeRoot = bundle ? freshBundle(distDir) : null;
  const p = (rel: string) => JSON.stringify(typeRoot !== null ? MODULE_PREFIX + rel : path.join(distDir, rel).split(path.sep).join("/"));
  const declarations = [
    `import * as torch from ${p("index")};`,
    `import * as lrlab from ${p("tools")};`,
    `import { display, clear_output, prompt } from ${p("kernel/prelude")};`,
    "",
  ].join("\n");
  let cache: Record<string, unknown> | null = null;
  const load = (name: string, rel: string): unknown => {
    try {
      return require(path.join(distDir, rel));
    } catch (e) {
      process.stderr.write(`[lrlab] cannot load ${rel}: ${(e as Error)?.stack ?? e}\n`);
      return broken(name, e);
    }
  };
  return {
    declarations,
    ...(typeRoot !== null ? { typeRoot } : {}),
    values() {
      if (!cache) {
        const pre = require("./prelude") as typeof import("./prelude");
        cache = {
          torch: load("torch", "index"),
          lrlab: load("lrlab", "tools"),
          display: pre.display,
          clear_output: pre.clear_output,
          prompt: pre.prompt,
        };
      }
      return { ...cache };
    },
  };
}
