/** The tensor library: Tensor, factories, ops, autograd and grad mode, with PyTorch's names. */
export * from "./tensor";
export {
  float32, float64, int64, bool, float, double, long,
  get_default_dtype, set_default_dtype, promote_types, is_floating,
} from "./dtype";
export { no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode } from "./grad_mode";
export { Node, attach, needs_grad } from "./autograd";
export type { BackwardOptions, BackwardFn } from "./autograd";
export * from "./factories";
export type { TensorOptions } from "./shape";
export { broadcast_shapes } from "./shape";
export * from "./elementwise";
export { result_type } from "./operand";
