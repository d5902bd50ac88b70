/** nn.Dropout(p = 0.5): active in training mode only (see functional/dropout.ts). */
import type { Tensor } from "../../tensor/tensor";
import { Module } from "../module";
import { dropout } from "../functional/dropout";
import { pyBool, pyFloat } from "./_util";

export class Dropout extends Module {
  p: number;
  inplace: boolean;
  constructor(p = 0.5, { inplace = false }: { inplace?: boolean } = {}) {
    super();
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new RangeError(`dropout probability has to be between 0 and 1, but got ${String(p)}`);
    }
    this.p = p;
    this.inplace = inplace;
  }
  override forward(input: Tensor): Tensor {
    return dropout(input, { p: this.p, training: this.training });
  }
  override extra_repr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}
