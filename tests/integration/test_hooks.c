/*
 * test_hooks.c — the scripts under hooks/ run as CI and git run them:
 *   - hooks/abiguard-gate on fixture bumps (build/fixtures/diff/<case>/v1 ->
 *     v2): compatible and unchanged pass, breaking fails with the first change
 *     named on the last line, --fail-on risky lowers the bar, the Markdown
 *     report goes to $GITHUB_STEP_SUMMARY when that is set, the baseline may
 *     be a corpus JSON or NAME@V from the store, NEW may be a vendored tree;
 *     a missing NEW is exit 3 with abiguard's one error line, bad usage exit 2;
 *   - hooks/pre-commit in a throwaway git repository: a staged library change
 *     without a baseline change is refused with the refresh command, with one
 *     it is allowed.
 * The scripts are run with /bin/sh (dash on Debian), the way the CI examples
 * and the hook's install note run them, from the repository root (`make
 * check`'s working directory). Every run gets a controlled environment:
 * GITHUB_STEP_SUMMARY unset unless a test sets it, ABIGUARD set, git isolated
 * from the user's and the system's configuration.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool_run.h"

#define HOOK_TIMEOUT_SECONDS 30.0
#define MAX_ARGS 64

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* Absolute path of hooks/NAME (the tests run from the repository root). */
static char *hook_path(const char *name)
{
    char rel[PATH_MAX], abs[PATH_MAX];
    snprintf(rel, sizeof rel, "hooks/%s", name);
    cr_assert(realpath(rel, abs), "%s not found: run the integration tests from the repository root", rel);
    return strdup(abs);
}

/* build/fixtures/diff/<c>/<side>/lib<c>.so */
static char *diff_fixture(const char *c, const char *side)
{
    char rel[PATH_MAX];
    snprintf(rel, sizeof rel, "diff/%s/%s/lib%s.so", c, side, c);
    return fixture_path(rel);
}

/* A NULL-terminated list of strings being built. */
typedef struct arg_list {
    const char *v[MAX_ARGS + 1];
    size_t n;
} arg_list;

static void arg_add(arg_list *a, const char *s)
{
    cr_assert(a->n < MAX_ARGS, "too many arguments");
    a->v[a->n++] = s;
    a->v[a->n] = NULL;
}

/* Runs argv under `env -u GITHUB_STEP_SUMMARY ABIGUARD=... <env...>`, in
   directory `dir` when not NULL. `env` is a NULL-terminated list of
   "NAME=VALUE" (or NULL). */
static void run_in(tool_run *r, const char *dir, const char *const *env, const char *const *argv)
{
    static __thread char abiguard_env[PATH_MAX + 16];
    snprintf(abiguard_env, sizeof abiguard_env, "ABIGUARD=%s", abiguard_binary());
    arg_list a = { .n = 0 };
    arg_add(&a, "/usr/bin/env");
    arg_add(&a, "-u");
    arg_add(&a, "GITHUB_STEP_SUMMARY");
    arg_add(&a, abiguard_env);
    for (size_t i = 0; env && env[i]; i++)
        arg_add(&a, env[i]);
    if (dir) {
        arg_add(&a, "/bin/sh");
        arg_add(&a, "-c");
        arg_add(&a, "cd -- \"$0\" && exec \"$@\"");
        arg_add(&a, dir);
    }
    for (size_t i = 0; argv[i]; i++)
        arg_add(&a, argv[i]);
    cr_assert(tool_run_argv(a.v, HOOK_TIMEOUT_SECONDS, r), "cannot start %s", argv[0]);
    cr_assert(!r->timed_out && !r->signaled, "%s: %s\nstdout:\n%s\nstderr:\n%s", argv[0], tool_run_outcome(r),
              r->out, r->err);
}

/* Runs `SHELL hooks/abiguard-gate ARGS...` (NULL-terminated) with
   GITHUB_STEP_SUMMARY set to `summary` when that is not NULL. */
static void run_gate_with(tool_run *r, const char *shell, const char *summary, const char *first, ...)
{
    char *gate = hook_path("abiguard-gate");
    arg_list argv = { .n = 0 };
    arg_add(&argv, shell);
    arg_add(&argv, gate);
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *))
        arg_add(&argv, s);
    va_end(ap);
    char *summary_env = NULL;
    if (summary)
        cr_assert(asprintf(&summary_env, "GITHUB_STEP_SUMMARY=%s", summary) >= 0);
    const char *env[] = { summary_env, NULL };
    run_in(r, NULL, env, argv.v);
    free(summary_env);
    free(gate);
}

#define run_gate(r, ...) run_gate_with((r), "/bin/sh", NULL, __VA_ARGS__, (const char *)NULL)

static void expect_exit(const tool_run *r, int status, const char *what)
{
    cr_assert(r->exited && r->exit_status == status, "%s: expected exit %d, got %s\nstdout:\n%s\nstderr:\n%s",
              what, status, tool_run_outcome(r), r->out, r->err);
}

/* The last line of `text` (without its '\n'), in a static buffer. */
static const char *last_line(const char *text)
{
    static __thread char line[4096];
    size_t len = strlen(text);
    while (len > 0 && text[len - 1] == '\n')
        len--;
    size_t start = len;
    while (start > 0 && text[start - 1] != '\n')
        start--;
    size_t n = len - start < sizeof line - 1 ? len - start : sizeof line - 1;
    memcpy(line, text + start, n);
    line[n] = '\0';
    return line;
}

static void expect_last_line(const tool_run *r, const char *expected, const char *what)
{
    cr_assert(strcmp(last_line(r->out), expected) == 0, "%s: last line\n  %s\nexpected\n  %s\nstdout:\n%s", what,
              last_line(r->out), expected, r->out);
}

static void copy_file(const char *from, const char *to)
{
    size_t len = 0;
    char *data = read_whole_file(from, &len);
    cr_assert(data, "cannot read %s", from);
    cr_assert(write_whole_file(to, data, len), "cannot write %s", to);
    free(data);
}

static void make_dirs(const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0755);
            *p = '/';
        }
    }
    mkdir(buf, 0755);
}

/* `abiguard extract LIB -o OUT`. */
static void extract_to(const char *lib, const char *out)
{
    tool_run r;
    cr_assert(run_abiguard(&r, "extract", lib, "-o", out, (char *)NULL));
    expect_exit(&r, 0, "abiguard extract");
    tool_run_free(&r);
}

#define BREAKING_LINE(lib)                                                                                     \
    "abiguard-gate: FAIL: 2 breaking change(s) in " lib                                                       \
    " (first: struct-member-offset-changed struct mo::a)"

/* ------------------------------------------------------------------ */
/* abiguard-gate                                                       */

Test(hooks, gate_compatible_passes_with_markdown)
{
    char *v1 = diff_fixture("fn_added", "v1"), *v2 = diff_fixture("fn_added", "v2");
    tool_run r;
    run_gate(&r, v2, v1);
    expect_exit(&r, 0, "fn_added");
    cr_assert(strstr(r.out, "## 🟩 ABI check: compatible"), "no Markdown heading:\n%s", r.out);
    cr_assert(strstr(r.out, "| `fn-added` | `fa_new()` |"), "no fn-added row:\n%s", r.out);
    expect_last_line(&r, "abiguard-gate: PASS: ABI of libfn_added.so changed, nothing at or above breaking",
                     "fn_added");
    cr_assert_str_empty(r.err, "stderr: %s", r.err);
    tool_run_free(&r);
    free(v1);
    free(v2);
}

Test(hooks, gate_appends_markdown_to_github_step_summary)
{
    char *dir = make_temp_dir();
    char *summary = path_join2(dir, "step_summary.md");
    const char *before = "## an earlier step\n\n";
    cr_assert(write_whole_file(summary, before, strlen(before)));
    char *v1 = diff_fixture("fn_added", "v1"), *v2 = diff_fixture("fn_added", "v2");
    tool_run r;
    run_gate_with(&r, "/bin/sh", summary, v2, v1, (const char *)NULL);
    expect_exit(&r, 0, "fn_added with GITHUB_STEP_SUMMARY");

    char *md = read_whole_file(summary, NULL);
    cr_assert(md, "no %s", summary);
    cr_assert(strncmp(md, before, strlen(before)) == 0, "the summary was not appended to:\n%s", md);
    cr_assert(strstr(md, "## 🟩 ABI check: compatible"), "no Markdown heading in the summary:\n%s", md);
    cr_assert(strstr(md, "`fn-added`"), "no fn-added in the summary:\n%s", md);
    /* stdout: the one-line text summary, not the Markdown. */
    cr_assert(!strstr(r.out, "| verdict |"), "Markdown on stdout:\n%s", r.out);
    cr_assert(strncmp(r.out, "ABI diff ", 9) == 0 && strstr(r.out, "verdict COMPATIBLE"),
              "no text summary line:\n%s", r.out);
    expect_last_line(&r, "abiguard-gate: PASS: ABI of libfn_added.so changed, nothing at or above breaking",
                     "fn_added");
    tool_run_free(&r);
    free(md);
    free(v1);
    free(v2);
    free(summary);
    remove_tree(dir);
    free(dir);
}

Test(hooks, gate_breaking_fails_naming_the_first_change)
{
    char *v1 = diff_fixture("member_offset_changed", "v1"), *v2 = diff_fixture("member_offset_changed", "v2");
    /* Both shells a CI image may run it with. */
    const char *shells[] = { "/bin/sh", "/bin/bash" };
    for (size_t i = 0; i < 2; i++) {
        tool_run r;
        run_gate_with(&r, shells[i], NULL, v2, v1, (const char *)NULL);
        expect_exit(&r, 1, shells[i]);
        cr_assert(strstr(r.out, "## 🟥 ABI check: breaking"), "%s: no Markdown heading:\n%s", shells[i], r.out);
        expect_last_line(&r, BREAKING_LINE("libmember_offset_changed.so"), shells[i]);
        tool_run_free(&r);
    }
    free(v1);
    free(v2);
}

Test(hooks, gate_breaking_with_step_summary)
{
    char *dir = make_temp_dir();
    char *summary = path_join2(dir, "summary.md");
    char *v1 = diff_fixture("callback", "v1"), *v2 = diff_fixture("callback", "v2");
    tool_run r;
    run_gate_with(&r, "/bin/sh", summary, v2, v1, (const char *)NULL);
    expect_exit(&r, 1, "callback");
    char *md = read_whole_file(summary, NULL);
    cr_assert(md && strstr(md, "## 🟥 ABI check: breaking"), "summary:\n%s", md ? md : "(none)");
    cr_assert(strstr(md, "`callback-signature-changed`"), "summary:\n%s", md);
    expect_last_line(&r,
                     "abiguard-gate: FAIL: 1 breaking change(s) in libcallback.so "
                     "(first: callback-signature-changed cb_fn [upcall surface])",
                     "callback");
    tool_run_free(&r);
    free(md);
    free(v1);
    free(v2);
    free(summary);
    remove_tree(dir);
    free(dir);
}

Test(hooks, gate_nochange_passes)
{
    char *v1 = diff_fixture("nochange", "v1"), *v2 = diff_fixture("nochange", "v2");
    tool_run r;
    run_gate(&r, v2, v1);
    expect_exit(&r, 0, "nochange");
    cr_assert(strstr(r.out, "ABI check: no ABI change"), "stdout:\n%s", r.out);
    expect_last_line(&r, "abiguard-gate: PASS: no ABI change (or only harmless ones) in libnochange.so", "nochange");
    tool_run_free(&r);
    free(v1);
    free(v2);
}

Test(hooks, gate_fail_on_risky)
{
    char *v1 = diff_fixture("type_became_opaque", "v1"), *v2 = diff_fixture("type_became_opaque", "v2");
    tool_run r;
    run_gate(&r, v2, v1);
    expect_exit(&r, 0, "risky change, default policy");
    tool_run_free(&r);

    run_gate(&r, v2, v1, "--fail-on", "risky");
    expect_exit(&r, 1, "risky change, --fail-on risky");
    expect_last_line(&r,
                     "abiguard-gate: FAIL: 1 breaking/api-break/risky change(s) in libtype_became_opaque.so "
                     "(first: type-became-opaque struct tbo)",
                     "--fail-on risky");
    tool_run_free(&r);

    run_gate(&r, v2, v1, "--fail-on=api-break");
    expect_exit(&r, 0, "risky change, --fail-on=api-break");
    tool_run_free(&r);
    free(v1);
    free(v2);
}

Test(hooks, gate_corpus_json_baseline)
{
    char *dir = make_temp_dir();
    char *bdir = path_join2(dir, "baselines/mo");
    make_dirs(bdir);
    char *baseline = path_join2(bdir, "1.0.json");
    char *v1 = diff_fixture("member_offset_changed", "v1"), *v2 = diff_fixture("member_offset_changed", "v2");
    extract_to(v1, baseline);

    tool_run r;
    run_gate(&r, v2, baseline);
    expect_exit(&r, 1, "corpus baseline");
    cr_assert(strstr(r.out, baseline), "the report does not name the baseline:\n%s", r.out);
    expect_last_line(&r, BREAKING_LINE("libmember_offset_changed.so"), "corpus baseline");
    tool_run_free(&r);

    /* The same baseline against itself (NEW the v1 library): no change. */
    run_gate(&r, v1, baseline);
    expect_exit(&r, 0, "corpus baseline, same release");
    tool_run_free(&r);
    free(v1);
    free(v2);
    free(baseline);
    free(bdir);
    remove_tree(dir);
    free(dir);
}

Test(hooks, gate_new_is_a_vendored_tree)
{
    char *dir = make_temp_dir();
    char *baseline = path_join2(dir, "mo-1.0.json");
    char *v1 = diff_fixture("member_offset_changed", "v1"), *v2 = diff_fixture("member_offset_changed", "v2");
    char *other = diff_fixture("fn_added", "v2");
    extract_to(v1, baseline);

    /* vendor/lib/libmember_offset_changed.so.1.0.0, its SONAME link
       libmember_offset_changed.so.1, and an unrelated library. */
    char *vendor = path_join2(dir, "vendor");
    char *lib = path_join2(vendor, "lib");
    make_dirs(lib);
    char *real = path_join2(lib, "libmember_offset_changed.so.1.0.0");
    char *link = path_join2(lib, "libmember_offset_changed.so.1");
    char *unrelated = path_join2(lib, "libfn_added.so");
    copy_file(v2, real);
    copy_file(other, unrelated);
    cr_assert(symlink("libmember_offset_changed.so.1.0.0", link) == 0);

    tool_run r;
    run_gate(&r, vendor, baseline);
    expect_exit(&r, 1, "tree with a SONAME link");
    expect_last_line(&r, BREAKING_LINE("libmember_offset_changed.so.1"), "tree with a SONAME link");
    tool_run_free(&r);

    /* Without the link, no file has the baseline's name: found by SONAME. */
    cr_assert(unlink(link) == 0);
    run_gate(&r, vendor, baseline);
    expect_exit(&r, 1, "tree, found by SONAME");
    expect_last_line(&r, BREAKING_LINE("libmember_offset_changed.so.1.0.0"), "tree, found by SONAME");
    tool_run_free(&r);

    /* The baseline as NAME@V from a store. */
    char *db = path_join2(dir, "store.db");
    cr_assert(run_abiguard(&r, "import", baseline, "--library", "mo", "--version", "1.0", "--db", db,
                           (char *)NULL));
    expect_exit(&r, 0, "abiguard import");
    tool_run_free(&r);
    run_gate(&r, vendor, "mo@1.0", "--db", db);
    expect_exit(&r, 1, "tree against NAME@V");
    expect_last_line(&r, BREAKING_LINE("libmember_offset_changed.so.1.0.0"), "tree against NAME@V");
    tool_run_free(&r);

    /* A tree with nothing matching: the check could not run. */
    cr_assert(unlink(real) == 0);
    run_gate(&r, vendor, baseline);
    expect_exit(&r, 3, "tree without the library");
    cr_assert(strstr(r.err, "libmember_offset_changed.so.1"), "stderr: %s", r.err);
    tool_run_free(&r);

    free(db);
    free(real);
    free(link);
    free(unrelated);
    free(lib);
    free(vendor);
    free(other);
    free(v1);
    free(v2);
    free(baseline);
    remove_tree(dir);
    free(dir);
}

/* A vendored tree whose library changed its SONAME (libsoname_changed.so.2
   for a baseline of libsoname_changed.so.1): the gate finds it by name and
   fails on the SONAME change instead of giving up with exit 3. */
Test(hooks, gate_tree_with_another_soname_fails_on_it)
{
    char *dir = make_temp_dir();
    char *baseline = path_join2(dir, "sc-1.json");
    char *v1 = diff_fixture("soname_changed", "v1"), *v2 = diff_fixture("soname_changed", "v2");
    extract_to(v1, baseline);
    char *vendor = path_join2(dir, "vendor");
    make_dirs(vendor);
    char *lib = path_join2(vendor, "libsoname_changed.so.2");
    copy_file(v2, lib);
    tool_run r;
    run_gate(&r, vendor, baseline);
    expect_exit(&r, 1, "tree whose library has another SONAME");
    expect_last_line(&r, "abiguard-gate: FAIL: 1 breaking change(s) in libsoname_changed.so.2 "
                         "(first: soname-changed SONAME)", "tree whose library has another SONAME");
    tool_run_free(&r);
    free(lib);
    free(vendor);
    free(v1);
    free(v2);
    free(baseline);
    remove_tree(dir);
    free(dir);
}

/* A release without debug info had no type compared: never a pass, unless
   the user accepts it. (debug_info_missing's v2 also swaps two members: the
   break that a stripped release would hide.) */
Test(hooks, gate_fails_without_debug_info_unless_allowed)
{
    char *v1 = diff_fixture("debug_info_missing", "v1"), *v2 = diff_fixture("debug_info_missing", "v2");
    tool_run r;
    run_gate(&r, v2, v1);
    expect_exit(&r, 1, "new release without debug info");
    cr_expect(strstr(last_line(r.out), "FAIL") && strstr(last_line(r.out), "no debug info") &&
                  strstr(last_line(r.out), "--allow-no-debug-info"),
              "the last line says why and how to accept it:\n%s", r.out);
    tool_run_free(&r);
    run_gate(&r, v2, v1, "--allow-no-debug-info");
    expect_exit(&r, 0, "--allow-no-debug-info");
    expect_last_line(&r, "abiguard-gate: PASS: ABI of libdebug_info_missing.so changed, nothing at or above breaking",
                     "--allow-no-debug-info");
    tool_run_free(&r);
    free(v1);
    free(v2);
}

Test(hooks, gate_missing_new_is_exit_3_with_abiguards_error)
{
    char *dir = make_temp_dir();
    char *missing = path_join2(dir, "libmissing.so");
    char *v1 = diff_fixture("fn_added", "v1");
    tool_run r;
    run_gate(&r, missing, v1);
    expect_exit(&r, 3, "missing NEW");
    cr_assert_str_empty(r.out, "stdout: %s", r.out);
    cr_assert(count_lines(r.err) == 1, "expected one error line, got:\n%s", r.err);
    cr_assert(strncmp(r.err, "abiguard: error: ", 17) == 0 && strstr(r.err, missing), "stderr: %s", r.err);
    tool_run_free(&r);
    free(v1);
    free(missing);
    remove_tree(dir);
    free(dir);
}

Test(hooks, gate_usage)
{
    char *v1 = diff_fixture("fn_added", "v1"), *v2 = diff_fixture("fn_added", "v2");
    tool_run r;
    run_gate(&r, "--help");
    expect_exit(&r, 0, "--help");
    cr_assert(strncmp(r.out, "usage: abiguard-gate NEW BASELINE", 33) == 0, "stdout: %s", r.out);
    cr_assert(strstr(r.out, "--fail-on") && strstr(r.out, "GITHUB_STEP_SUMMARY"), "stdout: %s", r.out);
    tool_run_free(&r);

    struct {
        const char *a, *b, *c, *d, *what;
    } bad[] = {
        { v2, NULL, NULL, NULL, "one argument" },
        { v2, v1, v1, NULL, "three arguments" },
        { v2, v1, "--fail-on", "sometimes", "bad --fail-on" },
        { v2, v1, "--fail-on", NULL, "--fail-on without a value" },
        { v2, v1, "--frobnicate", NULL, "unknown option" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        run_gate(&r, bad[i].a, bad[i].b, bad[i].c, bad[i].d);
        expect_exit(&r, 2, bad[i].what);
        cr_assert_str_empty(r.out, "%s: stdout: %s", bad[i].what, r.out);
        cr_assert(strncmp(r.err, "abiguard-gate: ", 15) == 0 && strstr(r.err, "usage:"), "%s: stderr: %s",
                  bad[i].what, r.err);
        tool_run_free(&r);
    }
    free(v1);
    free(v2);
}

/* ------------------------------------------------------------------ */
/* pre-commit                                                          */

/* Runs `git ARGS...` (NULL-terminated) in repo, isolated from the user's
   and the system's git configuration; asserts success. */
static void git_in(const char *repo, const char *home, const char *first, ...)
{
    char *home_env = NULL;
    cr_assert(asprintf(&home_env, "HOME=%s", home) >= 0);
    const char *env[] = { home_env, "XDG_CONFIG_HOME=/nonexistent", "GIT_CONFIG_NOSYSTEM=1", NULL };
    arg_list argv = { .n = 0 };
    arg_add(&argv, "git");
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *))
        arg_add(&argv, s);
    va_end(ap);
    tool_run r;
    run_in(&r, repo, env, argv.v);
    expect_exit(&r, 0, "git");
    tool_run_free(&r);
    free(home_env);
}

static void run_pre_commit(tool_run *r, const char *repo, const char *home)
{
    char *hook = hook_path("pre-commit");
    char *home_env = NULL;
    cr_assert(asprintf(&home_env, "HOME=%s", home) >= 0);
    const char *env[] = { home_env, "XDG_CONFIG_HOME=/nonexistent", "GIT_CONFIG_NOSYSTEM=1", NULL };
    const char *argv[] = { "sh", hook, NULL };
    run_in(r, repo, env, argv);
    free(home_env);
    free(hook);
}

Test(hooks, pre_commit_requires_a_baseline_update)
{
    char *dir = make_temp_dir();
    char *repo = path_join2(dir, "repo");
    char *home = path_join2(dir, "home");
    make_dirs(home);
    char *libdir = path_join2(repo, "vendor/lib");
    char *bdir = path_join2(repo, "baselines/mo");
    make_dirs(libdir);
    make_dirs(bdir);
    char *v1 = diff_fixture("member_offset_changed", "v1"), *v2 = diff_fixture("member_offset_changed", "v2");
    char *lib = path_join2(libdir, "libmo.so.1");
    char *base10 = path_join2(bdir, "1.0.json");
    char *base11 = path_join2(bdir, "1.1.json");
    char *config = path_join2(repo, ".abiguard-baselines");
    const char *config_text = "# vendored native libraries and their baselines\n"
                              "vendor/lib/libmo.so*   mo\n";
    cr_assert(write_whole_file(config, config_text, strlen(config_text)));

    git_in(repo, home, "init", "-q", NULL);
    git_in(repo, home, "config", "user.name", "abiguard test", NULL);
    git_in(repo, home, "config", "user.email", "test@example.invalid", NULL);
    git_in(repo, home, "config", "commit.gpgsign", "false", NULL);

    /* The first commit: the library with its baseline. */
    copy_file(v1, lib);
    extract_to(lib, base10);
    git_in(repo, home, "add", "-A", NULL);
    tool_run r;
    run_pre_commit(&r, repo, home);
    expect_exit(&r, 0, "first commit, library and baseline");
    tool_run_free(&r);
    git_in(repo, home, "commit", "-q", "--no-verify", "-m", "vendor libmo 1.0", NULL);

    /* Nothing staged, or an unrelated file: allowed. */
    run_pre_commit(&r, repo, home);
    expect_exit(&r, 0, "nothing staged");
    tool_run_free(&r);
    char *readme = path_join2(repo, "README");
    cr_assert(write_whole_file(readme, "hello\n", 6));
    git_in(repo, home, "add", "README", NULL);
    run_pre_commit(&r, repo, home);
    expect_exit(&r, 0, "unrelated file");
    tool_run_free(&r);

    /* The library bumped, the baseline not: refused, with the command. */
    copy_file(v2, lib);
    git_in(repo, home, "add", "vendor/lib/libmo.so.1", NULL);
    run_pre_commit(&r, repo, home);
    cr_assert(r.exited && r.exit_status != 0, "library without baseline: %s\nstderr:\n%s", tool_run_outcome(&r),
              r.err);
    cr_assert(strstr(r.err, "abiguard extract vendor/lib/libmo.so.1 -o baselines/mo/<version>.json"),
              "no refresh command in:\n%s", r.err);
    cr_assert(strstr(r.err, "library mo"), "the library is not named in:\n%s", r.err);
    tool_run_free(&r);

    /* A baseline of another library does not count. */
    char *other = path_join2(repo, "baselines/other");
    make_dirs(other);
    char *other_json = path_join2(other, "1.0.json");
    cr_assert(write_whole_file(other_json, "{}\n", 3));
    git_in(repo, home, "add", "baselines/other", NULL);
    run_pre_commit(&r, repo, home);
    cr_assert(r.exited && r.exit_status != 0, "another library's baseline: %s", tool_run_outcome(&r));
    tool_run_free(&r);

    /* With the baseline refreshed and staged: allowed. */
    extract_to(lib, base11);
    git_in(repo, home, "add", "baselines/mo/1.1.json", NULL);
    run_pre_commit(&r, repo, home);
    expect_exit(&r, 0, "library with baseline");
    cr_assert_str_empty(r.err, "stderr: %s", r.err);
    tool_run_free(&r);

    free(other_json);
    free(other);
    free(readme);
    free(config);
    free(base11);
    free(base10);
    free(lib);
    free(v1);
    free(v2);
    free(bdir);
    free(libdir);
    free(home);
    free(repo);
    remove_tree(dir);
    free(dir);
}
