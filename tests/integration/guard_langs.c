/*
 * guard_langs.c — the libgeo store, stub generation, runs and the common
 * expectations of the per-language guard tests (guard_langs.h).
 */
#include "guard_langs.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *guard_fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    char *s = NULL;
    cr_assert(vasprintf(&s, f, ap) >= 0);
    va_end(ap);
    return s;
}

static void expect_ok(const tool_run *r, const char *what)
{
    cr_assert(r->exited && r->exit_status == 0, "%s: %s\nstdout: %s\nstderr: %s", what, tool_run_outcome(r),
              r->out, r->err);
}

void guard_run_ok(const char *const argv[], double timeout, const char *what)
{
    tool_run r;
    cr_assert(tool_run_argv(argv, timeout, &r), "%s: cannot start %s", what, argv[0]);
    expect_ok(&r, what);
    tool_run_free(&r);
}

void guard_env_setup(guard_env *e, const char *lang)
{
    memset(e, 0, sizeof *e);
    e->dir = make_temp_dir();
    e->db = path_join2(e->dir, "db");
    e->fx = fixture_path("bindings");
    char *base = guard_fmt("%s/../guard-cache", fixtures_dir());
    mkdir(base, 0755);
    e->cache = guard_fmt("%s/%s", base, lang);
    mkdir(e->cache, 0755);
    free(base);
    const char *v[] = { "v1", "v2", "v3", "v1b", "v1s" };
    for (int i = 0; i < GEO_N; i++) {
        snprintf(e->lib[i], sizeof e->lib[i], "%s/%s", e->fx, v[i]);
        snprintf(e->include[i], sizeof e->include[i], "%s/%s/include", e->fx, v[i]);
    }
    for (int i = 0; i < 3; i++) {
        char so[700], ver[16];
        snprintf(so, sizeof so, "%s/libgeo.so.1", e->lib[i]);
        snprintf(ver, sizeof ver, "%d", i + 1);
        tool_run r;
        cr_assert(run_abiguard(&r, "add", so, "--library", "geo", "--version", ver, "--db", e->db, NULL));
        expect_ok(&r, "abiguard add");
        tool_run_free(&r);
    }
}

void guard_env_teardown(guard_env *e)
{
    remove_tree(e->dir);
    free(e->dir);
    free(e->db);
    free(e->fx);
    free(e->cache);
}

void guard_stub(guard_env *e, const char *const args[])
{
    const char *argv[32] = { abiguard_binary(), "stub", "geo@1", "--db", e->db };
    size_t n = 5;
    for (size_t i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    guard_run_ok(argv, ABIGUARD_TIMEOUT_SECONDS, "abiguard stub");
}

void guard_run_with(guard_env *e, int build, const char *policy, const char *const env[],
                    const char *const prog[], tool_run *r)
{
    char *ld = guard_fmt("LD_LIBRARY_PATH=%s", e->lib[build]);
    char *pol = policy ? guard_fmt("ABIGUARD_POLICY=%s", policy) : NULL;
    const char *argv[48] = { "/usr/bin/env", "-u", "ABIGUARD_POLICY", ld };
    size_t n = 4;
    if (pol)
        argv[n++] = pol;
    for (size_t i = 0; env && env[i] && n < 40; i++)
        argv[n++] = env[i];
    for (size_t i = 0; prog[i] && n < 47; i++)
        argv[n++] = prog[i];
    argv[n] = NULL;
    cr_assert(tool_run_argv(argv, 120, r), "cannot start %s", prog[0]);
    free(ld);
    free(pol);
}

static void expect_in(const char *lang, const char *what, const char *text, const char *const needles[])
{
    for (size_t i = 0; needles[i]; i++)
        cr_assert(strstr(text, needles[i]), "%s, %s: '%s' not in:\n%s", lang, what, needles[i], text);
}

static void expect_refused(const char *lang, const char *what, const tool_run *r, const char *const needles[])
{
    cr_assert(r->exited && r->exit_status == 3, "%s, %s: expected a refusal (exit 3), got %s\nstdout: %s\nstderr: %s",
              lang, what, tool_run_outcome(r), r->out, r->err);
    cr_assert(!strstr(r->out, "distance="), "%s, %s: refused, yet it ran:\n%s", lang, what, r->out);
    expect_in(lang, what, r->err, needles);
}

static void expect_ran(const char *lang, const char *what, const tool_run *r)
{
    cr_assert(r->exited && r->exit_status == 0, "%s, %s: %s\nstdout: %s\nstderr: %s", lang, what,
              tool_run_outcome(r), r->out, r->err);
}

void guard_expect_matrix(guard_env *e, const char *lang, const char *const env[], const char *const prog[],
                         const char *const bad_prog[])
{
    tool_run r;
    for (int b = GEO_V1; b <= GEO_V2; b++) {
        const char *what = b == GEO_V1 ? "v1 (the baseline)" : "v2 (known compatible)";
        guard_run_with(e, b, NULL, env, prog, &r);
        expect_ran(lang, what, &r);
        cr_assert(strstr(r.out, "distance=5"), "%s, %s: did not run: %s", lang, what, r.out);
        cr_assert(!strstr(r.err, "refused") && !strstr(r.err, "unverified") && !strstr(r.err, "warned"),
                  "%s, %s: not verified:\n%s", lang, what, r.err);
        tool_run_free(&r);
    }
    guard_run_with(e, GEO_V3, NULL, env, prog, &r);
    const char *const v3[] = { "refused: ", "geo@3", "incompatible with geo@1", "struct geo_point::y",
                               "moved from offset 8 to 4", NULL };
    expect_refused(lang, "v3 (known incompatible)", &r, v3);
    tool_run_free(&r);
    guard_run_with(e, GEO_V3, "warn", env, prog, &r);
    expect_ran(lang, "v3 under ABIGUARD_POLICY=warn", &r);
    const char *const warned[] = { "warned: ", "geo@3", "running anyway", NULL };
    expect_in(lang, "v3 under ABIGUARD_POLICY=warn", r.err, warned);
    tool_run_free(&r);
    guard_run_with(e, GEO_V1B, NULL, env, prog, &r);
    expect_ran(lang, "v1b (an unknown rebuild)", &r);
    cr_assert(strstr(r.out, "distance=5"), "%s, v1b: did not run: %s", lang, r.out);
    const char *const v1b[] = { "accepted-unverified: ", "unverified build", "v1b/libgeo.so",
                                "required symbols and versions", "match geo@1", NULL };
    expect_in(lang, "v1b (an unknown rebuild)", r.err, v1b);
    tool_run_free(&r);
    guard_run_with(e, GEO_V1B, "strict", env, prog, &r);
    const char *const strict[] = { "refused: ", "unverified build", "strict policy", NULL };
    expect_refused(lang, "v1b under ABIGUARD_POLICY=strict", &r, strict);
    tool_run_free(&r);
    if (bad_prog) {
        guard_run_with(e, GEO_V1, NULL, env, bad_prog, &r);
        const char *const bad[] = { "refused: ", "struct geo_shape::kind", "offset 4", "offset 0", "geo@1", NULL };
        expect_refused(lang, "a binding whose struct geo_shape is declared wrong, with v1", &r, bad);
        tool_run_free(&r);
    }
}
