/*
 * Stops a cell that fills the JavaScript heap, instead of letting V8 end the kernel's process.
 *
 * When the old generation reaches its limit (Node's --max-old-space-size; ~4 GB by default) and
 * garbage collection frees nothing, V8 calls the isolate's NearHeapLimitCallback; without one it
 * ends the process ("FATAL ERROR: Reached heap limit ... JavaScript heap out of memory"): every
 * variable of the notebook was lost and the request got no reply. This callback, while a cell's
 * script runs (armed by the engine: kernel/src/kernel/heap_limit.ts), raises the limit by a margin
 * so that V8 can go on, and raises SIGINT: Node's SIGINT watchdog, which runs every cell
 * (`breakOnSigint`), terminates the script and `vm` throws "Script execution interrupted", as for
 * the kernel's interrupt. The engine then asks takeHit() and reports a MemoryError naming the
 * limit. Terminating directly (isolate->TerminateExecution) would unwind the kernel's own frames
 * under the cell too, and its request would never be answered; the watchdog's termination is the
 * one `vm` catches and cancels at the script's edge.
 *
 * Not armed, but the user's code may be running outside a script (an awaiting cell's code after
 * an `await`, a timer's callback: the kernel's shared slots say so, interrupt_share.ts), it raises
 * the limit and counts a stop in a shared slot: the control thread sees it and stops that code as
 * it stops it for an interrupt (an awaiting cell's awaits throw; code that holds the main thread is
 * terminated through the inspector, stuck_code.ts). Otherwise (the kernel's own code), the limit
 * is raised by the margin, up to twice the initial limit and 256 MB more (Cap; a stop that began
 * at a limit still raised by an earlier one gets as much room above it: StopCap), and nothing is
 * stopped: V8 then ends the process as before if the heap keeps growing. The raised limit goes
 * back to the initial one once a collection finds the heap below 90% of it
 * (AutomaticallyRestoreInitialHeapLimit); the engine asks for one after a stop (collect()).
 *
 * Exports: arm(on: boolean): boolean (the previous state), takeHit(): number (the heap limit in
 * bytes at the last stop not taken yet, else 0), initialLimit(): number (bytes),
 * watch(slots: Int32Array over a SharedArrayBuffer the caller keeps, userCode, kernelTasks, stops:
 * slot indexes), collect() (full collections: see Collect).
 * Built by scripts/setup.mjs with the machine's C++ compiler and Node's headers (V8's API is not
 * in Node-API); optional: without it the kernel runs as before (kernel/src/kernel/heap_limit.ts).
 */
#include <node_api.h>
#include <v8.h>
#include <signal.h>
#include <atomic>

namespace {

std::atomic<bool> armed{false};
/** The limit at the last stop that the engine has not taken yet (0: none). */
std::atomic<size_t> hit_limit{0};
size_t initial_limit = 0;
/** The kernel's shared slots (watch()): read and counted with atomics, from inside the GC. */
int32_t* slots = nullptr;
size_t user_code_slot = 0, kernel_tasks_slot = 0, stops_slot = 0;

/** Whether the user's code may run now outside a script: an awaiting cell, or no kernel task. */
bool UserCodeOutsideScript() {
  if (slots == nullptr) return false;
  return __atomic_load_n(&slots[user_code_slot], __ATOMIC_SEQ_CST) == 1
      || __atomic_load_n(&slots[kernel_tasks_slot], __ATOMIC_SEQ_CST) == 0;
}

size_t Margin(size_t limit) {
  const size_t min_margin = 64u << 20;
  return limit / 8 > min_margin ? limit / 8 : min_margin;
}

/**
 * How far the limit is raised at most: twice the initial one, and 256 MB more, so that a small
 * heap (--max-old-space-size=160) leaves the stop as much time as a large one, whose steps take
 * seconds to fill. Past it V8 ends the process, as without this guard.
 */
size_t Cap(size_t initial) {
  return 2 * initial + (256u << 20);
}

/*
 * The most a stop may raise the limit to: Cap(), shifted up by as much as the limit was still
 * raised by earlier stops when this one began (no collection had lowered it yet: Collect), so
 * every stop has the same room above the limit where it began.
 */
size_t StopCap(size_t initial, size_t began) {
  return began > initial ? Cap(initial) + (began - initial) : Cap(initial);
}

/**
 * Runs inside V8's garbage collector: no JavaScript, no allocation on V8's heap. Returns the new
 * limit; returning `current` lets V8 end the process.
 */
size_t NearHeapLimit(void*, size_t current, size_t initial) {
  initial_limit = initial;
  const size_t margin = Margin(initial);
  if (armed.load()) {
    // One SIGINT per stop: a second call before the termination lands only raises the limit.
    size_t none = 0;
    if (hit_limit.compare_exchange_strong(none, current)) raise(SIGINT);
    // Raised at most to StopCap() (a cell that keeps what an earlier stopped
    // cell filled gets stopped again, until that much; then V8 ends the process as before).
    const size_t cap = StopCap(initial, hit_limit.load());
    return current + margin <= cap ? current + margin : current;
  }
  if (UserCodeOutsideScript()) {
    // The control thread needs a moment (on a loaded machine, seconds) to stop this code: a
    // larger step, so that V8 is not collecting all the time meanwhile (that slowed the stop).
    size_t none = 0;
    if (hit_limit.compare_exchange_strong(none, current)) __atomic_fetch_add(&slots[stops_slot], 1, __ATOMIC_SEQ_CST);
    const size_t step = initial / 2 > margin ? initial / 2 : margin;
    const size_t cap = StopCap(initial, hit_limit.load());
    if (current + step <= cap) return current + step;
    return current + margin <= cap ? current + margin : current;
  }
  // the kernel's own code (the next cell's type check while the user's data fills the heap):
  // room is made, up to the same bound, and nothing is stopped
  return current + margin <= Cap(initial) ? current + margin : current;
}

napi_value Watch(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  bool is_typed = false;
  if (argc < 4 || napi_is_typedarray(env, argv[0], &is_typed) != napi_ok || !is_typed) {
    napi_throw_type_error(env, nullptr, "watch(slots: Int32Array, userCode, kernelTasks, stops)");
    return nullptr;
  }
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_get_typedarray_info(env, argv[0], &type, &length, &data, nullptr, nullptr);
  uint32_t idx[3] = {0, 0, 0};
  for (int i = 0; i < 3; i++) napi_get_value_uint32(env, argv[i + 1], &idx[i]);
  if (type != napi_int32_array || idx[0] >= length || idx[1] >= length || idx[2] >= length) {
    napi_throw_range_error(env, nullptr, "watch: an Int32Array and three of its indexes");
    return nullptr;
  }
  user_code_slot = idx[0];
  kernel_tasks_slot = idx[1];
  stops_slot = idx[2];
  slots = static_cast<int32_t*>(data);
  return nullptr;
}

napi_value Arm(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  bool on = false;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc >= 1) napi_get_value_bool(env, argv[0], &on);
  napi_value out;
  napi_get_boolean(env, armed.exchange(on), &out);
  return out;
}

napi_value TakeHit(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_double(env, static_cast<double>(hit_limit.exchange(0)), &out);
  return out;
}

napi_value InitialLimit(napi_env env, napi_callback_info) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  v8::HeapStatistics stats;
  isolate->GetHeapStatistics(&stats);
  napi_value out;
  napi_create_double(env, static_cast<double>(initial_limit ? initial_limit : stats.heap_size_limit()), &out);
  return out;
}

/*
 * Full garbage collections now (V8's LowMemoryNotification), after a stop freed what the stopped
 * cell held: a collection is what lowers the limit raised for the stop back to the initial one
 * (AutomaticallyRestoreInitialHeapLimit), and without one the kernel, idle, made none, so a next
 * stop started from the raised limit with that much less room below Cap(): the third stop in a
 * row, in a test's kernel at --max-old-space-size=160, began at 288 MB and V8 ended the process at
 * 557 MB while the control thread was still stopping the code (a loaded machine, session 24).
 */
napi_value Collect(napi_env env, napi_callback_info) {
  v8::Isolate::GetCurrent()->LowMemoryNotification();
  return nullptr;
}

bool installed = false;

}  // namespace

NAPI_MODULE_INIT() {
  if (!installed) {
    installed = true;
    v8::Isolate* isolate = v8::Isolate::GetCurrent();
    isolate->AddNearHeapLimitCallback(NearHeapLimit, nullptr);
    isolate->AutomaticallyRestoreInitialHeapLimit(0.9);
  }
  const struct { const char* name; napi_callback fn; } fns[] = {
    {"arm", Arm}, {"takeHit", TakeHit}, {"initialLimit", InitialLimit}, {"watch", Watch}, {"collect", Collect},
  };
  for (const auto& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  return exports;
}
