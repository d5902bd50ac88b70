/**
 * Shift-Tab's fallback docs (module_docs.ts) read the library's declarations through the cells'
 * own program, which already holds them parsed and bound, rather than building a program of
 * their own (on first use that took 0.6 s: every declaration file parsed and bound again). Both
 * ways must give the same docs; the cells' program must be the one used once a cell has run.
 */
import { join } from "node:path";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { DIST, Engine, latestProgram, makePrelude, moduleDoc } from "./dist";

const NAMES = ["torch.optim.Adam", "torch.nn.Linear", "torch.nn.functional.cross_entropy", "lrlab.trace", "torch.optim.lr_scheduler.OneCycleLR", "torch.no_such_name"];

describe("module docs", () => {
  it("come from the cells' program once a cell has run, the same as from a program of their own", () => {
    const engine = new Engine(makePrelude(DIST), tmpdir());
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
});
