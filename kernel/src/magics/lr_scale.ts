/**
 * %lr_scale: how to change the learning rate with the batch size (lrlab.scale): the linear rule,
 * the square-root rule, Adam's square-root rule (with betas and eps) or the SGD noise scale.
 *
 *   %lr_scale linear lr=0.1 batch_size=256 new_batch_size=1024
 */
import type { Magic } from "./types";
import { MagicError } from "./parser";
import { tools } from "./tools";

export const lr_scale: Magic = {
  name: "lr_scale",
  kind: "line",
  usage: "rule|rule=R lr=γ batch_size=B new_batch_size=B' [betas=[b1,b2]] [eps=ε] [momentum=μ] [dataset_size=N]",
  help: "Scales a learning rate to a new batch size. Rules: linear (Goyal et al. 2017), sqrt (Hoffer et al. 2017), "
    + "adam_sqrt (Malladi et al. 2022: also scales betas and eps), noise (Smith & Le: keeps the SGD noise scale).\n"
    + "Example:\n  %lr_scale sqrt lr=0.001 batch_size=32 new_batch_size=512",
  complete(positional, kv) {
    const keys = ["lr=", "batch_size=", "new_batch_size=", "betas=", "eps=", "momentum=", "dataset_size="].filter((k) => !kv.some((w) => w.startsWith(k)));
    const ruled = positional.length > 0 || kv.some((w) => w.startsWith("rule="));
    return ruled ? keys : [...tools().SCALE_RULES, ...keys];
  },
  completeValue: (key) => (key === "rule" ? tools().SCALE_RULES : []),
  options: [],
  run(ctx, args) {
    const usage = "%lr_scale " + this.usage;
    const lr = tools();
    // The rule comes first (`%lr_scale linear ...`) or as a key like the others (`rule=linear`).
    const kv = args.kv.filter(([k]) => k !== "rule");
    const named = args.kv.filter(([k]) => k === "rule").map(([, v]) => String(v));
    const rules = [...args.positional, ...named];
    if (rules.length !== 1) {
      throw new MagicError(`name one rule${rules.length ? `, got ${rules.join(" and ")}` : ""}; valid rules: ${lr.SCALE_RULES.join(", ")}`, usage);
    }
    const rule = rules[0];
    if (!(lr.SCALE_RULES as readonly string[]).includes(rule)) throw new MagicError(`unknown rule ${JSON.stringify(rule)}; valid rules: ${lr.SCALE_RULES.join(", ")}`, usage);
    // A missing key was the library's "new_batch_size must be a positive integer, got undefined".
    const required = ["lr", "batch_size", "new_batch_size", ...(rule === "noise" ? ["dataset_size"] : [])];
    const missing = required.filter((k) => !kv.some(([key]) => key === k));
    if (missing.length) {
      throw new MagicError(`${missing.map((k) => k + "=").join(", ")} missing: the ${rule} rule needs ${required.map((k) => k + "=").join(", ")}`, usage);
    }
    let r;
    try {
      r = lr.scale({ rule, ...Object.fromEntries(kv) } as any);
    } catch (e: any) {
      throw new MagicError(e.message, usage);
    }
    const lines = [`${r.rule}: batch ×${+r.factor.toPrecision(6)} → lr ${+r.lr.toPrecision(6)}`];
    if (r.betas) lines.push(`betas [${r.betas.map((b) => +b.toPrecision(6)).join(", ")}]`);
    if (r.eps !== undefined) lines.push(`eps ${r.eps}`);
    if (r.noise_scale !== undefined) lines.push(`noise scale ${+r.noise_scale.toPrecision(6)} (kept: ${+(r.new_noise_scale ?? r.noise_scale).toPrecision(6)})`);
    lines.push(`(${r.reference})`);
    ctx.print(lines.join("\n"));
  },
};
