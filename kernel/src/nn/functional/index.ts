/** torch.nn.functional: the functional forms of the layers and losses. */
export { linear } from "./linear";
export { relu, tanh, sigmoid, gelu, softmax, log_softmax } from "./activation";
export type { GeluApproximate } from "./activation";
export { leaky_relu, elu, silu, softplus } from "./pointwise";
export { batch_norm, layer_norm } from "./normalization";
export type { BatchNormOptions, LayerNormOptions } from "./normalization";
export { dropout } from "./dropout";
export { embedding, type EmbeddingOptions } from "./embedding";
export type { DropoutOptions } from "./dropout";
export { flatten } from "./shape";
export { mse_loss, l1_loss, huber_loss, smooth_l1_loss } from "./loss";
export type { LossOptions } from "./loss";
export { binary_cross_entropy, binary_cross_entropy_with_logits } from "./binary";
export type { BCEOptions } from "./binary";
export { nll_loss, cross_entropy } from "./classification";
export type { NLLOptions, CrossEntropyOptions } from "./classification";
