/**
 * What a scheduler needs and what else it takes, for the one-line message when a required
 * option is missing.
 *
 * `%lr_schedule StepLR --steps 100` said "StepLR: StepLR.__init__() missing 1 required argument:
 * 'step_size'" (and the same call in typed code was a 7-line overload error from TypeScript): it
 * named the option, but not what it is or what else the scheduler takes (a teacher's pass). Now:
 *
 *   StepLR needs step_size=<int> (epochs between decays); optional: gamma=0.1, last_epoch=-1
 *
 * on a magic line, and in code PyTorch's message followed by the same, as code
 * (`new StepLR(optimizer, { step_size: 30 })`): the constructor's TypeError, and in a typed cell
 * the type check's one error before it runs (kernel/ts_hints.ts missingOption).
 *
 * The optional arguments and their defaults are PyTorch 2.13's (test/magics/scheduler_needs.test.ts
 * checks them against inspect.signature, test/magics/fixtures/generate_scheduler_signatures.py).
 * OneCycleLR's length (total_steps, or epochs and steps_per_epoch) is optional in its signature
 * but needed all the same; its entry says so.
 */

interface Required {
  /** What the value is, as the message writes it: "<int>", "<float>", "[30,60]". */
  kind: string;
  /** What it means, in a few words. */
  what: string;
  /** A value for the code example (`new StepLR(optimizer, { step_size: 30 })`). */
  example: string;
}

interface Needs {
  required: Record<string, Required>;
  /** PyTorch's defaults of the other arguments, in signature order (null: Python's None). */
  optional: Record<string, number | string | boolean | null>;
  /** What else it needs that its signature does not require (OneCycleLR's length). */
  also?: { line: string; code: string; keys: readonly string[] };
}

const last_epoch = { last_epoch: -1 };
const lambda: Required = { kind: "<function>", what: "", example: "(epoch) => 0.95 ** epoch" };

export const SCHEDULER_NEEDS: Record<string, Needs> = {
  LambdaLR: { required: { lr_lambda: { ...lambda, what: "(epoch) => the factor of the initial lr" } }, optional: last_epoch },
  MultiplicativeLR: { required: { lr_lambda: { ...lambda, what: "(epoch) => the factor of the previous epoch's lr" } }, optional: last_epoch },
  StepLR: { required: { step_size: { kind: "<int>", what: "epochs between decays", example: "30" } }, optional: { gamma: 0.1, ...last_epoch } },
  MultiStepLR: {
    required: { milestones: { kind: "[30,60]", what: "the epochs at which lr is multiplied by gamma", example: "[30, 60]" } },
    optional: { gamma: 0.1, ...last_epoch },
  },
  ExponentialLR: { required: { gamma: { kind: "<float>", what: "the factor of each epoch's decay", example: "0.95" } }, optional: last_epoch },
  CosineAnnealingLR: { required: { T_max: { kind: "<int>", what: "epochs from the initial lr down to eta_min", example: "100" } }, optional: { eta_min: 0, ...last_epoch } },
  CosineAnnealingWarmRestarts: {
    required: { T_0: { kind: "<int>", what: "epochs until the first restart", example: "10" } },
    optional: { T_mult: 1, eta_min: 0, ...last_epoch },
  },
  CyclicLR: {
    required: {
      base_lr: { kind: "<float>", what: "the cycle's lowest lr", example: "0.001" },
      max_lr: { kind: "<float>", what: "the cycle's highest lr", example: "0.1" },
    },
    optional: {
      step_size_up: 2000, step_size_down: null, mode: "triangular", gamma: 1, scale_fn: null, scale_mode: "cycle",
      cycle_momentum: true, base_momentum: 0.8, max_momentum: 0.9, ...last_epoch,
    },
  },
  OneCycleLR: {
    required: { max_lr: { kind: "<float>", what: "the peak lr", example: "0.1" } },
    optional: {
      total_steps: null, epochs: null, steps_per_epoch: null, pct_start: 0.3, anneal_strategy: "cos", cycle_momentum: true,
      base_momentum: 0.85, max_momentum: 0.95, div_factor: 25, final_div_factor: 10000, three_phase: false, ...last_epoch,
    },
    also: { line: "total_steps=<int> (or epochs= and steps_per_epoch=)", code: "total_steps: 100", keys: ["total_steps", "epochs", "steps_per_epoch"] },
  },
  SWALR: { required: { swa_lr: { kind: "<float>", what: "the lr it anneals to", example: "0.05" } }, optional: { anneal_epochs: 10, anneal_strategy: "cos", ...last_epoch } },
  SequentialLR: {
    required: {
      schedulers: { kind: "<schedulers>", what: "the schedulers, one after another", example: "[warmup, cosine]" },
      milestones: { kind: "[5]", what: "the epochs at which the next one takes over", example: "[5]" },
    },
    optional: last_epoch,
  },
};

/** A default as a magic line or TypeScript writes it: null for None, 4 significant digits (1/3: 0.3333). */
function shown(v: number | string | boolean | null): string {
  return typeof v === "number" ? String(Number(v.toPrecision(4))) : String(v);
}

function optionalText(n: Needs): string {
  // the options `also` names are not listed again
  const o = Object.entries(n.optional).filter(([k]) => !n.also?.keys.includes(k));
  return o.length ? `; optional: ${o.map(([k, v]) => `${k}=${shown(v)}`).join(", ")}` : "";
}

/** The required options of a scheduler (none: an empty list, also for a name without an entry). */
export function requiredOptions(cls: string): string[] {
  return Object.keys(SCHEDULER_NEEDS[cls]?.required ?? {});
}

/**
 * The magic line's message for a scheduler missing required options (`given`: the keys the line
 * gave), or null when none is missing: "StepLR needs step_size=<int> (epochs between decays);
 * optional: gamma=0.1, last_epoch=-1".
 */
export function lineNeeds(cls: string, given: readonly string[]): string | null {
  const n = SCHEDULER_NEEDS[cls];
  if (n === undefined) return null;
  const missing = Object.entries(n.required).filter(([k]) => !given.includes(k));
  if (missing.length === 0) return null;
  const parts = missing.map(([k, r]) => `${k}=${r.kind}${r.what ? ` (${r.what})` : ""}`);
  if (n.also && !n.also.keys.some((k) => given.includes(k))) parts.push(n.also.line);
  return `${cls} needs ${parts.join(" and ")}${optionalText(n)}`;
}

/**
 * What follows PyTorch's "missing N required argument(s)" in code: what each required argument
 * is, an example call and the optional ones; "" for a class without an entry. `callee`: the
 * class as the example calls it (a typed cell's own `torch.optim.lr_scheduler.StepLR`).
 */
export function codeNeeds(cls: string, callee = cls): string {
  const n = SCHEDULER_NEEDS[cls];
  if (n === undefined) return "";
  const req = Object.entries(n.required);
  const what = req.map(([k, r]) => `${k}: ${r.kind.replace(/^<(.*)>$/, "$1")}${r.what ? `, ${r.what}` : ""}`).join("; ");
  const example = `new ${callee}(optimizer, { ${[...req.map(([k, r]) => `${k}: ${r.example}`), ...(n.also ? [n.also.code] : [])].join(", ")} })`;
  return ` (${what}), e.g. ${example}${optionalText(n)}`;
}

/**
 * The message for `cls` constructed without its required options `missing`, in code: PyTorch's
 * words, then codeNeeds. The constructor's check throws it (options.ts checkOptions), and a typed
 * cell's type check says the same before it runs (kernel/ts_hints.ts missingOption).
 */
export function missingMessage(cls: string, missing: readonly string[], callee = cls): string {
  const names = missing.map((k) => `'${k}'`).join(" and ");
  return `${cls}.__init__() missing ${missing.length} required argument${missing.length > 1 ? "s" : ""}: ${names}${codeNeeds(cls, callee)}`;
}
