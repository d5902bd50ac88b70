/*
 * RMSprop's update of float32 parameters in place (kernel/src/optim/rmsprop.ts rmspropUpdate32:
 * weight decay, maximize, centered with both of ATen's lerp forms, momentum), alone or with the
 * tracer's pass riding along (UPDATE_WITH_PASS; included by trace_sums.c). Why, and how the same
 * bits as the JavaScript loop are kept (R32, operand order, the padded tail): sgd_update.h.
 *   g ← −∇ if maximize;  g ← fr(g + λθ)
 *   v ← fr(fr(v·α) + fr((1 − α)·g)·g)
 *   centered: ḡ ← fr(ḡ + w·fr(g − ḡ)) or fr(g + (w − 1)·fr(g − ḡ)); a = fr(fr(√fr(v − ḡ·ḡ)) + ε)
 *   else a = fr(fr(√v) + ε)
 *   momentum: b ← fr(fr(b·μ) + fr(g / a)), θ ← θ + (−γ)·b;  else θ ← θ + fr(fr(−γ·g) / a)
 */

typedef struct {
  double wd, alpha, oneMinusAlpha, w, wMinus1, mom, negLr, eps;
  int maximize, lerpFromAvg;
} RmspropArgs;

#if HAVE_X86
/* One vector of four elements at i (ga, b may be NULL): t = θ_t, g = ∇ as read, a = θ_{t+1}. */
#define RMSPROP4(i)                                                                               \
  __m256d t = _mm256_cvtps_pd(_mm_loadu_ps(th + (i)));                                            \
  __m256d g = _mm256_cvtps_pd(_mm_loadu_ps(gr + (i)));                                            \
  __m256d gd = A->maximize ? _mm256_xor_pd(g, negz) : g;                                          \
  /* g + λθ */                                                                                    \
  if (A->wd != 0) gd = R32(add_first(mul_first(t, vwd), gd));                                     \
  __m256d vo = _mm256_cvtps_pd(_mm_loadu_ps(vv + (i)));                                           \
  /* fr(v·α) + fr((1 − α)·g)·g */                                                                 \
  __m256d vi = R32(add_first(mul_first(gd, R32(mul_first(gd, voma))), R32(mul_first(valpha, vo)))); \
  _mm_storeu_ps(vv + (i), _mm256_cvtpd_ps(vi));                                                   \
  __m256d den;                                                                                    \
  if (ga != NULL) {                                                                               \
    __m256d old = _mm256_cvtps_pd(_mm_loadu_ps(ga + (i)));                                        \
    __m256d dd = R32(_mm256_sub_pd(gd, old));                                                     \
    /* ḡ + w·d, or g + (w − 1)·d */                                                               \
    __m256d gi = R32(A->lerpFromAvg ? add_first(mul_first(dd, vw), old) : add_first(mul_first(dd, vwm1), gd)); \
    _mm_storeu_ps(ga + (i), _mm256_cvtpd_ps(gi));                                                 \
    /* fr(fr(√fr(v − ḡ·ḡ)) + ε) */                                                                \
    den = R32(add_first(veps, R32(_mm256_sqrt_pd(R32(_mm256_sub_pd(vi, mul_first(gi, gi)))))));   \
  } else {                                                                                        \
    den = R32(add_first(veps, R32(_mm256_sqrt_pd(vi))));                                          \
  }                                                                                               \
  __m128 a32;                                                                                     \
  if (b != NULL) {                                                                                \
    __m256d bo = _mm256_cvtps_pd(_mm_loadu_ps(b + (i)));                                          \
    /* fr(b·μ) + fr(g / a) */                                                                     \
    __m256d bi = R32(add_first(R32(_mm256_div_pd(gd, den)), R32(mul_first(vmom, bo))));           \
    _mm_storeu_ps(b + (i), _mm256_cvtpd_ps(bi));                                                  \
    a32 = _mm256_cvtpd_ps(add_first(mul_first(bi, vlr), t));                                      \
  } else {                                                                                        \
    a32 = _mm256_cvtpd_ps(add_first(R32(_mm256_div_pd(R32(mul_first(gd, vlr)), den)), t));       \
  }                                                                                               \
  _mm_storeu_ps(th + (i), a32);                                                                   \
  __m256d a = _mm256_cvtps_pd(a32)

#define RMSPROP_CONSTS                                                                            \
  const __m256d negz = _mm256_set1_pd(-0.0), vwd = _mm256_set1_pd(A->wd), valpha = _mm256_set1_pd(A->alpha); \
  const __m256d voma = _mm256_set1_pd(A->oneMinusAlpha), vw = _mm256_set1_pd(A->w), vwm1 = _mm256_set1_pd(A->wMinus1); \
  const __m256d vmom = _mm256_set1_pd(A->mom), vlr = _mm256_set1_pd(A->negLr), veps = _mm256_set1_pd(A->eps)

/* Elements from..n (fewer than 4), through RMSPROP4 on a copy padded with zeros. */
__attribute__((target("avx2,fma"))) static void rmsprop_tail(float *th0, const float *gr0, float *vv0, float *ga0, float *b0, size_t from, size_t n, const RmspropArgs *A) {
  if (from >= n) return;
  float th[4], gr[4], vv[4], gx[4], bx[4];
  float *ga = ga0 != NULL ? gx : NULL, *b = b0 != NULL ? bx : NULL;
  pad_in(th, th0, from, n); pad_in(gr, gr0, from, n); pad_in(vv, vv0, from, n); pad_in(gx, ga0, from, n); pad_in(bx, b0, from, n);
  RMSPROP_CONSTS;
  RMSPROP4(0);
  (void)a;
  pad_out(th0, th, from, n); pad_out(vv0, vv, from, n); pad_out(ga0, gx, from, n); pad_out(b0, bx, from, n);
}

__attribute__((target("avx2,fma"))) static void rmsprop_f32(float *th, const float *gr, float *vv, float *ga, float *b, size_t n, const RmspropArgs *A) {
  RMSPROP_CONSTS;
  size_t whole = n & ~(size_t)3;
  for (size_t i = 0; i < whole; i += 4) {
    RMSPROP4(i);
    (void)a;
  }
  rmsprop_tail(th, gr, vv, ga, b, whole, n, A);
}

__attribute__((target("avx2,fma"))) static void rmsprop_f32_pass(float *th, const float *gr, float *vv, float *ga, float *b, size_t n, const RmspropArgs *A, Sums *o, float *copy, Draws *d) {
  RMSPROP_CONSTS;
  UPDATE_WITH_PASS(RMSPROP4, rmsprop_tail(th, gr, vv, ga, b, whole, n, A));
}

/* Elements [from, from + len) of one rmsprop call (pass_helper.h's RangeFn; o NULL: the update alone). */
typedef struct {
  float *th, *vv, *ga, *b, *copy;
  const float *gr;
  const RmspropArgs *A;
} RmspropCall;

__attribute__((target("avx2,fma"))) static void rmsprop_range(void *c, size_t from, size_t len, Sums *o, Draws *d) {
  const RmspropCall *C = (const RmspropCall *)c;
  float *ga = C->ga != NULL ? C->ga + from : NULL, *b = C->b != NULL ? C->b + from : NULL;
  if (o == NULL) rmsprop_f32(C->th + from, C->gr + from, C->vv + from, ga, b, len, C->A);
  else rmsprop_f32_pass(C->th + from, C->gr + from, C->vv + from, ga, b, len, C->A, o, C->copy + from, d);
}

#endif
