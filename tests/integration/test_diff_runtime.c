/*
 * test_diff_runtime.c — the run-time proofs of the diff fixtures: what the
 * loader and the machine do, against what `abiguard diff` says.
 *
 * Each case of tests/fixtures/diff/ with a consumer.c has a program built
 * against v1 the way a binding links it (diff.mk). For every line
 * `<case> ok|fails` of $FIXTURES/diff/runs.txt the test runs it
 *   - against v1 (LD_LIBRARY_PATH=v1): it must exit 0 — the consumer checks
 *     what the library does for it and exits non-zero when it is wrong;
 *   - against v2: it must end as runs.txt says (ok: exit 0; fails: any other
 *     end — a loader error, a crash, a wrong result it detects);
 * and then checks that abiguard agrees with the machine: the consumer fails
 * against v2 exactly when the diff's verdict is breaking.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool_run.h"

typedef struct run_case {
    char name[64];
    char outcome[16];
} run_case;

static size_t load_runs(run_case *out, size_t max)
{
    char *path = fixture_path("diff/runs.txt");
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot open %s (make fixtures)", path);
    free(path);
    size_t n = 0;
    char line[512];
    while (fgets(line, sizeof line, f) && n < max) {
        char *p = line + strspn(line, " \t");
        if (*p == '#' || *p == '\n' || *p == '\0')
            continue;
        if (sscanf(p, "%63s %15s", out[n].name, out[n].outcome) == 2)
            n++;
    }
    fclose(f);
    return n;
}

/* Runs the case's consumer with LD_LIBRARY_PATH=<case>/<version>. */
static void run_consumer(const char *name, const char *version, tool_run *r)
{
    char rel[512];
    snprintf(rel, sizeof rel, "diff/%s/consumer", name);
    char *prog = fixture_path(rel);
    snprintf(rel, sizeof rel, "diff/%s/%s", name, version);
    char *dir = fixture_path(rel);
    size_t len = strlen(dir) + 32;
    char *env = malloc(len);
    snprintf(env, len, "LD_LIBRARY_PATH=%s", dir);
    const char *argv[] = { "/usr/bin/env", env, prog, NULL };
    cr_assert(tool_run_argv(argv, 60, r), "cannot start %s", prog);
    free(env);
    free(dir);
    free(prog);
}

static const char *diff_verdict(const char *name, json_t **root_out, tool_run *g)
{
    char *rel1 = NULL, *rel2 = NULL;
    cr_assert(asprintf(&rel1, "diff/%s/v1/lib%s.so", name, name) > 0 &&
              asprintf(&rel2, "diff/%s/v2/lib%s.so", name, name) > 0);
    char *v1 = fixture_path(rel1), *v2 = fixture_path(rel2);
    free(rel1);
    free(rel2);
    cr_assert(run_abiguard(g, "diff", "--format", "json", v1, v2, (char *)NULL));
    free(v1);
    free(v2);
    json_error_t jerr;
    *root_out = g->exited ? json_loadb(g->out, g->out_len, 0, &jerr) : NULL;
    json_t *v = *root_out ? json_object_get(*root_out, "verdict") : NULL;
    return json_is_string(v) ? json_string_value(v) : "(error)";
}

Test(diff_runtime, consumers_agree_with_the_verdict, .timeout = 600 * SANITIZER_SLOWDOWN)
{
    static run_case cases[128];
    size_t n = load_runs(cases, 128);
    cr_assert(n > 0, "no case in runs.txt");
    problem_list problems = { 0 };
    for (size_t i = 0; i < n; i++) {
        const run_case *c = &cases[i];
        cr_assert(strcmp(c->outcome, "ok") == 0 || strcmp(c->outcome, "fails") == 0,
                  "runs.txt: %s: outcome '%s' is neither ok nor fails", c->name, c->outcome);
        tool_run r1, r2;
        run_consumer(c->name, "v1", &r1);
        if (!r1.exited || r1.exit_status != 0)
            problem_add(&problems, "%s: the consumer against v1 (what it was built for): %s\n    stdout: %s    stderr: %s",
                        c->name, tool_run_outcome(&r1), r1.out, r1.err);
        run_consumer(c->name, "v2", &r2);
        bool ok = r2.exited && r2.exit_status == 0;
        if (ok != (strcmp(c->outcome, "ok") == 0))
            problem_add(&problems, "%s: against v2 the consumer ended with %s, runs.txt says %s\n    stdout: %s    stderr: %s",
                        c->name, tool_run_outcome(&r2), c->outcome, r2.out, r2.err);
        json_t *root = NULL;
        tool_run g;
        const char *verdict = diff_verdict(c->name, &root, &g);
        bool breaking = strcmp(verdict, "breaking") == 0;
        if (breaking == ok)
            problem_add(&problems, "%s: abiguard says %s, but the consumer built against v1 %s against v2 (%s)",
                        c->name, verdict, ok ? "works" : "fails", tool_run_outcome(&r2));
        cr_log_info("%-36s v2: %-40s abiguard: %s", c->name, tool_run_outcome(&r2), verdict);
        json_decref(root);
        tool_run_free(&g);
        tool_run_free(&r1);
        tool_run_free(&r2);
    }
    problem_assert_none(&problems, "run-time proofs");
}
