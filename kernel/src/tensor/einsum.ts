/**
 * torch.einsum: Einstein summation over any number of operands, with PyTorch's subscript grammar
 * (letters a-zA-Z, "..." for broadcast dims, "->" for an explicit output; without it the output is
 * the ellipsis dims then the labels that appear once, uppercase before lowercase), repeated labels
 * in an operand (diagonals / traces), and size-1 dims broadcasting against their label's size.
 *
 * How: each operand first has repeated labels taken as diagonals and the labels no one else needs
 * summed out; then the operands are contracted left to right, each pair as one bmm of 3-D views
 * of them, as PyTorch's einsum (a batch of 1 without batch labels; "bij,bjk->bik" is exactly a
 * bmm): the labels both share and still need become the batch, those only this pair needs are
 * contracted (K), the rest stay as rows / columns; a pair with nothing to contract is a product
 * of views broadcast against each other. What the bmm / mul node saves is then what PyTorch's
 * saves: views of the operands (tensor/version.ts). Everything is built from differentiable ops
 * (diagonal, sum, expand, permute, reshape, bmm, mul), so autograd comes with it. PyTorch reorders pairs only when opt_einsum is installed; this is its
 * left-to-right order (the values agree to rounding either way).
 */
import { Tensor } from "./tensor";
import { sum } from "./reduce";
import { expand, permute, reshape } from "./views";
import { bmm } from "./linalg";
import { mul } from "./elementwise";
import { diagonal } from "./diagonal";
import { SCALAR_TYPE_NAME } from "./dtype";

const ELL = 52; // ids of ellipsis dims start here (labels are 0..51: A-Z then a-z, as PyTorch)

function label_id(c: string): number {
  const k = c.charCodeAt(0);
  if (k >= 65 && k <= 90) return k - 65;
  if (k >= 97 && k <= 122) return k - 97 + 26;
  return -1;
}
function label_char(id: number): string {
  return String.fromCharCode(id < 26 ? 65 + id : 97 + id - 26);
}

interface Term {
  labels: number[]; // -1 marks the ellipsis position
  ellipsis: boolean;
}

/** Parses one side of the equation (a comma-separated list of terms), with PyTorch's errors. */
function parse_terms(eq: string, start: number, end: number, output: boolean): Term[] {
  const terms: Term[] = [];
  let cur: Term = { labels: [], ellipsis: false };
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = eq[i];
    if (c === " ") continue;
    if (c === ",") {
      if (output) throw new RangeError(`einsum(): invalid subscript given at index ${i} in the equation string, subscripts must be in [a-zA-Z]`);
      if (dots !== 0) throw new RangeError(`einsum(): found '.' for operand ${terms.length} that is not part of any ellipsis`);
      terms.push(cur);
      cur = { labels: [], ellipsis: false };
      continue;
    }
    if (c === ".") {
      const who = output ? "output" : `operand ${terms.length}`;
      if (cur.ellipsis) throw new RangeError(`einsum(): found '.' for ${who} for which an ellipsis was already found`);
      dots++;
      if (dots === 3) {
        cur.ellipsis = true;
        cur.labels.push(-1);
        dots = 0;
      }
      continue;
    }
    if (dots !== 0) throw new RangeError(`einsum(): found '.' for ${output ? "output" : `operand ${terms.length}`} that is not part of any ellipsis`);
    const id = label_id(c);
    if (id < 0) throw new RangeError(`einsum(): invalid subscript given at index ${i} in the equation string, subscripts must be in [a-zA-Z]`);
    cur.labels.push(id);
  }
  if (dots !== 0) throw new RangeError(`einsum(): found '.' for ${output ? "output" : `operand ${terms.length}`} that is not part of any ellipsis`);
  terms.push(cur);
  return terms;
}

/** An operand during the contraction: its tensor and the id of each of its dims. */
interface Op {
  x: Tensor;
  ids: number[];
}

function permute_to(op: Op, order: number[]): Op {
  const perm = order.map((id) => op.ids.indexOf(id));
  if (perm.every((p, i) => p === i)) return { x: op.x, ids: order };
  return { x: permute(op.x, perm), ids: order };
}

function sum_ids(op: Op, drop: (id: number) => boolean): Op {
  const dims = op.ids.map((id, d) => (drop(id) ? d : -1)).filter((d) => d >= 0);
  if (dims.length === 0) return op;
  return { x: sum(op.x, dims), ids: op.ids.filter((id) => !drop(id)) };
}

/** Contracts a and b, keeping the ids in `keep` (the output's and later operands'), via one bmm (or a product). */
function contract(a: Op, b: Op, keep: Set<number>): Op {
  a = sum_ids(a, (id) => !keep.has(id) && !b.ids.includes(id));
  b = sum_ids(b, (id) => !keep.has(id) && !a.ids.includes(id));
  const shared = a.ids.filter((id) => b.ids.includes(id));
  const batch = shared.filter((id) => keep.has(id));
  const red = shared.filter((id) => !keep.has(id));
  const left = a.ids.filter((id) => !shared.includes(id));
  const right = b.ids.filter((id) => !shared.includes(id));
  const size = (o: Op, id: number) => o.x.shape[o.ids.indexOf(id)];
  // Size-1 dims broadcast: along a batch id expand them; along a contracted id sum the other side.
  for (const id of red) {
    const sa = size(a, id);
    const sb = size(b, id);
    if (sa === sb) continue;
    if (sa === 1) b = { x: sum(b.x, b.ids.indexOf(id), true), ids: b.ids };
    else a = { x: sum(a.x, a.ids.indexOf(id), true), ids: a.ids };
  }
  const bshape = batch.map((id) => Math.max(size(a, id), size(b, id)));
  const widen = (o: Op): Op => {
    if (batch.every((id, k) => size(o, id) === bshape[k])) return o;
    const target = o.ids.map((id, d) => (batch.includes(id) ? bshape[batch.indexOf(id)] : o.x.shape[d]));
    return { x: expand(o.x, target), ids: o.ids };
  };
  a = permute_to(widen(a), [...batch, ...left, ...red]);
  b = permute_to(widen(b), [...batch, ...red, ...right]);
  const prod = (ids: number[], o: Op) => ids.reduce((p, id) => p * size(o, id), 1);
  const nb = bshape.reduce((p, s) => p * s, 1);
  const L = prod(left, a);
  const K = prod(red, a);
  const R = prod(right, b);
  const out_shape = [...bshape, ...left.map((id) => size(a, id)), ...right.map((id) => size(b, id))];
  if (red.length === 0) {
    // Nothing to contract: PyTorch's einsum multiplies views broadcast against each other
    // ([..., left, 1s] * [..., 1s, right]), which its node saves
    const av = reshape(a.x, [...bshape, ...left.map((id) => size(a, id)), ...right.map(() => 1)]);
    const bv = reshape(b.x, [...bshape, ...left.map(() => 1), ...right.map((id) => size(b, id))]);
    return { x: mul(av, bv), ids: [...batch, ...left, ...right] };
  }
  // As PyTorch's einsum: one bmm of 3-D views (a batch of 1 without batch labels), which is what
  // its node saves (the views, whose version is the operands')
  const am = reshape(a.x, [nb, L, K]);
  const bm = reshape(b.x, [nb, K, R]);
  return { x: reshape(bmm(am, bm), out_shape), ids: [...batch, ...left, ...right] };
}


/**
 * `einsum(equation, ...operands)` (or `einsum(equation, [operands])`): sums the product of the
 * operands over the labels not in the output, e.g. "ij,jk->ik" (a matrix product), "bij,bjk->bik" (bmm),
 * "ii->i" (diagonal), "ii" (trace), "...ij->...ji" (batched transpose), "i,j->ij" (outer).
 */
export function einsum(equation: string, ...operands: (Tensor | readonly Tensor[])[]): Tensor {
  if (typeof equation !== "string") throw new TypeError(`einsum(): argument 'equation' must be str, not ${typeof equation}`);
  const list: Tensor[] = (operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : operands) as Tensor[];
  list.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new TypeError(`einsum(): expected Tensor as element ${i} in argument 1, but got ${x === null ? "null" : typeof x}`);
  });
  if (list.length === 0) throw new RangeError("einsum(): must provide at least one operand");
  const arrow = equation.indexOf("->");
  const lhs_end = arrow < 0 ? equation.length : arrow;
  const terms = parse_terms(equation, 0, lhs_end, false);
  if (terms.length > list.length) throw new RangeError("einsum(): fewer operands were provided than specified in the equation");
  if (terms.length < list.length) throw new RangeError("einsum(): more operands were provided than specified in the equation");
  // Each operand's dim ids; the ellipsis dims are right-aligned across operands (numpy broadcasting).
  const nell = terms.map((t, i) => {
    const named = t.labels.filter((l) => l >= 0).length;
    const nd = list[i].dim();
    if (!t.ellipsis && named !== nd) {
      throw new RangeError(`einsum(): the number of subscripts in the equation (${named}) does not match the number of dimensions (${nd}) for operand ${i} and no ellipsis was given`);
    }
    if (t.ellipsis && named > nd) {
      throw new RangeError(`einsum(): the number of subscripts in the equation (${named}) is more than the number of dimensions (${nd}) for operand ${i}`);
    }
    return nd - named;
  });
  const E = Math.max(0, ...nell);
  const ids = terms.map((t, i) => t.labels.flatMap((l) => (l >= 0 ? [l] : Array.from({ length: nell[i] }, (_, k) => ELL + E - nell[i] + k))));
  // Sizes (size-1 dims broadcast), with PyTorch's error naming the label.
  const sizes = new Map<number, number>();
  const count = new Map<number, number>();
  ids.forEach((row, i) => {
    row.forEach((id, d) => {
      count.set(id, (count.get(id) ?? 0) + 1);
      const n = list[i].shape[d];
      const seen = sizes.get(id);
      if (seen === undefined || seen === 1) sizes.set(id, n);
      else if (n !== 1 && n !== seen) {
        if (id >= ELL) throw new RangeError(`einsum(): operands do not broadcast: ellipsis dims of operand ${i} have size ${n} where an earlier operand has ${seen}`);
        throw new RangeError(`einsum(): subscript ${label_char(id)} has size ${n} for operand ${i} which does not broadcast with previously seen size ${seen}`);
      }
    });
  });
  let out_ids: number[];
  if (arrow >= 0) {
    const [out] = parse_terms(equation, arrow + 2, equation.length, true);
    out_ids = [];
    for (const l of out.labels) {
      if (l < 0) {
        for (let k = 0; k < E; k++) out_ids.push(ELL + k);
        continue;
      }
      if (!count.has(l)) throw new RangeError(`einsum(): output subscript ${label_char(l)} does not appear in the equation for any input operand`);
      if (out_ids.includes(l)) throw new RangeError(`einsum(): output subscript ${label_char(l)} appears more than once in the output`);
      out_ids.push(l);
    }
  } else {
    const once = [...count.keys()].filter((id) => id < ELL && count.get(id) === 1).sort((p, q) => p - q);
    out_ids = [...Array.from({ length: E }, (_, k) => ELL + k), ...once];
  }
  const dt = list[0].dtype;
  for (const x of list) {
    if (x.dtype !== dt) throw new TypeError(`expected scalar type ${SCALAR_TYPE_NAME[dt]} but found ${SCALAR_TYPE_NAME[x.dtype]}`);
  }
  const out_set = new Set(out_ids);
  // Per operand: diagonals for repeated labels, then sum out the labels nobody else needs.
  const ops: Op[] = list.map((x, i) => {
    let op: Op = { x, ids: ids[i] };
    for (;;) {
      const p = op.ids.findIndex((id, d) => op.ids.indexOf(id) !== d);
      if (p < 0) break;
      const q = op.ids.indexOf(op.ids[p]);
      const id = op.ids[p];
      op = { x: diagonal(op.x, 0, q, p), ids: [...op.ids.filter((_, d) => d !== p && d !== q), id] };
    }
    const elsewhere = new Set(ids.flatMap((row, j) => (j === i ? [] : row)));
    return sum_ids(op, (id) => !out_set.has(id) && !elsewhere.has(id));
  });
  let acc = ops[0];
  for (let i = 1; i < ops.length; i++) {
    const keep = new Set(out_ids);
    for (let j = i + 1; j < ops.length; j++) for (const id of ops[j].ids) keep.add(id);
    acc = contract(acc, ops[i], keep);
  }
  acc = sum_ids(acc, (id) => !out_set.has(id));
  // A label broadcast to a larger size by another operand that was then summed out keeps size 1
  // only if no operand had it larger; expand covers an output label still at size 1.
  const want = out_ids.map((id) => sizes.get(id) as number);
  let res = permute_to(acc, out_ids).x;
  if (res.shape.some((s, d) => s !== want[d])) res = expand(res, want);
  // Nothing to do ("ij->ij"): a view of the operand, as PyTorch's, not the operand itself.
  return res === list[0] ? reshape(res, res.shape) : res;
}
