/**
 * The step function a range test (find) runs in these tests, as %lr_find builds it: one
 * mini-batch of the loader per step, the loader restarted when it runs out; the loss returned.
 */
import type { Tensor } from "../../kernel/src/tensor/tensor";

interface Model { forward(x: Tensor): Tensor }
interface Loss { forward(out: Tensor, y: Tensor): Tensor }
interface Stepped { zero_grad(): void }

export function loaderStep(loader: Iterable<unknown>, model: Model, loss_fn: Loss, opt: Stepped): () => Tensor {
  let it = loader[Symbol.iterator]();
  return () => {
    let n = it.next();
    if (n.done) {
      it = loader[Symbol.iterator]();
      n = it.next();
    }
    const [x, y] = n.value as [Tensor, Tensor];
    opt.zero_grad();
    const l = loss_fn.forward(model.forward(x), y);
    l.backward();
    return l;
  };
}
