/**
 * torch.nn: Module, Parameter, layers, losses, and the namespaces functional, init and utils.
 *
 *   class Net extends torch.nn.Module {
 *     fc = new torch.nn.Linear(10, 1);
 *     forward(x) { return this.fc.forward(x); }
 *   }
 */
export { Module } from "./module";
export type { StateDict, IncompatibleKeys, RemovableHandle, ForwardHook, ForwardPreHook } from "./module";
export { Parameter } from "./parameter";
export { Linear, Identity } from "./modules/linear";
export { Sequential, ModuleList } from "./modules/container";
export {
  ReLU, Tanh, Sigmoid, GELU, Softmax, LogSoftmax, Flatten, Unflatten, LeakyReLU, ELU, SiLU, Softplus,
} from "./modules/activation";
export { Dropout, Dropout2d } from "./modules/dropout";
export { Conv1d, Conv2d } from "./modules/conv";
export type { ConvArgs } from "./modules/conv";
export { ConvTranspose1d, ConvTranspose2d } from "./modules/conv_transpose";
export type { ConvTransposeArgs } from "./modules/conv_transpose";
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from "./modules/pooling";
export { Embedding, type EmbeddingArgs } from "./modules/embedding";
export { BatchNorm1d, BatchNorm2d, LayerNorm } from "./modules/normalization";
export type { BatchNormArgs, LayerNormArgs } from "./modules/normalization";
export { MultiheadAttention } from "./modules/attention";
export type { MultiheadAttentionArgs, MultiheadAttentionForwardArgs } from "./modules/attention";
export { TransformerEncoderLayer, TransformerEncoder } from "./modules/transformer";
export type {
  TransformerEncoderLayerArgs, TransformerEncoderLayerForwardArgs, TransformerEncoderArgs, TransformerEncoderForwardArgs, TransformerActivation,
} from "./modules/transformer";
export { RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell } from "./modules/rnn";
export type { RNNBaseOptions, RNNOptions, LSTMOptions, RNNCellOptions } from "./modules/rnn";
export {
  MSELoss, L1Loss, HuberLoss, SmoothL1Loss, BCELoss, BCEWithLogitsLoss, NLLLoss, CrossEntropyLoss,
} from "./modules/loss";
export type { Reduction } from "./_autograd";
export * as functional from "./functional/index";
export * as init from "./init";
export * as utils from "./utils/index";
