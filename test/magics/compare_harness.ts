/**
 * `%lr_compare` run in-process (kernel/dist, as the kernel loads it) on a context holding the
 * cells' variables (`locals`): what it printed and the first bundle it displayed. Shared by the
 * magic's in-process tests (p21_compare_preview, p21f2_compare_preview, p21b_compare_one_lr).
 */
import { createRequire } from "node:module";
import { join } from "node:path";

const load = createRequire(__filename);
const DIST = join(__dirname, "../../kernel/dist");
const { lr_compare } = load(join(DIST, "magics/lr_compare.js")) as typeof import("../../kernel/src/magics/lr_compare");
const { parseArgs } = load(join(DIST, "magics/parser.js")) as typeof import("../../kernel/src/magics/parser");
export const lrlab = load(join(DIST, "tools.js")) as typeof import("../../kernel/src/tools");
export const torch = load(join(DIST, "index.js")) as typeof import("../../kernel/src/index");

/** The cells' variables the magic sees (a test sets them). */
export const locals: Record<string, unknown> = {};
let printed: string[] = [];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let shown: Record<string, any>[] = [];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ctx: any = {
  engine: { value: (n: string) => locals[n], userNames: () => Object.keys(locals), locals },
  print: (t: string) => printed.push(t),
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  display: (b: Record<string, any>) => shown.push(b),
};

/** `%lr_compare <line>`: its printed text and the bundle it displayed first. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function compareRun(line: string): { text: string; bundle: Record<string, any> } {
  printed = [];
  shown = [];
  lr_compare.run(ctx, parseArgs(line, lr_compare.options, lr_compare.usage), undefined);
  return { text: printed.join("\n"), bundle: shown[0] };
}
