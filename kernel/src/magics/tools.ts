/** The lrlab/tools namespace the LR magics build on (the same module the cells see as `lrlab`). */
import type * as Tools from "../tools";
import type * as Torch from "../index";
import type * as Plot from "../plot/index";

export function tools(): typeof Tools {
  return require("../tools");
}

export function torch(): typeof Torch {
  return require("../index");
}

/** The plots' module (mime types, what can be plotted): internals the `lrlab` namespace leaves out. */
export function plot(): typeof Plot {
  return require("../plot/index");
}
