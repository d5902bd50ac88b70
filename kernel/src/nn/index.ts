/**
 * torch.nn: Module, Parameter, layers, losses, and the namespaces functional, init and utils.
 *
 *   class Net extends torch.nn.Module {
 *     fc = new torch.nn.Linear(10, 1);
 *     forward(x) { return this.fc.forward(x); }
 *   }
 */
export { Module } from "./module";
export type {
  StateDict, IncompatibleKeys, RemovableHandle, ForwardHook, ForwardPreHook, ForwardHookOptions, ForwardPreHookOptions, FullBackwardHook,
  FullBackwardPreHook, ModuleToOptions, NamedModulesOptions,
} from "./module";
export { Parameter } from "./parameter";
export { Linear, Identity } from "./modules/linear";
export { Sequential, ModuleList } from "./modules/container";
export { ModuleDict, ParameterList, ParameterDict } from "./modules/container_dict";
export {
  ReLU, Tanh, Sigmoid, GELU, Softmax, LogSoftmax, Flatten, Unflatten, LeakyReLU, ELU, SiLU, Softplus,
} from "./modules/activation";
export {
  Hardtanh, ReLU6, Hardsigmoid, Hardswish, Mish, SELU, CELU, LogSigmoid, Softsign, Tanhshrink, Softshrink, Hardshrink, Threshold,
  Softmin, Softmax2d, GLU, PReLU,
} from "./modules/activation_more";
export type { PReLUOptions } from "./modules/activation_more";
export { RReLU } from "./modules/rrelu";
export { Dropout, Dropout2d } from "./modules/dropout";
export { Dropout1d, AlphaDropout, FeatureAlphaDropout } from "./modules/dropout";
export { Dropout3d } from "./modules/dropout";
export { Conv1d, Conv2d, Conv3d } from "./modules/conv";
export type { ConvArgs } from "./modules/conv";
export { ConvTranspose1d, ConvTranspose2d } from "./modules/conv_transpose";
export type { ConvTransposeArgs } from "./modules/conv_transpose";
export {
  MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, MaxPool1d, AvgPool1d, AdaptiveAvgPool1d, AdaptiveMaxPool1d, AdaptiveMaxPool2d,
  MaxPool3d, AvgPool3d, AdaptiveAvgPool3d,
} from "./modules/pooling";
export {
  ZeroPad1d, ZeroPad2d, ConstantPad1d, ConstantPad2d, ReflectionPad1d, ReflectionPad2d, ReplicationPad1d, ReplicationPad2d, CircularPad1d, CircularPad2d,
} from "./modules/padding";
export { Embedding, type EmbeddingArgs } from "./modules/embedding";
export {
  BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm, InstanceNorm1d, InstanceNorm2d, LocalResponseNorm,
  BatchNorm3d, InstanceNorm3d,
} from "./modules/normalization";
export type { BatchNormArgs, LayerNormArgs, GroupNormArgs } from "./modules/normalization";
export { CosineSimilarity, PairwiseDistance } from "./modules/distance";
export { Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, PixelShuffle, PixelUnshuffle } from "./modules/resample";
export type { UpsampleArgs } from "./modules/resample";
export { MultiheadAttention } from "./modules/attention";
export type { MultiheadAttentionArgs, MultiheadAttentionForwardArgs } from "./modules/attention";
export { TransformerEncoderLayer, TransformerEncoder } from "./modules/transformer";
export type {
  TransformerEncoderLayerArgs, TransformerEncoderLayerForwardArgs, TransformerEncoderArgs, TransformerEncoderForwardArgs, TransformerActivation,
} from "./modules/transformer";
export { TransformerDecoderLayer, TransformerDecoder } from "./modules/transformer_decoder";
export type {
  TransformerDecoderLayerArgs, TransformerDecoderLayerForwardArgs, TransformerDecoderArgs, TransformerDecoderForwardArgs,
} from "./modules/transformer_decoder";
export { Transformer } from "./modules/transformer_model";
export type { TransformerArgs, TransformerForwardArgs } from "./modules/transformer_model";
export { RMSNorm, type RMSNormArgs } from "./modules/rms_norm";
export { Bilinear } from "./modules/bilinear";
export { Unfold, Fold } from "./modules/fold";
export { RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell } from "./modules/rnn";
export type { RNNBaseOptions, RNNOptions, LSTMOptions, RNNCellOptions } from "./modules/rnn";
export {
  MSELoss, L1Loss, HuberLoss, SmoothL1Loss, BCELoss, BCEWithLogitsLoss, NLLLoss, CrossEntropyLoss,
} from "./modules/loss";
export {
  KLDivLoss, PoissonNLLLoss, GaussianNLLLoss, MarginRankingLoss, HingeEmbeddingLoss, SoftMarginLoss, CosineEmbeddingLoss, TripletMarginLoss,
  MultiLabelSoftMarginLoss, MultiMarginLoss, MultiLabelMarginLoss, CTCLoss,
} from "./modules/loss";
export type { Reduction } from "./_autograd";
export * as functional from "./functional/index";
export * as init from "./init";
export * as utils from "./utils/index";
