/*
 * test_store_diff_cache.c — `abiguard diff NAME@A NAME@B` computes once and
 * then answers from the store's diff cache: the second answer must be the
 * same report, in every format, with the same exit status; replacing a
 * release must drop what was cached for it.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tool_run.h"

static void diff_twice_same(const char *db, const char *format)
{
    tool_run first, second;
    cr_assert(run_abiguard(&first, "diff", "lua@5.3", "lua@5.4", "--db", db, "--format", format, NULL));
    cr_assert(run_abiguard(&second, "diff", "lua@5.3", "lua@5.4", "--db", db, "--format", format, NULL));
    cr_expect(first.exited && first.exit_status == 12, "%s: first diff exit %d: %s", format,
              first.exit_status, first.err);
    cr_expect(second.exited && second.exit_status == first.exit_status, "%s: cached exit differs", format);
    cr_expect(first.out_len == second.out_len && memcmp(first.out, second.out, first.out_len) == 0,
              "%s: the cached report differs from the computed one", format);
    tool_run_free(&first);
    tool_run_free(&second);
}

Test(store_diff_cache, cached_report_equals_computed_one)
{
    char *tmp = make_temp_dir();
    char *db = path_join2(tmp, "c.db");
    static const char *const libs[][2] = {
        { "5.3", "/usr/lib/x86_64-linux-gnu/liblua5.3.so.0" },
        { "5.4", "/usr/lib/x86_64-linux-gnu/liblua5.4.so.0" },
    };
    for (size_t i = 0; i < 2; i++) {
        tool_run r;
        cr_assert(run_abiguard(&r, "add", libs[i][1], "--library", "lua", "--version", libs[i][0], "--db", db, NULL));
        cr_assert(r.exited && r.exit_status == 0, "add failed: %s", r.err);
        tool_run_free(&r);
    }
    static const char *const formats[] = { "text", "json", "markdown", "sarif", "junit" };
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        diff_twice_same(db, formats[i]);

    /* Replace 5.4 by 5.3's library: the cached breaking report must go. */
    tool_run r;
    cr_assert(run_abiguard(&r, "add", libs[0][1], "--library", "lua", "--version", "5.4", "--replace", "--db", db, NULL));
    cr_assert(r.exited && r.exit_status == 0, "replace failed: %s", r.err);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "diff", "lua@5.3", "lua@5.4", "--db", db, NULL));
    cr_expect(r.exited && r.exit_status == 0, "after --replace the diff must be recomputed (none), got %d:\n%s",
              r.exit_status, r.out);
    tool_run_free(&r);
    remove_tree(tmp);
    free(tmp);
    free(db);
}
