/**
 * torch.linalg.matrix_rank's and pinv's legacy overloads, `matrix_rank(A, tol, hermitian=False)`
 * (tol absolute) and `pinv(A, rcond, hermitian=False)` (rcond relative), positionally or as
 * keywords: `{ tol }` / `{ rcond }` used to be ignored (the default tolerance was used). Mixing
 * them with atol / rtol, or an unknown keyword, is an error, as PyTorch's "invalid combination".
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";

describe("linalg tolerance keywords", () => {
  it("linalg.matrix_rank(tol=) and linalg.pinv(rcond=): PyTorch's legacy overloads", () => {
    // m = [[4, 1, 2], [1, 5, 3], [2, 3, 6]] (float64): svdvals -> [9.4188, 3.3868, 2.1944]
    // torch.linalg.matrix_rank(m, tol=3) -> 2; matrix_rank(m, 3.0, True) -> 2; matrix_rank(m) -> 3
    // torch.linalg.pinv(m, rcond=0.3) == pinv(m, 0.3) == pinv(m, rtol=0.3):
    //   [[0.2113, -0.1161, 0.0381], [-0.1161, 0.1338, 0.0379], [0.0381, 0.0379, 0.0563]]
    // matrix_rank(m, tol=3, rtol=0.1), pinv(m, tol=0.5), pinv(m, rcond=0.5, rtol=0.1) -> TypeError (invalid combination)
    const m = torch.tensor([[4, 1, 2], [1, 5, 3], [2, 3, 6]], { dtype: torch.float64 });
    expect(torch.linalg.matrix_rank(m, { tol: 3 }).item()).toBe(2);
    expect(torch.linalg.matrix_rank(m, 3).item()).toBe(2);
    expect(torch.linalg.matrix_rank(m, 3, true).item()).toBe(2);
    expect(torch.linalg.matrix_rank(m).item()).toBe(3);
    const want = [[0.2113, -0.1161, 0.0381], [-0.1161, 0.1338, 0.0379], [0.0381, 0.0379, 0.0563]];
    for (const p of [torch.linalg.pinv(m, { rcond: 0.3 }), torch.linalg.pinv(m, 0.3), torch.linalg.pinv(m, { rtol: 0.3 })]) {
      (p.tolist() as number[][]).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 4)));
    }
    expect(() => torch.linalg.matrix_rank(m, { tol: 3, rtol: 0.1 } as never)).toThrow("linalg.matrix_rank() got an unexpected keyword argument 'rtol'");
    expect(() => torch.linalg.pinv(m, { tol: 0.5 } as never)).toThrow("linalg.pinv() got an unexpected keyword argument 'tol'");
    expect(() => torch.linalg.pinv(m, { rcond: 0.5, rtol: 0.1 } as never)).toThrow("linalg.pinv() got an unexpected keyword argument 'rtol'");
  });
});
