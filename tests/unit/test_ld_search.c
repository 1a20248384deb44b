/*
 * test_ld_search.c — the loader's library search (ld_search.c): the order
 * of DT_RPATH, LD_LIBRARY_PATH, DT_RUNPATH with $ORIGIN, and the
 * directories an ld.so.conf lists through its include globs.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ld_search.h"

static char root[64];

static void write_file(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

static void make_dir(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    cr_assert_eq(mkdir(path, 0755), 0, "%s", path);
}

static void setup(void)
{
    snprintf(root, sizeof root, "/tmp/ag-ld-XXXXXX");
    cr_assert_not_null(mkdtemp(root));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(ld_search, .init = setup, .fini = teardown);

Test(ld_search, conf_lists_dirs_and_follows_includes_in_glob_order)
{
    make_dir("conf.d");
    char main_conf[1024];
    snprintf(main_conf, sizeof main_conf,
             "# comment\n/opt/first\ninclude conf.d/*.conf\nhwcap 0 nosegneg\n/opt/last, /opt/also=libc6 # tail\n");
    write_file("ld.so.conf", main_conf);
    write_file("conf.d/b.conf", "/opt/b\n");
    write_file("conf.d/a.conf", "  /opt/a1 /opt/a2\nrelative/ignored\n");
    write_file("conf.d/skip.txt", "/opt/not-a-conf\n");
    char path[512];
    snprintf(path, sizeof path, "%s/ld.so.conf", root);
    char *dirs = ag_ld_conf_dirs(path);
    cr_assert_not_null(dirs);
    cr_expect_str_eq(dirs, "/opt/first:/opt/a1:/opt/a2:/opt/b:/opt/last:/opt/also");
    free(dirs);
}

Test(ld_search, conf_that_includes_itself_ends)
{
    write_file("loop.conf", "/opt/x\ninclude loop.conf\n");
    char path[512];
    snprintf(path, sizeof path, "%s/loop.conf", root);
    char *dirs = ag_ld_conf_dirs(path);
    cr_assert_not_null(dirs);
    /* read 9 times (the depth limit), never endlessly */
    cr_expect_eq(strlen(dirs), 9 * strlen("/opt/x") + 8);
    free(dirs);
}

Test(ld_search, missing_conf_is_empty)
{
    char path[512];
    snprintf(path, sizeof path, "%s/none.conf", root);
    char *dirs = ag_ld_conf_dirs(path);
    cr_assert_not_null(dirs);
    cr_expect_str_eq(dirs, "");
    free(dirs);
}

Test(ld_search, rpath_ld_library_path_runpath_order)
{
    make_dir("bin");
    make_dir("rp");
    make_dir("env");
    make_dir("bin/lib");
    write_file("rp/libx.so.1", "");
    write_file("env/libx.so.1", "");
    write_file("bin/lib/libx.so.1", "");
    char binary[512], rp[512], env[512];
    snprintf(binary, sizeof binary, "%s/bin/prog", root);
    snprintf(rp, sizeof rp, "%s/rp", root);
    snprintf(env, sizeof env, "%s/env", root);
    ag_elf_info bin = { .machine = "x86_64", .elf_class = 64 };

    /* DT_RPATH (no DT_RUNPATH) comes before LD_LIBRARY_PATH. */
    bin.rpath = rp;
    setenv("LD_LIBRARY_PATH", env, 1);
    char *found = ag_ld_find(binary, &bin, "libx.so.1");
    char want[600];
    snprintf(want, sizeof want, "%s/libx.so.1", rp);
    cr_expect_str_eq(found, want);
    free(found);

    /* With a DT_RUNPATH, DT_RPATH is ignored and LD_LIBRARY_PATH wins. */
    bin.runpath = "$ORIGIN/lib";
    found = ag_ld_find(binary, &bin, "libx.so.1");
    snprintf(want, sizeof want, "%s/libx.so.1", env);
    cr_expect_str_eq(found, want);
    free(found);

    /* Then DT_RUNPATH, $ORIGIN being the binary's directory. */
    unsetenv("LD_LIBRARY_PATH");
    bin.runpath = "${ORIGIN}/lib";
    found = ag_ld_find(binary, &bin, "libx.so.1");
    snprintf(want, sizeof want, "%s/bin/lib/libx.so.1", root);
    cr_expect_str_eq(found, want);
    free(found);

    /* Found nowhere (not in the system directories either). */
    found = ag_ld_find(binary, &bin, "libabiguard-no-such-library.so.9");
    cr_expect_null(found);
}
