/** torch.nn.utils: gradient clipping and parameter/vector conversion. */
export { clip_grad_norm_, clip_grad_value_ } from "./clip_grad";
export type { ClipGradNormOptions } from "./clip_grad";
export { parameters_to_vector, vector_to_parameters } from "./convert";
export * as rnn from "./rnn/index";
