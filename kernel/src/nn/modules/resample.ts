/**
 * nn.Upsample, nn.UpsamplingNearest2d, nn.UpsamplingBilinear2d, nn.PixelShuffle and
 * nn.PixelUnshuffle (math in functional/resample.ts).
 */
import { checkKeywords } from "../../utils/py_args";
import type { Tensor } from "../../tensor/tensor";
import { Module } from "../module";
import { interpolate, pixel_shuffle, pixel_unshuffle } from "../functional/resample";
import type { InterpolateMode } from "../functional/resample";
import { pyFloat } from "./_util";

export interface UpsampleArgs {
  size?: number | number[] | null;
  scale_factor?: number | number[] | null;
  mode?: InterpolateMode;
  align_corners?: boolean | null;
  recompute_scale_factor?: boolean | null;
}

const sizeRepr = (v: number | readonly number[]): string => (typeof v === "number" ? String(v) : v.length === 1 ? `(${v[0]},)` : `(${v.join(", ")})`);
const scaleRepr = (v: number | readonly number[]): string =>
  typeof v === "number" ? pyFloat(v) : v.length === 1 ? `(${pyFloat(v[0])},)` : `(${v.map(pyFloat).join(", ")})`;

/**
 * nn.Upsample({ size, scale_factor, mode = "nearest", align_corners, recompute_scale_factor }):
 * F.interpolate as a layer: resizes input [N, C, L], [N, C, H, W] (or 5D for nearest) to `size`
 * or by `scale_factor`. Positionally too: `new Upsample(null, 2, "bilinear")`.
 */
export class Upsample extends Module {
  size: number | number[] | null;
  scale_factor: number | number[] | null;
  mode: InterpolateMode;
  align_corners: boolean | null;
  recompute_scale_factor: boolean | null;
  constructor(options?: UpsampleArgs);
  constructor(
    size?: number | number[] | null, scale_factor?: number | number[] | null, mode?: InterpolateMode, align_corners?: boolean | null,
    recompute_scale_factor?: boolean | null,
  );
  constructor(...args: unknown[]) {
    super();
    let o: UpsampleArgs;
    if (args.length === 1 && typeof args[0] === "object" && args[0] !== null && !Array.isArray(args[0])) {
      o = args[0] as UpsampleArgs;
      for (const k of Object.keys(o)) {
        if (!["size", "scale_factor", "mode", "align_corners", "recompute_scale_factor"].includes(k)) {
          throw new TypeError(`${new.target.name}() got an unexpected keyword argument '${k}' (allowed: size, scale_factor, mode, align_corners, recompute_scale_factor)`);
        }
      }
    } else {
      const [size, scale_factor, mode, align_corners, recompute_scale_factor] = args as [UpsampleArgs["size"], UpsampleArgs["scale_factor"], InterpolateMode, boolean | null, boolean | null];
      o = { size, scale_factor, mode, align_corners, recompute_scale_factor };
    }
    this.size = o.size ?? null;
    // PyTorch keeps `float(scale_factor) if scale_factor else None` (a 0 is None too)
    this.scale_factor = o.scale_factor ? o.scale_factor : null;
    this.mode = o.mode ?? "nearest";
    this.align_corners = o.align_corners ?? null;
    this.recompute_scale_factor = o.recompute_scale_factor ?? null;
  }
  /**
   * Resizes the spatial dims to `size` or by `scale_factor` with `mode`: input [N, C, W] ("nearest",
   * "nearest-exact", "linear") or [N, C, H, W] ("nearest", "nearest-exact", "bilinear") → [N, C, *spatial_out],
   * spatial_out = size or ⌊S·scale_factor⌋ per dim.
   */
  override forward(input: Tensor): Tensor {
    return interpolate(input, {
      size: this.size, scale_factor: this.scale_factor, mode: this.mode, align_corners: this.align_corners,
      recompute_scale_factor: this.recompute_scale_factor,
    });
  }
  override extra_repr(): string {
    const info = this.scale_factor !== null ? `scale_factor=${scaleRepr(this.scale_factor)}` : `size=${this.size === null ? "None" : sizeRepr(this.size)}`;
    return `${info}, mode='${this.mode}'`;
  }
}

/** nn.UpsamplingNearest2d({ size, scale_factor }): Upsample with mode "nearest" (input [N, C, H, W]). */
export class UpsamplingNearest2d extends Upsample {
  constructor(options?: { size?: number | number[] | null; scale_factor?: number | number[] | null });
  constructor(size?: number | number[] | null, scale_factor?: number | number[] | null);
  constructor(a?: unknown, scale_factor?: number | number[] | null) {
    if (typeof a === "object" && a !== null && !Array.isArray(a)) checkKeywords(new.target.name, a, ["size", "scale_factor"]); // (mode is fixed here)
    const o = typeof a === "object" && a !== null && !Array.isArray(a) ? (a as UpsampleArgs) : { size: a as number | number[] | null, scale_factor };
    super({ size: o.size, scale_factor: o.scale_factor, mode: "nearest" });
  }
  /**
   * Nearest-neighbour upsampling to `size` or by `scale_factor`: input [N, C, H, W] → [N, C, H_out, W_out],
   * H_out = size[0] or ⌊H·scale_factor⌋ (W likewise).
   */
  override forward(input: Tensor): Tensor {
    return super.forward(input);
  }
}

/** nn.UpsamplingBilinear2d({ size, scale_factor }): Upsample with mode "bilinear" and align_corners = true. */
export class UpsamplingBilinear2d extends Upsample {
  constructor(options?: { size?: number | number[] | null; scale_factor?: number | number[] | null });
  constructor(size?: number | number[] | null, scale_factor?: number | number[] | null);
  constructor(a?: unknown, scale_factor?: number | number[] | null) {
    if (typeof a === "object" && a !== null && !Array.isArray(a)) checkKeywords(new.target.name, a, ["size", "scale_factor"]); // (mode is fixed here)
    const o = typeof a === "object" && a !== null && !Array.isArray(a) ? (a as UpsampleArgs) : { size: a as number | number[] | null, scale_factor };
    super({ size: o.size, scale_factor: o.scale_factor, mode: "bilinear", align_corners: true });
  }
  /**
   * Bilinear upsampling (align_corners = true) to `size` or by `scale_factor`: input [N, C, H, W] → [N, C,
   * H_out, W_out], H_out = size[0] or ⌊H·scale_factor⌋ (W likewise).
   */
  override forward(input: Tensor): Tensor {
    return super.forward(input);
  }
}

/** nn.PixelShuffle(upscale_factor): [*, C·r², H, W] → [*, C, H·r, W·r] (F.pixel_shuffle). */
export class PixelShuffle extends Module {
  upscale_factor: number;
  constructor(upscale_factor: number) {
    super();
    this.upscale_factor = upscale_factor;
  }
  /** Moves channel blocks into space: input [*, C·r², H, W] → [*, C, H·r, W·r], r = upscale_factor. */
  override forward(input: Tensor): Tensor {
    return pixel_shuffle(input, this.upscale_factor);
  }
  override extra_repr(): string {
    return `upscale_factor=${this.upscale_factor}`;
  }
}

/** nn.PixelUnshuffle(downscale_factor): [*, C, H·r, W·r] → [*, C·r², H, W] (F.pixel_unshuffle). */
export class PixelUnshuffle extends Module {
  downscale_factor: number;
  constructor(downscale_factor: number) {
    super();
    this.downscale_factor = downscale_factor;
  }
  /** Moves space into channel blocks: input [*, C, H·r, W·r] → [*, C·r², H, W], r = downscale_factor. */
  override forward(input: Tensor): Tensor {
    return pixel_unshuffle(input, this.downscale_factor);
  }
  override extra_repr(): string {
    return `downscale_factor=${this.downscale_factor}`;
  }
}
