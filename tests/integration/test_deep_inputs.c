/*
 * test_deep_inputs.c — deep type graphs through the built abiguard (issue 11
 * item 7), inputs generated here:
 *   - a corpus JSON whose function takes a 70,000-deep chain of anonymous
 *     pointers: show, diff and import used to crash (recursion in
 *     ag_corpus_finalize); now one error line naming the limit;
 *   - a library (generated C, compiled here) with a 4,000-deep typedef
 *     chain whose base type changes: diff on a 256 KiB stack (`ulimit -s
 *     256`) used to crash in the DWARF reader and in the diff; now it reports
 *     the change, from the libraries and from their corpora.
 * The unit tests (tests/unit/test_deep_types.c) cover the same limits on
 * corpora built in memory.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool_run.h"

static bool sh(const char *cmd, tool_run *r, double timeout)
{
    const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
    return tool_run_argv(argv, timeout, r);
}

/* A corpus JSON with `depth` anonymous pointers in a row below `int`. The
   ids are made up: the depth check comes before ids are compared. */
static char *pointer_chain_json(size_t depth, size_t *len)
{
    size_t cap = depth * 96 + 4096;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    size_t n = (size_t)snprintf(s, cap,
        "{\"debug_info\": true, \"debug_source\": \"embedded\", \"dwarf_version\": 5,\n"
        " \"elf\": {\"build_id\": null, \"byte_order\": \"little\", \"class\": 64, \"elf_type\": \"dyn\",\n"
        "  \"file_name\": \"libdeep.so\", \"hardening\": {\"bind_now\": false, \"cet_ibt\": false,\n"
        "  \"cet_shstk\": false, \"exec_stack\": false, \"relro\": true, \"stack_protector\": false,\n"
        "  \"static_tls\": false}, \"machine\": \"x86_64\", \"needed\": [], \"rpath\": null, \"runpath\": null,\n"
        "  \"sha256\": \"%064d\", \"soname\": null, \"version_defs\": []},\n"
        " \"exports\": [{\"binding\": \"global\", \"default\": true, \"name\": \"f\", \"size\": 4, \"type\": \"func\",\n"
        "  \"version\": null}],\n"
        " \"format\": \"abiguard-corpus/1\",\n"
        " \"functions\": [{\"decl_file\": null, \"decl_line\": 0, \"name\": \"f\", \"params\": [{\"name\": \"p\",\n"
        "  \"type\": \"%016zx\"}], \"prototyped\": true, \"return\": \"%016x\", \"variadic\": false}],\n"
        " \"imports\": [], \"skipped\": {}, \"variables\": [],\n"
        " \"types\": [\n  {\"encoding\": \"signed\", \"id\": \"%016x\", \"kind\": \"base\", \"name\": \"int\", \"size\": 4}",
        0, depth, 1u << 20, 1u << 20);
    for (size_t i = 1; i <= depth; i++)
        n += (size_t)snprintf(s + n, cap - n,
                              ",\n  {\"id\": \"%016zx\", \"kind\": \"pointer\", \"size\": 8, \"target\": \"%016zx\"}", i,
                              i == 1 ? (size_t)1 << 20 : i - 1);
    n += (size_t)snprintf(s + n, cap - n, "\n ]\n}\n");
    *len = n;
    return s;
}

Test(deep_inputs, pointer_chain_70000_deep_is_refused_by_show_diff_and_import, .timeout = 300 * SANITIZER_SLOWDOWN)
{
    char *dir = make_temp_dir();
    char *json = path_join2(dir, "deep.json");
    size_t len;
    char *text = pointer_chain_json(70000, &len);
    cr_assert(write_whole_file(json, text, len));
    free(text);
    char *db = path_join2(dir, "store.db");
    const char *const commands[][8] = {
        { "show", json, NULL },
        { "diff", json, json, NULL },
        { "import", json, "--library", "deep", "--version", "1", "--db", db },
    };
    for (size_t i = 0; i < 3; i++) {
        const char *argv[10] = { abiguard_binary() };
        for (size_t k = 0; k < 8 && commands[i][k]; k++)
            argv[k + 1] = commands[i][k];
        tool_run r;
        cr_assert(tool_run_argv(argv, 120.0, &r));
        cr_assert(!r.signaled && !r.timed_out, "%s: %s; stderr: %.500s", commands[i][0], tool_run_outcome(&r),
                  r.err);
        cr_assert(r.exited && r.exit_status == 1, "%s: expected exit 1, got %s; stderr:\n%s", commands[i][0],
                  tool_run_outcome(&r), r.err);
        cr_assert(count_lines(r.err) == 1 && strstr(r.err, "abiguard: error: ") == r.err &&
                      strstr(r.err, "chain of more than 4096"),
                  "%s: one error line naming the depth limit expected, got:\n%s", commands[i][0], r.err);
        tool_run_free(&r);
    }
    remove_tree(dir);
    free(db);
    free(json);
    free(dir);
}

/* typedef BASE t0; typedef t0 t1; ... t3999; t3999 deep_f(t3999 x). */
static void write_typedef_chain(const char *path, const char *base)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "typedef %s t0;\n", base);
    for (int i = 1; i < 4000; i++)
        fprintf(f, "typedef t%d t%d;\n", i - 1, i);
    fprintf(f, "t3999 deep_f(t3999 x) { return x; }\n");
    cr_assert_eq(fclose(f), 0);
}

Test(deep_inputs, typedef_chain_4000_deep_diffs_on_a_256k_stack, .timeout = 600 * SANITIZER_SLOWDOWN)
{
    char *dir = make_temp_dir();
    char cmd[16384];
    for (int v = 1; v <= 2; v++) {
        char name[32];
        snprintf(name, sizeof name, "v%d.c", v);
        char *src = path_join2(dir, name);
        write_typedef_chain(src, v == 1 ? "int" : "long");
        free(src);
    }
    tool_run r;
    snprintf(cmd, sizeof cmd,
             "set -e; cd '%s'; for v in 1 2; do cc -g -O2 -shared -fPIC -Wl,--build-id -o libdeep$v.so v$v.c; "
             "'%s' extract libdeep$v.so --no-system-debug -o v$v.json; done",
             dir, abiguard_binary());
    cr_assert(sh(cmd, &r, 300.0) && r.exited && r.exit_status == 0, "building the fixture: %s\n%s",
              tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    const char *pairs[][2] = { { "libdeep1.so", "libdeep2.so" }, { "v1.json", "v2.json" } };
    for (size_t i = 0; i < 2; i++) {
        snprintf(cmd, sizeof cmd, "cd '%s' && ulimit -s 256 && exec '%s' diff %s %s --no-system-debug", dir,
                 abiguard_binary(), pairs[i][0], pairs[i][1]);
        cr_assert(sh(cmd, &r, 300.0));
        cr_assert(!r.signaled, "diff %s %s on a 256 KiB stack: %s; stderr: %.500s", pairs[i][0], pairs[i][1],
                  tool_run_outcome(&r), r.err);
        cr_assert(r.exited && r.exit_status == 12, "diff %s %s: expected exit 12 (breaking), got %s; stderr:\n%s",
                  pairs[i][0], pairs[i][1], tool_run_outcome(&r), r.err);
        cr_assert(strstr(r.out, "base-type-changed") && strstr(r.out, "deep_f()") && strstr(r.out, "more steps"),
                  "the change at t0, its interface and the shortened path expected:\n%.2000s", r.out);
        tool_run_free(&r);
    }
    remove_tree(dir);
    free(dir);
}
