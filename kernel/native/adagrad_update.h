/*
 * Adagrad's update of float32 parameters in place (kernel/src/optim/adagrad.ts adagradUpdate32:
 * weight decay, maximize), alone or with the tracer's pass riding along (UPDATE_WITH_PASS;
 * included by trace_sums.c). Why, and how the same bits as the JavaScript loop are kept (R32,
 * operand order, the padded tail): sgd_update.h.
 *   g ← −∇ if maximize;  g ← fr(g + λθ);  s ← fr(s + g·g);  θ ← θ + fr(fr(−γ'·g) / fr(fr(√s) + ε))
 * with γ' = γ/(1 + (t − 1)·lr_decay) as adagrad.ts gives it.
 */

typedef struct {
  double wd, negClr, eps;
  int maximize;
} AdagradArgs;

#if HAVE_X86
#define ADAGRAD4(i)                                                                               \
  __m256d t = _mm256_cvtps_pd(_mm_loadu_ps(th + (i)));                                            \
  __m256d g = _mm256_cvtps_pd(_mm_loadu_ps(gr + (i)));                                            \
  __m256d gd = A->maximize ? _mm256_xor_pd(g, negz) : g;                                          \
  if (A->wd != 0) gd = R32(add_first(mul_first(t, vwd), gd));                                     \
  /* s + g·g */                                                                                   \
  __m256d si = R32(add_first(mul_first(gd, gd), _mm256_cvtps_pd(_mm_loadu_ps(ss + (i)))));        \
  _mm_storeu_ps(ss + (i), _mm256_cvtpd_ps(si));                                                   \
  /* θ + fr(fr(−γ'·g) / fr(fr(√s) + ε)) */                                                         \
  __m256d den = R32(add_first(veps, R32(_mm256_sqrt_pd(si))));                                    \
  __m128 a32 = _mm256_cvtpd_ps(add_first(R32(_mm256_div_pd(R32(mul_first(gd, vclr)), den)), t));  \
  _mm_storeu_ps(th + (i), a32);                                                                   \
  __m256d a = _mm256_cvtps_pd(a32)

#define ADAGRAD_CONSTS                                                                            \
  const __m256d negz = _mm256_set1_pd(-0.0), vwd = _mm256_set1_pd(A->wd), vclr = _mm256_set1_pd(A->negClr); \
  const __m256d veps = _mm256_set1_pd(A->eps)

__attribute__((target("avx2,fma"))) static void adagrad_tail(float *th0, const float *gr0, float *ss0, size_t from, size_t n, const AdagradArgs *A) {
  if (from >= n) return;
  float th[4], gr[4], ss[4];
  pad_in(th, th0, from, n); pad_in(gr, gr0, from, n); pad_in(ss, ss0, from, n);
  ADAGRAD_CONSTS;
  ADAGRAD4(0);
  (void)a;
  pad_out(th0, th, from, n); pad_out(ss0, ss, from, n);
}

__attribute__((target("avx2,fma"))) static void adagrad_f32(float *th, const float *gr, float *ss, size_t n, const AdagradArgs *A) {
  ADAGRAD_CONSTS;
  size_t whole = n & ~(size_t)3;
  for (size_t i = 0; i < whole; i += 4) {
    ADAGRAD4(i);
    (void)a;
  }
  adagrad_tail(th, gr, ss, whole, n, A);
}

__attribute__((target("avx2,fma"))) static void adagrad_f32_pass(float *th, const float *gr, float *ss, size_t n, const AdagradArgs *A, Sums *o, float *copy, Draws *d) {
  ADAGRAD_CONSTS;
  UPDATE_WITH_PASS(ADAGRAD4, adagrad_tail(th, gr, ss, whole, n, A));
}

/* Elements [from, from + len) of one adagrad call (pass_helper.h's RangeFn; o NULL: the update alone). */
typedef struct {
  float *th, *ss, *copy;
  const float *gr;
  const AdagradArgs *A;
} AdagradCall;

__attribute__((target("avx2,fma"))) static void adagrad_range(void *c, size_t from, size_t len, Sums *o, Draws *d) {
  const AdagradCall *C = (const AdagradCall *)c;
  if (o == NULL) adagrad_f32(C->th + from, C->gr + from, C->ss + from, len, C->A);
  else adagrad_f32_pass(C->th + from, C->gr + from, C->ss + from, len, C->A, o, C->copy + from, d);
}

#endif
