/*
 * SGD's update of float32 parameters in place (kernel/src/optim/sgd.ts sgdUpdate32: plain SGD,
 * momentum, Nesterov; weight decay; maximize), alone or with the tracer's pass riding along
 * (included by trace_sums.c, whose Sums, Draws, STEP and take_draws it uses).
 *
 * Why here: the WebAssembly update (optim/wasm/update.ts) copies each chunk of θ, ∇ and the
 * momentum buffer into its memory and back, ~0.2 ms a step for a 784-256-10 MLP; these loops read
 * and write the arrays where they are, ~0.11 ms. And a traced step measured in place
 * (trace/snapshot.ts) needed θ_t copied by the update and a pass over θ_t, ∇ and θ_{t+1} after it,
 * ~0.19 ms more; here the pass's sums and the ρ sample's draws are taken block by block as the
 * update leaves each block in the L1 cache, and θ_t is copied on the way (the measurement's other
 * readers: ρ's own draws when some g = 0, per-parameter summaries): ~0.08 ms more than the update
 * alone (PERF.md, sessions 20 and 22).
 *
 * The same bits as the JavaScript loop (and the WebAssembly one): four float64 lanes, each
 * intermediate the JavaScript loop rounds with Math.fround rounded to float32 here too (R32), the
 * rest in float64, no fused multiply-add in the update (trace_sums.c turns contraction off), and
 * additions and products with their operands swapped, as V8 evaluates JavaScript's `a + b` and
 * `a * b` (x64 keeps the first operand's payload when both are NaNs: kernel/scripts/
 * gen_optim_wasm.cjs measured it; add_first and mul_first, trace_sums.c, keep the order); the last
 * n mod 4 elements go through the same vector code on a padded copy:
 *   g' = −∇ under maximize;  g' = fr(g' + λθ) with weight decay;
 *   plain:    θ ← θ + (−γ)·g'
 *   momentum: v = fr(fr(b·μ) + (1 − τ)·g'), b ← v, θ ← θ + (−γ)·v
 *   Nesterov: the same v, θ ← θ + (−γ)·fr(g' + μ·v)
 * with θ's float32 store rounding the last sum. The pass reads the gradient as step() got it (∇,
 * not g'), as the tracer defines g_t.
 */

typedef struct {
  double negLr, wd, mom, keep;
  int kind, maximize;
} SgdArgs;

#if HAVE_X86
/* Four float64 lanes rounded to float32 and back: Math.fround on each. */
#define R32(x) _mm256_cvtps_pd(_mm256_cvtpd_ps(x))

/* One vector of four elements at i: θ, b updated; t = θ_t, g = ∇ (as read), a = θ_{t+1}. */
#define SGD4(i)                                                                              \
  __m256d t = _mm256_cvtps_pd(_mm_loadu_ps(th + (i)));                                       \
  __m256d g = _mm256_cvtps_pd(_mm_loadu_ps(gr + (i)));                                       \
  __m256d gd = A->maximize ? _mm256_xor_pd(g, negz) : g; /* −∇, −0 for +0 as JS's negation */ \
  /* g + λθ */                                                                               \
  if (A->wd != 0) gd = R32(add_first(mul_first(t, vwd), gd));                        \
  __m256d dir = gd;                                                                          \
  if (A->kind != 0) {                                                                        \
    __m256d bb = _mm256_cvtps_pd(_mm_loadu_ps(b + (i)));                                     \
    /* fr(b·μ) + (1 − τ)·g */                                                                \
    __m128 v32 = _mm256_cvtpd_ps(add_first(mul_first(gd, vkeep), R32(mul_first(vmom, bb)))); \
    _mm_storeu_ps(b + (i), v32);                                                             \
    __m256d v = _mm256_cvtps_pd(v32);                                                        \
    /* g + μ·v */                                                                            \
    dir = A->kind == 1 ? v : R32(add_first(mul_first(v, vmom), gd));                 \
  }                                                                                          \
  /* θ + (−γ)·dir */                                                                         \
  __m128 a32 = _mm256_cvtpd_ps(add_first(mul_first(dir, vlr), t));                   \
  _mm_storeu_ps(th + (i), a32);                                                              \
  __m256d a = _mm256_cvtps_pd(a32)

/* Elements from..n (fewer than 4), through SGD4 on a copy padded with zeros. */
__attribute__((target("avx2,fma"))) static void sgd_tail(float *th0, const float *gr0, float *b0, size_t from, size_t n, const SgdArgs *A) {
  if (from >= n) return;
  float th[4], gr[4], b[4];
  pad_in(th, th0, from, n); pad_in(gr, gr0, from, n); pad_in(b, b0, from, n);
  const __m256d negz = _mm256_set1_pd(-0.0), vwd = _mm256_set1_pd(A->wd), vmom = _mm256_set1_pd(A->mom);
  const __m256d vkeep = _mm256_set1_pd(A->keep), vlr = _mm256_set1_pd(A->negLr);
  SGD4(0);
  (void)a;
  pad_out(th0, th, from, n); pad_out(b0, b, from, n);
}

/* The update alone. */
__attribute__((target("avx2,fma"))) static void sgd_f32(float *th, const float *gr, float *b, size_t n, const SgdArgs *A) {
  const __m256d negz = _mm256_set1_pd(-0.0), vwd = _mm256_set1_pd(A->wd), vmom = _mm256_set1_pd(A->mom);
  const __m256d vkeep = _mm256_set1_pd(A->keep), vlr = _mm256_set1_pd(A->negLr);
  size_t whole = n & ~(size_t)3;
  for (size_t i = 0; i < whole; i += 4) {
    SGD4(i);
    (void)a;
  }
  sgd_tail(th, gr, b, whole, n, A);
}

/* The update with the pass (UPDATE_WITH_PASS, trace_sums.c). */
__attribute__((target("avx2,fma"))) static void sgd_f32_pass(float *th, const float *gr, float *b, size_t n, const SgdArgs *A, Sums *o, float *copy, Draws *d) {
  const __m256d negz = _mm256_set1_pd(-0.0), vwd = _mm256_set1_pd(A->wd), vmom = _mm256_set1_pd(A->mom);
  const __m256d vkeep = _mm256_set1_pd(A->keep), vlr = _mm256_set1_pd(A->negLr);
  UPDATE_WITH_PASS(SGD4, sgd_tail(th, gr, b, whole, n, A));
}

/* Elements [from, from + len) of one sgd call (pass_helper.h's RangeFn; o NULL: the update alone). */
typedef struct {
  float *th, *b, *copy;
  const float *gr;
  const SgdArgs *A;
} SgdCall;

__attribute__((target("avx2,fma"))) static void sgd_range(void *c, size_t from, size_t len, Sums *o, Draws *d) {
  const SgdCall *C = (const SgdCall *)c;
  float *b = C->b != NULL ? C->b + from : NULL;
  if (o == NULL) sgd_f32(C->th + from, C->gr + from, b, len, C->A);
  else sgd_f32_pass(C->th + from, C->gr + from, b, len, C->A, o, C->copy + from, d);
}

#endif
