/*
 * Large passes and traced updates in two halves, the second on a helper thread (included by
 * trace_sums.c after Sums, Draws and DRAW_CHUNK).
 *
 * Why: during `optimizer.step()` the machine's other core is idle (the matrix products' thread
 * sleeps between products), while an update loop with the tracer's pass (UPDATE_WITH_PASS) costs
 * ~1.5× the update alone: 216 against 141 µs over a 784-256-10 MLP's 200,704-element weight
 * (PERF.md, "Session 23"). Here an array of at least HELP_MIN elements is cut in two at a fixed
 * place (`split_at`: a whole number of DRAW_CHUNKs); the caller's thread runs the first half while
 * the helper runs the second, and the two halves' sums are added.
 *
 * The same numbers whoever runs what: the cut depends on n alone, each half sums its elements in
 * the one-thread loop's order, and the halves are added in one order (first + second). So a
 * helper that is busy, not started, or asleep too long changes the time, never a bit: a job the
 * helper has not claimed when the caller is done with its half is taken back and run by the caller
 * (a loaded machine: the caller never waits for a thread that is not running).
 *
 * One helper per process, started at the first large call, asleep on a futex between calls (it
 * spins briefly first: one step updates several parameters in a row). One job at a time: a caller
 * that finds the helper busy (another thread's call) runs both halves itself.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Elements from which a call is cut in two (below, waking the helper costs more than it saves). */
#define HELP_MIN 65536

/* The second half's work: elements [from, from + len) of the call `ctx`, sums into o (NULL: no pass). */
typedef void (*RangeFn)(void *ctx, size_t from, size_t len, Sums *o, Draws *d);

enum { JOB_FREE = 0, JOB_POSTED = 1, JOB_HELPER = 2, JOB_CALLER = 3 };

typedef struct {
  RangeFn fn;
  void *ctx;
  size_t from, len;
  Sums *o;
  Draws *d;
  _Atomic int state;
} HelpJob;

/*
 * The one job (help_busy: one caller at a time). Static, not on the caller's stack: the helper may
 * still hold its address after the caller took a job back, and claims it only when it is POSTED.
 */
static HelpJob the_job;
static _Atomic(HelpJob *) help_job;   /* the job posted, until the helper takes it */
static _Atomic int help_busy;         /* a caller owns the_job */
static _Atomic uint32_t help_seq;     /* futex word, bumped at each post */
static _Atomic int help_sleeping;     /* the helper is (about to be) in FUTEX_WAIT */
static _Atomic int help_state;        /* 0 not started, 1 running, -1 could not start */
static _Atomic int help_enabled = 1;  /* tests switch the helper off (help_mode) to compare */

/* Counts for tests (help_stats): calls cut in two, second halves run by the helper. */
static _Atomic int64_t help_splits, help_helped;

/*
 * Pauses the helper spins for a next job before sleeping: ~10 µs after a job; ~150 µs after a
 * wake-up without one (help_wake: the tracer's pre-hook, just before the step's updates).
 */
#define HELP_SPIN 300
#define HELP_LINGER 5000
static _Atomic int help_wanted;

#if HAVE_X86
#define HELP_PAUSE() _mm_pause()
#else
#define HELP_PAUSE() do { } while (0)
#endif

static void *helper_main(void *arg) {
  (void)arg;
  for (;;) {
    uint32_t seq = atomic_load(&help_seq);
    HelpJob *J = atomic_exchange(&help_job, NULL);
    if (J != NULL) {
      int expect = JOB_POSTED;
      if (atomic_compare_exchange_strong(&J->state, &expect, JOB_HELPER)) {
        J->fn(J->ctx, J->from, J->len, J->o, J->d);
        atomic_fetch_add(&help_helped, 1);
        atomic_store(&J->state, JOB_FREE);
      }
      continue;
    }
    /* spinning, it yields now and then: when the scheduler put it on the caller's core (a woken
       thread can preempt its waker), the caller goes on instead of waiting for the spin to end */
    int spins = atomic_exchange(&help_wanted, 0) ? HELP_LINGER : HELP_SPIN;
    for (int k = 0; k < spins && atomic_load_explicit(&help_seq, memory_order_relaxed) == seq; k++) {
      HELP_PAUSE();
      if ((k & 63) == 63) sched_yield();
    }
    if (atomic_load(&help_seq) != seq) continue;
    atomic_store(&help_sleeping, 1);
    if (atomic_load(&help_seq) == seq) syscall(SYS_futex, (uint32_t *)&help_seq, FUTEX_WAIT_PRIVATE, seq, NULL, NULL, 0);
    atomic_store(&help_sleeping, 0);
  }
  return NULL;
}

/* Posts the second half to the helper (started the first time); NULL: the caller runs it. */
static HelpJob *help_post(RangeFn fn, void *ctx, size_t from, size_t len, Sums *o, Draws *d) {
  int st = atomic_load(&help_state);
  if (st < 0 || !atomic_load(&help_enabled)) return NULL;
  int expect = 0;
  if (!atomic_compare_exchange_strong(&help_busy, &expect, 1)) return NULL;
  if (st == 0) {
    pthread_t t;
    pthread_attr_t at;
    int ok = pthread_attr_init(&at) == 0;
    if (ok) {
      /* with every signal blocked (the helper inherits the mask): the kernel's SIGINT and the
         rest go to Node's threads, never to this one */
      sigset_t all, old;
      sigfillset(&all);
      pthread_sigmask(SIG_BLOCK, &all, &old);
      pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
      ok = pthread_create(&t, &at, helper_main, NULL) == 0;
      pthread_sigmask(SIG_SETMASK, &old, NULL);
      pthread_attr_destroy(&at);
    }
    atomic_store(&help_state, ok ? 1 : -1);
    if (!ok) {
      atomic_store(&help_busy, 0);
      return NULL;
    }
  }
  HelpJob *J = &the_job;
  J->fn = fn;
  J->ctx = ctx;
  J->from = from;
  J->len = len;
  J->o = o;
  J->d = d;
  atomic_store(&J->state, JOB_POSTED);
  atomic_store(&help_job, J);
  atomic_fetch_add(&help_seq, 1);
  if (atomic_load(&help_sleeping)) syscall(SYS_futex, (uint32_t *)&help_seq, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
  return J;
}

/*
 * Wakes a sleeping helper ahead of a job (a futex wake costs the caller ~10 µs, and the helper takes
 * ~25 µs to run): the tracer's pre-hook calls it, so the update that follows finds the helper
 * spinning. Nothing when the helper is not started, off, or busy.
 */
static void help_wake(void) {
  if (atomic_load(&help_state) != 1 || !atomic_load(&help_enabled) || atomic_load(&help_busy)) return;
  atomic_store(&help_wanted, 1);
  atomic_fetch_add(&help_seq, 1);
  if (atomic_load(&help_sleeping)) syscall(SYS_futex, (uint32_t *)&help_seq, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* The caller, its half done: the second half is done when this returns (by whoever took it). */
static void help_finish(HelpJob *J) {
  int expect = JOB_POSTED;
  if (atomic_compare_exchange_strong(&J->state, &expect, JOB_CALLER)) {
    HelpJob *mine = J;
    atomic_compare_exchange_strong(&help_job, &mine, NULL);
    J->fn(J->ctx, J->from, J->len, J->o, J->d);
    atomic_store(&J->state, JOB_FREE);
  } else {
    /* the helper has it: spin (~40 µs: it is running, its half about as long as ours), then
       yield the core at each look, in case the helper was put on ours or preempted */
    for (int k = 0; atomic_load(&J->state) != JOB_FREE; k++) {
      if (k < 2000) HELP_PAUSE();
      else sched_yield();
    }
  }
  atomic_store(&help_busy, 0);
}

/* Where an array of n ≥ HELP_MIN elements is cut: about half, a whole number of DRAW_CHUNKs. */
static size_t split_at(size_t n) { return (n / 2) & ~(size_t)(DRAW_CHUNK - 1); }

/*
 * The draws of d (and of the samples chained to it) at or after element `from`, for a call on the
 * arrays from there: copies into out[0..] (the draws' places in rho stay theirs). NULL for NULL.
 */
static Draws *draws_after(const Draws *d, size_t from, Draws out[2]) {
  Draws *first = NULL, **link = &first;
  for (int k = 0; d != NULL && k < 2; d = d->more, k++) {
    size_t lo = d->j, hi = d->j1;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if ((size_t)(d->idx[mid] - d->base) < from) lo = mid + 1;
      else hi = mid;
    }
    out[k] = *d;
    out[k].j = lo;
    out[k].base = d->base + (int64_t)from;
    out[k].more = NULL;
    *link = &out[k];
    link = &out[k].more;
  }
  return first;
}

/* a + b into o: the halves' sums in one order, the extremes and counts. */
static void add_halves(Sums *o, const Sums *a, const Sums *b) {
  for (int k = 0; k < 6; k++) o->s[k] = a->s[k] + b->s[k];
  o->lo = b->lo < a->lo ? b->lo : a->lo;
  o->hi = b->hi > a->hi ? b->hi : a->hi;
  o->zeros = a->zeros + b->zeros;
}

/*
 * fn over elements [0, n): whole below HELP_MIN; else the first half here and the second on the
 * helper, sums added (o NULL: an update without the pass). d: the draws over [0, n) (may be NULL).
 */
static void split_run(RangeFn fn, void *ctx, size_t n, Sums *o, Draws *d) {
  if (n < HELP_MIN) {
    fn(ctx, 0, n, o, d);
    return;
  }
  size_t cut = split_at(n);
  Sums a, b;
  Draws after[2];
  Draws *d2 = draws_after(d, cut, after);
  atomic_fetch_add(&help_splits, 1);
  HelpJob *J = help_post(fn, ctx, cut, n - cut, o != NULL ? &b : NULL, d2);
  fn(ctx, 0, cut, o != NULL ? &a : NULL, d);
  if (J != NULL) help_finish(J);
  else fn(ctx, cut, n - cut, o != NULL ? &b : NULL, d2);
  if (o != NULL) add_halves(o, &a, &b);
}
