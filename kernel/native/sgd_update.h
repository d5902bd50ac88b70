/*
 * SGD's update of float32 parameters in place (kernel/src/optim/sgd.ts sgdUpdate32: plain SGD,
 * momentum, Nesterov; weight decay; maximize), alone or with the tracer's pass riding along
 * (included by trace_sums.c, whose Sums, Draws, STEP and take_draws it uses).
 *
 * Why here: the WebAssembly update (optim/wasm/update.ts) copies each chunk of θ, ∇ and the
 * momentum buffer into its memory and back, ~0.2 ms a step for a 784-256-10 MLP; these loops read
 * and write the arrays where they are, ~0.11 ms. And a traced step measured in place
 * (trace/snapshot.ts) needed θ_t copied by the update and a pass over θ_t, ∇ and θ_{t+1} after it,
 * ~0.19 ms more; here the pass's sums and the ρ sample's draws are taken as each vector is updated,
 * while its values are in registers, and θ_t is copied on the way (the measurement's other
 * readers: ρ's own draws when some g = 0, per-parameter summaries): ~0.09 ms more than the update
 * alone (PERF.md, session 20).
 *
 * The same bits as the JavaScript loop (and the WebAssembly one): four float64 lanes, each
 * intermediate the JavaScript loop rounds with Math.fround rounded to float32 here too (R32), the
 * rest in float64, no fused multiply-add in the update (trace_sums.c turns contraction off):
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
  if (A->wd != 0) gd = R32(_mm256_add_pd(gd, _mm256_mul_pd(vwd, t)));                        \
  __m256d dir = gd;                                                                          \
  if (A->kind != 0) {                                                                        \
    __m256d bb = _mm256_cvtps_pd(_mm_loadu_ps(b + (i)));                                     \
    __m128 v32 = _mm256_cvtpd_ps(_mm256_add_pd(R32(_mm256_mul_pd(bb, vmom)), _mm256_mul_pd(vkeep, gd))); \
    _mm_storeu_ps(b + (i), v32);                                                             \
    __m256d v = _mm256_cvtps_pd(v32);                                                        \
    dir = A->kind == 1 ? v : R32(_mm256_add_pd(gd, _mm256_mul_pd(vmom, v)));                 \
  }                                                                                          \
  __m128 a32 = _mm256_cvtpd_ps(_mm256_add_pd(t, _mm256_mul_pd(vlr, dir)));                   \
  _mm_storeu_ps(th + (i), a32);                                                              \
  __m256d a = _mm256_cvtps_pd(a32)

/* The last n mod 4 elements, one at a time (the same operations in float64). */
static void sgd_tail(float *th, const float *gr, float *b, size_t from, size_t n, const SgdArgs *A) {
  for (size_t i = from; i < n; i++) {
    double t = th[i], gd = A->maximize ? -(double)gr[i] : (double)gr[i];
    if (A->wd != 0) gd = (float)(gd + A->wd * t);
    double dir = gd;
    if (A->kind != 0) {
      float v = (float)((double)(float)((double)b[i] * A->mom) + A->keep * gd);
      b[i] = v;
      dir = A->kind == 1 ? (double)v : (double)(float)(gd + A->mom * (double)v);
    }
    th[i] = (float)(t + A->negLr * dir);
  }
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

/*
 * The update with the pass: the sums into o (as pass_f32 over θ_t, θ_{t+1}, ∇: the same bits), θ_t
 * copied to `copy`, and the draws d (may be NULL) taken chunk by chunk from the copy and the arrays.
 */
__attribute__((target("avx2,fma"))) static void sgd_f32_pass(float *th, const float *gr, float *b, size_t n, const SgdArgs *A, Sums *o, float *copy, Draws *d) {
  const __m256d negz = _mm256_set1_pd(-0.0), vwd = _mm256_set1_pd(A->wd), vmom = _mm256_set1_pd(A->mom);
  const __m256d vkeep = _mm256_set1_pd(A->keep), vlr = _mm256_set1_pd(A->negLr);
  __m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0;
  __m256d lo = _mm256_set1_pd(INFINITY), hi = _mm256_set1_pd(-INFINITY);
  __m256d zero = _mm256_setzero_pd(), nan = _mm256_set1_pd(NAN);
  __m256i zeros = _mm256_setzero_si256();
  size_t whole = n & ~(size_t)3;
  for (size_t c = 0; c < whole; c += DRAW_CHUNK) {
    size_t ce = c + DRAW_CHUNK < whole ? c + DRAW_CHUNK : whole;
    for (size_t i = c; i < ce; i += 4) {
      _mm_storeu_ps(copy + i, _mm_loadu_ps(th + i));
      SGD4(i);
      STEP(t, a, g);
    }
    if (d != NULL) take_draws_float(d, copy, th, gr, ce);
  }
  if (whole < n) {
    /* the tail: updated one by one, then its pass as one vector padded with zeros (as pass_f32) */
    for (size_t k = whole; k < n; k++) copy[k] = th[k];
    sgd_tail(th, gr, b, whole, n, A);
    double bt[4] = {0, 0, 0, 0}, ba[4] = {0, 0, 0, 0}, bg[4] = {0, 0, 0, 0};
    for (size_t k = whole; k < n; k++) {
      bt[k - whole] = copy[k]; ba[k - whole] = th[k]; bg[k - whole] = gr[k];
    }
    __m256d t = _mm256_loadu_pd(bt), a = _mm256_loadu_pd(ba), g = _mm256_loadu_pd(bg);
    STEP(t, a, g);
  }
  if (d != NULL) take_draws_float(d, copy, th, gr, n);
  PASS_OUT
}
#endif
