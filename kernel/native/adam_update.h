/*
 * Adam's and AdamW's update of float32 parameters in place (kernel/src/optim/adam.ts
 * adamUpdate32: L2 or decoupled weight decay, maximize, amsgrad, both of ATen's lerp forms), alone
 * or with the tracer's pass riding along (UPDATE_WITH_PASS; included by trace_sums.c).
 *
 * Why: as sgd_update.h says for SGD, the WebAssembly loop's copies in and out of its memory,
 * and a traced step's separate copy and pass, cost more than the update reading and writing the
 * arrays where they are (PERF.md, session 20).
 *
 * The same bits as the JavaScript loop: four float64 lanes, R32 where it rounds with Math.fround,
 * additions and products with their operands swapped and differences and quotients in order, as
 * V8 evaluates them (sgd_update.h says why), no fused multiply-add (trace_sums.c); the tail on a
 * padded copy through the same vector code:
 *   g ← −∇ if maximize;  θ ← fr(θ·decay) (decoupled)  or  g ← fr(g + λθ) (L2)
 *   d = fr(g − m);  m ← fr(m + w·d) (lerpFromM)  or  fr(g + (w − 1)·d)
 *   v ← fr(fr(v·β2) + fr((1 − β2)·g)·g);  amsgrad: v̂ ← v when v > v̂ or v is NaN, else v = v̂
 *   θ ← θ + fr(fr(−s·m) / fr(fr(fr(√v) / √(1 − β2^t)) + ε))
 */

typedef struct {
  double decay, wd, w, wMinus1, beta2, oneMinusBeta2, negStepSize, bc2Sqrt, eps;
  int maximize, lerpFromM;
} AdamArgs;

#if HAVE_X86
/* One vector of four elements at i: θ, m, v (and v̂) updated; t = θ_t (before decay), g = ∇, a = θ_{t+1}. */
#define ADAM4(i)                                                                                  \
  __m256d t = _mm256_cvtps_pd(_mm_loadu_ps(th + (i)));                                            \
  __m256d g = _mm256_cvtps_pd(_mm_loadu_ps(gr + (i)));                                            \
  __m256d gd = A->maximize ? _mm256_xor_pd(g, negz) : g;                                          \
  __m256d td = t;                                                                                 \
  /* θ·decay, or g + λθ */                                                                        \
  if (A->decay != 1) td = R32(mul_first(vdecay, t));                                          \
  else if (A->wd != 0) gd = R32(add_first(mul_first(t, vwd), gd));                        \
  __m256d mo = _mm256_cvtps_pd(_mm_loadu_ps(mm + (i)));                                           \
  __m256d dd = R32(_mm256_sub_pd(gd, mo));                                                        \
  /* m + w·d, or g + (w − 1)·d */                                                                 \
  __m128 m32 = _mm256_cvtpd_ps(A->lerpFromM ? add_first(mul_first(dd, vw), mo)            \
                                            : add_first(mul_first(dd, vwm1), gd));         \
  _mm_storeu_ps(mm + (i), m32);                                                                   \
  __m256d vo = _mm256_cvtps_pd(_mm_loadu_ps(vv + (i)));                                           \
  /* fr(v·β2) + fr((1 − β2)·g)·g */                                                               \
  __m256d vi = R32(add_first(mul_first(gd, R32(mul_first(gd, vomb2))), R32(mul_first(vb2, vo)))); \
  _mm_storeu_ps(vv + (i), _mm256_cvtpd_ps(vi));                                                   \
  if (vmax != NULL) {                                                                             \
    __m256d vm = _mm256_cvtps_pd(_mm_loadu_ps(vmax + (i)));                                       \
    __m256d take = _mm256_or_pd(_mm256_cmp_pd(vi, vm, _CMP_GT_OQ), _mm256_cmp_pd(vi, vi, _CMP_UNORD_Q)); \
    vi = _mm256_blendv_pd(vm, vi, take);                                                          \
    _mm_storeu_ps(vmax + (i), _mm256_cvtpd_ps(vi));                                               \
  }                                                                                               \
  /* fr(fr(√v) / √(1 − β2^t)) + ε;  fr(−s·m) / that;  θ + that */                                \
  __m256d den = R32(add_first(veps, R32(_mm256_div_pd(R32(_mm256_sqrt_pd(vi)), vbc2))));      \
  __m256d upd = R32(_mm256_div_pd(R32(mul_first(_mm256_cvtps_pd(m32), vnss)), den));          \
  __m128 a32 = _mm256_cvtpd_ps(add_first(upd, td));                                           \
  _mm_storeu_ps(th + (i), a32);                                                                   \
  __m256d a = _mm256_cvtps_pd(a32)

#define ADAM_CONSTS                                                                               \
  const __m256d negz = _mm256_set1_pd(-0.0), vdecay = _mm256_set1_pd(A->decay), vwd = _mm256_set1_pd(A->wd); \
  const __m256d vw = _mm256_set1_pd(A->w), vwm1 = _mm256_set1_pd(A->wMinus1), vb2 = _mm256_set1_pd(A->beta2); \
  const __m256d vomb2 = _mm256_set1_pd(A->oneMinusBeta2), vnss = _mm256_set1_pd(A->negStepSize);  \
  const __m256d vbc2 = _mm256_set1_pd(A->bc2Sqrt), veps = _mm256_set1_pd(A->eps)

/* Elements from..n (fewer than 4), through ADAM4 on a copy padded with zeros. */
__attribute__((target("avx2,fma"))) static void adam_tail(float *th0, const float *gr0, float *mm0, float *vv0, float *vmax0, size_t from, size_t n, const AdamArgs *A) {
  if (from >= n) return;
  float th[4], gr[4], mm[4], vv[4], vx[4];
  float *vmax = vmax0 != NULL ? vx : NULL;
  pad_in(th, th0, from, n); pad_in(gr, gr0, from, n); pad_in(mm, mm0, from, n); pad_in(vv, vv0, from, n); pad_in(vx, vmax0, from, n);
  ADAM_CONSTS;
  ADAM4(0);
  (void)a;
  pad_out(th0, th, from, n); pad_out(mm0, mm, from, n); pad_out(vv0, vv, from, n); pad_out(vmax0, vx, from, n);
}

/* The update alone. */
__attribute__((target("avx2,fma"))) static void adam_f32(float *th, const float *gr, float *mm, float *vv, float *vmax, size_t n, const AdamArgs *A) {
  ADAM_CONSTS;
  size_t whole = n & ~(size_t)3;
  for (size_t i = 0; i < whole; i += 4) {
    ADAM4(i);
    (void)a;
  }
  adam_tail(th, gr, mm, vv, vmax, whole, n, A);
}

/* The update with the pass (UPDATE_WITH_PASS, trace_sums.c). */
__attribute__((target("avx2,fma"))) static void adam_f32_pass(float *th, const float *gr, float *mm, float *vv, float *vmax, size_t n, const AdamArgs *A, Sums *o, float *copy, Draws *d) {
  ADAM_CONSTS;
  UPDATE_WITH_PASS(ADAM4, adam_tail(th, gr, mm, vv, vmax, whole, n, A));
}

/* Elements [from, from + len) of one adam call (pass_helper.h's RangeFn; o NULL: the update alone). */
typedef struct {
  float *th, *mm, *vv, *vmax, *copy;
  const float *gr;
  const AdamArgs *A;
} AdamCall;

__attribute__((target("avx2,fma"))) static void adam_range(void *c, size_t from, size_t len, Sums *o, Draws *d) {
  const AdamCall *C = (const AdamCall *)c;
  float *vmax = C->vmax != NULL ? C->vmax + from : NULL;
  if (o == NULL) adam_f32(C->th + from, C->gr + from, C->mm + from, C->vv + from, vmax, len, C->A);
  else adam_f32_pass(C->th + from, C->gr + from, C->mm + from, C->vv + from, vmax, len, C->A, o, C->copy + from, d);
}

#endif
