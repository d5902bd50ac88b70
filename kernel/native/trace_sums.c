/*
 * The tracer's per-element pass (kernel/src/trace/sums.ts `accumulate`) with 256-bit SIMD and fused
 * multiply-adds, for large parameters (kernel/src/trace/native_sums.ts).
 *
 * Why: the WebAssembly pass (wasm_sums.ts) has 128-bit vectors, two float64 lanes, and no fused
 * multiply-add. Six float64 sums, the extremes of ρ and a count take it ~1 ns an element: 0.2 ms a
 * step for a 784-256-10 MLP, the whole of the tracer's 10% budget. Four lanes and an FMA per sum
 * take the same pass ~3× less (bench/NOTES.md, "Session 19").
 *
 * The same numbers as the WebAssembly pass, up to the order of the additions:
 * - θ, θ_{t+1} and g are float32 or float64 values; float32 ones are converted to float64 exactly;
 * - e = θ − a is one float64 subtraction, as there;
 * - a product of two float32 values is exact in float64, so a fused multiply-add rounds once where
 *   a multiply then an add rounds once too: the same sum, element by element. (A product of e,
 *   whose bits may outnumber float32's, rounds in the multiply there and not here: a rounding-level
 *   difference, as the order of the lanes is.)
 * - ρ = e/g is the same correctly rounded division, and its extremes are kept with the comparison
 *   `r < lo ? r : lo` (MINPD returns its second operand when either is NaN), over the elements with
 *   g ≠ 0: exactly the same minimum and maximum.
 *
 * Exports: level(): "avx2" when this processor runs the fast pass, else "" (then the caller keeps
 * the WebAssembly pass); sums(memory: Uint8Array, f32: boolean, theta, after, grad, n, out): writes
 * the output block of wasm_sums.ts at byte `out` of `memory` (nine pairs of float64: the sums −dg,
 * gg, dd, tt, aa, −td in the first lane of their pair and 0 in the second, ρ's min and max with
 * ±Infinity in the second lane, and at out + 128 the count of g = 0 as two int64), from the three
 * arrays at byte offsets theta, after, grad of n elements each (n a multiple of 4, pads zero).
 * Every offset is checked against the memory's length first: a bad call throws, it never reads
 * outside. From 65,536 elements the passes and updates run in chunks shared with a helper thread
 * (pass_helper.h; help_wake, help_mode, help_stats below).
 * Built by scripts/setup.mjs with the machine's C compiler; optional: without it (or without AVX2
 * and FMA) the tracer uses its WebAssembly pass.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <node_api.h>

/*
 * No fused multiply-add but where an intrinsic asks for one: sgd_update.h's update must round a
 * product before adding it, as JavaScript does (the compiler may otherwise fuse a multiply and an
 * add written apart; set-up also passes -ffp-contract=off).
 */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HAVE_X86 1
#else
#define HAVE_X86 0
#endif

typedef struct {
  double s[6];
  double lo, hi;
  int64_t zeros;
} Sums;

/*
 * The draws of a ρ sample that fall in one array (sums_arrays's optional arguments): idx[j0..j1),
 * increasing element indices into the arrays laid end to end, this array starting at `base`; draw
 * j's ρ = −(θ_{t+1} − θ_t)/g (the float64 operations of sample.ts and rho_gather) goes to rho[j], NaN
 * where g = 0 (a place per draw, whatever order the arrays are measured in). Taken chunk by chunk
 * inside the pass, while the chunk is in the L1 cache: read afterwards, each draw was a cache miss
 * or two on a large parameter (PERF.md). `more`: a second sample of the same array taken along
 * (an update's pass takes the group's share and, with per_param, the parameter's own), or NULL.
 */
typedef struct Draws {
  const int32_t *idx;
  size_t j, j1;
  int64_t base;
  double *rho;
  struct Draws *more;
} Draws;

/* Elements per chunk of the pass between two looks at the draws (a multiple of 4). */
#define DRAW_CHUNK 2048

/*
 * Elements per block of an update loop with the pass (UPDATE_WITH_PASS, a multiple of 4 dividing
 * DRAW_CHUNK): the block is updated, then the pass reads it back from the L1 cache. One loop doing
 * both was ~1.9× slower than the update alone (282 against 141 µs over 200,704 elements), against
 * ~1.5× (216 µs) in two: each vector's chain (load, update, rounding, division, extremes) is ~40
 * cycles long, and the processor's schedulers held too few of the fused loop's ~45 instructions a
 * vector to overlap them (kernel/src/trace/PERF.md, "Session 22").
 */
#define PASS_BLOCK 256

#include "pass_helper.h"

#if HAVE_X86
__attribute__((target("avx2,fma"))) static double hsum(__m256d v) {
  double b[4];
  _mm256_storeu_pd(b, v);
  return (b[0] + b[1]) + (b[2] + b[3]);
}

/* The loop body of both types: t, a, g four float64 lanes. */
#define STEP(t, a, g)                                             \
  do {                                                            \
    __m256d e = _mm256_sub_pd(t, a);                              \
    s0 = _mm256_fmadd_pd(e, g, s0);                               \
    s1 = _mm256_fmadd_pd(g, g, s1);                               \
    s2 = _mm256_fmadd_pd(e, e, s2);                               \
    s3 = _mm256_fmadd_pd(t, t, s3);                               \
    s4 = _mm256_fmadd_pd(a, a, s4);                               \
    s5 = _mm256_fmadd_pd(t, e, s5);                               \
    __m256d gz = _mm256_cmp_pd(g, zero, _CMP_EQ_OQ);              \
    zeros = _mm256_sub_epi64(zeros, _mm256_castpd_si256(gz));     \
    __m256d r = _mm256_blendv_pd(_mm256_div_pd(e, g), nan, gz);   \
    lo = _mm256_min_pd(r, lo);                                    \
    hi = _mm256_max_pd(r, hi);                                    \
  } while (0)

#define PASS_BODY(LOAD)                                                              \
  __m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0;     \
  __m256d lo = _mm256_set1_pd(INFINITY), hi = _mm256_set1_pd(-INFINITY);             \
  __m256d zero = _mm256_setzero_pd(), nan = _mm256_set1_pd(NAN);                      \
  __m256i zeros = _mm256_setzero_si256();                                            \
  size_t whole = n & ~(size_t)3;                                                     \
  for (size_t c = 0; c < whole; c += DRAW_CHUNK) {                                   \
    size_t ce = c + DRAW_CHUNK < whole ? c + DRAW_CHUNK : whole;                     \
    for (size_t i = c; i < ce; i += 4) {                                             \
      __m256d t = LOAD(th + i), a = LOAD(af + i), g = LOAD(gr + i);                  \
      STEP(t, a, g);                                                                 \
    }                                                                                \
    if (d != NULL) take_draws(d, th, af, gr, ce);                                    \
  }                                                                                  \
  if (d != NULL) take_draws(d, th, af, gr, n);                                       \
  if (whole < n) {                                                                   \
    /* the last n mod 4 elements as one more vector padded with zeros, as the */     \
    /* tracer's memory holds them (which makes both give the same bits) */           \
    double bt[4] = {0, 0, 0, 0}, ba[4] = {0, 0, 0, 0}, bg[4] = {0, 0, 0, 0};         \
    for (size_t k = whole; k < n; k++) {                                             \
      bt[k - whole] = th[k]; ba[k - whole] = af[k]; bg[k - whole] = gr[k];           \
    }                                                                                \
    __m256d t = _mm256_loadu_pd(bt), a = _mm256_loadu_pd(ba), g = _mm256_loadu_pd(bg); \
    STEP(t, a, g);                                                                   \
  }                                                                                  \
  PASS_OUT

/* The pass's accumulators (s0..s5, lo, hi, zeros) over n elements into o. */
#define PASS_OUT                                                                     \
  o->s[0] = hsum(s0); o->s[1] = hsum(s1); o->s[2] = hsum(s2);                        \
  o->s[3] = hsum(s3); o->s[4] = hsum(s4); o->s[5] = hsum(s5);                        \
  double q[4];                                                                       \
  _mm256_storeu_pd(q, lo);                                                           \
  o->lo = INFINITY;                                                                  \
  for (int k = 0; k < 4; k++) o->lo = q[k] < o->lo ? q[k] : o->lo;                   \
  _mm256_storeu_pd(q, hi);                                                           \
  o->hi = -INFINITY;                                                                 \
  for (int k = 0; k < 4; k++) o->hi = q[k] > o->hi ? q[k] : o->hi;                   \
  int64_t z[4];                                                                      \
  _mm256_storeu_si256((__m256i *)z, zeros);                                          \
  o->zeros = z[0] + z[1] + z[2] + z[3] - (int64_t)((4 - n % 4) % 4);

#define LOAD_F32(p) _mm256_cvtps_pd(_mm_loadu_ps(p))
#define LOAD_F64(p) _mm256_loadu_pd(p)

/* The draws below element `end` (see Draws), of d and of the samples chained to it. */
#define TAKE_DRAWS(T)                                                                              \
  __attribute__((target("avx2,fma"))) static void take_draws_one_##T(Draws *d, const T *th, const T *af, const T *gr, size_t end) {   \
    const int32_t *idx = d->idx;                                                                   \
    double *restrict rho = d->rho;                                                                 \
    const int64_t base = d->base;                                                                  \
    size_t j = d->j, j1 = d->j1;                                                                   \
    for (; j < j1 && (size_t)(idx[j] - base) < end; j++) {                                         \
      size_t i = (size_t)(idx[j] - base);                                                          \
      double g = gr[i];                                                                            \
      rho[j] = g != 0 ? -((double)af[i] - (double)th[i]) / g : NAN;                                \
    }                                                                                              \
    d->j = j;                                                                                      \
  }                                                                                                \
  __attribute__((target("avx2,fma"))) static void take_draws_##T(Draws *d, const T *th, const T *af, const T *gr, size_t end) {       \
    for (; d != NULL; d = d->more) take_draws_one_##T(d, th, af, gr, end);                         \
  }
TAKE_DRAWS(float)
TAKE_DRAWS(double)

__attribute__((target("avx2,fma"))) static void pass_f32(const float *th, const float *af, const float *gr, size_t n, Sums *o, Draws *d) {
#define take_draws take_draws_float
  PASS_BODY(LOAD_F32)
#undef take_draws
}

__attribute__((target("avx2,fma"))) static void pass_f64(const double *th, const double *af, const double *gr, size_t n, Sums *o, Draws *d) {
#define take_draws take_draws_double
  PASS_BODY(LOAD_F64)
#undef take_draws
}

/* Elements [from, from + len) of one pass (pass_helper.h's RangeFn): θ_t, θ_{t+1}, ∇ of one type. */
typedef struct {
  const void *th, *af, *gr;
  int f32;
} PassCall;

__attribute__((target("avx2,fma"))) static void pass_range(void *c, size_t from, size_t len, Sums *o, Draws *d) {
  const PassCall *C = (const PassCall *)c;
  if (C->f32) pass_f32((const float *)C->th + from, (const float *)C->af + from, (const float *)C->gr + from, len, o, d);
  else pass_f64((const double *)C->th + from, (const double *)C->af + from, (const double *)C->gr + from, len, o, d);
}

/* The pass over n elements, in chunks shared with the helper thread from HELP_MIN (pass_helper.h). */
static void pass_split(const void *th, const void *af, const void *gr, int f32, size_t n, Sums *o, Draws *d) {
  PassCall C = {th, af, gr, f32};
  split_run(pass_range, &C, n, o, d);
}

static int fast(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#else
static int fast(void) { return 0; }
#endif

#if HAVE_X86
/*
 * x + y and x · y with x as the instruction's first source, whose payload x64 keeps when both are
 * NaNs. In inline assembly because the compiler treats an addition or a product as commutative and
 * may swap its operands, which changes only that payload: the update loops (sgd_update.h,
 * adam_update.h) must store the JavaScript loop's NaNs bit for bit.
 */
__attribute__((target("avx2,fma"), always_inline)) static inline __m256d add_first(__m256d x, __m256d y) {
  __m256d r;
  __asm__("vaddpd %2, %1, %0" : "=x"(r) : "x"(x), "x"(y));
  return r;
}
__attribute__((target("avx2,fma"), always_inline)) static inline __m256d mul_first(__m256d x, __m256d y) {
  __m256d r;
  __asm__("vmulpd %2, %1, %0" : "=x"(r) : "x"(x), "x"(y));
  return r;
}

/*
 * An optimizer's update loop with the tracer's pass riding along (sgd_update.h, adam_update.h):
 * UPD4(i) updates elements i..i+3 in place and leaves t (θ_t), g (∇ as read) and a (θ_{t+1}) as
 * four float64 lanes; TAIL updates elements whole..n one by one. θ_t goes to `copy` on the way;
 * each PASS_BLOCK of elements is updated, then summed from the cache (the copy, θ_{t+1} and ∇ read
 * back): the sums are pass_f32's over θ_t, θ_{t+1} and ∇ (the same lanes in the same order: the
 * same bits); the draws d (may be NULL) are taken after each chunk from the copy and the arrays. Needs
 * th, gr, n, o, copy, d in scope.
 */
#define UPDATE_WITH_PASS(UPD4, TAIL)                                                        \
  __m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0;            \
  __m256d lo = _mm256_set1_pd(INFINITY), hi = _mm256_set1_pd(-INFINITY);                    \
  __m256d zero = _mm256_setzero_pd(), nan = _mm256_set1_pd(NAN);                             \
  __m256i zeros = _mm256_setzero_si256();                                                   \
  size_t whole = n & ~(size_t)3;                                                            \
  for (size_t c = 0; c < whole; c += DRAW_CHUNK) {                                          \
    size_t ce = c + DRAW_CHUNK < whole ? c + DRAW_CHUNK : whole;                            \
    for (size_t b0 = c; b0 < ce; b0 += PASS_BLOCK) {                                        \
      size_t b1 = b0 + PASS_BLOCK < ce ? b0 + PASS_BLOCK : ce;                              \
      for (size_t i = b0; i < b1; i += 4) {                                                 \
        _mm_storeu_ps(copy + i, _mm_loadu_ps(th + i));                                      \
        UPD4(i);                                                                            \
        (void)t; (void)a; (void)g;                                                          \
      }                                                                                     \
      for (size_t i = b0; i < b1; i += 4) {                                                 \
        __m256d t = LOAD_F32(copy + i), a = LOAD_F32(th + i), g = LOAD_F32(gr + i);         \
        STEP(t, a, g);                                                                      \
      }                                                                                     \
    }                                                                                       \
    if (d != NULL) take_draws_float(d, copy, th, gr, ce);                                   \
  }                                                                                         \
  if (whole < n) {                                                                          \
    /* the tail: updated one by one, then its pass as one vector padded with zeros */       \
    for (size_t k = whole; k < n; k++) copy[k] = th[k];                                     \
    TAIL;                                                                                   \
    double bt[4] = {0, 0, 0, 0}, ba[4] = {0, 0, 0, 0}, bg[4] = {0, 0, 0, 0};                \
    for (size_t k = whole; k < n; k++) {                                                    \
      bt[k - whole] = copy[k]; ba[k - whole] = th[k]; bg[k - whole] = gr[k];                \
    }                                                                                       \
    __m256d t = _mm256_loadu_pd(bt), a = _mm256_loadu_pd(ba), g = _mm256_loadu_pd(bg);      \
    STEP(t, a, g);                                                                          \
  }                                                                                         \
  if (d != NULL) take_draws_float(d, copy, th, gr, n);                                      \
  PASS_OUT
#endif

#if HAVE_X86
/*
 * The update loops' last n mod 4 elements go through their vector code on padded copies (the
 * operands' order of C's scalar code is the compiler's): elements from..n of src into pad, the
 * rest zero (src NULL: all zero), and back.
 */
static void pad_in(float pad[4], const float *src, size_t from, size_t n) {
  for (size_t k = 0; k < 4; k++) pad[k] = src != NULL && from + k < n ? src[from + k] : 0;
}
static void pad_out(float *dst, const float pad[4], size_t from, size_t n) {
  if (dst != NULL) for (size_t k = from; k < n; k++) dst[k] = pad[k - from];
}
#endif

#include "sgd_update.h"
#include "adam_update.h"
#include "rmsprop_update.h"
#include "adagrad_update.h"
#include "select.h"

static napi_value str(napi_env env, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

static napi_value call_level(napi_env env, napi_callback_info info) {
  (void)info;
  return str(env, fast() ? "avx2" : "");
}

static int offset_arg(napi_env env, napi_value v, int64_t *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0) || d > 9007199254740991.0 || d != floor(d)) return 0;
  *out = (int64_t)d;
  return 1;
}

static napi_value call_sums(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 7) {
    napi_throw_type_error(env, NULL, "sums(memory, f32, theta, after, grad, n, out): 7 arguments expected");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "sums: memory must be a Uint8Array over the whole memory");
    return NULL;
  }
  bool f32;
  int64_t theta, after, grad, n, out;
  if (napi_get_value_bool(env, argv[1], &f32) != napi_ok || !offset_arg(env, argv[2], &theta) || !offset_arg(env, argv[3], &after) ||
      !offset_arg(env, argv[4], &grad) || !offset_arg(env, argv[5], &n) || !offset_arg(env, argv[6], &out)) {
    napi_throw_type_error(env, NULL, "sums: f32 must be a boolean and theta, after, grad, n, out non-negative integers");
    return NULL;
  }
  const int64_t size = f32 ? 4 : 8, len = (int64_t)length;
  if (n % 4 != 0 || n > len / size || theta % size || after % size || grad % size || out % 8 || theta > len - n * size ||
      after > len - n * size || grad > len - n * size || out > len - 144) {
    napi_throw_range_error(env, NULL, "sums: n must be a multiple of 4 and every array (and the 144-byte output) inside the memory, aligned to its type");
    return NULL;
  }
  napi_value result;
  if (!fast()) {
    napi_get_boolean(env, false, &result);
    return result;
  }
#if HAVE_X86
  uint8_t *m = (uint8_t *)data;
  Sums s;
  pass_split(m + theta, m + after, m + grad, f32, (size_t)n, &s, NULL);
  double block[16];
  for (int k = 0; k < 6; k++) {
    block[2 * k] = s.s[k];
    block[2 * k + 1] = 0;
  }
  block[12] = s.lo;
  block[13] = INFINITY;
  block[14] = s.hi;
  block[15] = -INFINITY;
  int64_t counts[2] = {s.zeros, 0};
  memcpy(m + out, block, sizeof block);
  memcpy(m + out + 128, counts, sizeof counts);
#endif
  napi_get_boolean(env, true, &result);
  return result;
}


/* One array of a part: its data and element type. */
typedef struct {
  const void *data;
  int f32;
} Arr;

static double at(Arr a, size_t i) { return a.f32 ? (double)((const float *)a.data)[i] : ((const double *)a.data)[i]; }

#define MAX_PARTS 4096

/*
 * rho_gather(parts: (Float32Array | Float64Array)[] (θ_t, g_t, θ_{t+1} of each part in turn),
 * idx: Int32Array (increasing indices into the parts laid end to end), out: Float64Array): the
 * number m of drawn elements with g ≠ 0, whose ρ = −(θ_{t+1} − θ_t)/g, the same float64 operations
 * as sample.ts, are written to out[0..m). The strided reads of sample.ts `rhoQuantiles`, without
 * the JavaScript loop's per-element costs.
 */
static napi_value call_rho_gather(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) {
    napi_throw_type_error(env, NULL, "rho_gather(parts, idx, out): 3 arguments expected");
    return NULL;
  }
  uint32_t count;
  bool isArray;
  if (napi_is_array(env, argv[0], &isArray) != napi_ok || !isArray || napi_get_array_length(env, argv[0], &count) != napi_ok || count % 3 != 0 ||
      count / 3 > MAX_PARTS) {
    napi_throw_type_error(env, NULL, "rho_gather: parts must be an array of θ, g, θ' typed arrays, three per part");
    return NULL;
  }
  /* per call, not static: the main thread and the tracer's worker thread both call this */
  size_t parts = count / 3, total = 0;
  Arr *arrs = malloc(sizeof(Arr) * (count + 1));
  size_t *lens = malloc(sizeof(size_t) * (parts + 1));
  if (arrs == NULL || lens == NULL) {
    free(arrs);
    free(lens);
    napi_throw_error(env, NULL, "rho_gather: out of memory");
    return NULL;
  }
  for (uint32_t k = 0; k < count; k++) {
    napi_value v;
    napi_typedarray_type type;
    size_t length;
    void *data;
    if (napi_get_element(env, argv[0], k, &v) != napi_ok || napi_get_typedarray_info(env, v, &type, &length, &data, NULL, NULL) != napi_ok ||
        (type != napi_float32_array && type != napi_float64_array)) {
      napi_throw_type_error(env, NULL, "rho_gather: every part array must be a Float32Array or a Float64Array");
      goto fail;
    }
    if (k % 3 == 0) lens[k / 3] = length;
    else if (length != lens[k / 3]) {
      napi_throw_range_error(env, NULL, "rho_gather: a part's three arrays must have the same length");
      goto fail;
    }
    arrs[k].data = data;
    arrs[k].f32 = type == napi_float32_array;
  }
  for (size_t k = 0; k < parts; k++) total += lens[k];
  napi_typedarray_type type;
  size_t nidx, nout;
  void *pidx, *pout;
  if (napi_get_typedarray_info(env, argv[1], &type, &nidx, &pidx, NULL, NULL) != napi_ok || type != napi_int32_array ||
      napi_get_typedarray_info(env, argv[2], &type, &nout, &pout, NULL, NULL) != napi_ok || type != napi_float64_array || nout < nidx) {
    napi_throw_type_error(env, NULL, "rho_gather: idx must be an Int32Array and out a Float64Array at least as long");
    goto fail;
  }
  const int32_t *idx = (const int32_t *)pidx;
  double *o = (double *)pout;
  size_t m = 0, k = 0, start = 0, end = parts > 0 ? lens[0] : 0;
  int64_t prev = -1;
  for (size_t j = 0; j < nidx; j++) {
    int64_t u = idx[j];
    if (u <= prev || (size_t)u >= total) {
      napi_throw_range_error(env, NULL, "rho_gather: idx must be increasing and inside the parts");
      goto fail;
    }
    prev = u;
    while ((size_t)u >= end) {
      start = end;
      end += lens[++k];
    }
    size_t i = (size_t)u - start;
    double g = at(arrs[3 * k + 1], i);
    if (g != 0) o[m++] = -(at(arrs[3 * k + 2], i) - at(arrs[3 * k], i)) / g;
  }
  free(arrs);
  free(lens);
  napi_value result;
  napi_create_double(env, (double)m, &result);
  return result;
fail:
  free(arrs);
  free(lens);
  return NULL;
}

/*
 * sums_arrays(theta, after, grad, out: Float64Array(9)): the same pass over three typed arrays of
 * one type and length (any length: the last n mod 4 elements go through one more vector padded
 * with zeros, which add nothing and are not counted, as `sums` over the tracer's padded copies:
 * the same bits either way): out = [Σ e·g, Σ g², Σ e², Σ θ², Σ a², Σ θ·e,
 * ρ's min, ρ's max, the count of g = 0], e = θ − a. For a step measured at once on the main thread,
 * which reads the gradient and θ_{t+1} where they are (trace/snapshot.ts).
 *
 * sums_arrays(theta, after, grad, out, idx: Int32Array, j0, j1, base, rho: Float64Array): the
 * same, and the ρ sample's draws idx[j0..j1) (see Draws; each idx[j] − base inside the arrays,
 * increasing) into rho[j0..j1). The sums are the same bits with or without draws.
 */

/* Reads the draws' arguments (argv[at..at+4]: idx, j0, j1, base, rho) into d; 0 after throwing. */
static int draws_args(napi_env env, napi_value *argv, size_t at, size_t n, const char *fn, Draws *d) {
  napi_typedarray_type it, rt;
  size_t nidx, nrho;
  void *pidx, *prho;
  int64_t j0, j1, base;
  char msg[200];
  if (napi_get_typedarray_info(env, argv[at], &it, &nidx, &pidx, NULL, NULL) != napi_ok || it != napi_int32_array ||
      napi_get_typedarray_info(env, argv[at + 4], &rt, &nrho, &prho, NULL, NULL) != napi_ok || rt != napi_float64_array ||
      !offset_arg(env, argv[at + 1], &j0) || !offset_arg(env, argv[at + 2], &j1) || !offset_arg(env, argv[at + 3], &base)) {
    snprintf(msg, sizeof msg, "%s: with draws, idx must be an Int32Array, j0, j1 and base non-negative integers, and rho a Float64Array", fn);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  const int32_t *idx = (const int32_t *)pidx;
  if (j0 > j1 || (size_t)j1 > nidx || (size_t)j1 > nrho) {
    snprintf(msg, sizeof msg, "%s: the draws idx[j0..j1) must be inside idx, and rho at least j1 long", fn);
    napi_throw_range_error(env, NULL, msg);
    return 0;
  }
  int64_t prev = -1;
  for (int64_t j = j0; j < j1; j++) {
    int64_t i = (int64_t)idx[j] - base;
    if (i <= prev || i >= (int64_t)n) {
      snprintf(msg, sizeof msg, "%s: the draws must be increasing and, less base, inside the arrays", fn);
      napi_throw_range_error(env, NULL, msg);
      return 0;
    }
    prev = i;
  }
  d->idx = idx;
  d->j = (size_t)j0;
  d->j1 = (size_t)j1;
  d->base = base;
  d->rho = (double *)prho;
  d->more = NULL;
  return 1;
}

static napi_value call_sums_arrays(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  napi_value result;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || (argc != 4 && argc != 9)) {
    napi_throw_type_error(env, NULL, "sums_arrays(theta, after, grad, out[, idx, j0, j1, base, rho]): 4 or 9 arguments expected");
    return NULL;
  }
  void *p[3];
  size_t len[3];
  napi_typedarray_type type[3];
  for (int k = 0; k < 3; k++) {
    if (napi_get_typedarray_info(env, argv[k], &type[k], &len[k], &p[k], NULL, NULL) != napi_ok ||
        (type[k] != napi_float32_array && type[k] != napi_float64_array) || type[k] != type[0] || len[k] != len[0]) {
      napi_throw_type_error(env, NULL, "sums_arrays: theta, after and grad must be typed arrays of one type (Float32Array or Float64Array) and one length");
      return NULL;
    }
  }
  napi_typedarray_type ot;
  size_t olen;
  void *op;
  if (napi_get_typedarray_info(env, argv[3], &ot, &olen, &op, NULL, NULL) != napi_ok || ot != napi_float64_array || olen < 9) {
    napi_throw_type_error(env, NULL, "sums_arrays: out must be a Float64Array of at least 9 elements");
    return NULL;
  }
  Draws draws, *d = NULL;
  if (argc == 9) {
    if (!draws_args(env, argv, 4, len[0], "sums_arrays", &draws)) return NULL;
    d = &draws;
  }
  if (!fast()) {
    napi_get_boolean(env, false, &result);
    return result;
  }
#if HAVE_X86
  Sums s;
  pass_split(p[0], p[1], p[2], type[0] == napi_float32_array, len[0], &s, d);
  double *o = (double *)op;
  for (int k = 0; k < 6; k++) o[k] = s.s[k];
  o[6] = s.lo;
  o[7] = s.hi;
  o[8] = (double)s.zeros;
#endif
  napi_get_boolean(env, true, &result);
  return result;
}

/* A Float32Array argument: its data and length; 0 (and *ok false) when it is not one. */
static float *f32_arg(napi_env env, napi_value v, size_t *len, int *ok) {
  napi_typedarray_type type;
  void *data;
  if (napi_get_typedarray_info(env, v, &type, len, &data, NULL, NULL) != napi_ok || type != napi_float32_array) {
    *ok = 0;
    return NULL;
  }
  return (float *)data;
}

/* An update's pass: where its sums go, θ_t's copy, and the draws (null: none; `own` chained after `draws`). */
typedef struct {
  double *out;
  float *copy;
  Draws draws, own, *d;
} PassArgs;

/*
 * The pass's arguments of an update call (sgd, adam) from argv[at]: out, copy, then the draws
 * when argc reaches at + 7, and a second sample of draws (the parameter's own, per_param) when it
 * reaches at + 12. 0 after throwing.
 */
static int pass_args(napi_env env, napi_value *argv, size_t argc, size_t at, size_t n, const char *fn, PassArgs *p) {
  napi_typedarray_type ot;
  size_t olen, nc = 0;
  void *op;
  int ok = 1;
  char msg[160];
  p->copy = f32_arg(env, argv[at + 1], &nc, &ok);
  if (napi_get_typedarray_info(env, argv[at], &ot, &olen, &op, NULL, NULL) != napi_ok || ot != napi_float64_array || olen < 9 || !ok || nc != n) {
    snprintf(msg, sizeof msg, "%s: out must be a Float64Array of at least 9 elements and copy a Float32Array as long as theta", fn);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  p->out = (double *)op;
  p->d = NULL;
  if (argc >= at + 7) {
    if (!draws_args(env, argv, at + 2, n, fn, &p->draws)) return 0;
    p->d = &p->draws;
  }
  if (argc == at + 12) {
    if (!draws_args(env, argv, at + 7, n, fn, &p->own)) return 0;
    p->draws.more = &p->own;
  }
  return 1;
}

/* The pass's sums into an update's out (sums_arrays's layout). */
static void write_sums(double *o, const Sums *s) {
  for (int k = 0; k < 6; k++) o[k] = s->s[k];
  o[6] = s->lo;
  o[7] = s->hi;
  o[8] = (double)s->zeros;
}

/*
 * The end of an update call (sgd, adam, rmsprop, adagrad), once its arguments are read into
 * locals and `p`: where this processor runs the fast loops, FN over the call CTX (a TYPE, the
 * arrays and scalars FN reads), the update alone or with the pass (whose sums go to p.out), in
 * chunks shared with the helper thread from HELP_MIN elements (pass_helper.h); `ran` answers
 * whether it did.
 */
#if HAVE_X86
#define RUN_UPDATE(FN, TYPE, CTX)                     \
  do {                                                \
    if (!fast()) break;                               \
    TYPE *ctx_ = CTX;                                 \
    if (p.out == NULL) {                              \
      split_run(FN, ctx_, n, NULL, NULL);             \
    } else {                                          \
      Sums s;                                         \
      split_run(FN, ctx_, n, &s, p.d);                \
      write_sums(p.out, &s);                          \
    }                                                 \
  } while (0)
#else
#define RUN_UPDATE(FN, TYPE, CTX) do { } while (0)
#endif

static napi_value ran(napi_env env) {
  napi_value r;
  napi_get_boolean(env, fast(), &r);
  return r;
}

/*
 * sgd(theta, grad, buf | null, kind, maximize, negLr, wd, mom, keep): SGD's update of float32
 * parameters in place (sgd_update.h; kind 0 plain with buf null, 1 momentum, 2 Nesterov; the
 * scalars as sgd.ts gives them: float32-rounded −γ, λ, μ, 1 − τ).
 * sgd(..., out: Float64Array(9), copy: Float32Array(n)[, idx, j0, j1, base, rho]): the same update,
 * with the pass's sums into out (sums_arrays's layout, over θ_t, θ_{t+1} and ∇), θ_t into copy,
 * and the draws (sums_arrays's) into rho; a second set of five draws arguments: a second sample
 * taken along (the parameter's own, per_param). False when this processor lacks AVX2 and FMA (the
 * caller updates another way).
 */
static napi_value call_sgd(napi_env env, napi_callback_info info) {
  size_t argc = 21;
  napi_value argv[21];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || (argc != 9 && argc != 11 && argc != 16 && argc != 21)) {
    napi_throw_type_error(env, NULL, "sgd(theta, grad, buf, kind, maximize, negLr, wd, mom, keep[, out, copy[, idx, j0, j1, base, rho[, idx, j0, j1, base, rho]]]): 9, 11, 16 or 21 arguments expected");
    return NULL;
  }
  int ok = 1;
  size_t n, ng, nb = 0;
  float *th = f32_arg(env, argv[0], &n, &ok), *gr = f32_arg(env, argv[1], &ng, &ok), *b = NULL;
  napi_valuetype bt;
  napi_typeof(env, argv[2], &bt);
  if (bt != napi_null) b = f32_arg(env, argv[2], &nb, &ok);
  int64_t kind;
  bool maximize;
  SgdArgs A;
  if (!ok || ng != n || (b != NULL && nb != n) || !offset_arg(env, argv[3], &kind) || kind > 2 || (kind == 0) != (b == NULL) ||
      napi_get_value_bool(env, argv[4], &maximize) != napi_ok || napi_get_value_double(env, argv[5], &A.negLr) != napi_ok ||
      napi_get_value_double(env, argv[6], &A.wd) != napi_ok || napi_get_value_double(env, argv[7], &A.mom) != napi_ok ||
      napi_get_value_double(env, argv[8], &A.keep) != napi_ok) {
    napi_throw_type_error(env, NULL, "sgd: theta, grad (and buf, null exactly when kind is 0) must be Float32Arrays of one length, kind 0, 1 or 2, maximize a boolean and negLr, wd, mom, keep numbers");
    return NULL;
  }
  A.kind = (int)kind;
  A.maximize = maximize;
  PassArgs p = {NULL, NULL, {0}, {0}, NULL};
  if (argc >= 11 && !pass_args(env, argv, argc, 9, n, "sgd", &p)) return NULL;
  RUN_UPDATE(sgd_range, SgdCall, (&(SgdCall){th, b, p.copy, gr, &A}));
  return ran(env);
}

/*
 * adam(theta, grad, m, v, vMax | null, maximize, decay, wd, lerpFromM, w, wMinus1, beta2,
 * oneMinusBeta2, negStepSize, bc2Sqrt, eps): Adam's update of float32 parameters in place
 * (adam_update.h; the scalars as adam.ts's AdamScalars).
 * adam(..., out: Float64Array(9), copy: Float32Array(n)[, idx, j0, j1, base, rho[, ...own]]): with
 * the tracer's pass, as sgd's. False when this processor lacks AVX2 and FMA.
 */
static napi_value call_adam(napi_env env, napi_callback_info info) {
  size_t argc = 28;
  napi_value argv[28];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || (argc != 16 && argc != 18 && argc != 23 && argc != 28)) {
    napi_throw_type_error(env, NULL, "adam(theta, grad, m, v, vMax, maximize, decay, wd, lerpFromM, w, wMinus1, beta2, oneMinusBeta2, negStepSize, bc2Sqrt, eps[, out, copy[, idx, j0, j1, base, rho[, idx, j0, j1, base, rho]]]): 16, 18, 23 or 28 arguments expected");
    return NULL;
  }
  int ok = 1;
  size_t n, ng, nm, nv, nx = 0;
  float *th = f32_arg(env, argv[0], &n, &ok), *gr = f32_arg(env, argv[1], &ng, &ok), *mm = f32_arg(env, argv[2], &nm, &ok);
  float *vv = f32_arg(env, argv[3], &nv, &ok), *vmax = NULL;
  napi_valuetype xt;
  napi_typeof(env, argv[4], &xt);
  if (xt != napi_null) vmax = f32_arg(env, argv[4], &nx, &ok);
  bool maximize, lerp;
  AdamArgs A;
  double *scalars[] = {&A.decay, &A.wd, &A.w, &A.wMinus1, &A.beta2, &A.oneMinusBeta2, &A.negStepSize, &A.bc2Sqrt, &A.eps};
  const int at[] = {6, 7, 9, 10, 11, 12, 13, 14, 15};
  for (int k = 0; k < 9; k++) ok = ok && napi_get_value_double(env, argv[at[k]], scalars[k]) == napi_ok;
  if (!ok || ng != n || nm != n || nv != n || (vmax != NULL && nx != n) || napi_get_value_bool(env, argv[5], &maximize) != napi_ok ||
      napi_get_value_bool(env, argv[8], &lerp) != napi_ok) {
    napi_throw_type_error(env, NULL, "adam: theta, grad, m, v (and vMax, or null) must be Float32Arrays of one length, maximize and lerpFromM booleans, the other scalars numbers");
    return NULL;
  }
  A.maximize = maximize;
  A.lerpFromM = lerp;
  PassArgs p = {NULL, NULL, {0}, {0}, NULL};
  if (argc >= 18 && !pass_args(env, argv, argc, 16, n, "adam", &p)) return NULL;
  RUN_UPDATE(adam_range, AdamCall, (&(AdamCall){th, mm, vv, vmax, p.copy, gr, &A}));
  return ran(env);
}

/* A Float32Array argument as long as n, or null (then NULL); *ok false when it is neither. */
static float *f32_or_null(napi_env env, napi_value v, size_t n, int *ok) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_null) return NULL;
  size_t len = 0;
  float *p = f32_arg(env, v, &len, ok);
  if (len != n) *ok = 0;
  return p;
}

/* Reads the numbers argv[at[k]] into *dst[k]; 0 when one is not a number. */
static int doubles(napi_env env, napi_value *argv, const int *at, double **dst, int count) {
  for (int k = 0; k < count; k++) {
    if (napi_get_value_double(env, argv[at[k]], dst[k]) != napi_ok) return 0;
  }
  return 1;
}

/*
 * rmsprop(theta, grad, v, ga | null, b | null, maximize, wd, alpha, oneMinusAlpha, lerpFromAvg, w,
 * wMinus1, mom, negLr, eps): RMSprop's update of float32 parameters in place (rmsprop_update.h;
 * the scalars as rmsprop.ts's RMSpropScalars; ga when centered, b with momentum).
 * rmsprop(..., out, copy[, idx, j0, j1, base, rho[, idx, j0, j1, base, rho]]): with the tracer's pass, as sgd's.
 */
static napi_value call_rmsprop(napi_env env, napi_callback_info info) {
  size_t argc = 27;
  napi_value argv[27];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || (argc != 15 && argc != 17 && argc != 22 && argc != 27)) {
    napi_throw_type_error(env, NULL, "rmsprop(theta, grad, v, ga, b, maximize, wd, alpha, oneMinusAlpha, lerpFromAvg, w, wMinus1, mom, negLr, eps[, out, copy[, idx, j0, j1, base, rho[, idx, j0, j1, base, rho]]]): 15, 17, 22 or 27 arguments expected");
    return NULL;
  }
  int ok = 1;
  size_t n, ng, nv;
  float *th = f32_arg(env, argv[0], &n, &ok), *gr = f32_arg(env, argv[1], &ng, &ok), *vv = f32_arg(env, argv[2], &nv, &ok);
  float *ga = f32_or_null(env, argv[3], n, &ok), *b = f32_or_null(env, argv[4], n, &ok);
  bool maximize, lerp;
  RmspropArgs A;
  const int at[] = {6, 7, 8, 10, 11, 12, 13, 14};
  double *dst[] = {&A.wd, &A.alpha, &A.oneMinusAlpha, &A.w, &A.wMinus1, &A.mom, &A.negLr, &A.eps};
  if (!ok || ng != n || nv != n || !doubles(env, argv, at, dst, 8) || napi_get_value_bool(env, argv[5], &maximize) != napi_ok ||
      napi_get_value_bool(env, argv[9], &lerp) != napi_ok) {
    napi_throw_type_error(env, NULL, "rmsprop: theta, grad, v (and ga, b, or null) must be Float32Arrays of one length, maximize and lerpFromAvg booleans, the other scalars numbers");
    return NULL;
  }
  A.maximize = maximize;
  A.lerpFromAvg = lerp;
  PassArgs p = {NULL, NULL, {0}, {0}, NULL};
  if (argc >= 17 && !pass_args(env, argv, argc, 15, n, "rmsprop", &p)) return NULL;
  RUN_UPDATE(rmsprop_range, RmspropCall, (&(RmspropCall){th, vv, ga, b, p.copy, gr, &A}));
  return ran(env);
}

/*
 * adagrad(theta, grad, sum, maximize, wd, negClr, eps): Adagrad's update of float32 parameters in
 * place (adagrad_update.h; the scalars as adagrad.ts's AdagradScalars).
 * adagrad(..., out, copy[, idx, j0, j1, base, rho[, idx, j0, j1, base, rho]]): with the tracer's pass, as sgd's.
 */
static napi_value call_adagrad(napi_env env, napi_callback_info info) {
  size_t argc = 19;
  napi_value argv[19];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || (argc != 7 && argc != 9 && argc != 14 && argc != 19)) {
    napi_throw_type_error(env, NULL, "adagrad(theta, grad, sum, maximize, wd, negClr, eps[, out, copy[, idx, j0, j1, base, rho[, idx, j0, j1, base, rho]]]): 7, 9, 14 or 19 arguments expected");
    return NULL;
  }
  int ok = 1;
  size_t n, ng, ns;
  float *th = f32_arg(env, argv[0], &n, &ok), *gr = f32_arg(env, argv[1], &ng, &ok), *ss = f32_arg(env, argv[2], &ns, &ok);
  bool maximize;
  AdagradArgs A;
  const int at[] = {4, 5, 6};
  double *dst[] = {&A.wd, &A.negClr, &A.eps};
  if (!ok || ng != n || ns != n || !doubles(env, argv, at, dst, 3) || napi_get_value_bool(env, argv[3], &maximize) != napi_ok) {
    napi_throw_type_error(env, NULL, "adagrad: theta, grad and sum must be Float32Arrays of one length, maximize a boolean, wd, negClr and eps numbers");
    return NULL;
  }
  A.maximize = maximize;
  PassArgs p = {NULL, NULL, {0}, {0}, NULL};
  if (argc >= 9 && !pass_args(env, argv, argc, 7, n, "adagrad", &p)) return NULL;
  RUN_UPDATE(adagrad_range, AdagradCall, (&(AdagradCall){th, ss, p.copy, gr, &A}));
  return ran(env);
}

/*
 * select(a: Float64Array, n, ranks: Int32Array, out: Float64Array[, isa]): the r-th smallest of
 * a[0..n) for each r in ranks (ascending, each in [0, n)) into out, as a sort puts them (select.h;
 * a is not changed). False, with nothing done, when a value is NaN or, above 8448 values, no
 * scratch memory was had (the caller's own selection then runs). isa (tests): 1, 2 or 3 runs at
 * most the one-at-a-time, AVX2 or AVX-512 partition (select_f64); absent or 0, the fastest.
 */
static napi_value call_select(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], result;
  napi_typedarray_type ta, tr, to;
  size_t na, nr, no;
  void *pa, *pr, *po;
  int64_t n, isa = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4 || (argc > 4 && !offset_arg(env, argv[4], &isa)) ||
      napi_get_typedarray_info(env, argv[0], &ta, &na, &pa, NULL, NULL) != napi_ok || ta != napi_float64_array || !offset_arg(env, argv[1], &n) ||
      napi_get_typedarray_info(env, argv[2], &tr, &nr, &pr, NULL, NULL) != napi_ok || tr != napi_int32_array ||
      napi_get_typedarray_info(env, argv[3], &to, &no, &po, NULL, NULL) != napi_ok || to != napi_float64_array) {
    napi_throw_type_error(env, NULL, "select(a, n, ranks, out): a and out must be Float64Arrays, n a non-negative integer and ranks an Int32Array");
    return NULL;
  }
  const int32_t *ranks = (const int32_t *)pr;
  double *a = (double *)pa, *out = (double *)po;
  if ((size_t)n > na || no < nr) {
    napi_throw_range_error(env, NULL, "select: n must be at most a's length, and out as long as ranks");
    return NULL;
  }
  for (size_t k = 0; k < nr; k++) {
    if (ranks[k] < 0 || ranks[k] >= n || (k > 0 && ranks[k] < ranks[k - 1])) {
      napi_throw_range_error(env, NULL, "select: ranks must be ascending, each in [0, n)");
      return NULL;
    }
  }
  napi_get_boolean(env, select_f64(a, n, ranks, nr, out, (int)(isa < 3 ? isa : 3)), &result);
  return result;
}

/* help_wake(): wakes the helper thread ahead of a step's updates (pass_helper.h); returns nothing. */
static napi_value call_help_wake(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  help_wake();
  return NULL;
}

/*
 * help_mode(on?: boolean): whether large calls share their chunks with the helper thread (the
 * results are the same either way: tests compare); returns the mode before.
 */
static napi_value call_help_mode(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], r;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  bool before = atomic_load(&help_enabled) != 0, on;
  if (argc >= 1 && napi_get_value_bool(env, argv[0], &on) == napi_ok) atomic_store(&help_enabled, on ? 1 : 0);
  napi_get_boolean(env, before, &r);
  return r;
}

/* help_stats(): [calls cut into chunks, chunks the helper ran, elements from which calls are cut]. */
static napi_value call_help_stats(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value arr, v;
  napi_create_array_with_length(env, 3, &arr);
  napi_create_double(env, (double)atomic_load(&help_splits), &v);
  napi_set_element(env, arr, 0, v);
  napi_create_double(env, (double)atomic_load(&help_helped), &v);
  napi_set_element(env, arr, 1, v);
  napi_create_double(env, (double)HELP_MIN, &v);
  napi_set_element(env, arr, 2, v);
  return arr;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "help_wake", NAPI_AUTO_LENGTH, call_help_wake, NULL, &fn);
  napi_set_named_property(env, exports, "help_wake", fn);
  napi_create_function(env, "help_mode", NAPI_AUTO_LENGTH, call_help_mode, NULL, &fn);
  napi_set_named_property(env, exports, "help_mode", fn);
  napi_create_function(env, "help_stats", NAPI_AUTO_LENGTH, call_help_stats, NULL, &fn);
  napi_set_named_property(env, exports, "help_stats", fn);
  napi_create_function(env, "level", NAPI_AUTO_LENGTH, call_level, NULL, &fn);
  napi_set_named_property(env, exports, "level", fn);
  napi_create_function(env, "sums", NAPI_AUTO_LENGTH, call_sums, NULL, &fn);
  napi_set_named_property(env, exports, "sums", fn);
  napi_create_function(env, "sums_arrays", NAPI_AUTO_LENGTH, call_sums_arrays, NULL, &fn);
  napi_set_named_property(env, exports, "sums_arrays", fn);
  napi_create_function(env, "rho_gather", NAPI_AUTO_LENGTH, call_rho_gather, NULL, &fn);
  napi_set_named_property(env, exports, "rho_gather", fn);
  napi_create_function(env, "sgd", NAPI_AUTO_LENGTH, call_sgd, NULL, &fn);
  napi_set_named_property(env, exports, "sgd", fn);
  napi_create_function(env, "adam", NAPI_AUTO_LENGTH, call_adam, NULL, &fn);
  napi_set_named_property(env, exports, "adam", fn);
  napi_create_function(env, "rmsprop", NAPI_AUTO_LENGTH, call_rmsprop, NULL, &fn);
  napi_set_named_property(env, exports, "rmsprop", fn);
  napi_create_function(env, "adagrad", NAPI_AUTO_LENGTH, call_adagrad, NULL, &fn);
  napi_set_named_property(env, exports, "adagrad", fn);
  napi_create_function(env, "select", NAPI_AUTO_LENGTH, call_select, NULL, &fn);
  napi_set_named_property(env, exports, "select", fn);
  return exports;
}
