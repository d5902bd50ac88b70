/**
 * The `lrlab` command:
 *   lrlab install   [--user | --sys-prefix | --prefix DIR] [--quiet]
 *   lrlab uninstall [--user | --sys-prefix | --prefix DIR] [--quiet]
 *   lrlab kernel --connection-file FILE
 */
import { install, uninstall, Target } from "./install";

export const USAGE = `usage:
  lrlab install   [--user | --sys-prefix | --prefix DIR] [--quiet]   register the kernel (and the JupyterLab extension)
  lrlab uninstall [--user | --sys-prefix | --prefix DIR] [--quiet]   remove them
  lrlab kernel --connection-file FILE                                run the kernel (Jupyter starts it)`;

class UsageError extends Error {}

export function parseTarget(args: string[]): { target: Target; quiet: boolean } {
  let target: Target | null = null;
  let quiet = false;
  const set = (t: Target) => {
    if (target) throw new UsageError("give only one of --user, --sys-prefix, --prefix DIR");
    target = t;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--user") set({ kind: "user" });
    else if (a === "--sys-prefix") set({ kind: "sys-prefix" });
    else if (a === "--prefix") {
      const dir = args[++i];
      if (!dir || dir.startsWith("--")) throw new UsageError("--prefix needs a directory");
      set({ kind: "prefix", dir });
    } else if (a.startsWith("--prefix=")) set({ kind: "prefix", dir: a.slice(9) });
    else if (a === "--quiet" || a === "-q") quiet = true;
    else throw new UsageError(`unknown option ${a}`);
  }
  return { target: target ?? { kind: "user" }, quiet };
}

export function main(argv: string[]): void {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === "install" || cmd === "uninstall") {
      const { target, quiet } = parseTarget(rest);
      const say = quiet ? () => {} : (s: string) => console.log(s);
      (cmd === "install" ? install : uninstall)(target, say);
    } else if (cmd === "kernel") {
      let file: string | undefined;
      for (let i = 0; i < rest.length; i++) {
        if (rest[i] === "--connection-file" || rest[i] === "-f") file = rest[++i];
        else if (rest[i].startsWith("--connection-file=")) file = rest[i].slice(18);
        else throw new UsageError(`unknown option ${rest[i]}`);
      }
      if (!file) throw new UsageError("kernel needs --connection-file FILE");
      // The iopub proxy holds one thread of libuv's pool for good (control_worker.ts): one more
      // than asked for (default 4), so that user code keeps the pool it expects (with
      // UV_THREADPOOL_SIZE=1 it would have none: every fs.promises call would wait forever).
      // libuv reads the variable when the pool first starts, which has not happened yet.
      const pool = Number(process.env.UV_THREADPOOL_SIZE);
      process.env.UV_THREADPOOL_SIZE = String((Number.isInteger(pool) && pool > 0 ? pool : 4) + 1);
      // first: it notes the parent the kernel must not outlive (parent_watch.ts) before the slower loads
      require("../kernel/parent_watch");
      const { readConnectionFile } = require("../kernel/wire") as typeof import("../kernel/wire");
      const { runKernel } = require("../kernel/kernel") as typeof import("../kernel/kernel");
      runKernel(readConnectionFile(file)).catch((e) => {
        console.error(`lrlab kernel: ${e?.stack ?? e}`);
        process.exit(1);
      });
    } else if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") {
      console.log(USAGE);
    } else {
      throw new UsageError(`unknown command ${cmd}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`lrlab: ${e.message}\n${USAGE}`);
      process.exit(2);
    }
    console.error(`lrlab: ${(e as Error)?.message ?? e}`);
    process.exit(1);
  }
}
