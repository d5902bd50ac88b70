/** torch.utils.data: datasets, samplers and the DataLoader. */
export { Dataset, TensorDataset, Subset, random_split } from "./dataset";
export type { MapDataset, DatasetLike } from "./dataset";
export { DataLoader } from "./dataloader";
export type { DataLoaderOptions } from "./dataloader";
export { SequentialSampler, RandomSampler, BatchSampler } from "./sampler";
export type { Sampler, Sized, RandomSamplerOptions } from "./sampler";
export { SubsetRandomSampler } from "./subset_sampler";
export { WeightedRandomSampler } from "./weighted_sampler";
export type { WeightedRandomSamplerOptions } from "./weighted_sampler";
export { default_collate } from "./collate";
