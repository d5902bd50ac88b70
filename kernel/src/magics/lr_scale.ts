/**
 * %lr_scale: how to change the learning rate with the batch size (lrlab.scale): the linear rule,
 * the square-root rule, Adam's square-root rule (with betas and eps) or the SGD noise scale.
 *
 *   %lr_scale linear lr=0.1 batch_size=256 new_batch_size=1024
 *
 * The whole line is checked as it is parsed (`check`, before any part of the cell runs): the rule,
 * the keys (a mistyped one is named, with the close key), the keys the rule needs, and the values.
 */
import type { Magic } from "./types";
import { didYouMean, MagicError, type ParsedArgs } from "./parser";
import { tools } from "./tools";
import { printed, scale, SCALE_RULES, type ScaleResult } from "../trace/scale";

const COMMON = ["lr", "batch_size", "new_batch_size"];
/** The keys of one rule only. */
const RULE_KEYS: Record<string, { required: string[]; optional: string[] }> = {
  linear: { required: [], optional: [] },
  sqrt: { required: [], optional: [] },
  adam_sqrt: { required: [], optional: ["betas", "eps"] },
  noise: { required: ["dataset_size"], optional: ["momentum"] },
};
const KEYS = ["rule", ...COMMON, "betas", "eps", "momentum", "dataset_size"];
const keyList = (keys: string[]) => keys.map((k) => k + "=").join(", ");

/** The rule and the scaling of a line, or a MagicError saying what is wrong and what is allowed. */
function scaled(args: ParsedArgs, usage: string): ScaleResult {
  const rules = SCALE_RULES as readonly string[];
  // The rule comes first (`%lr_scale linear ...`) or as a key like the others (`rule=linear`).
  const given = [...args.positional, ...args.kv.filter(([k]) => k === "rule").map(([, v]) => String(v))];
  if (given.length === 0) throw new MagicError(`name one rule; valid rules: ${rules.join(", ")}`, usage);
  const valid = given.filter((r) => rules.includes(r));
  const other = given.find((r) => !rules.includes(r));
  if (other !== undefined) {
    // `lr 0.1`: a key written without its =
    if (KEYS.includes(other)) throw new MagicError(`unexpected ${other}: write ${other}=<value>, with no spaces around the =`, usage);
    if (valid.length === 0) throw new MagicError(`unknown rule ${JSON.stringify(other)}${didYouMean(other, rules)}; valid rules: ${rules.join(", ")}`, usage);
    throw new MagicError(`unexpected ${JSON.stringify(other)}${didYouMean(other, KEYS.map((k) => k + "="))}: after the rule (${valid[0]}), %lr_scale takes key=value: ${keyList(KEYS.slice(1))}`, usage);
  }
  if (valid.length > 1) throw new MagicError(`name one rule, got ${valid.join(" and ")}; valid rules: ${rules.join(", ")}`, usage);
  const rule = valid[0];
  const kv = args.kv.filter(([k]) => k !== "rule");
  const required = [...COMMON, ...RULE_KEYS[rule].required];
  const optional = RULE_KEYS[rule].optional;
  const takes = `the ${rule} rule needs ${keyList(required)}${optional.length ? ` (optional: ${keyList(optional)})` : ""}`;
  // a key of another rule was ignored (betas= with linear): the line meant another rule, or has a slip
  const foreign = kv.find(([k]) => !required.includes(k) && !optional.includes(k));
  if (foreign !== undefined) {
    const owner = Object.keys(RULE_KEYS).filter((r) => [...RULE_KEYS[r].required, ...RULE_KEYS[r].optional].includes(foreign[0]));
    throw new MagicError(`${foreign[0]}= is for the ${owner.join(" and ")} rule${owner.length > 1 ? "s" : ""}, not ${rule}; ${takes}`, usage);
  }
  const missing = required.filter((k) => !kv.some(([key]) => key === k));
  // a missing key was the library's "new_batch_size must be a positive integer, got undefined"
  if (missing.length) throw new MagicError(`${keyList(missing)} missing: ${takes}`, usage);
  try {
    return scale({ rule, ...Object.fromEntries(kv) } as any);
  } catch (e: any) {
    throw new MagicError(String(e?.message ?? e).replace(/^scale: /, ""), usage);
  }
}

export const lr_scale: Magic = {
  name: "lr_scale",
  kind: "line",
  usage: "rule|rule=R lr=γ batch_size=B new_batch_size=B' [betas=[b1,b2]] [eps=ε] [momentum=μ] [dataset_size=N]",
  help: "Scales a learning rate to a new batch size. Rules: linear (Goyal et al. 2017), sqrt (Hoffer et al. 2017), "
    + "adam_sqrt (Malladi et al. 2022: also scales betas and eps), noise (Smith & Le: keeps the SGD noise scale; needs dataset_size, takes momentum).\n"
    + "Example:\n  %lr_scale sqrt lr=0.001 batch_size=32 new_batch_size=512",
  complete(positional, kv) {
    const keys = ["lr=", "batch_size=", "new_batch_size=", "betas=", "eps=", "momentum=", "dataset_size="].filter((k) => !kv.some((w) => w.startsWith(k)));
    const ruled = positional.length > 0 || kv.some((w) => w.startsWith("rule="));
    return ruled ? keys : [...tools().SCALE_RULES, ...keys];
  },
  completeValue: (key) => (key === "rule" ? tools().SCALE_RULES : []),
  options: [],
  keys: KEYS,
  check(args, usage) {
    scaled(args, usage);
  },
  run(ctx, args) {
    const r = scaled(args, "%lr_scale " + this.usage);
    // numbers as lrlab.scale's result prints them (printed: 12 significant digits, no float noise)
    const lines = [`${r.rule}: batch ×${printed(r.factor)} → lr ${printed(r.lr)}`];
    if (r.betas) lines.push(`betas [${r.betas.map(printed).join(", ")}]`);
    if (r.eps !== undefined) lines.push(`eps ${printed(r.eps)}`);
    if (r.noise_scale !== undefined) lines.push(`noise scale ${printed(r.noise_scale)} (kept: ${printed(r.new_noise_scale ?? r.noise_scale)})`);
    lines.push(`(${r.reference})`);
    ctx.print(lines.join("\n"));
  },
};
