// Small WebAssembly binary-encoding helpers for the hand-emitted modules (no tool-chain):
// LEB128 integers, names, sections, and `Fn`, a function-body builder with typed, named
// parameters and locals. Opcode numbers follow the WebAssembly core and SIMD specifications.
"use strict";

const uleb = (n) => { const o = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
const sleb = (n) => { const o = []; for (;;) { const b = n & 0x7f; n >>= 7; if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) { o.push(b); return o; } o.push(b | 0x80); } };
const str = (s) => [...uleb(s.length), ...Buffer.from(s, "utf8")];
const vec = (items) => [...uleb(items.length), ...items.flat()];
const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];
const memarg = (align, offset) => [...uleb(align), ...uleb(offset)];

/** Value types. */
const I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c, V128 = 0x7b;

/**
 * A function-body builder: parameters and locals by name, each with its value type (locals are
 * declared before any code is emitted). Emitting methods return `this` so code reads as a
 * stack-machine sequence: `f.get("a").get("b").simd(F32X4_ADD)`.
 */
class Fn {
  /** params: [name, type][] */
  constructor(params) {
    this.code = [];
    this.names = new Map();
    params.forEach(([name], i) => this.names.set(name, i));
    this.paramTypes = params.map(([, t]) => t);
    this.locals = []; // [name, type]
    this.numbered = false;
  }
  local(name, type) {
    if (this.numbered) throw new Error("declare locals before emitting code");
    if (this.names.has(name) || this.locals.some(([n]) => n === name)) throw new Error(`duplicate local ${name}`);
    this.locals.push([name, type]);
    return name;
  }
  idx(name) {
    if (!this.numbered) {
      let i = this.paramTypes.length;
      for (const [n] of this.locals) this.names.set(n, i++);
      this.numbered = true;
    }
    const i = this.names.get(name);
    if (i === undefined) throw new Error(`unknown local ${name}`);
    return i;
  }
  op(...bytes) { this.code.push(...bytes); return this; }
  get(n) { return this.op(0x20, ...uleb(this.idx(n))); }
  set(n) { return this.op(0x21, ...uleb(this.idx(n))); }
  tee(n) { return this.op(0x22, ...uleb(this.idx(n))); }
  i32c(v) { return this.op(0x41, ...sleb(v)); }
  simd(op, ...imm) { return this.op(0xfd, ...uleb(op), ...imm); }
  /** for (v = 0; v < limit; v += step) body()   (v, limit: i32 local names; unsigned compare) */
  forUp(v, limit, step, body) {
    this.i32c(0).set(v);
    this.op(0x02, 0x40, 0x03, 0x40); // block, loop
    this.get(v).get(limit).op(0x4f, 0x0d, 1); // i32.ge_u; br_if 1 (leave the block)
    body();
    this.get(v).i32c(step).op(0x6a).set(v); // v += step
    this.op(0x0c, 0, 0x0b, 0x0b); // br 0 (next iteration); end loop; end block
    return this;
  }
  /** The encoded body (size-prefixed), locals grouped by runs of one type. */
  bytes() {
    const groups = [];
    for (const [, t] of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const body = [...vec(groups.map(([count, t]) => [...uleb(count), t])), ...this.code, 0x0b];
    return [...uleb(body.length), ...body];
  }
}

/** The bytes of a module: `types` (function types as [params, results]), an optional memory
 *  (exported as "mem", `pages` initial and maximum), functions [{ name, type, body }] all exported. */
function moduleBytes({ types, memoryPages, functions }) {
  const typeSec = section(1, vec(types.map(([ps, rs]) => [0x60, ...vec(ps.map((t) => [t])), ...vec(rs.map((t) => [t]))])));
  const funcSec = section(3, vec(functions.map((fn) => uleb(fn.type))));
  const memSec = section(5, vec([[0x01, ...uleb(memoryPages), ...uleb(memoryPages)]]));
  const exports = [[...str("mem"), 0x02, 0x00], ...functions.map((fn, i) => [...str(fn.name), 0x00, ...uleb(i)])];
  const exportSec = section(7, vec(exports));
  const codeSec = section(10, vec(functions.map((fn) => fn.body)));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...typeSec, ...funcSec, ...memSec, ...exportSec, ...codeSec]);
}

/** Wraps base64 text into lines of `width` characters as TypeScript string concatenation. */
function base64Lines(bytes, width = 100) {
  const b64 = Buffer.from(bytes).toString("base64");
  const lines = [];
  for (let i = 0; i < b64.length; i += width) lines.push(`  "${b64.slice(i, i + width)}"`);
  return lines.join(" +\n");
}

module.exports = { uleb, sleb, str, vec, section, memarg, I32, I64, F32, F64, V128, Fn, moduleBytes, base64Lines };
