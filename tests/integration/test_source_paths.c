/*
 * test_source_paths.c — a corpus does not depend on where the library was
 * built (source_path.h), on the fixture library of tests/fixtures/paths/
 * built four ways (paths.mk): out of tree with absolute source paths as
 * CMake does, the same from another place with the build directory inside
 * the source tree, the same with DWARF 4, and in tree as autotools does.
 *   - the two out-of-tree builds give the same corpus, byte for byte, but
 *     for the binary's own fingerprint (sha256, build-id: the files differ
 *     because their debug info names different directories);
 *   - every declaration file is spelled from the source tree's top
 *     (include/pathlib.h, src/lib/pathlib.c), a generated one from the build
 *     directory's (config.h); none is absolute, none climbs out with "..";
 *   - a build mapped with -fdebug-prefix-map=TREE=. (comp_dir ./src/lib,
 *     DWARF 5) spells them as the unmapped in-tree build does;
 *   - --source-root replaces the inferred root (relative to the working
 *     directory, too), and one no source lies under is an error;
 *   - --headers-dir still decides the public surface with these spellings.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool_run.h"

static char *extract_text(const char *variant, const char *opt1, const char *opt2)
{
    char rel[128];
    snprintf(rel, sizeof rel, "paths/%s/libpathlib.so.1", variant);
    char *lib = fixture_path(rel);
    tool_run r;
    cr_assert(run_abiguard(&r, "extract", lib, "--no-system-debug", "--no-debuginfod", opt1, opt2, (char *)NULL));
    cr_assert(r.exited && r.exit_status == 0, "extract %s: %s\n%s", lib, tool_run_outcome(&r), r.err);
    free(lib);
    char *out = r.out;
    r.out = NULL;
    tool_run_free(&r);
    return out;
}

/* The corpus with the binary's own fingerprint left out. */
static json_t *corpus_without_fingerprint(const char *text)
{
    json_error_t je;
    json_t *root = json_loads(text, 0, &je);
    cr_assert_not_null(root, "not JSON: %s", je.text);
    json_t *elf = json_object_get(root, "elf");
    cr_assert(json_object_get(elf, "sha256") && json_object_get(elf, "build_id"));
    json_object_del(elf, "sha256");
    json_object_del(elf, "build_id");
    return root;
}

/* Every decl_file of the corpus, in the order of the document. */
static void collect_decl_files(json_t *v, json_t *out)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach (v, k, x) {
            if (strcmp(k, "decl_file") == 0 && json_is_string(x))
                json_array_append(out, x);
            else
                collect_decl_files(x, out);
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach (v, i, x)
            collect_decl_files(x, out);
    }
}

static bool has_decl_file(json_t *files, const char *want)
{
    size_t i;
    json_t *x;
    json_array_foreach (files, i, x)
        if (strcmp(json_string_value(x), want) == 0)
            return true;
    return false;
}

/* No absolute path but a system header's, no "..": spelled in the tree. */
static void assert_spelled_in_tree(json_t *files, const char *what)
{
    problem_list p = { 0 };
    size_t i;
    json_t *x;
    json_array_foreach (files, i, x) {
        const char *f = json_string_value(x);
        if ((f[0] == '/' && strncmp(f, "/usr/", 5) != 0) || strncmp(f, "../", 3) == 0 || strstr(f, "/../") ||
            strstr(f, "fixtures/paths"))
            problem_add(&p, "%s: decl_file \"%s\"", what, f);
    }
    problem_assert_none(&p, "declaration files spelled outside the source tree");
}

Test(source_paths, two_out_of_tree_builds_give_one_corpus)
{
    char *a = extract_text("a", NULL, NULL), *b = extract_text("b", NULL, NULL);
    cr_assert(strcmp(a, b) != 0, "the fixture builds must differ (their debug info names other directories)");
    json_t *ja = corpus_without_fingerprint(a), *jb = corpus_without_fingerprint(b);
    char *sa = json_dumps(ja, JSON_SORT_KEYS | JSON_INDENT(1)), *sb = json_dumps(jb, JSON_SORT_KEYS | JSON_INDENT(1));
    cr_assert_str_eq(sa, sb, "corpora of one source built in two places differ");
    json_t *files = json_array();
    collect_decl_files(ja, files);
    assert_spelled_in_tree(files, "build a");
    cr_assert(has_decl_file(files, "include/pathlib.h"), "the public header from the source tree's top");
    cr_assert(has_decl_file(files, "src/lib/pathlib.c") && has_decl_file(files, "src/lib/internal.h"));
    cr_assert(has_decl_file(files, "config.h"), "the generated header from the build directory's top");
    json_decref(files);
    free(sa);
    free(sb);
    json_decref(ja);
    json_decref(jb);
    free(a);
    free(b);
}

/* DWARF 4's line table (files numbered from 1, directories relative to
   comp_dir) spells the files as DWARF 5's does. */
Test(source_paths, dwarf4_spells_as_dwarf5)
{
    char *a = extract_text("a", NULL, NULL), *d = extract_text("dwarf4", NULL, NULL);
    json_t *ja = corpus_without_fingerprint(a), *jd = corpus_without_fingerprint(d);
    cr_assert_eq(json_integer_value(json_object_get(jd, "dwarf_version")), 4);
    json_t *fa = json_array(), *fd = json_array();
    collect_decl_files(ja, fa);
    collect_decl_files(jd, fd);
    char *sa = json_dumps(fa, 0), *sd = json_dumps(fd, 0);
    cr_assert_str_eq(sa, sd);
    free(sa);
    free(sd);
    json_decref(fa);
    json_decref(fd);
    json_decref(ja);
    json_decref(jd);
    free(a);
    free(d);
}

/* In tree (autotools): relative names under comp_dir src/lib/, the public
   header reached as ../../include/pathlib.h; spelled from the top as the
   out-of-tree build spells them, the generated config.h where it lies. */
Test(source_paths, in_tree_build_spelled_from_the_top)
{
    char *t = extract_text("intree", NULL, NULL);
    json_t *j = corpus_without_fingerprint(t);
    json_t *files = json_array();
    collect_decl_files(j, files);
    assert_spelled_in_tree(files, "in-tree build");
    cr_assert(has_decl_file(files, "include/pathlib.h") && has_decl_file(files, "src/lib/pathlib.c") &&
              has_decl_file(files, "src/lib/config.h"));
    json_decref(files);
    json_decref(j);
    free(t);
}

Test(source_paths, prefix_mapped_build_spelled_as_in_tree)
{
    char *t = extract_text("intree", NULL, NULL), *m = extract_text("mapped", NULL, NULL);
    json_t *jt = corpus_without_fingerprint(t), *jm = corpus_without_fingerprint(m);
    json_t *ft = json_array(), *fm = json_array();
    collect_decl_files(jt, ft);
    collect_decl_files(jm, fm);
    assert_spelled_in_tree(fm, "prefix-mapped build");
    char *st = json_dumps(ft, 0), *sm = json_dumps(fm, 0);
    cr_assert_str_eq(sm, st);
    free(st);
    free(sm);
    json_decref(ft);
    json_decref(fm);
    json_decref(jt);
    json_decref(jm);
    free(t);
    free(m);
}

Test(source_paths, explicit_source_root)
{
    /* The checkout's parent as the root: every source path gains the
       checkout's name; the build directory's files keep theirs. */
    char *parent = fixture_path("paths/a");
    char opt[4096];
    snprintf(opt, sizeof opt, "--source-root=%s", parent);
    char *t = extract_text("a", opt, NULL);
    json_t *j = corpus_without_fingerprint(t);
    json_t *files = json_array();
    collect_decl_files(j, files);
    cr_assert(has_decl_file(files, "checkout/include/pathlib.h") && has_decl_file(files, "checkout/src/lib/pathlib.c"));
    cr_assert(!has_decl_file(files, "build/config.h") && has_decl_file(files, "config.h"),
              "the build tree inside the given root still spells its own files");
    json_decref(files);
    json_decref(j);
    free(t);

    /* Relative to the working directory. */
    char cwd[4096];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    cr_assert(chdir(parent) == 0);
    char *rel = extract_text("a", "--source-root", "checkout");
    cr_assert(chdir(cwd) == 0);
    char *inferred = extract_text("a", NULL, NULL);
    cr_assert_str_eq(rel, inferred, "--source-root checkout (from a/) is the root the inference finds");
    free(rel);
    free(inferred);

    /* A root no source lies under: an error naming where they are. */
    char *lib = fixture_path("paths/a/libpathlib.so.1");
    tool_run r;
    cr_assert(run_abiguard(&r, "extract", lib, "--no-system-debug", "--no-debuginfod", "--source-root",
                           "/nonexistent/src", (char *)NULL));
    cr_assert(r.exited && r.exit_status != 0 && count_lines(r.err) == 1, "%s\n%s", tool_run_outcome(&r), r.err);
    cr_assert(strstr(r.err, "abiguard: error: ") && strstr(r.err, "--source-root /nonexistent/src") &&
              strstr(r.err, "the sources are under ") && strstr(r.err, "paths/a/checkout"),
              "%s", r.err);
    cr_assert_eq(r.out_len, 0);
    tool_run_free(&r);
    free(lib);
    free(parent);
}

/* The surface decision matches the relative spellings to the installed
   header: struct pl_point (include/pathlib.h) is public, struct pl_ctx
   (src/lib/internal.h) is not. */
Test(source_paths, headers_dir_decides_the_surface)
{
    char *include = fixture_path("paths/b/work/tree/include");
    char *t = extract_text("a", "--headers-dir", include);
    json_t *j = corpus_without_fingerprint(t);
    bool point_public = false, ctx_seen = false, ctx_public = false;
    size_t i;
    json_t *ty;
    json_array_foreach (json_object_get(j, "types"), i, ty) {
        const char *name = json_string_value(json_object_get(ty, "name"));
        const char *kind = json_string_value(json_object_get(ty, "kind"));
        if (!name || !kind || strcmp(kind, "struct") != 0)
            continue;
        bool pub = json_is_true(json_object_get(ty, "public"));
        if (strcmp(name, "pl_point") == 0)
            point_public = pub;
        if (strcmp(name, "pl_ctx") == 0) {
            ctx_seen = true;
            ctx_public = ctx_public || pub;
        }
    }
    cr_assert(point_public, "struct pl_point is declared in the public header");
    cr_assert(ctx_seen && !ctx_public, "struct pl_ctx is defined in src/lib/internal.h");
    json_decref(j);
    free(t);
    free(include);
}
