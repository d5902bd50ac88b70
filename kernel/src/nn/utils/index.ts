/** torch.nn.utils: gradient clipping and parameter/vector conversion. */
export { clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm } from "./clip_grad";
export type { ClipForeachOptions, ClipGradNormOptions } from "./clip_grad";
export type { NormType } from "./clip_args";
export { parameters_to_vector, vector_to_parameters } from "./convert";
export * as rnn from "./rnn/index";
