/*
 * test_readme.c — the README is for new users, so it must stay true: its
 * change-kind table is the one `abiguard change-kinds --format markdown`
 * prints, byte for byte, and every subcommand in the command table is
 * documented there.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool_run.h"

static char *readme(void)
{
    const char *dir = getenv("SOURCE_DIR");
    char *path = path_join2(dir ? dir : ".", "README.md");
    char *text = read_whole_file(path, NULL);
    cr_assert(text, "cannot read %s (run from the repository root or set SOURCE_DIR)", path);
    free(path);
    return text;
}

Test(readme, change_kind_table_matches_the_tool)
{
    char *text = readme();
    const char *begin = strstr(text, "<!-- change-kinds:begin -->\n");
    const char *end = strstr(text, "<!-- change-kinds:end -->");
    cr_assert(begin && end && end > begin, "README has no change-kinds markers");
    begin += strlen("<!-- change-kinds:begin -->\n");
    tool_run r;
    cr_assert(run_abiguard(&r, "change-kinds", "--format", "markdown", NULL));
    cr_assert(r.exited && r.exit_status == 0);
    size_t n = (size_t)(end - begin);
    cr_expect(n == r.out_len && memcmp(begin, r.out, n) == 0,
              "README's change-kind table differs from `abiguard change-kinds --format markdown`: "
              "regenerate it between the markers");
    tool_run_free(&r);
    free(text);
}

Test(readme, every_command_is_documented)
{
    char *text = readme();
    tool_run r;
    cr_assert(run_abiguard(&r, "--help", NULL));
    /* Command lines of --help look like "  name   summary". */
    for (const char *line = strstr(r.out, "commands:\n"); line && *line; line = strchr(line, '\n')) {
        line++;
        if (*line == '\n')
            break;   /* the end of the command list */
        if (line[0] != ' ' || line[1] != ' ' || line[2] == ' ')
            continue;
        char name[64];
        if (sscanf(line, " %63s", name) != 1)
            continue;
        char needle[96];
        snprintf(needle, sizeof needle, "abiguard %s", name);
        cr_expect(strstr(text, needle), "README does not document `%s`", needle);
    }
    tool_run_free(&r);
    free(text);
}

/* ------------------------------------------------------------------ */
/* Every example is real: each ```console block of the README is run.  */
/*
 * A block's "$ " lines are commands, the lines after each its expected
 * stdout; a line "..." stands for any number of lines. The commands of one
 * block run in order in one shell, in a fresh directory that holds the
 * files of the ```c block before it (each part starting with a comment
 * "/ * NAME.c ..." becomes NAME.c), links to the repository's files (hooks/,
 * baselines/, ...) and to what the audit example reads from the fixture
 * build (build/fixtures/audit/: the wheels and libs/), with the built
 * abiguard first on PATH.
 */

typedef struct text_buf {
    char *s;
    size_t len, cap;
} text_buf;

static void tb_add(text_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        cr_assert(b->s);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void tb_str(text_buf *b, const char *s)
{
    tb_add(b, s, strlen(s));
}

/* The source files a ```c block holds ("/ * v1.c — ..." starts v1.c). */
static void write_c_block(const char *dir, const char *begin, const char *end)
{
    const char *p = begin;
    FILE *f = NULL;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char name[64];
        if (n > 3 && strncmp(p, "/* ", 3) == 0 && sscanf(p + 3, "%63s", name) == 1 &&
            strlen(name) > 2 && strcmp(name + strlen(name) - 2, ".c") == 0) {
            if (f)
                fclose(f);
            char *path = path_join2(dir, name);
            f = fopen(path, "w");
            cr_assert(f, "cannot write %s", path);
            free(path);
        }
        if (f)
            fprintf(f, "%.*s\n", (int)n, p);
        p += n + 1;
    }
    if (f)
        fclose(f);
}

/* Whether got matches want line by line, "..." in want matching any run of
   lines (lazily, with backtracking). */
static bool lines_match(char **want, size_t nw, char **got, size_t ng)
{
    if (nw == 0)
        return ng == 0;
    if (strcmp(want[0], "...") == 0) {
        for (size_t k = 0; k <= ng; k++)
            if (lines_match(want + 1, nw - 1, got + k, ng - k))
                return true;
        return false;
    }
    return ng > 0 && strcmp(want[0], got[0]) == 0 && lines_match(want + 1, nw - 1, got + 1, ng - 1);
}

static size_t split(char *text, char **out, size_t max)
{
    size_t n = 0;
    if (!*text)
        return 0;
    for (char *p = text; p && n < max;) {
        out[n++] = p;
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
        if (!*p)
            break;
    }
    return n;
}

#define MAX_STEPS 32
#define MAX_LINES 400

/* Runs one console block; adds a problem per command whose output differs. */
static void run_console_block(const char *block, size_t len, const char *c_begin, const char *c_end,
                              problem_list *problems)
{
    char *dir = make_temp_dir();
    if (c_begin)
        write_c_block(dir, c_begin, c_end);
    char cwd[PATH_MAX], bin[PATH_MAX];
    cr_assert(getcwd(cwd, sizeof cwd));
    snprintf(bin, sizeof bin, "%s", abiguard_binary());
    *strrchr(bin, '/') = '\0';

    /* Commands and expected outputs. */
    char *copy = strndup(block, len);
    char *cmds[MAX_STEPS];
    text_buf want[MAX_STEPS] = { { 0 } };
    size_t n = 0;
    for (char *line = copy, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (strncmp(line, "$ ", 2) == 0) {
            cr_assert(n < MAX_STEPS);
            cmds[n++] = line + 2;
            tb_str(&want[n - 1], "");
        } else if (n > 0) {
            tb_str(&want[n - 1], line);
            tb_str(&want[n - 1], "\n");
        }
    }
    /* One script: a marker before each command's output, its status kept. */
    text_buf script = { 0 };
    /* The repository's files, as in a checkout (tests/realworld/..., hooks/). */
    tb_str(&script, "for f in \"$REPO\"/*; do case ${f##*/} in build*) ;; *) ln -s \"$f\" .;; esac; done\n"
                    /* What the audit example reads: the fixture build's wheels and libdep builds. */
                    "ln -s \"$FIXTURES\"/audit/*.whl \"$FIXTURES\"/audit/libs .\n"
                    "__rc=0\n");
    for (size_t i = 0; i < n; i++) {
        char marker[64];
        snprintf(marker, sizeof marker, "printf '\\n@@step %zu@@\\n'; (exit $__rc)\n", i);
        tb_str(&script, marker);
        tb_str(&script, cmds[i]);
        tb_str(&script, " 2>>\"$ERRLOG\"\n__rc=$?\n");
    }
    char *errlog = path_join2(dir, ".stderr");
    char env_path[PATH_MAX * 2], env_repo[PATH_MAX + 8], env_err[PATH_MAX + 8], env_fix[PATH_MAX + 16];
    snprintf(env_path, sizeof env_path, "PATH=%s:/usr/bin:/bin", bin);
    snprintf(env_repo, sizeof env_repo, "REPO=%s", cwd);
    snprintf(env_err, sizeof env_err, "ERRLOG=%s", errlog);
    snprintf(env_fix, sizeof env_fix, "FIXTURES=%s", fixtures_dir());
    const char *argv[] = { "/usr/bin/env", "-i", "-C", dir, env_path, env_repo, env_err, env_fix, "LC_ALL=C.UTF-8",
                           "HOME=/nonexistent", "DEBUGINFOD_URLS=", "/bin/bash", "-c", script.s, NULL };
    tool_run r;
    cr_assert(tool_run_argv(argv, 300.0, &r));
    cr_assert(r.exited, "%s", tool_run_outcome(&r));
    char *err = read_whole_file(errlog, NULL);
    for (size_t i = 0; i < n; i++) {
        char marker[64], next[64];
        snprintf(marker, sizeof marker, "\n@@step %zu@@\n", i);
        snprintf(next, sizeof next, "\n@@step %zu@@\n", i + 1);
        char *start = strstr(r.out, marker);
        cr_assert(start, "no output section for `%s`", cmds[i]);
        start += strlen(marker);
        char *stop = i + 1 < n ? strstr(start, next) : start + strlen(start);
        char *got_text = strndup(start, (size_t)(stop - start));
        char *want_text = strdup(want[i].s);
        char *got[MAX_LINES], *wl[MAX_LINES];
        size_t ng = split(got_text, got, MAX_LINES), nw = split(want_text, wl, MAX_LINES);
        if (!lines_match(wl, nw, got, ng)) {
            char *show = strndup(start, (size_t)(stop - start));
            problem_add(problems, "README `$ %s` printed:\n%s\n(stderr: %s)", cmds[i], show, err ? err : "");
            free(show);
        }
        free(got_text);
        free(want_text);
        free(want[i].s);
    }
    free(err);
    free(errlog);
    tool_run_free(&r);
    free(script.s);
    free(copy);
    remove_tree(dir);
    free(dir);
}

Test(readme, every_console_example_is_real_and_current, .timeout = 600)
{
    char *text = readme();
    problem_list problems = { 0 };
    const char *c_begin = NULL, *c_end = NULL;
    size_t blocks = 0;
    for (const char *p = text; (p = strstr(p, "\n```")) != NULL;) {
        p += 4;
        const char *body = strchr(p, '\n');
        if (!body)
            break;
        body++;
        const char *end = strstr(body, "\n```");
        if (!end)
            break;
        if (strncmp(p, "c\n", 2) == 0) {
            c_begin = body;
            c_end = end + 1;
        } else if (strncmp(p, "console\n", 8) == 0) {
            run_console_block(body, (size_t)(end + 1 - body), c_begin, c_end, &problems);
            blocks++;
            c_begin = c_end = NULL;
        }
        p = end + 4;
    }
    cr_expect(blocks >= 3, "only %zu console examples found", blocks);
    free(text);
    problem_assert_none(&problems, "README examples");
}

/* ------------------------------------------------------------------ */
/* The README points only at files the repository has.                 */

Test(readme, names_only_files_in_the_repository)
{
    static const char *const roots[] = { "../", "src/", "docs/", "hooks/", "tests/", "web/", "schema/",
                                         "baselines/", "bench/", "tools/", "packaging/", "action.yml",
                                         "Makefile", NULL };
    /* Made by the build or the tests, not committed. */
    static const char *const generated[] = { "tests/web/out/", NULL };
    char *text = readme();
    problem_list problems = { 0 };
    size_t checked = 0;
    /* `path` spans and Markdown link targets ](path). */
    for (const char *p = text; *p; p++) {
        const char *start = NULL, *end = NULL;
        if (p[0] == '`' && p[1] == '`') {
            while (p[1] == '`')
                p++;
            continue;
        }
        if (*p == '`') {
            start = p + 1;
            end = strchr(start, '`');
        } else if (p[0] == ']' && p[1] == '(') {
            start = p + 2;
            end = strchr(start, ')');
        }
        if (!start || !end)
            continue;
        size_t n = strcspn(start, " `)\n");
        if (start + n > end)
            n = (size_t)(end - start);
        char path[512];
        snprintf(path, sizeof path, "%.*s", (int)n, start);
        p = end;
        bool rooted = false;
        for (size_t i = 0; roots[i]; i++)
            if (strncmp(path, roots[i], strlen(roots[i])) == 0)
                rooted = true;
        if (!rooted || strpbrk(path, "<*$|{") || strstr(path, "PREFIX"))
            continue;
        bool made = false;
        for (size_t i = 0; generated[i]; i++)
            if (strncmp(path, generated[i], strlen(generated[i])) == 0)
                made = true;
        if (made)
            continue;
        checked++;
        if (strncmp(path, "../", 3) == 0 || !file_exists(path))
            problem_add(&problems, "README names %s, which is not in the repository", path);
    }
    cr_expect(checked >= 20, "only %zu paths found in the README", checked);
    free(text);
    problem_assert_none(&problems, "README paths");
}
