/*
 * test_diff_abidiff.c — libabigail's abidiff as the reference oracle for
 * `abiguard diff`, on every fixture pair of tests/fixtures/diff/ (the cases
 * listed in $FIXTURES/diff/expected.txt):
 *   - wherever abidiff's exit status has bit 8 (incompatible change) set,
 *     abiguard's verdict must be breaking (abiguard never misses what
 *     abidiff calls incompatible) — unless the machine says otherwise: a
 *     case whose run-time proof (runs.txt, test_diff_runtime.c) shows a
 *     program built against v1 working with v2 (a SONAME added where there
 *     was none: abidiff calls any SONAME difference incompatible, the loader
 *     finds the file by the name old binaries recorded);
 *   - the cases where abiguard is stricter (breaking, where abidiff did not
 *     set bit 8) are listed with their change kinds, for the README; they are
 *     expected, not failures: abidiff sets bit 8 only for removed or changed
 *     symbols, while a binding compiled against the old headers keeps the old
 *     layouts baked in (see src/change_kinds.c).
 * The full table (case, abidiff status, abiguard verdict, exit, kinds) goes
 * to the test log.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool_run.h"

#define ABIDIFF "/usr/bin/abidiff"
#define ABIDIFF_INCOMPATIBLE 8
#define MAX_CASES 256

static size_t load_case_names(char names[][64], size_t max)
{
    char *path = fixture_path("diff/expected.txt");
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot open %s", path);
    free(path);
    size_t n = 0;
    char line[2048];
    while (fgets(line, sizeof line, f) && n < max) {
        char *p = line + strspn(line, " \t");
        if (*p == '#' || *p == '\n' || *p == '\0')
            continue;
        if (sscanf(p, "%63s", names[n]) == 1)
            n++;
    }
    fclose(f);
    return n;
}

/* The kinds of the unsuppressed changes, comma-separated in report order,
   without repeats. */
static void change_ids(json_t *root, char *buf, size_t cap)
{
    size_t len = 0, i;
    json_t *c;
    buf[0] = '\0';
    json_array_foreach(json_object_get(root, "changes"), i, c) {
        if (json_is_true(json_object_get(c, "suppressed")))
            continue;
        const char *id = json_string_value(json_object_get(c, "id"));
        if (!id)
            continue;
        char needle[128];
        snprintf(needle, sizeof needle, ",%s,", id);
        char probe[4200];
        snprintf(probe, sizeof probe, ",%s,", buf);
        if (strstr(probe, needle))
            continue;
        len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0, "%s%s", len ? "," : "", id);
    }
}

/* True when runs.txt says the case's consumer built against v1 works
   against v2 (the run-time proof test_diff_runtime.c checks). */
static bool proven_to_run(const char *name)
{
    char *path = fixture_path("diff/runs.txt");
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot open %s", path);
    free(path);
    bool ok = false;
    char line[512], c[64], outcome[16];
    while (!ok && fgets(line, sizeof line, f))
        ok = line[0] != '#' && sscanf(line, "%63s %15s", c, outcome) == 2 && strcmp(c, name) == 0 &&
             strcmp(outcome, "ok") == 0;
    fclose(f);
    return ok;
}

Test(diff_abidiff, incompatible_for_abidiff_is_breaking_for_abiguard, .timeout = 1200 * SANITIZER_SLOWDOWN)
{
    cr_assert(access(ABIDIFF, X_OK) == 0, "%s is missing (Debian package abigail-tools; `make deps`)", ABIDIFF);
    static char names[MAX_CASES][64];
    size_t n = load_case_names(names, MAX_CASES);
    cr_assert(n > 0, "no case in expected.txt");

    problem_list missed = { 0 };
    char *table = NULL, *stricter = NULL, *proven = NULL;
    size_t table_len = 0, stricter_len = 0, proven_len = 0, n_stricter = 0, n_incompatible = 0;
    FILE *tf = open_memstream(&table, &table_len);
    FILE *sf = open_memstream(&stricter, &stricter_len);
    FILE *pf = open_memstream(&proven, &proven_len);
    fprintf(tf, "%-32s %-8s %-11s %-5s %s\n", "case", "abidiff", "abiguard", "exit", "abiguard kinds");

    for (size_t i = 0; i < n; i++) {
        char rel1[512], rel2[512];
        snprintf(rel1, sizeof rel1, "diff/%s/v1/lib%s.so", names[i], names[i]);
        snprintf(rel2, sizeof rel2, "diff/%s/v2/lib%s.so", names[i], names[i]);
        char *v1 = fixture_path(rel1), *v2 = fixture_path(rel2);

        const char *abidiff_argv[] = { ABIDIFF, v1, v2, NULL };
        tool_run a;
        cr_assert(tool_run_argv(abidiff_argv, 300, &a), "cannot start abidiff");
        cr_assert(a.exited, "abidiff %s: %s", names[i], tool_run_outcome(&a));
        int abidiff_status = a.exit_status;
        /* Bits 1 and 2 are abidiff's own errors, not a verdict. */
        cr_assert((abidiff_status & 3) == 0, "abidiff %s: error status %d:\n%s", names[i], abidiff_status, a.err);
        tool_run_free(&a);

        tool_run g;
        cr_assert(run_abiguard(&g, "diff", "--format", "json", v1, v2, (char *)NULL));
        json_error_t jerr;
        json_t *root = g.exited ? json_loadb(g.out, g.out_len, 0, &jerr) : NULL;
        const char *verdict = root && json_is_string(json_object_get(root, "verdict"))
                                  ? json_string_value(json_object_get(root, "verdict"))
                                  : "(error)";
        char ids[4096] = "";
        if (root)
            change_ids(root, ids, sizeof ids);
        fprintf(tf, "%-32s %-8d %-11s %-5d %s\n", names[i], abidiff_status, verdict, g.exited ? g.exit_status : -1,
                ids[0] ? ids : "-");

        bool breaking = strcmp(verdict, "breaking") == 0;
        if (abidiff_status & ABIDIFF_INCOMPATIBLE) {
            n_incompatible++;
            if (!breaking && proven_to_run(names[i]))
                fprintf(pf, "  %-32s abidiff %d (incompatible), abiguard %s: a program built against v1 runs "
                            "with v2 (runs.txt)\n", names[i], abidiff_status, verdict);
            else if (!breaking)
                problem_add(&missed, "%s: abidiff status %d (incompatible), abiguard verdict %s, exit %d (%s)",
                            names[i], abidiff_status, verdict, g.exited ? g.exit_status : -1, ids[0] ? ids : "-");
        } else if (breaking) {
            n_stricter++;
            fprintf(sf, "  %-32s abidiff %d; abiguard breaking: %s\n", names[i], abidiff_status, ids);
        }
        json_decref(root);
        tool_run_free(&g);
        free(v1);
        free(v2);
    }
    fclose(tf);
    fclose(sf);
    fclose(pf);
    cr_log_info("abidiff against abiguard on %zu fixture pairs:\n%s", n, table);
    cr_log_info("abiguard is stricter than abidiff (breaking, abidiff without bit 8) in %zu case(s):\n%s",
                n_stricter, stricter_len ? stricter : "  (none)\n");
    fprintf(stderr, "abidiff against abiguard on %zu fixture pairs:\n%s", n, table);
    fprintf(stderr, "abiguard stricter than abidiff in %zu case(s):\n%s", n_stricter,
            stricter_len ? stricter : "  (none)\n");
    free(table);
    cr_log_info("abidiff incompatible, abiguard not breaking, and a program built against v1 runs with v2:\n%s",
                proven_len ? proven : "  (none)\n");
    fprintf(stderr, "abidiff incompatible where the run-time proof says compatible:\n%s",
            proven_len ? proven : "  (none)\n");
    free(stricter);
    free(proven);
    cr_expect(n_incompatible > 0, "abidiff found no incompatible change in any fixture: the oracle is not exercised");
    problem_assert_none(&missed, "abidiff incompatible, abiguard not breaking");
}
