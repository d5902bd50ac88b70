function f(xs: number[]): number {
  let total: number = 0;
  for (const x of xs) {
    total += x * x;
  }
  return total;
}
class P { constructor(public v: number) {} }
const p = new P(f([1, 2, 3]));
p.v
