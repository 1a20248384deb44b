/*
 * test_source_path.c — spelling declaration files (source_path.c): lexical
 * normalisation ("..", "./", "//", symlinks never resolved, backslashes
 * ordinary), joining with comp_dir, "under a root", the two roots inferred
 * from the units of an out-of-tree build (CMake), a build directory inside
 * the source tree, an in-tree build (autotools), the widening to the
 * prototypes' headers and its limits, an explicit source root, and a
 * corpus respelled as a whole.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "corpus.h"
#include "source_path.h"

static void assert_normalized(const char *in, const char *want)
{
    char *got = ag_path_normalize(in);
    cr_assert_not_null(got);
    cr_assert_str_eq(got, want, "normalize(\"%s\"): want \"%s\", got \"%s\"", in, want, got);
    free(got);
}

Test(source_path, normalize_folds_dots_and_slashes)
{
    assert_normalized("/a/b/../c", "/a/c");
    assert_normalized("/a/./b//c/", "/a/b/c");
    assert_normalized("./a/b", "a/b");
    assert_normalized("a/../../b", "../b");
    assert_normalized("../../x/../y", "../../y");
    assert_normalized("a/b/../..", ".");
    assert_normalized("/..", "/");
    assert_normalized("/../a/../../b", "/b");
    assert_normalized("", ".");
    assert_normalized(".", ".");
    assert_normalized("/", "/");
    assert_normalized("//usr//include///stdio.h", "/usr/include/stdio.h");
    assert_normalized("a/.../b", "a/.../b"); /* "..." is a name */
    assert_normalized("a/..b/c", "a/..b/c");
}

/* Backslashes are ordinary characters: DWARF of an ELF target names its
   files with '/', and a Windows path is left alone rather than guessed at. */
Test(source_path, backslashes_are_not_separators)
{
    assert_normalized("C:\\src\\lib\\..\\x.h", "C:\\src\\lib\\..\\x.h");
    assert_normalized("/a/b\\..\\c", "/a/b\\..\\c");
}

/* "link/.." is folded by the text, as a DWARF path must be (the build tree
   is usually gone), even where link is a symlink that realpath() would
   resolve elsewhere. */
Test(source_path, symlinks_are_not_followed)
{
    char tmpl[] = "/tmp/ag-srcpath-XXXXXX";
    char *dir = mkdtemp(tmpl);
    cr_assert_not_null(dir);
    char deep[256], link[256], via[300];
    snprintf(deep, sizeof deep, "%s/elsewhere/deep", dir);
    snprintf(link, sizeof link, "%s/link", dir);
    char elsewhere[256];
    snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere", dir);
    cr_assert(mkdir(elsewhere, 0700) == 0 && mkdir(deep, 0700) == 0);
    cr_assert(symlink(deep, link) == 0);
    snprintf(via, sizeof via, "%s/link/../x.h", dir);
    char want[300];
    snprintf(want, sizeof want, "%s/x.h", dir);
    assert_normalized(via, want);
    char *real = realpath(link, NULL);
    cr_assert(real && strcmp(real, deep) == 0, "the symlink resolves elsewhere");
    free(real);
    unlink(link);
    rmdir(deep);
    rmdir(elsewhere);
    rmdir(dir);
}

Test(source_path, join_with_comp_dir)
{
    char *p = ag_path_join("/b/build", "../src/x.c");
    cr_assert_str_eq(p, "/b/src/x.c");
    free(p);
    p = ag_path_join("/b/build", "/s/x.h");
    cr_assert_str_eq(p, "/s/x.h", "an absolute name ignores comp_dir");
    free(p);
    p = ag_path_join(NULL, "./x.c");
    cr_assert_str_eq(p, "x.c");
    free(p);
    p = ag_path_join(".", "obj/../src/x.c"); /* -fdebug-prefix-map=/build=. */
    cr_assert_str_eq(p, "src/x.c");
    free(p);
}

/* What dwarf_srcfiles() gives: whole under an absolute comp_dir; under a
   relative one (Debian's lua5.1: comp_dir "./src"), comp_dir already in
   front, twice for DWARF 5's directory 0. */
Test(source_path, line_table_names)
{
    char *p = ag_path_of_line_file("/b/src", "/b/src/./lapi.c", 5);
    cr_assert_str_eq(p, "/b/src/lapi.c");
    free(p);
    p = ag_path_of_line_file("./src", "./src/./src/lapi.c", 5);
    cr_assert_str_eq(p, "src/lapi.c");
    free(p);
    p = ag_path_of_line_file("./src", "./src/../include/x.h", 5);
    cr_assert_str_eq(p, "include/x.h");
    free(p);
    p = ag_path_of_line_file("./src", "./src/lapi.c", 4);
    cr_assert_str_eq(p, "src/lapi.c");
    free(p);
    p = ag_path_of_line_file(".", "././x.c", 5);
    cr_assert_str_eq(p, "x.c");
    free(p);
    p = ag_path_of_line_file(NULL, "./a/x.c", 5);
    cr_assert_str_eq(p, "a/x.c");
    free(p);
}

Test(source_path, under_a_root)
{
    const char *rest = NULL;
    cr_assert(ag_path_under("/s/lib/x.c", "/s", &rest) && strcmp(rest, "lib/x.c") == 0);
    cr_assert(!ag_path_under("/src/x.c", "/s", &rest), "a name that only starts like the root");
    cr_assert(!ag_path_under("/s", "/s", &rest), "the root itself is not under it");
    cr_assert(ag_path_under("/x.c", "/", &rest) && strcmp(rest, "x.c") == 0);
    cr_assert(ag_path_under("a/x.c", ".", &rest) && strcmp(rest, "a/x.c") == 0);
    cr_assert(!ag_path_under("../x.c", ".", &rest));
    cr_assert(!ag_path_under("/a/x.c", ".", &rest));
}

/* ------------------------------------------------------------------ */
/* Roots                                                               */

static char *spell(const ag_source_roots *r, const char *file)
{
    char *s = ag_source_path_spell(r, file);
    cr_assert_not_null(s);
    return s;
}

static void assert_spelled(const ag_source_roots *r, const char *file, const char *want)
{
    char *got = spell(r, file);
    cr_assert_str_eq(got, want, "%s: want \"%s\", got \"%s\"", file, want, got);
    free(got);
}

/* CMake: the compiler runs in the build tree (one comp_dir per target
   directory) and gets absolute source paths. c-ares's layout: sources in
   src/lib/, prototypes in include/. */
Test(source_path, out_of_tree_build)
{
    ag_source_units u = { 0 };
    cr_assert(ag_source_units_add(&u, "/ci/b/src/lib", "/ci/s/src/lib/a.c"));
    cr_assert(ag_source_units_add(&u, "/ci/b/src/lib", "/ci/s/src/lib/util/b.c"));
    cr_assert(ag_source_units_add(&u, "/ci/b/src/lib", "/ci/b/src/lib/generated.c"));
    const char *exports[] = { "/ci/s/src/lib/a.c", "/ci/s/include/api.h", NULL, "/usr/include/stdio.h" };
    ag_source_roots r;
    cr_assert(ag_source_roots_infer(&u, exports, 4, NULL, &r));
    cr_assert_str_eq(r.build, "/ci/b/src/lib");
    cr_assert_str_eq(r.source, "/ci/s", "widened from src/lib/ to the prototypes' include/");
    assert_spelled(&r, "/ci/s/include/api.h", "include/api.h");
    assert_spelled(&r, "/ci/s/src/lib/util/b.c", "src/lib/util/b.c");
    assert_spelled(&r, "/ci/b/src/lib/config.h", "config.h");
    assert_spelled(&r, "/usr/include/stdio.h", "/usr/include/stdio.h");
    assert_spelled(&r, "/opt/zlib/include/zlib.h", "/opt/zlib/include/zlib.h");
    ag_source_roots_free(&r);
    ag_source_units_free(&u);
}

/* The same source and build, somewhere else: the same spellings. */
Test(source_path, same_spelling_wherever_built)
{
    const char *prefixes[] = { "/home/ann/w", "/tmp/ci/job-81/x/y" };
    char *spelled[2][3];
    for (int k = 0; k < 2; k++) {
        char cd[128], src[128], hdr[128], gen[128];
        snprintf(cd, sizeof cd, "%s/build", prefixes[k]);
        snprintf(src, sizeof src, "%s/lib-1.0/lib/x.c", prefixes[k]);
        snprintf(hdr, sizeof hdr, "%s/lib-1.0/lib/includes/x/x.h", prefixes[k]);
        snprintf(gen, sizeof gen, "%s/build/includes/x/xver.h", prefixes[k]);
        ag_source_units u = { 0 };
        cr_assert(ag_source_units_add(&u, cd, src));
        const char *exports[] = { hdr };
        ag_source_roots r;
        cr_assert(ag_source_roots_infer(&u, exports, 1, NULL, &r));
        spelled[k][0] = spell(&r, src);
        spelled[k][1] = spell(&r, hdr);
        spelled[k][2] = spell(&r, gen);
        ag_source_roots_free(&r);
        ag_source_units_free(&u);
    }
    for (int i = 0; i < 3; i++) {
        cr_assert(spelled[0][i][0] != '/', "relative: %s", spelled[0][i]);
        cr_assert_str_eq(spelled[0][i], spelled[1][i]);
        free(spelled[0][i]);
        free(spelled[1][i]);
    }
}

/* A build directory inside the source tree (nghttp2's _build): a file in
   it is spelled from the deeper root, so the build directory's name does
   not show. */
Test(source_path, build_dir_inside_source_tree)
{
    ag_source_units u = { 0 };
    cr_assert(ag_source_units_add(&u, "/s/_build/lib", "/s/lib/a.c"));
    cr_assert(ag_source_units_add(&u, "/s/_build/lib", "/s/lib/b.c"));
    ag_source_roots r;
    cr_assert(ag_source_roots_infer(&u, NULL, 0, "/s", &r));
    cr_assert_str_eq(r.build, "/s/_build/lib");
    assert_spelled(&r, "/s/lib/a.c", "lib/a.c");
    assert_spelled(&r, "/s/_build/lib/includes/ver.h", "includes/ver.h");
    ag_source_roots_free(&r);
    ag_source_units_free(&u);
}

/* autotools in tree: comp_dir is the unit's directory in the source tree
   and names are relative; headers reached with -I../../include. */
Test(source_path, in_tree_build)
{
    ag_source_units u = { 0 };
    cr_assert(ag_source_units_add(&u, "/s/src/lib", "a.c"));
    cr_assert(ag_source_units_add(&u, "/s/src/lib", "sub/b.c"));
    char *hdr = ag_path_join("/s/src/lib", "../../include/api.h");
    const char *exports[] = { hdr };
    ag_source_roots r;
    cr_assert(ag_source_roots_infer(&u, exports, 1, NULL, &r));
    cr_assert_null(r.build, "no separate build tree");
    cr_assert_str_eq(r.source, "/s");
    assert_spelled(&r, hdr, "include/api.h");
    assert_spelled(&r, "/s/src/lib/config.h", "src/lib/config.h");
    free(hdr);
    ag_source_roots_free(&r);
    ag_source_units_free(&u);
}

/* The root is never widened to "/": a prototype's header that shares
   nothing else with the sources belongs to something else, and keeps its
   absolute path. Nor do system headers widen it. */
Test(source_path, never_widened_to_the_filesystem_root)
{
    ag_source_units u = { 0 };
    cr_assert(ag_source_units_add(&u, "/b", "/work/s/x.c"));
    const char *exports[] = { "/opt/dep/include/dep.h", "/usr/include/stdio.h", "/usr/lib/gcc/x/12/include/stddef.h" };
    ag_source_roots r;
    cr_assert(ag_source_roots_infer(&u, exports, 3, NULL, &r));
    cr_assert_str_eq(r.source, "/work/s");
    assert_spelled(&r, "/opt/dep/include/dep.h", "/opt/dep/include/dep.h");
    assert_spelled(&r, "/work/s/x.c", "x.c");
    ag_source_roots_free(&r);
    ag_source_units_free(&u);
}

/* -fdebug-prefix-map=/build/pkg=. (Debian): comp_dir "." and relative
   names stay relative, folded. */
Test(source_path, prefix_mapped_build)
{
    ag_source_units u = { 0 };
    cr_assert(ag_source_units_add(&u, ".", "./src/a.c"));
    cr_assert(ag_source_units_add(&u, "./obj", "../src/b.c"));
    ag_source_roots r;
    cr_assert(ag_source_roots_infer(&u, NULL, 0, NULL, &r));
    char *h = ag_path_join("./obj", "../include/x.h");
    assert_spelled(&r, h, "include/x.h");
    free(h);
    ag_source_roots_free(&r);
    ag_source_units_free(&u);
}

Test(source_path, artificial_and_nameless_units_are_skipped)
{
    ag_source_units u = { 0 };
    cr_assert(ag_source_units_add(&u, "/b", "<artificial>"));
    cr_assert(ag_source_units_add(&u, "/b", NULL));
    cr_assert(ag_source_units_add(&u, NULL, "/s/x.c"));
    cr_assert_eq(u.n, 1);
    cr_assert_null(u.comp_dirs[0]);
    cr_assert_str_eq(u.sources[0], "/s/x.c");
    ag_source_units_free(&u);
}

/* ------------------------------------------------------------------ */
/* A corpus                                                            */

Test(source_path, corpus_respelled_and_wrong_root_refused)
{
    ag_corpus *c = ag_corpus_new();
    cr_assert_not_null(c);
    ag_type_ref t = ag_corpus_add_type(c, AG_T_TYPEDEF);
    cr_assert_neq(t, AG_NO_TYPE);
    c->types[t].name = strdup("api_t");
    c->types[t].decl_file = strdup("/ci/s/include/api.h");
    ag_source_units u = { 0 };
    cr_assert(ag_source_units_add(&u, "/ci/b", "/ci/s/src/a.c"));
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_source_paths_respell(c, &u, "/elsewhere", &err), AG_ERR_USAGE);
    cr_assert(strstr(err.msg, "--source-root /elsewhere") && strstr(err.msg, "the sources are under /ci/s/src"),
              "%s", err.msg);
    cr_assert_str_eq(c->types[t].decl_file, "/ci/s/include/api.h", "nothing changed on the error");
    cr_assert_eq(ag_source_paths_respell(c, &u, "/ci/s", &err), AG_OK, "%s", err.msg);
    cr_assert_str_eq(c->types[t].decl_file, "include/api.h");
    ag_source_units_free(&u);
    ag_corpus_free(c);
}

/* A header generated into the top of a build tree whose units all compiled
   in a subdirectory (B/include/ares_build.h, comp_dir B/src/lib) is spelled
   from the build tree's top, not by its whole path; a dependency's header
   elsewhere keeps its path. */
Test(source_path, generated_header_above_the_units_build_dir)
{
    ag_corpus *c = ag_corpus_new();
    cr_assert_not_null(c);
    const char *files[] = { "/w/build/include/ares_build.h", "/w/src/include/ares.h", "/opt/dep/dep.h",
                            "/w/src/src/lib/a.c" };
    ag_type_ref t[4];
    for (int i = 0; i < 4; i++) {
        t[i] = ag_corpus_add_type(c, AG_T_TYPEDEF);
        cr_assert_neq(t[i], AG_NO_TYPE);
        c->types[t[i]].decl_file = strdup(files[i]);
    }
    ag_source_units u = { 0 };
    cr_assert(ag_source_units_add(&u, "/w/build/src/lib", "/w/src/src/lib/a.c"));
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_source_paths_respell(c, &u, "/w/src", &err), AG_OK, "%s", err.msg);
    cr_assert_str_eq(c->types[t[0]].decl_file, "include/ares_build.h");
    cr_assert_str_eq(c->types[t[1]].decl_file, "include/ares.h");
    cr_assert_str_eq(c->types[t[2]].decl_file, "/opt/dep/dep.h");
    cr_assert_str_eq(c->types[t[3]].decl_file, "src/lib/a.c");
    ag_source_units_free(&u);
    ag_corpus_free(c);
}
