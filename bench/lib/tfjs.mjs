// TensorFlow.js (wasm backend) is an optional peer: used when both packages resolve from the repo.
import { createRequire } from "node:module";
import { join } from "node:path";

export function tfjsAvailable(root) {
  const require = createRequire(join(root, "package.json"));
  try {
    require.resolve("@tensorflow/tfjs-core");
    require.resolve("@tensorflow/tfjs-backend-wasm");
    return true;
  } catch {
    return false;
  }
}
