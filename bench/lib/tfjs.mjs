// TensorFlow.js (wasm backend) is an optional peer of the training bench. Its packages are large
// (about 300 MB) and only the bench needs them, so they are not devDependencies: a full
// `npm run bench` installs them into bench/peers/ (its own package.json) on first use, and a
// quick run (the one `npm test` makes) uses them only if already there.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";

export function peersDir(root) {
  return join(root, "bench", "peers");
}

export function tfjsAvailable(root) {
  const require = createRequire(join(peersDir(root), "package.json"));
  try {
    require.resolve("@tensorflow/tfjs");
    require.resolve("@tensorflow/tfjs-backend-wasm");
    return true;
  } catch {
    return false;
  }
}

/** Installs the peers when missing (full runs only); returns whether TF.js can be used. */
export function ensureTfjs(root, { install }) {
  if (tfjsAvailable(root)) return true;
  if (!install) return false;
  console.error("[bench] installing TensorFlow.js 4.22.0 (wasm) into bench/peers/ for the side-by-side rows");
  const r = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--prefix", peersDir(root)], { stdio: "inherit" });
  return r.status === 0 && tfjsAvailable(root);
}

/** Environment for the child that runs bench/tfjs_workloads.cjs: it resolves TF.js from bench/peers. */
export function tfjsEnv(root) {
  return { ...process.env, NODE_PATH: join(peersDir(root), "node_modules") };
}
