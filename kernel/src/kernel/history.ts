/**
 * Input history of this kernel session, as the history_request of the Jupyter protocol reads it:
 * tail, range and search (glob pattern, as IPython), with or without outputs. Bounded: the oldest
 * entries go once `limit` is reached. Session number 1 is this kernel process; 0 and negative
 * session numbers in a range request mean "the current session" as in IPython.
 */
export interface HistoryEntry {
  line: number;
  input: string;
  output: string | null;
}

export type HistoryRow = [number, number, string] | [number, number, [string, string | null]];

export class History {
  readonly session = 1;
  private entries: HistoryEntry[] = [];
  constructor(readonly limit = 10000) {}

  add(line: number, input: string): void {
    this.entries.push({ line, input, output: null });
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }

  setOutput(line: number, output: string): void {
    let e: HistoryEntry | undefined;
    for (let i = this.entries.length - 1; i >= 0 && !e; i--) if (this.entries[i].line === line) e = this.entries[i];
    if (e) e.output = output;
  }

  private row(e: HistoryEntry, output: boolean): HistoryRow {
    return output ? [this.session, e.line, [e.input, e.output]] : [this.session, e.line, e.input];
  }

  tail(n: number, output = false): HistoryRow[] {
    return this.entries.slice(Math.max(0, this.entries.length - Math.max(0, n))).map((e) => this.row(e, output));
  }

  /** Lines start ≤ line < stop of `session` (stop ≤ 0 or absent: to the end). */
  range(session: number, start: number, stop: number | null, output = false): HistoryRow[] {
    if (session > 0 && session !== this.session) return [];
    return this.entries.filter((e) => e.line >= start && (stop === null || stop <= 0 || e.line < stop)).map((e) => this.row(e, output));
  }

  /** Glob search (`*` any text, `?` one character, `[...]` a set), newest `n` (n ≤ 0: all). */
  search(pattern: string, n: number | null, unique: boolean, output = false): HistoryRow[] {
    const re = globToRegExp(pattern);
    let hits = this.entries.filter((e) => re.test(e.input));
    if (unique) {
      const seen = new Set<string>();
      hits = hits.reverse().filter((e) => (seen.has(e.input) ? false : (seen.add(e.input), true))).reverse();
    }
    if (n !== null && n > 0) hits = hits.slice(-n);
    return hits.map((e) => this.row(e, output));
  }
}

export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*") re += "[\\s\\S]*";
    else if (c === "?") re += "[\\s\\S]";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) { re += "\\["; continue; }
      let set = glob.slice(i + 1, end).replace(/\\/g, "\\\\");
      if (set.startsWith("!")) set = "^" + set.slice(1);
      // A set RegExp refuses (a reversed range, `[z-a]`) matches nothing, as in Python's fnmatch:
      // it made the history_request handler throw, and no reply came.
      try { new RegExp(`[${set}]`); re += `[${set}]`; } catch { re += "(?!)"; }
      i = end;
    } else re += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}
