/*
 * guard_langs.h — what the per-language guard tests (test_guard_*.c) share:
 * a store holding libgeo 1 (the baseline), 2 (compatible) and 3 (breaking:
 * struct geo_point's members double -> float) from the bindings fixtures;
 * `abiguard stub geo@1` into a temporary directory; running a binding with
 * one build of the library (v1, v2, v3 or v1b, the unknown rebuild) under a
 * policy; and the matrix every binding must pass (guard_expect_matrix).
 *
 * Every binding program follows one convention: it prints "distance=5" when
 * it ran; a verdict other than verified goes to stderr as "OUTCOME: MESSAGE"
 * (accepted-unverified, warned); a refusal prints "refused: MESSAGE" and
 * exits 3. Warned, it exits 0 without calling the library: the warn policy
 * lets a binding run, and what calling an incompatible build does (v3's
 * geo_bounds returns its struct in registers, not memory: a crash) is what
 * the guard is there to prevent. With the binding's own declaration wrong (struct geo_shape's kind
 * and n swapped: both offsets off by 4), it is refused even with v1.
 */
#ifndef TESTS_GUARD_LANGS_H
#define TESTS_GUARD_LANGS_H

#include "tool_run.h"

enum { GEO_V1, GEO_V2, GEO_V3, GEO_V1B, GEO_V1S, GEO_N }; /* v1s: v1b with DT_HASH only */

typedef struct guard_env {
    char *dir;           /* temporary directory */
    char *db;
    char *fx;            /* $FIXTURES/bindings */
    char *cache;         /* $FIXTURES/../guard-cache/LANG: compiler caches kept between runs */
    char lib[GEO_N][600];     /* each build's directory (libgeo.so.1) */
    char include[GEO_N][600]; /* its include/ */
} guard_env;

void guard_env_setup(guard_env *e, const char *lang);
void guard_env_teardown(guard_env *e);

/* malloc'd, printf-style. */
char *guard_fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

/* `abiguard stub geo@1 --db DB ARGS...` (args NULL-terminated); the run
   must succeed. */
void guard_stub(guard_env *e, const char *const args[]);

/* Runs argv (NULL-terminated; at most 24) to completion with deadline;
   must exit 0. */
void guard_run_ok(const char *const argv[], double timeout, const char *what);

/* Runs prog with LD_LIBRARY_PATH=the build's directory (before extra, a
   ':'-list of more directories, or NULL), ABIGUARD_POLICY=policy (NULL:
   unset) and the environment assignments in env (NULL-terminated, or NULL). */
void guard_run_with(guard_env *e, int build, const char *policy, const char *const env[],
                    const char *const prog[], tool_run *r);

/* The matrix: prog (built or written against v1) with v1, v2 (verified),
   v3 (refused, naming struct geo_point::y moved from offset 8 to 4), v3
   under warn (runs, warns), v1b (accepted unverified) and v1b under strict
   (refused); then bad_prog (the binding with struct geo_shape declared
   wrong) with v1: refused, naming struct geo_shape::kind at offset 4 and
   0. bad_prog may be NULL. */
void guard_expect_matrix(guard_env *e, const char *lang, const char *const env[], const char *const prog[],
                         const char *const bad_prog[]);

#endif
