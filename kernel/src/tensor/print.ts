/**
 * Printing exactly as PyTorch's `repr(tensor)` with the default print options (precision 4,
 * threshold 1000, edgeitems 3, linewidth 80), following torch/_tensor_str.py's rules:
 *
 * - One formatter for the whole tensor (over the summarised data when numel > threshold). For
 *   floats it looks at the nonzero finite values: if all are integers ("int mode") they print as
 *   `1.`; scientific notation is used when max|x| / min|x| > 1000, max|x| > 1e8 or min|x| < 1e-4
 *   (or as `sci_mode` forces); otherwise fixed with 4 decimals. Every element is right-aligned to
 *   the widest formatted nonzero finite value.
 * - 1-D rows wrap so that each line holds floor((80 - indent) / (width + 2)) elements; nested dims
 *   join with "," plus (dim - 1) newlines and indent + 1 spaces. Summaries keep 3 items per end.
 * - Suffixes: dtype when not the default float / int64 / bool, grad_fn=<Name> or
 *   requires_grad=True, each put on a new line when the current line would pass 80 columns.
 *
 * Numbers are formatted from their exact binary value with round-half-to-even, as Python's
 * `format` does (JS's toFixed rounds ties away from zero), using an exact BigInt decimal expansion.
 */
import type { Tensor } from "./tensor";
import { get_default_dtype } from "./dtype";

export interface PrintOptions {
  precision: number;
  threshold: number;
  edgeitems: number;
  linewidth: number;
  sci_mode: boolean | null;
}

const PRINT_OPTS: PrintOptions = { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sci_mode: null };

/** torch.set_printoptions({ precision, threshold, edgeitems, linewidth, sci_mode, profile }). */
export function set_printoptions(options: Partial<PrintOptions> & { profile?: "default" | "short" | "full" } = {}): void {
  if (options.profile === "default") Object.assign(PRINT_OPTS, { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 });
  else if (options.profile === "short") Object.assign(PRINT_OPTS, { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 });
  else if (options.profile === "full") Object.assign(PRINT_OPTS, { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 });
  for (const k of ["precision", "threshold", "edgeitems", "linewidth"] as const) {
    const v = options[k];
    if (v === undefined) continue;
    if (typeof v !== "number" || v < 0 || (k !== "threshold" && !Number.isInteger(v))) {
      throw new RangeError(`set_printoptions(): ${k} must be a non-negative integer, got ${v}`);
    }
    PRINT_OPTS[k] = v;
  }
  if (options.sci_mode !== undefined) PRINT_OPTS.sci_mode = options.sci_mode;
}

export function get_printoptions(): PrintOptions {
  return { ...PRINT_OPTS };
}

/** Exact decimal digits of |x| (finite): x = 0.DIGITS * 10^point, i.e. digits with the point after `point` digits. */
function exact_digits(x: number): { digits: string; point: number } {
  const a = Math.abs(x);
  if (a === 0) return { digits: "0", point: 1 };
  // Decompose a = m * 2^e with integer m (53 bits).
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, a);
  const hi = buf.getUint32(0);
  const lo = buf.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (bexp === 0) e = -1074;
  else {
    m |= 1n << 52n;
    e = bexp - 1075;
  }
  if (e >= 0) {
    const s = (m << BigInt(e)).toString();
    return { digits: s, point: s.length };
  }
  // m / 2^k = m * 5^k / 10^k
  const k = -e;
  const s = (m * 5n ** BigInt(k)).toString();
  return { digits: s, point: s.length - k };
}

/** Rounds a digit string to keep `keep` digits (half to even on the exact tail); may carry. */
function round_digits(digits: string, point: number, keep: number): { digits: string; point: number } {
  if (keep < 0) return { digits: "0", point: point - keep };
  if (digits.length <= keep) return { digits: digits.padEnd(keep, "0"), point };
  let head = digits.slice(0, keep);
  const next = digits.charCodeAt(keep) - 48;
  const rest_nonzero = /[1-9]/.test(digits.slice(keep + 1));
  const last = keep > 0 ? digits.charCodeAt(keep - 1) - 48 : 0;
  const up = next > 5 || (next === 5 && (rest_nonzero || last % 2 === 1));
  if (up) {
    const arr = head.split("").map((c) => c.charCodeAt(0) - 48);
    let i = arr.length - 1;
    while (i >= 0) {
      if (arr[i] === 9) {
        arr[i] = 0;
        i--;
      } else {
        arr[i]++;
        break;
      }
    }
    head = arr.join("");
    if (i < 0) {
      head = "1" + head;
      point++;
    }
  }
  return { digits: head, point };
}

function special(x: number): string | null {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return null;
}

function sign_of(x: number): string {
  return x < 0 || Object.is(x, -0) ? "-" : "";
}

/** Python's `format(x, ".{p}f")`. */
export function format_fixed(x: number, p: number): string {
  const sp = special(x);
  if (sp !== null) return sp;
  const { digits, point } = exact_digits(x);
  // keep the digits up to p places after the point
  const r = round_digits(digits, point, point + p);
  let d = r.digits;
  let pt = r.point;
  if (pt <= 0) {
    d = "0".repeat(1 - pt) + d;
    pt = 1;
  }
  d = d.padEnd(pt + p, "0");
  const int = d.slice(0, pt).replace(/^0+(?=\d)/, "");
  const frac = d.slice(pt, pt + p);
  return sign_of(x) + (p > 0 ? `${int}.${frac}` : int);
}

/** Python's `format(x, ".{p}e")`: mantissa with p decimals, exponent with sign and >= 2 digits. */
export function format_sci(x: number, p: number): string {
  const sp = special(x);
  if (sp !== null) return sp;
  if (x === 0) return `${sign_of(x)}${p > 0 ? "0." + "0".repeat(p) : "0"}e+00`;
  let { digits, point } = exact_digits(x);
  const lead = digits.search(/[1-9]/);
  digits = digits.slice(lead);
  point -= lead;
  const r = round_digits(digits, point, p + 1);
  const exp = r.point - 1;
  const mant = p > 0 ? `${r.digits[0]}.${r.digits.slice(1, p + 1)}` : r.digits[0];
  const es = Math.abs(exp).toString().padStart(2, "0");
  return `${sign_of(x)}${mant}e${exp < 0 ? "-" : "+"}${es}`;
}

/** Python's str() of an int64 value, or True/False. */
function int_str(v: number, dtype: string): string {
  if (dtype === "bool") return v !== 0 ? "True" : "False";
  return Object.is(v, -0) ? "0" : String(v);
}

class Formatter {
  floating: boolean;
  int_mode = true;
  sci_mode = false;
  max_width = 1;
  dtype: string;

  constructor(values: ArrayLike<number>, dtype: string) {
    this.dtype = dtype;
    this.floating = dtype === "float32" || dtype === "float64";
    const p = PRINT_OPTS.precision;
    if (!this.floating) {
      for (let i = 0; i < values.length; i++) this.max_width = Math.max(this.max_width, int_str(values[i], dtype).length);
    } else {
      const nz: number[] = [];
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (Number.isFinite(v) && v !== 0) nz.push(v);
      }
      if (nz.length > 0) {
        let mn = Infinity;
        let mx = 0;
        for (const v of nz) {
          const a = Math.abs(v);
          if (a < mn) mn = a;
          if (a > mx) mx = a;
          if (v !== Math.ceil(v)) this.int_mode = false;
        }
        // The print option, when set, overrides the automatic choice (before the widths are measured).
        this.sci_mode = PRINT_OPTS.sci_mode ?? (mx / mn > 1000 || mx > 1e8 || mn < 1e-4);
        if (this.sci_mode) {
          for (const v of nz) this.max_width = Math.max(this.max_width, format_sci(v, p).length);
        } else if (this.int_mode) {
          for (const v of nz) this.max_width = Math.max(this.max_width, format_fixed(v, 0).length + 1);
        } else {
          for (const v of nz) this.max_width = Math.max(this.max_width, format_fixed(v, p).length);
        }
      }
    }
  }

  format(v: number): string {
    let s: string;
    if (this.floating) {
      if (this.sci_mode) s = format_sci(v, PRINT_OPTS.precision);
      else if (this.int_mode) {
        s = format_fixed(v, 0);
        if (Number.isFinite(v)) s += ".";
      } else s = format_fixed(v, PRINT_OPTS.precision);
    } else s = int_str(v, this.dtype);
    return s.length < this.max_width ? " ".repeat(this.max_width - s.length) + s : s;
  }
}

/** A lightweight view of a sub-block of the tensor: contiguous from `off`, of `shape`. */
interface Block {
  data: ArrayLike<number>;
  off: number;
  shape: number[];
}

function sub(b: Block, i: number): Block {
  let n = 1;
  for (let k = 1; k < b.shape.length; k++) n *= b.shape[k];
  return { data: b.data, off: b.off + i * n, shape: b.shape.slice(1) };
}

/** The values the formatter looks at when summarising (edge items of every dim). */
function summarized_values(b: Block, out: number[]): void {
  const e = PRINT_OPTS.edgeitems;
  if (b.shape.length === 0) {
    out.push(b.data[b.off]);
    return;
  }
  const n = b.shape[0];
  const idx: number[] = [];
  if (n > 2 * e) {
    for (let i = 0; i < e; i++) idx.push(i);
    for (let i = n - e; i < n; i++) idx.push(i);
  } else for (let i = 0; i < n; i++) idx.push(i);
  if (b.shape.length === 1) for (const i of idx) out.push(b.data[b.off + i]);
  else for (const i of idx) summarized_values(sub(b, i), out);
}

function vector_str(b: Block, indent: number, summarize: boolean, f: Formatter): string {
  const e = PRINT_OPTS.edgeitems;
  const element_length = f.max_width + 2;
  const per_line = Math.max(1, Math.floor((PRINT_OPTS.linewidth - indent) / element_length));
  const n = b.shape[0];
  let data: string[];
  if (summarize && e === 0) data = ["..."];
  else if (summarize && n > 2 * e) {
    data = [];
    for (let i = 0; i < e; i++) data.push(f.format(b.data[b.off + i]));
    data.push(" ...");
    for (let i = n - e; i < n; i++) data.push(f.format(b.data[b.off + i]));
  } else {
    data = [];
    for (let i = 0; i < n; i++) data.push(f.format(b.data[b.off + i]));
  }
  const lines: string[] = [];
  for (let i = 0; i < data.length; i += per_line) lines.push(data.slice(i, i + per_line).join(", "));
  return "[" + lines.join(",\n" + " ".repeat(indent + 1)) + "]";
}

function block_str(b: Block, indent: number, summarize: boolean, f: Formatter): string {
  const dim = b.shape.length;
  if (dim === 0) return f.format(b.data[b.off]);
  if (dim === 1) return vector_str(b, indent, summarize, f);
  const e = PRINT_OPTS.edgeitems;
  const n = b.shape[0];
  const slices: string[] = [];
  if (summarize && n > 2 * e) {
    for (let i = 0; i < e; i++) slices.push(block_str(sub(b, i), indent + 1, summarize, f));
    slices.push("...");
    for (let i = n - e; i < n; i++) slices.push(block_str(sub(b, i), indent + 1, summarize, f));
  } else for (let i = 0; i < n; i++) slices.push(block_str(sub(b, i), indent + 1, summarize, f));
  return "[" + slices.join("," + "\n".repeat(dim - 1) + " ".repeat(indent + 1)) + "]";
}

/** The bracketed contents, as torch's _tensor_str. */
export function tensor_str(t: Tensor, indent: number): string {
  if (t.data.length === 0) return "[]";
  const summarize = t.data.length > PRINT_OPTS.threshold;
  const b: Block = { data: t.data, off: 0, shape: [...t.shape] };
  let values: ArrayLike<number> = t.data;
  if (summarize) {
    const v: number[] = [];
    summarized_values(b, v);
    values = v;
  }
  return block_str(b, indent, summarize, new Formatter(values, t.dtype));
}

function add_suffixes(s: string, suffixes: string[], indent: number): string {
  const parts = [s];
  let last_line_len = s.length - s.lastIndexOf("\n") + 1;
  for (const suffix of suffixes) {
    if (last_line_len + suffix.length + 2 > PRINT_OPTS.linewidth) {
      parts.push(",\n" + " ".repeat(indent) + suffix);
      last_line_len = indent + suffix.length;
    } else {
      parts.push(", " + suffix);
      last_line_len += suffix.length + 2;
    }
  }
  parts.push(")");
  return parts.join("");
}

/** `repr(tensor)`: "tensor([1., 2.], requires_grad=True)" etc. `prefix` allows other wrappers. */
export function tensor_repr(t: Tensor, prefix = "tensor("): string {
  const indent = prefix.length;
  const suffixes: string[] = [];
  const dflt = get_default_dtype();
  const has_default_dtype = t.dtype === dflt || t.dtype === "int64" || t.dtype === "bool";
  let body: string;
  if (t.data.length === 0) {
    if (t.shape.length !== 1) suffixes.push(`size=(${t.shape.join(", ")}${t.shape.length === 1 ? "," : ""})`);
    if (t.dtype !== dflt) suffixes.push(`dtype=torch.${t.dtype}`);
    body = "[]";
  } else {
    if (PRINT_OPTS.edgeitems === 0) suffixes.push(`size=(${t.shape.join(", ")}${t.shape.length === 1 ? "," : ""})`);
    if (!has_default_dtype) suffixes.push(`dtype=torch.${t.dtype}`);
    body = tensor_str(t, indent);
  }
  if (t.grad_fn !== null) suffixes.push(`grad_fn=<${t.grad_fn.name()}>`);
  else if (t.requires_grad) suffixes.push("requires_grad=True");
  return add_suffixes(prefix + body, suffixes, indent);
}
