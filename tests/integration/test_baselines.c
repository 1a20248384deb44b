/*
 * test_baselines.c — the baselines committed under baselines/ are real data
 * users build on (and `make demo` shows), so they must load: import-dir
 * puts every one into a fresh store, and exporting each gives back the
 * committed file byte for byte.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tool_run.h"

static const char *const baselines[][2] = {
    { "lua", "5.1.5" }, { "lua", "5.3.6" }, { "lua", "5.4.4" }, { "gsl", "2.7.1" },
};

Test(baselines, import_dir_then_export_is_byte_identical)
{
    const char *src = getenv("SOURCE_DIR");
    char *dir = path_join2(src ? src : ".", "baselines");
    char *tmp = make_temp_dir();
    char *db = path_join2(tmp, "b.db");
    tool_run r;
    cr_assert(run_abiguard(&r, "import-dir", dir, "--db", db, NULL));
    cr_assert(r.exited && r.exit_status == 0, "import-dir failed: %s", r.err);
    tool_run_free(&r);
    for (size_t i = 0; i < sizeof baselines / sizeof baselines[0]; i++) {
        char ref[64], rel[64];
        snprintf(ref, sizeof ref, "%s@%s", baselines[i][0], baselines[i][1]);
        snprintf(rel, sizeof rel, "%s/%s.json", baselines[i][0], baselines[i][1]);
        char *committed = path_join2(dir, rel);
        char *exported = path_join2(tmp, "out.json");
        cr_assert(run_abiguard(&r, "export", ref, "--db", db, "-o", exported, NULL));
        cr_expect(r.exited && r.exit_status == 0, "export %s failed: %s", ref, r.err);
        tool_run_free(&r);
        size_t a_len = 0, b_len = 0;
        char *a = read_whole_file(committed, &a_len), *b = read_whole_file(exported, &b_len);
        cr_expect(a && b && a_len == b_len && memcmp(a, b, a_len) == 0,
                  "%s: export differs from the committed %s", ref, committed);
        free(a);
        free(b);
        free(committed);
        free(exported);
    }
    remove_tree(tmp);
    free(tmp);
    free(db);
    free(dir);
}
