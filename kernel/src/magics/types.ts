/** What a magic is, and what the kernel gives it to work with. */
import type { OptionSpec, ParsedArgs } from "./parser";
import type { Engine } from "../kernel/engine";
import type { MimeBundle } from "../kernel/mime";

export interface MagicContext {
  engine: Engine;
  /**
   * Runs TypeScript as the rest of the cell would run (type-checked, in the cells' scope).
   * `shown`: what errors quote for its lines when `code` wraps the user's text (the same lines).
   */
  runCode(code: string, shown?: string): Promise<{ hasValue: boolean; value: unknown }>;
  /** Evaluates one TypeScript expression in the cells' scope. */
  evaluate(expr: string): Promise<unknown>;
  /** A display_data (or update_display_data when `update`) of a ready bundle. */
  display(bundle: MimeBundle, options?: { display_id?: string; update?: boolean }): void;
  /** The bundle of a value (its _repr_mimebundle_ or text), displayed. */
  displayValue(value: unknown, options?: { display_id?: string; update?: boolean; live?: boolean }): void;
  /** Text to the cell's stdout. */
  print(text: string): void;
  /** A value shown as the cell's result (execute_result). */
  setResult(value: unknown): void;
  /** The other magics, for %lsmagic and help. */
  magics(): Magic[];
}

export interface Magic {
  name: string;
  kind: "line" | "cell";
  /** One line: how to call it. */
  usage: string;
  /** A paragraph or more: what it does, options, an example. */
  help: string;
  options: OptionSpec[];
  /**
   * The key=value keys it takes: parseArgs rejects any other, naming the close key (or option) and
   * these. Absent: the magic reads its keys itself (a scheduler's, or none at all).
   */
  keys?: readonly string[];
  /**
   * Keys that depend on the line's positional words so far (a scheduler's own arguments): an
   * unknown --option that spells one is told to be written key=value (parser.ts).
   */
  keysOf?(positional: readonly string[]): readonly string[];
  /**
   * Checks a parsed line as it is parsed (parser.ts LineRules): every magic line of a cell is
   * parsed before any part of the cell runs, so a line this rejects runs nothing.
   */
  check?(args: ParsedArgs, usage: string): void;
  /**
   * Checks a parsed line against the cells' variables as they are before the cell runs (after
   * every magic line of the cell is parsed, before any part of it runs: run_cell.ts), for what
   * depends on what a name holds (`%lr_schedule sched --lr 0.1`: sched's scheduler has its own
   * optimizer). A name the cell's code may still define is left to `run`. `user()` as in complete.
   */
  checkScope?(args: ParsedArgs, usage: string, user: () => [string, unknown][]): void;
  /**
   * Runs the magic. `lines` holds the argument lists of consecutive lines of the same line magic
   * when the magic sets `groupLines` (several %lr_schedule lines overlay in one plot).
   */
  run(ctx: MagicContext, args: ParsedArgs, body: string | undefined, lines?: ParsedArgs[]): Promise<void> | void;
  groupLines?: boolean;
  /** The magic takes its argument text as written (positional[0]), e.g. %timeit's statement. */
  raw?: boolean;
  /** A raw magic's argument text is code from this index on (after its own options). */
  codeStart?(args: string): number;
  /**
   * Tab on the magic's line (assist.ts): its words, given the positional and key=value words so
   * far; `user()` lists the user's variables with their values.
   */
  complete?(positional: string[], kv: string[], user: () => [string, unknown][]): readonly string[];
  /**
   * Tab after `key=`: the values, or "user" for the names the user defined. `user()` as in
   * complete, for values that are some of the user's variables (`%lr_find model=`: the modules).
   */
  completeValue?(key: string, positional: string[], user: () => [string, unknown][]): readonly string[] | "user";
  /**
   * Shift-Tab on a word of the magic's line (`index`: its place after the magic's name, from 0):
   * a TypeScript expression whose documentation to show instead of the magic's help (the
   * scheduler's class for `%lr_schedule OneCycleLR`), or null for the magic's help.
   */
  inspectWord?(word: string, index: number): string | null;
  /** TypeScript declarations a cell magic gives its body (completion and quick info see them). */
  bodyDeclarations?: string;
}

export function fullHelp(m: Magic): string {
  const prefix = m.kind === "cell" ? "%%" : "%";
  const opts = m.options.map((o) => `  --${o.name.replace(/_/g, "-")}${o.type === "boolean" ? "" : ` <${o.type}>`}  ${o.help}${o.default !== undefined ? ` (default: ${JSON.stringify(o.default)})` : ""}`);
  return [`${prefix}${m.name}: ${m.usage}`, "", m.help, ...(opts.length ? ["", "Options:", ...opts] : [])].join("\n");
}
