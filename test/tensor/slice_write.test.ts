/**
 * In-place ops through slices write into the tensor sliced (slice_window.ts), as PyTorch's views
 * do. Expected values are PyTorch 2.13's, with the Python that gives them in the comments. Before
 * slice_window.ts every one of these left the sliced tensor unchanged, silently.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
const list = (t: { tolist(): unknown }) => t.tolist();

describe("in-place methods on a slice write into the tensor sliced", () => {
  it("index, select, narrow (the user's padding mask and the four ops of the report)", () => {
    // m = torch.zeros(2, 5, dtype=torch.bool); m[1].fill_(True)
    const m = torch.zeros([2, 5], { dtype: "bool" });
    m.index(1).fill_(true);
    expect(list(m)).toEqual([[false, false, false, false, false], [true, true, true, true, true]]);
    // z = torch.zeros(2, 3); z[0].fill_(7); z[:, 1].fill_(5); z.select(0, 1).add_(1); z.narrow(1, 2, 1).mul_(0).add_(9)
    // -> [[7, 5, 9], [1, 6, 9]]
    const z = torch.zeros(2, 3);
    z.index(0).fill_(7);
    z.index(":", 1).fill_(5);
    z.select(0, 1).add_(1);
    z.narrow(1, 2, 1).mul_(0).add_(9);
    expect(list(z)).toEqual([[7, 5, 9], [1, 6, 9]]);
  });

  it("diagonal (the diagonal of two dims, offsets, batched, of a transpose)", () => {
    // x = torch.arange(12.).reshape(3, 4); x.diagonal().fill_(-1); x.diagonal(1).mul_(10)
    const x = torch.arange(12, { dtype: "float32" }).reshape(3, 4);
    x.diagonal().fill_(-1);
    x.diagonal(1).mul_(10);
    expect(list(x)).toEqual([[-1, 10, 2, 3], [4, -1, 60, 7], [8, 9, -1, 110]]);
    // y = torch.zeros(2, 3, 3); y.diagonal(0, 1, 2).add_(1); y.diagonal(offset=-1, dim1=1, dim2=2).fill_(5)
    const y = torch.zeros(2, 3, 3);
    y.diagonal(0, 1, 2).add_(1);
    y.diagonal({ offset: -1, dim1: 1, dim2: 2 }).fill_(5);
    const one = [[1, 0, 0], [5, 1, 0], [0, 5, 1]];
    expect(list(y)).toEqual([one, one]);
    // z = torch.zeros(2, 3); z.t().diagonal().fill_(4) -> [[4, 0, 0], [0, 4, 0]]
    const z = torch.zeros(2, 3);
    z.t().diagonal().fill_(4);
    expect(list(z)).toEqual([[4, 0, 0], [0, 4, 0]]);
  });

  it("fill_diagonal_ (PyTorch 2.13's results), on a slice too, and its gradient and errors", () => {
    // torch.zeros(7, 3).fill_diagonal_(1, wrap=True): rows 0-2 and 4-6 hold the diagonal, row 3 none
    expect(list(torch.zeros(7, 3).fill_diagonal_(1, true))).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    // torch.zeros(7, 3).fill_diagonal_(1): the first three rows only
    expect(list(torch.zeros(7, 3).fill_diagonal_(1))).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    // torch.zeros(3, 5).fill_diagonal_(2, wrap=True) -> a wide matrix has nothing to wrap
    expect(list(torch.zeros(3, 5).fill_diagonal_(2, true))).toEqual([[2, 0, 0, 0, 0], [0, 2, 0, 0, 0], [0, 0, 2, 0, 0]]);
    // a = torch.zeros(2, 2, 2); a.fill_diagonal_(3) -> [[[3, 0], [0, 0]], [[0, 0], [0, 3]]]
    expect(list(torch.zeros(2, 2, 2).fill_diagonal_(3))).toEqual([[[3, 0], [0, 0]], [[0, 0], [0, 3]]]);
    // b = torch.zeros(2, 3, 3); b[1].fill_diagonal_(-1): through a slice
    const b = torch.zeros(2, 3, 3);
    b.index(1).fill_diagonal_(-1);
    expect(list(b)).toEqual([[[0, 0, 0], [0, 0, 0], [0, 0, 0]], [[-1, 0, 0], [0, -1, 0], [0, 0, -1]]]);
    // x = torch.ones(3, 3, requires_grad=True); y = x * 2; y.fill_diagonal_(0); y.sum().backward()
    // x.grad -> [[0, 2, 2], [2, 0, 2], [2, 2, 0]]
    const x = torch.ones([3, 3], { requires_grad: true });
    const y = x.mul(2);
    y.fill_diagonal_(0);
    y.sum().backward();
    expect(list(x.grad!)).toEqual([[0, 2, 2], [2, 0, 2], [2, 2, 0]]);
    // RuntimeError: dimensions must larger than 1 / all dimensions of input must be of equal length
    expect(() => torch.zeros(3).fill_diagonal_(1)).toThrow(/^dimensions must larger than 1/);
    expect(() => torch.zeros(2, 3, 2).fill_diagonal_(1)).toThrow(/^all dimensions of input must be of equal length/);
  });

  it("strided slices, slices of slices, views of slices, int64", () => {
    // y = torch.arange(12).reshape(3, 4); y[::2, 1::2].fill_(-1) -> [[0,-1,2,-1],[4,5,6,7],[8,-1,10,-1]]
    const y = torch.arange(12).reshape(3, 4);
    y.index("::2", "1::2").fill_(-1);
    expect(list(y)).toEqual([[0, -1, 2, -1], [4, 5, 6, 7], [8, -1, 10, -1]]);
    // q = torch.zeros(2, 3); q[0][1:3].fill_(4); q[1].view(3, 1).fill_(2) -> [[0,4,4],[2,2,2]]
    const q = torch.zeros(2, 3);
    q.index(0).index("1:3").fill_(4);
    q.index(1).view(3, 1).fill_(2);
    expect(list(q)).toEqual([[0, 4, 4], [2, 2, 2]]);
    // the slice itself holds the new values too
    const s = q.index(0);
    s.add_(1);
    expect(list(s)).toEqual([1, 5, 5]);
    expect(list(q.index(0))).toEqual([1, 5, 5]);
  });

  it("transpose, permute, split, chunk and unbind pieces", () => {
    // y = torch.arange(12).reshape(3, 4); y.t()[0].fill_(-1) -> column 0 is -1
    const y = torch.arange(12).reshape(3, 4);
    y.t().index(0).fill_(-1);
    expect(list(y)).toEqual([[-1, 1, 2, 3], [-1, 5, 6, 7], [-1, 9, 10, 11]]);
    // p = torch.zeros(2, 3, 4); p.permute(2, 0, 1)[3].fill_(1) -> p[..., 3] == 1
    const p = torch.zeros(2, 3, 4);
    p.permute(2, 0, 1).index(3).fill_(1);
    expect(list(p.sum())).toBe(6);
    expect(list(p.index("...", 3).sum())).toBe(6);
    // c = torch.zeros(6); a, b = c.chunk(2); b.fill_(1); c.split(2)[0].add_(3); c.unbind()[2].sub_(5)
    // -> [3, 3, -5, 1, 1, 1]
    const c = torch.zeros(6);
    const [, b] = c.chunk(2);
    b.fill_(1);
    c.split(2)[0].add_(3);
    c.unbind()[2].sub_(5);
    expect(list(c)).toEqual([3, 3, -5, 1, 1, 1]);
  });

  it("copy_, masked_fill_, clamp_ and the samplers; nn.init and the random module's functions too", () => {
    const z = torch.zeros(3, 4);
    z.index(0).copy_(torch.ones(4));
    z.index(1).masked_fill_(torch.tensor([true, false, true, false]), 2);
    z.index(2).uniform_(5, 6);
    expect(list(z.index(0))).toEqual([1, 1, 1, 1]);
    expect(list(z.index(1))).toEqual([2, 0, 2, 0]);
    for (const v of list(z.index(2)) as number[]) expect(v >= 5 && v < 6).toBe(true);
    const w = torch.ones(2, 3);
    torch.nn.init.zeros_(w.index(0));
    torch.nn.init.uniform_(w.index(1), -3, -2);
    expect(list(w.index(0))).toEqual([0, 0, 0]);
    for (const v of list(w.index(1)) as number[]) expect(v >= -3 && v < -2).toBe(true);
    const r = torch.zeros(2, 2);
    torch.normal_(r.index(1), 10, 0.001);
    for (const v of list(r.index(1)) as number[]) expect(Math.abs(v - 10)).toBeLessThan(0.1);
    expect(list(r.index(0))).toEqual([0, 0]);
  });

  it("a parameter's slice under no_grad: the initialisation idiom", () => {
    // lstm.bias_ih_l0[h:2h].fill_(1) under no_grad (the forget gate's bias)
    const lstm = new torch.nn.LSTM(3, 2);
    torch.no_grad(() => lstm.bias_ih_l0.narrow(0, 2, 2).fill_(1));
    expect(list(lstm.bias_ih_l0.narrow(0, 2, 2))).toEqual([1, 1]);
    expect(lstm.bias_ih_l0.is_leaf).toBe(true);
  });
});

describe("what cannot write back says so", () => {
  it("an in-place op autograd would record on a slice is an error naming what to do", () => {
    const w = torch.zeros(3, 3, { requires_grad: true });
    expect(() => w.index(0).fill_(1)).toThrow(/slice .* autograd records is not supported in lrlab.*torch\.no_grad\(\)/);
    expect(list(w.sum())).toBe(0);
    const x = torch.zeros(3);
    expect(() => x.index("0:2").add_(torch.ones(2, { requires_grad: true }))).toThrow(/autograd records/);
    expect(list(x)).toEqual([0, 0, 0]);
  });
  it("an in-place function (not a method) on a slice is refused, not lost", () => {
    const z = torch.zeros(2, 3);
    expect(() => torch.fill_(z.index(0), 1)).toThrow(/only when called as a method \(slice\.fill_\(v\)/);
    expect(list(z)).toEqual([[0, 0, 0], [0, 0, 0]]);
  });
  it("a tensor index and a bool mask give copies, as PyTorch's advanced indexing does", () => {
    // z = torch.zeros(3); z[torch.tensor([0, 2])].fill_(1); z -> zeros (advanced indexing copies)
    const z = torch.zeros(3);
    z.index(torch.tensor([0, 2], { dtype: "int64" })).fill_(1);
    z.index(torch.tensor([true, false, true])).fill_(1);
    expect(list(z)).toEqual([0, 0, 0]);
  });
  it("clone() of a slice is a tensor of its own", () => {
    const z = torch.zeros(2, 2);
    z.index(0).clone().fill_(3);
    expect(list(z)).toEqual([[0, 0], [0, 0]]);
  });
});
