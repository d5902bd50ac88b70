// TensorFlow.js (wasm backend) is an optional peer: used when @tensorflow/tfjs and
// @tensorflow/tfjs-backend-wasm both resolve from the repo (devDependencies, 4.22.0).
import { createRequire } from "node:module";
import { join } from "node:path";

export function tfjsAvailable(root) {
  const require = createRequire(join(root, "package.json"));
  try {
    require.resolve("@tensorflow/tfjs");
    require.resolve("@tensorflow/tfjs-backend-wasm");
    return true;
  } catch {
    return false;
  }
}
