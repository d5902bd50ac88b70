/*
 * Large passes and updates in chunks shared with a helper thread (included by trace_sums.c after
 * Sums, Draws and DRAW_CHUNK).
 *
 * Why: during `optimizer.step()` the machine's other core is idle (the matrix products' thread
 * sleeps between products), while an update loop with the tracer's pass (UPDATE_WITH_PASS) costs
 * ~1.5× the update alone: 216 against 141 µs over a 784-256-10 MLP's 200,704-element weight
 * (PERF.md, "Session 23"). Here an array of at least HELP_MIN elements is cut into chunks at fixed
 * places (`chunk_size`: n alone decides); the caller and a helper thread take the chunks one at a
 * time from a shared counter, each chunk's sums in a place of its own, and the chunks' sums are
 * then added in chunk order.
 *
 * The same numbers whoever runs what: the cut depends on n alone, each chunk sums its elements in
 * the one-thread loop's order, and the chunks are added in one order. So a helper that is busy,
 * not started, late or asleep changes the time, never a bit; and the caller never waits for a
 * thread that is not running: it takes every chunk nobody took, and waits at the end only for a
 * chunk the helper is in the middle of (~10 µs at most).
 *
 * One helper per process, started at the first large call, asleep on a futex between calls (it
 * spins briefly first: one step updates several parameters in a row). One job at a time: a caller
 * that finds the helper busy (another thread's call) runs every chunk itself.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Elements from which a call is cut into chunks (below, waking the helper costs more than it saves). */
#define HELP_MIN 65536
/* Elements per chunk (a multiple of DRAW_CHUNK), doubled until a call has at most MAX_CHUNKS. */
#define HELP_CHUNK 8192
#define MAX_CHUNKS 256

/* The work on elements [from, from + len) of the call `ctx`, sums into o (NULL: no pass). */
typedef void (*RangeFn)(void *ctx, size_t from, size_t len, Sums *o, Draws *d);

/*
 * The job: chunk k is elements [k·size, min(n, (k + 1)·size)). `next` holds the job's generation
 * (high 32 bits) and the next chunk to take (low 32 bits): a thread takes chunk k by moving it to
 * k + 1 with a compare-and-swap that also checks the generation, so a helper still holding the
 * job of an earlier call can never take a chunk of a later one.
 */
typedef struct {
  RangeFn fn;
  void *ctx;
  size_t n, size;
  _Atomic uint32_t chunks; /* read before a chunk is taken: atomic */
  Sums *sums;     /* per chunk (NULL: no pass) */
  const Draws *d; /* the draws over [0, n), read only (each chunk takes its own copy) */
  _Atomic uint64_t next;
  _Atomic uint32_t done; /* chunks finished in this generation */
} HelpJob;

static HelpJob the_job;               /* one caller at a time (help_busy) */
static _Atomic(HelpJob *) help_job;   /* the job posted, until the helper looks at it */
static _Atomic int help_busy;         /* a caller owns the_job */
static _Atomic uint32_t help_gen;     /* generations of the_job */
static _Atomic uint32_t help_seq;     /* futex word, bumped at each post and wake */
static _Atomic int help_sleeping;     /* the helper is (about to be) in FUTEX_WAIT */
static _Atomic int help_state;        /* 0 not started, 1 running, -1 could not start */
static _Atomic int help_enabled = 1;  /* tests switch the helper off (help_mode) to compare */
static _Atomic int help_wanted;       /* a wake-up without a job: spin longer */

/* Counts for tests (help_stats): calls cut into chunks, chunks the helper ran. */
static _Atomic int64_t help_splits, help_helped;

/*
 * Pauses the helper spins for a next job before sleeping: ~10 µs after a job; ~150 µs after a
 * wake-up without one (help_wake: the tracer's pre-hook, just before the step's updates).
 */
#define HELP_SPIN 300
#define HELP_LINGER 5000

#if HAVE_X86
#define HELP_PAUSE() _mm_pause()
#else
#define HELP_PAUSE() do { } while (0)
#endif

/* Elements per chunk for n elements: n alone decides. */
static size_t chunk_size(size_t n) {
  size_t size = HELP_CHUNK;
  while (n > size * MAX_CHUNKS) size *= 2;
  return size;
}

/* The draws of d (and of the samples chained to it) in [from, from + len): rebased copies into out. */
static Draws *draws_in(const Draws *d, size_t from, Draws out[2]) {
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

/* Takes and runs chunks of generation `gen` while there are any; returns how many it ran. */
static int64_t run_chunks(HelpJob *J, uint32_t gen) {
  int64_t ran = 0;
  for (;;) {
    uint64_t v = atomic_load(&J->next);
    if ((uint32_t)(v >> 32) != gen) return ran;
    uint32_t k = (uint32_t)v;
    if (k >= atomic_load(&J->chunks)) return ran;
    if (!atomic_compare_exchange_weak(&J->next, &v, v + 1)) continue;
    size_t from = (size_t)k * J->size, len = J->n - from < J->size ? J->n - from : J->size;
    Draws own[2];
    Draws *d = J->sums != NULL ? draws_in(J->d, from, own) : NULL;
    J->fn(J->ctx, from, len, J->sums != NULL ? &J->sums[k] : NULL, d);
    atomic_fetch_add(&J->done, 1);
    ran++;
  }
}

static void *helper_main(void *arg) {
  (void)arg;
  for (;;) {
    uint32_t seq = atomic_load(&help_seq);
    HelpJob *J = atomic_exchange(&help_job, NULL);
    if (J != NULL) {
      atomic_fetch_add(&help_helped, run_chunks(J, (uint32_t)(atomic_load(&J->next) >> 32)));
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

/* Starts the helper the first time; whether it runs. */
static int help_start(void) {
  int st = atomic_load(&help_state);
  if (st != 0) return st > 0;
  pthread_t t;
  pthread_attr_t at;
  int ok = pthread_attr_init(&at) == 0;
  if (ok) {
    /* with every signal blocked (the helper inherits the mask): the kernel's SIGINT and the rest
       go to Node's threads, never to this one */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    ok = pthread_create(&t, &at, helper_main, NULL) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&at);
  }
  atomic_store(&help_state, ok ? 1 : -1);
  return ok;
}

/* Wakes the helper if it sleeps (a futex wake: ~10 µs for the caller on this project's machines). */
static void help_nudge(void) {
  atomic_fetch_add(&help_seq, 1);
  if (atomic_load(&help_sleeping)) syscall(SYS_futex, (uint32_t *)&help_seq, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/*
 * Wakes a sleeping helper ahead of a job (the helper takes ~25 µs to run once woken): the tracer's
 * pre-hook calls it, so that the update that follows finds the helper spinning. Nothing when the
 * helper is not started, off, or busy.
 */
static void help_wake(void) {
  if (atomic_load(&help_state) != 1 || !atomic_load(&help_enabled) || atomic_load(&help_busy)) return;
  atomic_store(&help_wanted, 1);
  help_nudge();
}

/* a + b into o: sums in one order, the extremes and counts. */
static void add_sums(Sums *o, const Sums *a, const Sums *b) {
  for (int k = 0; k < 6; k++) o->s[k] = a->s[k] + b->s[k];
  o->lo = b->lo < a->lo ? b->lo : a->lo;
  o->hi = b->hi > a->hi ? b->hi : a->hi;
  o->zeros = a->zeros + b->zeros;
}

/*
 * fn over elements [0, n): in one piece below HELP_MIN; else chunk by chunk, shared with the
 * helper, the chunks' sums added in order (o NULL: an update without the pass). d: the draws over
 * [0, n) (may be NULL).
 */
static void split_run(RangeFn fn, void *ctx, size_t n, Sums *o, Draws *d) {
  if (n < HELP_MIN) {
    fn(ctx, 0, n, o, d);
    return;
  }
  size_t size = chunk_size(n);
  uint32_t chunks = (uint32_t)((n + size - 1) / size);
  Sums sums[MAX_CHUNKS];
  atomic_fetch_add(&help_splits, 1);
  int expect = 0;
  int shared = atomic_load(&help_enabled) && atomic_compare_exchange_strong(&help_busy, &expect, 1);
  if (shared && !help_start()) {
    atomic_store(&help_busy, 0);
    shared = 0;
  }
  /* a job of its own when the helper is not to be had: the same chunks, the same sums */
  HelpJob alone, *J = shared ? &the_job : &alone;
  uint32_t gen = shared ? atomic_fetch_add(&help_gen, 1) + 1 : 0;
  J->fn = fn;
  J->ctx = ctx;
  J->n = n;
  J->size = size;
  atomic_store(&J->chunks, chunks);
  J->sums = o != NULL ? sums : NULL;
  J->d = d;
  atomic_store(&J->done, 0);
  atomic_store(&J->next, (uint64_t)gen << 32);
  if (shared) {
    atomic_store(&help_job, J);
    help_nudge();
  }
  run_chunks(J, gen);
  /* every chunk is taken: wait for the one the helper may be in (spin, then yield the core at
     each look, in case the helper was put on ours or preempted) */
  for (int k = 0; atomic_load(&J->done) != chunks; k++) {
    if (k < 2000) HELP_PAUSE();
    else sched_yield();
  }
  if (shared) {
    HelpJob *mine = J;
    atomic_compare_exchange_strong(&help_job, &mine, NULL);
    atomic_store(&help_busy, 0);
  }
  if (o != NULL) {
    *o = sums[0];
    for (uint32_t k = 1; k < chunks; k++) add_sums(o, o, &sums[k]);
  }
}
