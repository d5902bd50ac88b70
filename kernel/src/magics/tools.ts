/** The lrlab/tools namespace the LR magics build on (the same module the cells see as `lrlab`). */
import type * as Tools from "../tools";
import type * as Torch from "../index";

export function tools(): typeof Tools {
  return require("../tools");
}

export function torch(): typeof Torch {
  return require("../index");
}
