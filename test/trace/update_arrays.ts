/**
 * An update's float32 arrays for the native update tests (fused_update, native_chunks): θ in
 * [−0.5, 0.5), a gradient with a share `zeros` of exact zeros, a momentum buffer, from `seed`.
 */
import { rng } from "../tensor/gradcheck";

export function updateArrays(n: number, seed: number, zeros: number) {
  const r = rng(seed);
  const theta = new Float32Array(n).map(() => r() - 0.5);
  const grad = new Float32Array(n).map(() => (r() < zeros ? 0 : (r() - 0.5) * 0.1));
  const buf = new Float32Array(n).map(() => (r() - 0.5) * 0.1);
  return { theta, grad, buf };
}
