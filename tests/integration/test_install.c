/*
 * test_install.c — abiguard works from what it installs, with no source
 * tree anywhere on the way:
 *   - `make install DESTDIR=$tmp PREFIX=/usr` lays out the binary, the
 *     dashboard, the hooks, docs, man pages and completion; from a directory
 *     outside the source tree, with only the installed bin/ on PATH, the
 *     installed abiguard extracts and diffs real libraries (liblua 5.3 and
 *     5.4), the installed gate fails the breaking bump, `man` finds the
 *     installed pages, and the installed serve serves the installed
 *     dashboard (checked with a request); `make uninstall` removes it all;
 *   - `make deb` builds a package whose dependencies dpkg-shlibdeps found,
 *     that lintian passes without error or warning, and that, unpacked into
 *     a scratch root (dpkg -x), does the same.
 * The package test is skipped in the sanitizer build (a package of an
 * ASan binary would be no package anyone installs).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tool_run.h"

#define LUA53 "/usr/lib/x86_64-linux-gnu/liblua5.3.so.0"
#define LUA54 "/usr/lib/x86_64-linux-gnu/liblua5.4.so.0"

/* The build directory of $ABIGUARD (build/ or build-asan/). */
static char *build_dir(void)
{
    char *dir = strdup(abiguard_binary());
    char *slash = strrchr(dir, '/');
    cr_assert(slash);
    *slash = '\0';
    return dir;
}

/* make -C . BUILD=... TARGET VARS..., without the calling make's jobserver. */
static void run_make(tool_run *r, double timeout, const char *const *args)
{
    char *bdir = build_dir();
    char build_var[PATH_MAX + 8];
    snprintf(build_var, sizeof build_var, "BUILD=%s", bdir);
    const char *argv[32] = { "/usr/bin/env", "-u", "MAKEFLAGS", "-u", "MFLAGS", "-u", "MAKELEVEL",
                             "/usr/bin/make", "--no-print-directory", build_var };
    size_t n = 10;
    for (size_t i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    cr_assert(tool_run_argv(argv, timeout, r));
    free(bdir);
}

/* Runs argv with cwd dir and PATH=bin:/usr/bin:/bin (no $ABIGUARD). */
static void run_installed(tool_run *r, const char *dir, const char *bin, const char *const *argv_in)
{
    char path_var[PATH_MAX + 32];
    snprintf(path_var, sizeof path_var, "PATH=%s:/usr/bin:/bin", bin);
    const char *argv[32] = { "/usr/bin/env", "-i", "-C", dir, path_var, "HOME=/nonexistent", "LC_ALL=C.UTF-8",
                             "DEBUGINFOD_URLS=" };
    size_t n = 8;
    for (size_t i = 0; argv_in[i] && n < 31; i++)
        argv[n++] = argv_in[i];
    argv[n] = NULL;
    cr_assert(tool_run_argv(argv, 120.0, r));
}

static void expect_file(const char *root, const char *rel, bool executable)
{
    char *p = path_join2(root, rel);
    struct stat sb;
    cr_expect(stat(p, &sb) == 0 && S_ISREG(sb.st_mode), "not installed: %s", rel);
    if (executable)
        cr_expect(sb.st_mode & S_IXUSR, "not executable: %s", rel);
    free(p);
}

/* The installed serve, from a directory outside the source tree, serves
   the installed dashboard: GET / is the installed index.html. */
static void serve_installed_dashboard(const char *work, const char *bin, const char *webdir)
{
    char *out = path_join2(work, "serve.out"), *err = path_join2(work, "serve.err"),
         *exe = path_join2(bin, "abiguard");
    pid_t forker = getpid();
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        child_dies_with_parent(forker);
        int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644), e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(o, 1);
        dup2(e, 2);
        if (chdir(work) != 0)
            _exit(126);
        char *const envp[] = { "PATH=/usr/bin:/bin", NULL };
        execle(exe, exe, "serve", "--db", "store.db", "--create", "--listen", "127.0.0.1:0", (char *)NULL, envp);
        _exit(127);
    }
    unsigned port = 0;
    for (int i = 0; i < 400 && !port; i++) {
        struct timespec ts = { 0, 25 * 1000 * 1000 };
        nanosleep(&ts, NULL);
        char *text = read_whole_file(out, NULL);
        if (text)
            sscanf(text, "http://127.0.0.1:%u/", &port);
        free(text);
    }
    char *log = read_whole_file(err, NULL);
    cr_assert(port, "the installed serve printed no URL: %s", log ? log : "");
    char *body = NULL;
    int status = loopback_http_get(port, "/", &body);
    char *index_path = path_join2(webdir, "index.html");
    char *index = read_whole_file(index_path, NULL);
    cr_assert(index, "no %s", index_path);
    cr_expect_eq(status, 200);
    cr_expect_str_eq(body, index, "GET / is not the installed index.html");
    free(body);
    status = loopback_http_get(port, "/app.js", &body);
    cr_expect_eq(status, 200);
    free(body);
    kill(pid, SIGTERM);
    int ws = 0;
    waitpid(pid, &ws, 0);
    cr_expect(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    free(log);
    log = read_whole_file(err, NULL);
    char real_web[PATH_MAX];
    cr_assert(realpath(webdir, real_web));
    char needle[PATH_MAX + 32];
    snprintf(needle, sizeof needle, "dashboard from %s\n", real_web);
    cr_expect(log && strstr(log, needle), "not served from the installed dashboard (%s): %s", real_web, log);
    free(log);
    free(index);
    free(index_path);
    free(out);
    free(err);
    free(exe);
}

/* What a user does with an installed abiguard, under root (a DESTDIR or
   a dpkg -x root) with prefix /usr. */
static void use_installed_tree(const char *root)
{
    char *usr = path_join2(root, "usr"), *bin = path_join2(usr, "bin"), *share = path_join2(usr, "share");
    char *pkg = path_join2(share, "abiguard"), *web = path_join2(pkg, "web"), *hooks = path_join2(pkg, "hooks");
    char *man = path_join2(share, "man");
    char *work = make_temp_dir();
    tool_run r;

    run_installed(&r, work, bin, (const char *[]){ "abiguard", "--version", NULL });
    cr_assert(r.exited && r.exit_status == 0 && strncmp(r.out, "abiguard ", 9) == 0, "%s %s", r.out, r.err);
    tool_run_free(&r);
    run_installed(&r, work, bin, (const char *[]){ "abiguard", "extract", LUA53, "-o", "lua53.json", NULL });
    cr_assert(r.exited && r.exit_status == 0, "installed extract: %s %s", tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    run_installed(&r, work, bin, (const char *[]){ "abiguard", "diff", "lua53.json", LUA54, NULL });
    cr_expect(r.exited && r.exit_status == 12, "installed diff: %s %s", tool_run_outcome(&r), r.err);
    cr_expect(strstr(r.out, "verdict BREAKING"), "%s", r.out);
    tool_run_free(&r);

    /* The installed gate finds the installed abiguard on PATH. */
    char *gate = path_join2(hooks, "abiguard-gate");
    run_installed(&r, work, bin, (const char *[]){ "/bin/sh", gate, LUA54, "lua53.json", "--summary", "report.md", NULL });
    cr_expect(r.exited && r.exit_status == 1, "installed gate: %s %s", tool_run_outcome(&r), r.err);
    cr_expect(strstr(r.out, "abiguard-gate: FAIL: "), "%s", r.out);
    tool_run_free(&r);
    free(gate);

    /* man finds the installed pages. */
    char manpath[PATH_MAX + 16];
    snprintf(manpath, sizeof manpath, "MANPATH=%s", man);
    const char *man_argv[] = { "/usr/bin/env", manpath, "/usr/bin/man", "-w", "abiguard-diff", NULL };
    cr_assert(tool_run_argv(man_argv, 30.0, &r));
    cr_expect(r.exited && r.exit_status == 0 && strstr(r.out, man) && strstr(r.out, "man1/abiguard-diff.1"),
              "man -w abiguard-diff: %s %s", r.out, r.err);
    tool_run_free(&r);

    /* The installed bash completion loads and completes. */
    char *bashcomp = path_join2(share, "bash-completion/completions/abiguard");
    const char *bash_argv[] = { "/bin/bash", "-c",
                                "source \"$0\" && COMP_WORDS=(abiguard ser) COMP_CWORD=1 && _abiguard && "
                                "printf '%s\\n' \"${COMPREPLY[@]}\"", bashcomp, NULL };
    cr_assert(tool_run_argv(bash_argv, 20.0, &r));
    cr_expect(r.exited && r.exit_status == 0 && strcmp(r.out, "serve\n") == 0, "completion: '%s' %s", r.out, r.err);
    tool_run_free(&r);
    free(bashcomp);

    serve_installed_dashboard(work, bin, web);
    remove_tree(work);
    free(work);
    free(usr);
    free(bin);
    free(share);
    free(pkg);
    free(web);
    free(hooks);
    free(man);
}

Test(install, make_install_destdir_then_only_the_installed_tree, .timeout = 600 * SANITIZER_SLOWDOWN)
{
    char *root = make_temp_dir();
    char destdir[PATH_MAX + 16];
    snprintf(destdir, sizeof destdir, "DESTDIR=%s", root);
    tool_run r;
    /* -o all: the tree is built already (make check); install only copies. */
    run_make(&r, 300.0, (const char *[]){ "-o", "all", "install", destdir, "PREFIX=/usr", NULL });
    cr_assert(r.exited && r.exit_status == 0, "make install: %s\n%s\n%s", tool_run_outcome(&r), r.out, r.err);
    tool_run_free(&r);

    static const char *const programs[] = { "usr/bin/abiguard", "usr/share/abiguard/hooks/abiguard-gate",
                                            "usr/share/abiguard/hooks/pre-commit" };
    static const char *const files[] = {
        "usr/share/abiguard/web/index.html", "usr/share/abiguard/web/app.js", "usr/share/abiguard/web/style.css",
        "usr/share/abiguard/hooks/github-actions.yml", "usr/share/abiguard/hooks/gitlab-ci.yml",
        "usr/share/abiguard/hooks/README.md", "usr/share/abiguard/schema/001_initial.sql",
        "usr/share/doc/abiguard/README.md", "usr/share/doc/abiguard/api.md", "usr/share/doc/abiguard/diff-json.md",
        "usr/share/man/man1/abiguard.1", "usr/share/man/man1/abiguard-diff.1", "usr/share/man/man1/abiguard-serve.1",
        "usr/share/bash-completion/completions/abiguard", "usr/share/zsh/vendor-completions/_abiguard",
    };
    for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++)
        expect_file(root, programs[i], true);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        expect_file(root, files[i], false);

    use_installed_tree(root);

    run_make(&r, 120.0, (const char *[]){ "-o", "all", "uninstall", destdir, "PREFIX=/usr", NULL });
    cr_assert(r.exited && r.exit_status == 0, "make uninstall: %s\n%s", tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    const char *find[] = { "/usr/bin/find", root, "-type", "f", NULL };
    cr_assert(tool_run_argv(find, 20.0, &r));
    cr_expect(r.exited && r.out_len == 0, "make uninstall left files:\n%s", r.out);
    tool_run_free(&r);
    remove_tree(root);
    free(root);
}

Test(install, make_deb_lintian_clean_and_usable_from_dpkg_x, .timeout = 900 * SANITIZER_SLOWDOWN)
{
    const char *sanitized = getenv("ABIGUARD_SANITIZED");
    if (sanitized && *sanitized)
        cr_skip_test("a package of a sanitizer build is not one anyone installs (make check builds it)");
    tool_run r;
    run_make(&r, 600.0, (const char *[]){ "-o", "all", "deb", NULL });
    cr_assert(r.exited && r.exit_status == 0, "make deb: %s\n%s\n%s", tool_run_outcome(&r), r.out, r.err);
    const char *built = strstr(r.out, "built ");
    cr_assert(built, "make deb did not say what it built: %s", r.out);
    char deb[PATH_MAX];
    cr_assert(sscanf(built, "built %4095s", deb) == 1);
    tool_run_free(&r);

    /* dpkg-shlibdeps found the libraries abiguard links. */
    const char *fields[] = { "/usr/bin/dpkg-deb", "--field", deb, "Package", "Version", "Depends", NULL };
    cr_assert(tool_run_argv(fields, 30.0, &r));
    cr_assert(r.exited && r.exit_status == 0, "%s", r.err);
    static const char *const needs[] = { "libc6", "libdwarf1", "libelf1", "libsqlite3-0", "libcurl4",
                                         "libmicrohttpd12", "libjansson4", "zlib1g" };
    for (size_t i = 0; i < sizeof needs / sizeof needs[0]; i++)
        cr_expect(strstr(r.out, needs[i]), "Depends lacks %s: %s", needs[i], r.out);
    cr_expect(strstr(r.out, "Package: abiguard\n"), "%s", r.out);
    tool_run_free(&r);

    /* lintian: no error and no warning (explained ones are overridden). */
    const char *lintian[] = { "/usr/bin/lintian", "--fail-on", "error,warning", "--no-tag-display-limit", deb, NULL };
    cr_assert(tool_run_argv(lintian, 600.0, &r));
    cr_expect(r.exited && r.exit_status == 0, "lintian %s: %s\n%s\n%s", deb, tool_run_outcome(&r), r.out, r.err);
    tool_run_free(&r);

    char *root = make_temp_dir();
    const char *unpack[] = { "/usr/bin/dpkg", "-x", deb, root, NULL };
    cr_assert(tool_run_argv(unpack, 60.0, &r));
    cr_assert(r.exited && r.exit_status == 0, "dpkg -x: %s", r.err);
    tool_run_free(&r);
    expect_file(root, "usr/share/man/man1/abiguard-diff.1.gz", false);
    expect_file(root, "usr/share/doc/abiguard/copyright", false);
    use_installed_tree(root);
    remove_tree(root);
    free(root);
}
