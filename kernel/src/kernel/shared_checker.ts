/**
 * One TypeScript type checker shared by consecutive cells.
 *
 * tslab builds a program per cell, and a program builds its own checker, which starts from
 * nothing: it merges the globals of ~290 declaration files and resolves again every library type
 * the cell touches (a `for…of` over an array resolves Array's ~40 members and the iterator types).
 * That was ~1/3 of a new cell's compile. But from one cell to the next only two files change,
 * the cell (`__tslab__.ts`) and the previous cells' declarations (`__prev__.d.ts`), and both are
 * modules: their names never enter the global scope the checker built at its start. So the
 * checker built for one cell's program is handed to the next program (tslab_typescript.ts's
 * `checker` hook), its host switched to the new program, when:
 *
 * - every other file of the new program is the same parsed file as in the checker's program, in
 *   the same order, and the compiler options are the same object;
 * - the changed files are the two cell files, and each is a module with no augmentation
 *   (`declare global`, `declare module "x"`), no `export as namespace`, no pattern module:
 *   nothing a checker takes in at its start only;
 * - the checker has reported nothing: no global diagnostic, and no diagnostic for any cell
 *   (a cell with errors retires it; the next cell starts a new one);
 * - it has served fewer than MAX_USES cells, whose cell files add up to less than MAX_TEXT
 *   characters (what it keeps of old cells is then let go).
 *
 * A checker keeps its diagnostics by file name, so anything another cell's file left under
 * `__tslab__.ts` (a completion request checks the cell being typed) would be returned with the
 * new cell's diagnostics, or would hide an identical one. When a shared checker returns any
 * diagnostic that is not the new file's own, the file is checked again by a new checker, whose
 * answer is taken.
 *
 * Under npm test (LRLAB_CHECK_SHARED_CHECKER=1, set by scripts/test.mjs) every convert() that a
 * shared checker served is done again by a converter whose programs get their own checkers, and
 * the two results must be equal (engine_tslab.ts `createConverter`). LRLAB_SHARED_CHECKER=0 turns
 * sharing off.
 */
type TS = any;

const CELL_FILE = /(^|\/)(__tslab__\.ts|__prev__\.d\.ts)$/;
const MAX_USES = 100;
/**
 * What a checker keeps of old cells grows with their text: the previous cells' declarations are a
 * file of every name declared so far, parsed anew whenever a cell declares something (132 KB
 * after 2000 names), and a shared checker holds on to what it worked out for each version it met.
 * So it also retires once the cell files it has been handed add up to this many characters.
 * Measured (2000 cells of two declarations each, then 60 new typed cells, heap after a full GC):
 * 619 MB with MAX_USES alone, 163 MB with this budget, 152 MB with no sharing.
 */
const MAX_TEXT = 300_000;

interface Shared {
  /** The checker answering now (replaced when a check has to be redone). */
  checker: TS;
  create: (host: TS) => TS;
  /** The program the checker serves now; `host` forwards every query to it. */
  target: TS;
  host: TS;
  /** What the program handed to the checker is made of (files in order, options). */
  files: readonly TS[];
  options: TS;
  /** Programs served beyond the first, and the characters of the cell files they brought. */
  uses: number;
  text: number;
  retired: boolean;
  /** What programs receive as their checker: the checker, with diagnostics watched. */
  view: TS;
}

let current: Shared | null = null;
let off = 0;

/** Counts since the kernel started: checkers built, programs served by a shared one, checks redone. */
export const sharedCheckerStats = { created: 0, shared: 0, redone: 0 };

/** Whether the checker of the cell program built last was a shared one (engine_tslab's check mode). */
export let lastProgramShared = false;

/** Runs `f` with every program getting its own checker. */
export function withoutSharing<T>(f: () => T): T {
  off++;
  try {
    return f();
  } finally {
    off--;
  }
}

/** The `checker` hook of tslab_typescript.ts. */
export function checkerFor(ts: TS, program: TS, create: (host: TS) => TS): TS {
  // Other programs (a module's CommonJS transpile, a parse of the library's docs) are left alone.
  if (!program.getRootFileNames().some((f: string) => CELL_FILE.test(f))) return create(program);
  if (off > 0 || process.env.LRLAB_SHARED_CHECKER === "0") {
    lastProgramShared = false;
    return create(program);
  }
  const s = current;
  const added = s && !s.retired && s.uses < MAX_USES && s.text < MAX_TEXT ? changedText(ts, s, program) : -1;
  if (s && added >= 0) {
    s.text += added;
    s.target = program;
    s.files = program.getSourceFiles().slice();
    s.uses++;
    sharedCheckerStats.shared++;
    lastProgramShared = true;
    return s.view;
  }
  current = start(ts, program, create);
  lastProgramShared = false;
  return current.view;
}

function start(ts: TS, program: TS, create: (host: TS) => TS): Shared {
  const files: readonly TS[] = program.getSourceFiles().slice();
  const s = {
    create, target: program, files, options: program.getCompilerOptions(), uses: 0, text: 0,
    // A checker took in its cell files' augmentations at its start: never handed on.
    retired: files.some((f) => CELL_FILE.test(f.fileName) && !plainModule(ts, f, program.getCompilerOptions())),
  } as Shared;
  // The checker keeps its host: a stand-in that always answers for the program served now.
  s.host = new Proxy({}, { get: (_, k) => s.target[k], has: (_, k) => k in s.target });
  s.checker = create(s.host);
  sharedCheckerStats.created++;
  const getDiagnostics = (sourceFile: TS, token: TS): TS[] => {
    let d: TS[];
    try {
      d = s.checker.getDiagnostics(sourceFile, token);
    } catch (e) {
      // a check stopped half-way (an interrupt: decl_diagnostics.ts) leaves the checker's caches
      // and resolution stacks as they were then: never handed on
      s.retired = true;
      throw e;
    }
    if (sourceFile && s.uses > 0 && d.some((x) => x.file && x.file !== sourceFile)) {
      // Another cell's diagnostics under this file's name: check the file with a new checker.
      s.checker = s.create(s.host);
      s.files = s.target.getSourceFiles().slice();
      sharedCheckerStats.created++;
      sharedCheckerStats.redone++;
      d = s.checker.getDiagnostics(sourceFile, token);
    }
    if (d.length > 0 || !sourceFile) s.retired = true;
    return d;
  };
  const getGlobalDiagnostics = (): TS[] => {
    const d: TS[] = s.checker.getGlobalDiagnostics();
    if (d.length > 0) s.retired = true;
    return d;
  };
  s.view = new Proxy({}, {
    get: (_, k) => (k === "getDiagnostics" ? getDiagnostics : k === "getGlobalDiagnostics" ? getGlobalDiagnostics : s.checker[k]),
  });
  return s;
}

/**
 * The characters of the cell files `program` has in place of the checker's program's, or -1 when
 * it differs in anything a shared checker cannot take (header).
 */
function changedText(ts: TS, s: Shared, program: TS): number {
  if (program.getCompilerOptions() !== s.options) return -1;
  const files = program.getSourceFiles();
  if (files.length !== s.files.length) return -1;
  let text = 0;
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    if (f === s.files[i]) continue;
    if (f.fileName !== s.files[i].fileName || !CELL_FILE.test(f.fileName) || !plainModule(ts, f, s.options)) return -1;
    text += f.text.length;
  }
  return text;
}

/** A module with nothing that a checker takes in at its start only (header). Binds `f`. */
function plainModule(ts: TS, f: TS, options: TS): boolean {
  if (!f.locals) ts.bindSourceFile(f, options);
  return ts.isExternalModule(f) && !f.moduleAugmentations?.length && !f.patternAmbientModules?.length
    && !f.symbol?.globalExports && !f.jsGlobalAugmentations;
}

/**
 * The check mode's view of types printed in declarations and messages: the members of every
 * union and intersection in sorted order. A checker orders a union's members by when it first
 * met each type, so a shared checker that met `1` in an earlier cell prints `1 | "s"` where a new
 * one prints `"s" | 1` (the same type; TypeScript's own language service, one checker for a whole
 * editing session, does the same). Anything else that differs still fails the check.
 */
export function withSortedUnions(ts: TS, text: string, kind: "declarations" | "message"): string {
  if (kind === "message") {
    return text.replace(/'([^'\n]+)'/g, (whole, type: string) => {
      const alias = withSortedUnions(ts, `type T = ${type};`, "declarations");
      const m = /^type T = ([^]*);\n?$/.exec(alias);
      return m ? `'${m[1]}'` : whole;
    });
  }
  const sf = ts.createSourceFile("check.d.ts", text, ts.ScriptTarget.Latest, true);
  if (sf.parseDiagnostics?.length) return text;
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
  const sorted = ts.transform(sf, [(ctx: TS) => (root: TS) => {
    const visit = (n: TS): TS => {
      n = ts.visitEachChild(n, visit, ctx);
      if (!ts.isUnionTypeNode(n) && !ts.isIntersectionTypeNode(n)) return n;
      const key = (t: TS) => printer.printNode(ts.EmitHint.Unspecified, t, sf);
      const types = [...n.types].sort((a: TS, b: TS) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
      return ts.isUnionTypeNode(n) ? ctx.factory.updateUnionTypeNode(n, ctx.factory.createNodeArray(types))
        : ctx.factory.updateIntersectionTypeNode(n, ctx.factory.createNodeArray(types));
    };
    return ts.visitNode(root, visit);
  }]);
  return printer.printFile(sorted.transformed[0]);
}
