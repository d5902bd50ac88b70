/**
 * A cell's declaration diagnostics from its emit, instead of a declaration transform of their own.
 *
 * Why: tslab's convert() asks for the cell's pre-emit diagnostics (syntax, semantics, and,
 * because it emits declarations, the declaration diagnostics), then emits the cell's JavaScript
 * and declarations. TypeScript computes declaration diagnostics by running the declaration
 * transform over the file, and the emit runs that same transform again to write the .d.ts:
 * ~0.35-0.45 ms of a new cell's compile spent twice. Declaration diagnostics are rare (a
 * declared name whose type cannot be written, TS4xxx/TS9xxx), so the cell is emitted first and
 * the transform's diagnostics are read from the emit's result.
 *
 * Same results as tslab: the emit adds to its result's diagnostics what the declaration
 * transform reports on the file, the transform that getDeclarationDiagnostics runs; whenever the
 * emit reports anything, or a diagnostic stops the cell before its emit, the diagnostics are
 * computed tslab's way (the full sorted list) and the cell ends as tslab's convert() ends it.
 * Only a cell without local-module dependencies is deferred (those are emitted and marked
 * converted in the same loop). Under `npm test` (LRLAB_CHECK_DECL_DIAGNOSTICS=1) every deferred
 * cell's declaration diagnostics are also computed tslab's way and must be the emit's.
 */
import { sigintPending } from "./sigint";

type TS = any;

/**
 * Cells from this many characters get the token: their check can take long enough to interrupt
 * (3000 one-line functions, ~200 KB: 1.3 s). A usual cell checks in milliseconds, and its request
 * ends with the interrupt anyway (engine.ts takes the pending SIGINT before running it); it is
 * left the path it had, so the token costs the common cell nothing, not even a call per function.
 */
const INTERRUPTIBLE_CHECK_CHARS = 20_000;

/**
 * A cancellation token for the cell's type check: an interrupt that comes while a large cell is
 * checked (seconds for thousands of functions) ends the check there instead of after it.
 * TypeScript asks it at every function, class, interface and namespace it checks, and throws its
 * OperationCanceledException; engine.ts turns that into the cell's KeyboardInterrupt, and the
 * program (shared_checker.ts too) drops the checker the exception left half-way.
 */
function interruptToken(ts: TS): TS {
  return {
    isCancellationRequested: sigintPending,
    throwIfCancellationRequested(): void {
      if (sigintPending()) throw new ts.OperationCanceledException();
    },
  };
}

/** Cells whose declaration diagnostics came from their emit, and those of them whose emit reported some. */
export const counts = { deferred: 0, emitReported: 0 };

export interface PreEmit {
  /** What tslab reads as the pre-emit diagnostics (all but the declaration ones when deferred). */
  diagnostics: TS[];
  /** The declaration diagnostics come from the emit (afterEmit says whether it reported any). */
  deferred: boolean;
  /** After the emit: did it report diagnostics (then tslab's full list decides)? */
  emitReported(): boolean;
}

/**
 * The cell's pre-emit diagnostics as tslab's getPreEmitDiagnosticsWithDependencies computes
 * them, but without the declaration diagnostics of a cell that has no local-module dependencies.
 */
export function beforeEmit(
  ts: TS,
  builder: TS,
  srcFile: TS,
  dependencies: (builder: TS, sf: TS) => string[],
  tslabPreEmit: (builder: TS, sf: TS) => TS[],
): PreEmit {
  const program = builder.getProgram();
  const deps = dependencies(builder, srcFile);
  const deferrable = process.env.LRLAB_DECL_DIAGNOSTICS_FROM_EMIT !== "0"
    && ts.getEmitDeclarations(program.getCompilerOptions())
    && !srcFile.isDeclarationFile && !ts.isSourceFileJS(srcFile)
    && deps.length === 1 && deps[0] === srcFile.fileName;
  if (!deferrable) return { diagnostics: tslabPreEmit(builder, srcFile), deferred: false, emitReported: () => false };
  const diagnostics = ts.sortAndDeduplicateDiagnostics([
    ...program.getConfigFileParsingDiagnostics(),
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(srcFile),
    ...program.getSemanticDiagnostics(srcFile, srcFile.text.length >= INTERRUPTIBLE_CHECK_CHARS ? interruptToken(ts) : undefined),
  ]);
  let reported: TS[] | null = null;
  const emit = builder.emit;
  builder.emit = (...args: TS[]) => {
    builder.emit = emit;
    const result = emit.apply(builder, args);
    reported = result.diagnostics ?? [];
    counts.deferred++;
    if (reported!.length > 0) counts.emitReported++;
    if (process.env.LRLAB_CHECK_DECL_DIAGNOSTICS === "1") checkSame(ts, program, srcFile, reported!);
    return result;
  };
  return { diagnostics, deferred: true, emitReported: () => reported === null || reported.length > 0 };
}

/** Check mode: the emit reported the declaration diagnostics tslab's way finds, no more, no fewer. */
function checkSame(ts: TS, program: TS, srcFile: TS, fromEmit: TS[]): void {
  const key = (d: TS) => `${d.file?.fileName}:${d.start}:${d.length}:${d.code}:${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  const a = fromEmit.map(key).sort().join("\n");
  const b = program.getDeclarationDiagnostics(srcFile).map(key).sort().join("\n");
  if (a === b) return;
  throw new Error(
    "lrlab internal error: the declaration diagnostics of this cell's emit differ from TypeScript's "
    + `getDeclarationDiagnostics (decl_diagnostics.ts).\n--- cell ---\n${srcFile.text}\n--- emit ---\n${a}\n--- getDeclarationDiagnostics ---\n${b}`,
  );
}
