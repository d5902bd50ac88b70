/**
 * Shift-Tab's fallback docs (module_docs.ts) read the library's declarations through the cells'
 * own program, which already holds them parsed and bound, rather than building a program of
 * their own (on first use that took 0.6 s: every declaration file parsed and bound again). Both
 * ways must give the same docs; the cells' program must be the one used once a cell has run.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { DIST, Engine, latestProgram, makePrelude, moduleDoc } from "./dist";

const NAMES = ["torch.optim.Adam", "torch.nn.Linear", "torch.nn.functional.cross_entropy", "lrlab.trace", "torch.optim.lr_scheduler.OneCycleLR", "torch.no_such_name"];

describe("module docs", () => {
  it("come from the cells' program once a cell has run, the same as from a program of their own", () => {
    const engine = new Engine(makePrelude(DIST, false), tmpdir());
    engine.run("const x: number = 1;\nx");
    const program = latestProgram();
    expect(program, "the converter records the program it built").toBeTruthy();
    // the condition under which moduleDoc uses it: the prelude's roots are in it
    for (const root of ["index.d.ts", "tools.d.ts"]) expect(program.getSourceFile(join(DIST, root)), root).toBeTruthy();
    const own = NAMES.map((n) => moduleDoc(n, DIST, null));
    const cells = NAMES.map((n) => moduleDoc(n, DIST, program));
    expect(cells).toEqual(own);
    expect(own[0]).toMatch(/Kingma & Ba/);
    expect(own.at(-1)).toBeNull();
    // a program without the library (another folder's): the docs' own program answers
    expect(moduleDoc("torch.optim.Adam", DIST, { getSourceFile: () => undefined })).toBe(own[0]);
  }, 60_000);

  it("come from the cells' program holding lrlab's declaration bundle, the same (dts_bundle.ts)", () => {
    const prelude = makePrelude(DIST);
    expect(prelude.typeRoot, "setup wrote the bundle").toBeDefined();
    const engine = new Engine(prelude, tmpdir());
    engine.run("const x: number = 1;\nx");
    const program = latestProgram();
    // the roots are the bundle's modules, not dist's files
    expect(program.getSourceFile(join(DIST, "index.d.ts"))).toBeUndefined();
    const names = [...NAMES, "torch", "lrlab", "torch.no_grad", "torch.randn", "torch.nn", "torch.optim.lr_scheduler"];
    const own = names.map((n) => moduleDoc(n, DIST, null));
    expect(names.map((n) => moduleDoc(n, DIST, program))).toEqual(own);
    // (the bundle's first module loses its header in tsc's bundle: read from its own file)
    expect(moduleDoc("torch.no_grad", DIST, program)).toMatch(/^Grad mode: whether ops record the autograd graph/);
    // read through the cells' program: a folder holding only the declaring file's header answers
    const only = mkdtempSync(join(tmpdir(), "lrlab-docs-"));
    try {
      mkdirSync(join(only, "optim"));
      copyFileSync(join(DIST, "optim", "adam.d.ts"), join(only, "optim", "adam.d.ts"));
      expect(moduleDoc("torch.optim.Adam", only, program)).toBe(own[0]);
    } finally {
      rmSync(only, { recursive: true, force: true });
    }
  }, 60_000);
});
