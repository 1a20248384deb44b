/*
 * test_ci_examples.c — the GitLab CI example (hooks/gitlab-ci.yml and the
 * README's copy between <!-- gitlab-ci:begin/end -->) lets `abiguard diff`
 * through exactly when the ABI changed (exit 4 or 12), so the gate after it
 * decides, and fails the job on anything else: an error (1), a usage error
 * (2), and a crash (a signal: 139), which `|| test $? -ge 4` would pass.
 * The script line is taken from the file and run by sh (as GitLab's runner
 * does, stopping at a failing line) with `abiguard` a function that ends
 * with the code under test.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool_run.h"

/* The script line of text that runs `abiguard diff ... --format junit`. */
static char *junit_line(const char *text, const char *where)
{
    for (const char *p = text; (p = strstr(p, "- ")) != NULL; p += 2) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = strndup(p + 2, n - 2);
        if (strstr(line, "abiguard diff") && strstr(line, "--format junit"))
            return line;
        free(line);
    }
    cr_assert_fail("%s has no `abiguard diff ... --format junit` script line", where);
    return NULL;
}

/* Exit status of the line when abiguard ends with how ("exit N" or a
   signal "kill -SEGV"). */
static int run_line(const char *line, const char *how)
{
    char script[4096];
    snprintf(script, sizeof script,
             "abiguard() { sh -c '%s'; }\n"
             "BASELINE=b.json NEW_LIB=libfoo.so.1\n"
             "%s\n"
             "echo reached-the-gate\n", how, line);
    const char *argv[] = { "/bin/sh", "-e", "-c", script, NULL };
    tool_run r;
    cr_assert(tool_run_argv(argv, 20.0, &r));
    cr_assert(r.exited, "%s", tool_run_outcome(&r));
    int rc = r.exit_status;
    if (rc == 0)
        cr_assert(strstr(r.out, "reached-the-gate"), "the line passed but the next did not run");
    tool_run_free(&r);
    return rc;
}

static void check_exact_codes(const char *text, const char *where)
{
    char *line = junit_line(text, where);
    cr_assert(strstr(line, "abiguard diff"), "%s", line);
    /* The binary's path may be spelled out: call the function instead. */
    char *at = strstr(line, "abiguard diff");
    char *plain = NULL;
    cr_assert(asprintf(&plain, "%s", at) > 0);
    static const struct { const char *how; bool pass; } cases[] = {
        { "exit 0", true }, { "exit 4", true }, { "exit 12", true },
        { "exit 1", false }, { "exit 2", false }, { "exit 8", false }, { "exit 3", false },
        { "kill -SEGV $$", false }, { "kill -ABRT $$", false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = run_line(plain, cases[i].how);
        if (cases[i].pass)
            cr_expect(rc == 0, "%s: abiguard `%s` must let the job go on to the gate: %s", where, cases[i].how, plain);
        else
            cr_expect(rc != 0, "%s: abiguard `%s` must fail the job: %s", where, cases[i].how, plain);
    }
    free(plain);
    free(line);
}

Test(ci_examples, gitlab_job_accepts_exactly_4_and_12)
{
    char *text = read_whole_file("hooks/gitlab-ci.yml", NULL);
    cr_assert(text, "run from the repository root");
    check_exact_codes(text, "hooks/gitlab-ci.yml");
    free(text);
    char *readme = read_whole_file("README.md", NULL);
    cr_assert(readme);
    const char *b = strstr(readme, "<!-- gitlab-ci:begin -->"), *e = strstr(readme, "<!-- gitlab-ci:end -->");
    cr_assert(b && e && e > b, "README has no <!-- gitlab-ci:begin/end --> snippet");
    char *snippet = strndup(b, (size_t)(e - b));
    check_exact_codes(snippet, "the README's GitLab snippet");
    free(snippet);
    free(readme);
}
