/*
 * The C library's `log`, for the float64 normal sampler (kernel/src/random/native_libm.ts).
 *
 * PyTorch's CPU kernel for float64 normals of 16+ elements calls the C library's `log`, which on
 * glibc is accurate to ~0.52 ulp but not correctly rounded: about 0.1% of its results differ in
 * the last bit from the correctly rounded value lrlab computes in JavaScript (random/libm.ts).
 * Calling the same function PyTorch calls, from the same C library, gives its bits exactly.
 * Built by scripts/setup.mjs with the machine's C compiler; optional: without it, lrlab uses its
 * correctly rounded log (≤ 1 ulp from PyTorch's values in those rare cases).
 *
 * Exports: log(x: number): number.
 */
#include <math.h>
#include <node_api.h>

static napi_value call_log(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  double x = NAN;
  napi_value out;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return NULL;
  if (napi_get_value_double(env, argv[0], &x) != napi_ok) {
    napi_throw_type_error(env, NULL, "log: expected a number");
    return NULL;
  }
  /* volatile: the compiler must call the library, not fold or replace the call */
  double (*volatile fn)(double) = log;
  napi_create_double(env, fn(x), &out);
  return out;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "log", NAPI_AUTO_LENGTH, call_log, NULL, &fn);
  napi_set_named_property(env, exports, "log", fn);
  return exports;
}
