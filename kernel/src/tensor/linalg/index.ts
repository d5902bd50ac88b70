/**
 * `torch.linalg`: norms (vector_norm, matrix_norm, norm), square systems (det, slogdet, inv,
 * solve, cholesky), factorisations (qr, eigh, eigvalsh, svd, svdvals) and what they give (pinv,
 * matrix_rank), plus `torch.linalg.matmul`. Batched over leading dims, float32 and float64, with
 * PyTorch's gradients and error messages. The matrix products (torch.matmul, mm, bmm, ...) are
 * top-level functions of torch.
 */
export { vector_norm, matrix_norm, norm } from "./norms";
export type { VectorNormOptions, MatrixNormOptions, NormOptions } from "./norms";
export { det, slogdet, inv, solve, cholesky } from "./solve";
export type { SolveOptions, CholeskyOptions } from "./solve";
export { qr, eigh, eigvalsh, svd, svdvals, pinv, matrix_rank } from "./factor";
export type { QROptions, EighOptions, SVDOptions, PinvOptions } from "./factor";
export type { SlogdetResult, QRResult, EighResult, SVDResult } from "./return_types";
export { matmul } from "../linalg";
