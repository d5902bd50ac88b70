/**
 * The options that take one of a few words (OneCycleLR's and SWALR's anneal_strategy, CyclicLR's
 * mode and scale_mode, ReduceLROnPlateau's mode and threshold_mode): a misspelt word given in code
 * is a ValueError that keeps PyTorch's message, names the words the option takes, and the close
 * one when there is one. (`%lr_schedule` says the same before building anything:
 * test/kernel/magic_messages.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { zeros } from "../../../kernel/src/tensor/index";
import { SGD } from "../../../kernel/src/optim/sgd";
import { CyclicLR, OneCycleLR, ReduceLROnPlateau } from "../../../kernel/src/optim/lr_scheduler/index";
import { SWALR } from "../../../kernel/src/optim/swa_utils/index";
import { ONE_CYCLE_ANNEAL_STRATEGIES } from "../../../kernel/src/optim/lr_scheduler/one_cycle_lr";
import { CYCLIC_MODES, CYCLIC_SCALE_MODES } from "../../../kernel/src/optim/lr_scheduler/cyclic_lr";
import { PLATEAU_MODES, PLATEAU_THRESHOLD_MODES } from "../../../kernel/src/optim/lr_scheduler/reduce_lr_on_plateau";
import { SWALR_ANNEAL_STRATEGIES } from "../../../kernel/src/optim/swa_utils/swalr";

const sgd = () => new SGD([zeros(2, { requires_grad: true })], { lr: 0.1, momentum: 0.9 });

/** The error `make` throws (it must throw one). */
function errorOf(make: () => unknown): Error {
  try {
    make();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

interface Case {
  option: string;
  words: readonly string[];
  /** Builds the scheduler with `word` as the option's value. */
  make: (word: unknown) => unknown;
  /** A misspelling, the word it is close to, and the whole message expected for it. */
  typo: string;
  close: string;
  message: string;
  /** PyTorch's message for a word that is close to none (unchanged: no suggestion to add). */
  far: string;
  farMessage: string;
}

const cases: Case[] = [
  {
    option: "OneCycleLR anneal_strategy",
    words: ONE_CYCLE_ANNEAL_STRATEGIES,
    make: (w) => new OneCycleLR(sgd(), { max_lr: 0.1, total_steps: 10, anneal_strategy: w as any }),
    typo: "cosin",
    close: "cos",
    message: "anneal_strategy must be one of 'cos' or 'linear', instead got cosin; did you mean 'cos'?",
    far: "exp",
    farMessage: "anneal_strategy must be one of 'cos' or 'linear', instead got exp",
  },
  {
    option: "SWALR anneal_strategy",
    words: SWALR_ANNEAL_STRATEGIES,
    make: (w) => new SWALR(sgd(), { swa_lr: 0.05, anneal_strategy: w as any }),
    typo: "Linear",
    close: "linear",
    message: "anneal_strategy must be one of 'cos' or 'linear', instead got Linear; did you mean 'linear'?",
    far: "foo",
    farMessage: "anneal_strategy must be one of 'cos' or 'linear', instead got foo",
  },
  {
    option: "CyclicLR mode",
    words: CYCLIC_MODES,
    make: (w) => new CyclicLR(sgd(), { base_lr: 0.01, max_lr: 0.1, mode: w as any }),
    typo: "exp-range",
    close: "exp_range",
    message:
      "mode is invalid and scale_fn is None: mode must be one of 'triangular', 'triangular2' or 'exp_range' " +
      "(or give scale_fn), instead got exp-range; did you mean 'exp_range'?",
    far: "square",
    farMessage:
      "mode is invalid and scale_fn is None: mode must be one of 'triangular', 'triangular2' or 'exp_range' " +
      "(or give scale_fn), instead got square",
  },
  {
    option: "CyclicLR scale_mode",
    words: CYCLIC_SCALE_MODES,
    make: (w) => new CyclicLR(sgd(), { base_lr: 0.01, max_lr: 0.1, scale_mode: w as any }),
    typo: "iteration",
    close: "iterations",
    message: "scale_mode must be 'cycle' or 'iterations', but got iteration; did you mean 'iterations'?",
    far: "epoch",
    farMessage: "scale_mode must be 'cycle' or 'iterations', but got epoch",
  },
  {
    option: "ReduceLROnPlateau mode",
    words: PLATEAU_MODES,
    make: (w) => new ReduceLROnPlateau(sgd(), { mode: w as any }),
    typo: "maximize",
    close: "max",
    message: "mode maximize is unknown! (expected 'min' or 'max'; did you mean 'max'?)",
    far: "avg",
    farMessage: "mode avg is unknown! (expected 'min' or 'max')",
  },
  {
    option: "ReduceLROnPlateau threshold_mode",
    words: PLATEAU_THRESHOLD_MODES,
    make: (w) => new ReduceLROnPlateau(sgd(), { threshold_mode: w as any }),
    typo: "relative",
    close: "rel",
    message: "threshold mode relative is unknown! (expected 'rel' or 'abs'; did you mean 'rel'?)",
    far: "pct",
    farMessage: "threshold mode pct is unknown! (expected 'rel' or 'abs')",
  },
];

describe("a misspelt word of a word-valued option", () => {
  for (const c of cases) {
    it(`${c.option}: a ValueError naming the allowed words and the close one`, () => {
      const e = errorOf(() => c.make(c.typo));
      expect(e.name).toBe("ValueError");
      expect(e.message).toBe(c.message);
      for (const w of c.words) expect(e.message).toContain(`'${w}'`);
      expect(e.message).toContain(`did you mean '${c.close}'?`);
    });

    it(`${c.option}: a word close to none keeps PyTorch's message, naming the allowed words`, () => {
      const e = errorOf(() => c.make(c.far));
      expect(e.name).toBe("ValueError");
      expect(e.message).toBe(c.farMessage);
    });

    it(`${c.option}: the exported list is what the constructor accepts`, () => {
      for (const w of c.words) expect(() => c.make(w), w).not.toThrow();
      // not a string at all: named as given, no suggestion
      expect(errorOf(() => c.make(3)).message).not.toMatch(/did you mean/);
    });
  }

  it("a load_state_dict with a misspelt ReduceLROnPlateau mode says the same", () => {
    const s = new ReduceLROnPlateau(sgd());
    const state = { ...s.state_dict(), mode: "mni" };
    expect(errorOf(() => s.load_state_dict(state)).message).toBe("mode mni is unknown! (expected 'min' or 'max'; did you mean 'min'?)");
  });
});
