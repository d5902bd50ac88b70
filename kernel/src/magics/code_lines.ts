/**
 * Where each line of a cell starts, for TypeScript: inside a template literal, a block comment or
 * a string continued with a backslash (then a `%` at its start is text, not a magic), and how
 * deeply nested in brackets ({, ( and [): a line magic goes at the top level of a cell, and a
 * `%name` line inside a function body is either the remainder operator or a misplaced magic.
 *
 * Why a lexer of our own rather than TypeScript's parser: the cell is not TypeScript until its
 * magic lines are taken out, and which lines those are is what is being decided; a parse of the
 * whole cell reads `%lr_schedule StepLR` after `x = 1` as `x = 1 % lr_schedule`, and a quote or
 * backtick in a magic's options would throw everything after it off. So lines are fed one at a
 * time, and a line found to be a magic is never fed (`skip`).
 *
 * It knows as much of the syntax as the question needs: comments, the three kinds of quotes,
 * template literals with `${...}` nested to any depth, brackets, and regular expression literals,
 * told from divisions by the token before the slash (as every JavaScript tokenizer that runs
 * without a parser does: a slash after a value is a division, elsewhere it starts a regular
 * expression). A line it misreads is then treated as code, which is what it was before.
 */

/** The state at the start of a line. */
export interface LineStart {
  /** Inside a template literal, a block comment or a backslash-continued string. */
  quoted: boolean;
  /** Open brackets ({, ( and [) around the line, those of `${...}` included. */
  depth: number;
}

/** Keywords after which a slash starts a regular expression (`return /x/`), not a division. */
const REGEX_AFTER_WORD = new Set(["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await"]);

export class CodeLines {
  /** Open brackets: a char per level; "$" is a `${` whose `}` returns to its template literal. */
  private stack: string[] = [];
  private inTemplate = false;
  private inComment = false;
  /** An open '...' or "..." string continued by a backslash at the end of the last line. */
  private inString: string | null = null;
  /** Whether a slash here would start a regular expression (no value before it). */
  private regexOk = true;

  /** The state at the start of the next line. */
  get start(): LineStart {
    return { quoted: this.inTemplate || this.inComment || this.inString !== null, depth: this.stack.length };
  }

  /** Reads one line (without its newline) as TypeScript. */
  feed(line: string): void {
    const n = line.length;
    let i = 0;
    while (i < n) {
      if (this.inComment) {
        const end = line.indexOf("*/", i);
        if (end < 0) return;
        this.inComment = false;
        i = end + 2;
        continue;
      }
      if (this.inString !== null) {
        i = this.stringEnd(line, i, this.inString);
        continue;
      }
      if (this.inTemplate) {
        i = this.templateText(line, i);
        continue;
      }
      const c = line[i];
      if (c === " " || c === "\t" || c === "\r") {
        i++;
        continue;
      }
      if (c === "/" && line[i + 1] === "/") return;
      if (c === "/" && line[i + 1] === "*") {
        this.inComment = true;
        i += 2;
        continue;
      }
      if (c === "'" || c === '"') {
        this.inString = c;
        i = this.stringEnd(line, i + 1, c);
        this.regexOk = false;
        continue;
      }
      if (c === "`") {
        this.inTemplate = true;
        i++;
        continue;
      }
      if (c === "/" && this.regexOk) {
        i = regexEnd(line, i + 1);
        this.regexOk = false;
        continue;
      }
      if (c === "{" || c === "(" || c === "[") {
        this.stack.push(c);
        this.regexOk = true;
        i++;
        continue;
      }
      if (c === "}" || c === ")" || c === "]") {
        const open = this.stack.pop();
        if (open === "$") this.inTemplate = true; // back in the template literal after `${...}`
        this.regexOk = c === "}" && open === "{"; // after a block, a slash starts an expression
        if (open === "$") this.regexOk = false;
        i++;
        continue;
      }
      if (/[A-Za-z_$\d]/.test(c) || c.charCodeAt(0) > 127) {
        let j = i + 1;
        while (j < n && (/[\w$]/.test(line[j]) || line.charCodeAt(j) > 127)) j++;
        const word = line.slice(i, j);
        this.regexOk = REGEX_AFTER_WORD.has(word);
        i = j;
        continue;
      }
      if ((c === "+" || c === "-") && line[i + 1] === c) {
        // ++ / --: after a value (postfix) a slash still divides, before one (prefix) it starts a
        // regular expression's operand: either way what held before holds
        i += 2;
        continue;
      }
      this.regexOk = true; // after an operator or punctuation a slash starts a regular expression
      i++;
    }
    // a string may only continue past the line's end after a backslash (handled in stringEnd)
  }

  /** From `i` inside a quoted string: the index after its closing quote, or the line's end. */
  private stringEnd(line: string, i: number, quote: string): number {
    while (i < line.length) {
      const c = line[i];
      if (c === "\\") {
        if (i + 1 >= line.length) return line.length; // continued on the next line
        i += 2;
        continue;
      }
      if (c === quote) {
        this.inString = null;
        return i + 1;
      }
      i++;
    }
    this.inString = null; // an unterminated string ends at the line's end (TypeScript's error)
    return i;
  }

  /** From `i` inside a template literal's text: the index after its end or `${`, or the line's end. */
  private templateText(line: string, i: number): number {
    while (i < line.length) {
      const c = line[i];
      if (c === "\\") {
        i += 2;
        continue;
      }
      if (c === "`") {
        this.inTemplate = false;
        this.regexOk = false;
        return i + 1;
      }
      if (c === "$" && line[i + 1] === "{") {
        this.inTemplate = false;
        this.stack.push("$");
        this.regexOk = true;
        return i + 2;
      }
      i++;
    }
    return i;
  }
}

/** From `i` inside a regular expression literal: the index after its flags (or the line's end). */
function regexEnd(line: string, i: number): number {
  let inClass = false;
  while (i < line.length) {
    const c = line[i];
    if (c === "\\") {
      i += 2;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "/" && !inClass) {
      i++;
      while (i < line.length && /[a-z]/i.test(line[i])) i++;
      return i;
    }
    i++;
  }
  return i;
}
