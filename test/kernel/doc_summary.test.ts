/**
 * docSummary (module_docs.ts): the one line Shift-Tab shows beside an option's key.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DIST } from "./dist";

const { docSummary } = createRequire(__filename)(join(DIST, "kernel/module_docs.js")) as typeof import("../../kernel/src/kernel/module_docs");

describe("docSummary", () => {
  it("is the first sentence, on one line", () => {
    expect(docSummary("Learning rate γ;\n   default 1e-3. Any float > 0.")).toBe("Learning rate γ; default 1e-3.");
    expect(docSummary("No period at all")).toBe("No period at all");
    expect(docSummary("")).toBe("");
  });
  it("adds a later sentence that gives the default", () => {
    expect(docSummary("Starting lr of the fresh optimizer (factory form). Default 0.1.")).toBe("Starting lr of the fresh optimizer (factory form). Default 0.1.");
    expect(docSummary("Name in plots. Shown in legends. Default: the scheduler's class name.")).toBe("Name in plots. Default: the scheduler's class name.");
  });
  it("does not end a sentence at e.g., i.e., cf. or vs.", () => {
    expect(docSummary("Extra options, e.g. { momentum: 0.9 } or { betas: [0.9, 0.99] }. More."))
      .toBe("Extra options, e.g. { momentum: 0.9 } or { betas: [0.9, 0.99] }.");
    expect(docSummary("The rate (i.e. lr/B). Then.")).toBe("The rate (i.e. lr/B).");
  });
});
