/*
 * test_cli.c — the command line fits in with other tools:
 *   - the help text is the truth: every option a command's --help lists is
 *     one its parser takes, every option its parser takes (among all that
 *     any help lists or the CLI's source spells) is listed, and every option
 *     of the synopsis is described;
 *   - the man pages and the bash/zsh completion generated from that text
 *     (build/man, build/completion) have a page per command listing every
 *     option, and complete every command and option;
 *   - "did you mean" for mistyped commands and options; -h and -V;
 *   - --version: abiguard's version, the corpus format and the versions of
 *     the libraries it runs with (compared with what this test links);
 *   - colour: never in a pipe or an -o file, on a terminal unless NO_COLOR
 *     (a real pseudo-terminal, through script(1)), --color=always|never;
 *   - serve: a missing --db is an error unless --create (nothing created),
 *     and the URL it listens on alone on stdout;
 *   - messages that point the right way: a JSON file that is not a corpus.
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <dwarf.h>
#include <fcntl.h>
#include <libdwarf.h>
#include <limits.h>
#include <microhttpd.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tool_run.h"

#define MAX_CMDS 64
#define MAX_OPTS 96

/* ------------------------------------------------------------------ */
/* The help text, read the way a user reads it                         */

typedef struct help_opt {
    char name[48];      /* "--output" or "-o" */
    bool takes_value;
} help_opt;

/* The command names `abiguard --help` lists. */
static size_t commands(char names[][32])
{
    tool_run r;
    cr_assert(run_abiguard(&r, "--help", NULL));
    cr_assert(r.exited && r.exit_status == 0);
    size_t n = 0;
    const char *p = strstr(r.out, "commands:\n");
    cr_assert(p, "--help lists no commands");
    p += strlen("commands:\n");
    while (*p == ' ' && p[1] == ' ' && p[2] != ' ' && n < MAX_CMDS) {
        cr_assert(sscanf(p, " %31s", names[n]) == 1);
        n++;
        p = strchr(p, '\n');
        if (!p)
            break;
        p++;
    }
    tool_run_free(&r);
    cr_assert(n >= 10, "only %zu commands in --help", n);
    return n;
}

static char *help_of(const char *cmd)
{
    tool_run r;
    cr_assert(run_abiguard(&r, cmd, "--help", NULL));
    cr_assert(r.exited && r.exit_status == 0, "%s --help: %s", cmd, tool_run_outcome(&r));
    char *out = strdup(r.out);
    tool_run_free(&r);
    return out;
}

/* Option lines: two blanks, then "-x, --long ARG" or "--long ARG". */
static size_t listed_options(const char *help, help_opt *out, size_t max)
{
    size_t n = 0;
    for (const char *line = help; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, "  -", 3) != 0)
            continue;
        const char *p = line + 2;
        for (;;) {
            size_t len = strcspn(p, " ,=\n[");
            cr_assert(len > 1 && len < sizeof out[0].name, "odd option line: %.60s", line);
            const char *after = p + len;
            bool value = (*after == ' ' && after[1] >= 'A' && after[1] <= 'Z') || *after == '=';
            if (n < max) {
                snprintf(out[n].name, sizeof out[n].name, "%.*s", (int)len, p);
                out[n].takes_value = value;
                n++;
            }
            if (after[0] == ',' && after[1] == ' ' && after[2] == '-') {
                p = after + 2;
                continue;
            }
            break;
        }
    }
    /* A short option takes a value when its long form does. */
    for (size_t i = 0; i + 1 < n; i++)
        if (out[i].name[1] != '-' && out[i + 1].name[1] == '-')
            out[i].takes_value = out[i + 1].takes_value;
    return n;
}

static bool has_opt(const help_opt *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0)
            return true;
    return false;
}

/* Runs `abiguard CMD OPT VALUE --zz-not-an-option` in an empty directory:
   whether OPT is a flag or takes the value, a parser that knows it stops at
   --zz-not-an-option (or at the value); one that does not, at OPT. Nothing
   runs: every command parses all its options first. */
static bool parser_accepts(const char *cmd, const char *opt, const char *dir)
{
    const char *value = strcmp(opt, "--debuginfod") == 0 ? "http://127.0.0.1:9/" : "http://127.0.0.1:9/x";
    const char *argv[] = { "/usr/bin/env", "-C", dir, abiguard_binary(), cmd, opt, value,
                           "--zz-not-an-option", NULL };
    tool_run r;
    cr_assert(tool_run_argv(argv, 20.0, &r));
    cr_assert(r.exited && r.exit_status != 0, "%s %s ... ran (%s)", cmd, opt, tool_run_outcome(&r));
    char needle[96];
    snprintf(needle, sizeof needle, "unknown option '%s'", opt);
    bool unknown = strstr(r.err, needle) != NULL;
    tool_run_free(&r);
    return !unknown;
}

/* Every "--name" string literal in src/cli/ (every .c file): options a parser may take
   even when no help text lists them. */
static size_t source_options(help_opt *out, size_t n, size_t max)
{
    const char *cmd[] = { "/bin/sh", "-c",
                          "cat src/cli/*.c | grep -o '\"--[a-z][a-z0-9-]*\"' | tr -d '\"' | sort -u", NULL };
    tool_run r;
    cr_assert(tool_run_argv(cmd, 20.0, &r));
    cr_assert(r.exited && r.exit_status == 0 && r.out_len > 0, "cannot read src/cli (run from the repository root)");
    for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
        if (has_opt(out, n, line) || n >= max)
            continue;
        snprintf(out[n].name, sizeof out[n].name, "%s", line);
        out[n].takes_value = true;
        n++;
    }
    tool_run_free(&r);
    return n;
}

Test(cli, help_lists_exactly_the_options_the_parsers_take, .timeout = 600 * SANITIZER_SLOWDOWN)
{
    char cmds[MAX_CMDS][32];
    size_t nc = commands(cmds);
    static help_opt all[MAX_OPTS * 4];
    size_t na = 0;
    char *helps[MAX_CMDS];
    for (size_t c = 0; c < nc; c++) {
        helps[c] = help_of(cmds[c]);
        help_opt v[MAX_OPTS];
        size_t n = listed_options(helps[c], v, MAX_OPTS);
        for (size_t i = 0; i < n; i++)
            if (!has_opt(all, na, v[i].name) && na < MAX_OPTS * 4)
                all[na++] = v[i];
    }
    na = source_options(all, na, MAX_OPTS * 4);
    char *dir = make_temp_dir();
    problem_list problems = { 0 };
    for (size_t c = 0; c < nc; c++) {
        help_opt v[MAX_OPTS];
        size_t n = listed_options(helps[c], v, MAX_OPTS);
        cr_assert(n > 0 || strcmp(cmds[c], "help") == 0, "%s --help lists no option", cmds[c]);
        for (size_t i = 0; i < n; i++)
            if (!parser_accepts(cmds[c], v[i].name, dir))
                problem_add(&problems, "%s --help lists %s, which the command does not take", cmds[c], v[i].name);
        for (size_t i = 0; i < na; i++) {
            const char *o = all[i].name;
            if (strcmp(o, "--help") == 0 || strcmp(o, "--version") == 0 || strcmp(o, "--color") == 0 ||
                strcmp(o, "--no-color") == 0 || has_opt(v, n, o))
                continue;
            if (parser_accepts(cmds[c], o, dir))
                problem_add(&problems, "%s takes %s, which its --help does not list", cmds[c], o);
        }
        /* The synopsis ("usage:" lines) names only described options. */
        for (const char *p = helps[c]; p && *p && *p != '\n'; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
            for (const char *q = strstr(p, "--"); q && q < strchr(p, '\n'); q = strstr(q + 2, "--")) {
                char name[48];
                snprintf(name, sizeof name, "%.*s", (int)strcspn(q, " ]|=.\n"), q);
                if (strlen(name) > 2 && !has_opt(v, n, name))
                    problem_add(&problems, "%s: the synopsis names %s, the option list does not", cmds[c], name);
            }
        }
    }
    /* Nothing ran: the empty directory stayed empty. */
    const char *ls[] = { "/bin/sh", "-c", "ls -A \"$0\"", dir, NULL };
    tool_run r;
    cr_assert(tool_run_argv(ls, 10.0, &r));
    cr_expect(r.out_len == 0, "the probes wrote files: %s", r.out);
    tool_run_free(&r);
    remove_tree(dir);
    free(dir);
    for (size_t c = 0; c < nc; c++)
        free(helps[c]);
    problem_assert_none(&problems, "help text and parsers disagree");
}

/* ------------------------------------------------------------------ */
/* Man pages and completion                                            */

/* $ABIGUARD's build directory + "/" + rel. */
static char *build_path(const char *rel)
{
    char *bin = strdup(abiguard_binary());
    char *slash = strrchr(bin, '/');
    cr_assert(slash);
    *slash = '\0';
    char *p = path_join2(bin, rel);
    free(bin);
    return p;
}

/* The page rendered as a reader sees it (man -l, no formatting). */
static char *render_man(const char *page)
{
    const char *argv[] = { "/usr/bin/env", "MANWIDTH=200", "LC_ALL=C.UTF-8", "MAN_KEEP_FORMATTING=",
                           "/usr/bin/man", "--no-hyphenation", "--no-justification", "-l", page, NULL };
    tool_run r;
    cr_assert(tool_run_argv(argv, 30.0, &r));
    cr_assert(r.exited && r.exit_status == 0, "man -l %s: %s %s", page, tool_run_outcome(&r), r.err);
    char *out = strdup(r.out);
    tool_run_free(&r);
    return out;
}

/* Whether word occurs in text delimited as a word of its own. */
static bool has_word(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = strstr(text, word); p; p = strstr(p + 1, word)) {
        bool before = p == text || strchr(" \t\n,[(", p[-1]);
        bool after = !p[n] || strchr(" \t\n,=])", p[n]);
        if (before && after)
            return true;
    }
    return false;
}

Test(cli, a_man_page_per_command_lists_every_option, .timeout = 300 * SANITIZER_SLOWDOWN)
{
    char cmds[MAX_CMDS][32];
    size_t nc = commands(cmds);
    problem_list problems = { 0 };
    char *main_page = build_path("man/abiguard.1");
    char *main_text = render_man(main_page);
    cr_expect(strstr(main_text, "NAME") && strstr(main_text, "abiguard - ABI-drift monitor"), "%s", main_text);
    for (size_t c = 0; c < nc; c++) {
        char rel[96];
        snprintf(rel, sizeof rel, "man/abiguard-%s.1", cmds[c]);
        char *page = build_path(rel);
        char see[64];
        snprintf(see, sizeof see, "abiguard-%s(1)", cmds[c]);
        if (!strstr(main_text, see))
            problem_add(&problems, "abiguard(1) does not list %s", see);
        if (!file_exists(page)) {
            problem_add(&problems, "no man page %s", page);
            free(page);
            continue;
        }
        char *text = render_man(page);
        char *help = help_of(cmds[c]);
        char name_line[96];
        snprintf(name_line, sizeof name_line, "abiguard-%s - ", cmds[c]);
        if (!strstr(text, name_line) || !strstr(text, "SYNOPSIS") || !strstr(text, "OPTIONS"))
            problem_add(&problems, "%s: no NAME, SYNOPSIS or OPTIONS", rel);
        help_opt v[MAX_OPTS];
        size_t n = listed_options(help, v, MAX_OPTS);
        for (size_t i = 0; i < n; i++)
            if (!has_word(text, v[i].name))
                problem_add(&problems, "%s does not list %s", rel, v[i].name);
        if (strstr(help, "\nexit") && !strstr(text, "EXIT STATUS"))
            problem_add(&problems, "%s has no EXIT STATUS", rel);
        free(help);
        free(text);
        free(page);
    }
    free(main_text);
    free(main_page);
    problem_assert_none(&problems, "man pages");
}

/* What bash completes for the words given (the last one being completed). */
static char *bash_complete(const char *script, const char *line)
{
    char prog[1024];
    snprintf(prog, sizeof prog,
             "source \"$0\"; COMP_WORDS=(%s); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ));"
             " [[ \"$1\" == *' ' ]] && { COMP_WORDS+=(''); COMP_CWORD=$(( COMP_CWORD + 1 )); };"
             " _abiguard; printf '%%s\\n' \"${COMPREPLY[@]}\"", line);
    const char *argv[] = { "/bin/bash", "-c", prog, script, line, NULL };
    tool_run r;
    cr_assert(tool_run_argv(argv, 20.0, &r));
    cr_assert(r.exited && r.exit_status == 0, "bash completion of '%s': %s %s", line, tool_run_outcome(&r), r.err);
    char *out = strdup(r.out);
    tool_run_free(&r);
    return out;
}

static bool has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = strstr(text, line); p; p = strstr(p + 1, line))
        if ((p == text || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
            return true;
    return false;
}

Test(cli, shell_completion_knows_every_command_and_option, .timeout = 300 * SANITIZER_SLOWDOWN)
{
    char *bash = build_path("completion/abiguard");
    char *zsh = build_path("completion/_abiguard");
    cr_assert(file_exists(bash) && file_exists(zsh));
    char cmds[MAX_CMDS][32];
    size_t nc = commands(cmds);
    problem_list problems = { 0 };
    char *all = bash_complete(bash, "abiguard ''");
    for (size_t c = 0; c < nc; c++)
        if (!has_line(all, cmds[c]))
            problem_add(&problems, "bash: 'abiguard <TAB>' does not offer %s", cmds[c]);
    free(all);
    char *di = bash_complete(bash, "abiguard di");
    if (!has_line(di, "diff") || has_line(di, "extract"))
        problem_add(&problems, "bash: 'abiguard di<TAB>' gives '%s'", di);
    free(di);
    for (size_t c = 0; c < nc; c++) {
        char line[96];
        snprintf(line, sizeof line, "abiguard %s --", cmds[c]);
        char *got = bash_complete(bash, line);
        char *help = help_of(cmds[c]);
        help_opt v[MAX_OPTS];
        size_t n = listed_options(help, v, MAX_OPTS);
        for (size_t i = 0; i < n; i++)
            if (v[i].name[1] == '-' && !has_line(got, v[i].name))
                problem_add(&problems, "bash: 'abiguard %s --<TAB>' does not offer %s", cmds[c], v[i].name);
        free(help);
        free(got);
    }
    /* The words an option takes, from the synopsis. */
    char *fmt = bash_complete(bash, "abiguard diff --format ");
    if (!has_line(fmt, "json") || !has_line(fmt, "sarif"))
        problem_add(&problems, "bash: 'abiguard diff --format <TAB>' gives '%s'", fmt);
    free(fmt);
    /* zsh: the file parses, and names every command. */
    const char *zsh_n[] = { "/usr/bin/zsh", "-n", zsh, NULL };
    tool_run r;
    cr_assert(tool_run_argv(zsh_n, 20.0, &r));
    if (!(r.exited && r.exit_status == 0))
        problem_add(&problems, "zsh -n %s: %s %s", zsh, tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    char *ztext = read_whole_file(zsh, NULL);
    cr_assert(ztext);
    for (size_t c = 0; c < nc; c++) {
        char needle[64];
        snprintf(needle, sizeof needle, "    %s)", cmds[c]);
        if (!strstr(ztext, needle))
            problem_add(&problems, "zsh: no case for %s", cmds[c]);
    }
    free(ztext);
    free(bash);
    free(zsh);
    problem_assert_none(&problems, "shell completion");
}

/* ------------------------------------------------------------------ */
/* Did you mean, -h, -V, --version                                     */

static void expect_usage_error(const char *what, const char *needle, const char *const *args)
{
    const char *argv[16] = { abiguard_binary() };
    size_t n = 1;
    for (size_t i = 0; args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    tool_run r;
    cr_assert(tool_run_argv(argv, 20.0, &r));
    cr_expect(r.exited && r.exit_status == 2, "%s: %s", what, tool_run_outcome(&r));
    cr_expect(strstr(r.err, needle), "%s: expected '%s' in: %s", what, needle, r.err);
    tool_run_free(&r);
}

Test(cli, did_you_mean)
{
    expect_usage_error("command", "unknown command 'dif' (did you mean 'diff'?)",
                       (const char *[]){ "dif", "a", "b", NULL });
    expect_usage_error("swapped letters", "(did you mean 'extract'?)", (const char *[]){ "extarct", NULL });
    expect_usage_error("option", "unknown option '--formt' (did you mean --format?)",
                       (const char *[]){ "diff", "a.json", "b.json", "--formt", "json", NULL });
    expect_usage_error("option with =", "unknown option '--suppresions=x' (did you mean --suppressions?)",
                       (const char *[]){ "diff", "--suppresions=x", NULL });
    expect_usage_error("global", "unknown option '--verison' (did you mean --version?)",
                       (const char *[]){ "--verison", NULL });
    expect_usage_error("prefix", "(did you mean --built-against?)",
                       (const char *[]){ "check", "--built", "x", NULL });
    /* Far from everything: no guess. */
    tool_run r;
    cr_assert(run_abiguard(&r, "frobnicate", NULL));
    cr_expect(r.exited && r.exit_status == 2 && !strstr(r.err, "did you mean"), "%s", r.err);
    tool_run_free(&r);
}

Test(cli, short_help_and_version)
{
    tool_run r;
    cr_assert(run_abiguard(&r, "-h", NULL));
    cr_expect(r.exited && r.exit_status == 0 && strstr(r.out, "commands:"), "-h: %s", r.out);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "diff", "-h", NULL));
    cr_expect(r.exited && r.exit_status == 0 && strncmp(r.out, "usage: abiguard diff", 20) == 0, "diff -h: %s", r.out);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "help", "stub", NULL));
    cr_expect(r.exited && r.exit_status == 0 && strncmp(r.out, "usage: abiguard stub", 20) == 0, "help stub");
    tool_run_free(&r);
    tool_run v;
    cr_assert(run_abiguard(&r, "-V", NULL));
    cr_assert(run_abiguard(&v, "--version", NULL));
    cr_expect(r.exited && r.exit_status == 0 && strcmp(r.out, v.out) == 0, "-V differs from --version");
    tool_run_free(&r);

    /* abiguard's version first, then the format, then what it runs with. */
    cr_expect(strncmp(v.out, "abiguard 0.", 11) == 0, "%s", v.out);
    cr_expect(strstr(v.out, "\ncorpus format: abiguard-corpus/1\n"), "%s", v.out);
    const curl_version_info_data *curl = curl_version_info(CURLVERSION_NOW);
    char want[6][96];
    snprintf(want[0], sizeof want[0], " SQLite %s", sqlite3_libversion());
    snprintf(want[1], sizeof want[1], " libcurl %s", curl->version);
    snprintf(want[2], sizeof want[2], " libmicrohttpd %s", MHD_get_version());
    snprintf(want[3], sizeof want[3], " libdwarf %s", dwarf_package_version());
    snprintf(want[4], sizeof want[4], " libelf 0.");
    snprintf(want[5], sizeof want[5], "running with:");
    for (int i = 0; i < 6; i++)
        cr_expect(strstr(v.out, want[i]), "--version lacks '%s': %s", want[i], v.out);
    cr_expect(!strstr(v.out, "unknown"), "%s", v.out);
    /* Built from a git checkout (this test runs in one): its description. */
    if (file_exists(".git"))
        cr_expect(strstr(v.out, "\ngit: "), "no git description: %s", v.out);
    tool_run_free(&v);
}

/* ------------------------------------------------------------------ */
/* Colour                                                              */

static char *breaking_pair(int side)
{
    char rel[128];
    snprintf(rel, sizeof rel, "diff/base_type_changed/%s/libbase_type_changed.so", side ? "v2" : "v1");
    return fixture_path(rel);
}

/* Runs `abiguard ARGS` under a pseudo-terminal (script(1)) with env. */
static char *on_terminal(const char *env, const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "env TERM=xterm %s %s %s", env, abiguard_binary(), args);
    const char *argv[] = { "/usr/bin/script", "-qec", cmd, "/dev/null", NULL };
    tool_run r;
    cr_assert(tool_run_argv(argv, 60.0, &r));
    cr_assert(r.exited, "%s", tool_run_outcome(&r));
    char *out = strdup(r.out);
    tool_run_free(&r);
    return out;
}

Test(cli, colour_on_terminals_only)
{
    char *v1 = breaking_pair(0), *v2 = breaking_pair(1);
    const char *red = "\033[1;31m";
    tool_run r;
    /* A pipe: no colour, unless asked. */
    cr_assert(run_abiguard(&r, "diff", v1, v2, NULL));
    cr_assert(r.exited && r.exit_status == 12, "%s %s", tool_run_outcome(&r), r.err);
    cr_expect(!strchr(r.out, '\033'), "colour in a pipe");
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "diff", v1, v2, "--color=always", NULL));
    cr_expect(strstr(r.out, red) && strstr(r.out, "\033[0m"), "--color=always: %s", r.out);
    tool_run_free(&r);
    /* A file named with -o: never. */
    char *dir = make_temp_dir(), *report = path_join2(dir, "report.txt");
    cr_assert(run_abiguard(&r, "--color=always", "diff", v1, v2, "-o", report, NULL));
    char *text = read_whole_file(report, NULL);
    cr_assert(text, "no report written: %s", r.err);
    cr_expect(!strchr(text, '\033') && strstr(text, "verdict BREAKING"), "colour in the -o file");
    free(text);
    tool_run_free(&r);

    /* A terminal: colour; NO_COLOR or --color=never (or --no-color): none. */
    char args[PATH_MAX * 2 + 16];
    snprintf(args, sizeof args, "diff %s %s", v1, v2);
    char *tty = on_terminal("", args);
    cr_expect(strstr(tty, red), "no colour on a terminal: %s", tty);
    free(tty);
    tty = on_terminal("NO_COLOR=1", args);
    cr_expect(!strchr(tty, '\033') && strstr(tty, "verdict BREAKING"), "NO_COLOR ignored: %s", tty);
    free(tty);
    snprintf(args, sizeof args, "diff %s %s --no-color", v1, v2);
    tty = on_terminal("", args);
    cr_expect(!strchr(tty, '\033') && strstr(tty, "verdict BREAKING"), "--no-color ignored");
    free(tty);
    /* TERM=dumb: none. */
    snprintf(args, sizeof args, "diff %s %s", v1, v2);
    tty = on_terminal("TERM=dumb", args);
    cr_expect(!strchr(tty, '\033'), "colour with TERM=dumb");
    free(tty);
    expect_usage_error("bad --color", "--color takes auto, always or never, not 'blue'",
                       (const char *[]){ "--color=blue", "list", NULL });
    remove_tree(dir);
    free(dir);
    free(report);
    free(v1);
    free(v2);
}

Test(cli, no_progress_line_without_a_terminal)
{
    char *dir = make_temp_dir(), *db = path_join2(dir, "s.db");
    tool_run r;
    cr_assert(run_abiguard(&r, "import-dir", "baselines", "--db", db, NULL));
    cr_expect(r.exited && r.exit_status == 0, "%s %s", tool_run_outcome(&r), r.err);
    cr_expect(!strchr(r.err, '\r') && !strchr(r.err, '\033'), "progress on a pipe: %s", r.err);
    tool_run_free(&r);
    remove_tree(dir);
    free(dir);
    free(db);
}

/* On a terminal: the line shows (at once with ABIGUARD_PROGRESS_DELAY=0),
   and is erased before the command's own output and at the end. */
Test(cli, progress_line_on_a_terminal_then_erased)
{
    char *dir = make_temp_dir(), *db = path_join2(dir, "s.db"), *corpus = path_join2(dir, "c.json");
    char *lib = breaking_pair(0);
    char args[PATH_MAX * 3];
    static const struct { const char *fmt, *what; } runs[] = {
        { "import-dir baselines --db %s", "importing baselines: 1/" },
        { "matrix lua --db %s", "comparing releases: 1/" },
        { "history lua --db %s", "comparing releases: 1/" },
        { "extract %2$s -o %3$s", "reading DWARF units: 1" },
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        snprintf(args, sizeof args, runs[i].fmt, db, lib, corpus);
        char *tty = on_terminal("ABIGUARD_PROGRESS_DELAY=0", args);
        char want[128];
        snprintf(want, sizeof want, "\rabiguard: %s", runs[i].what);
        const char *shown = strstr(tty, want);
        cr_expect(shown, "`%s` on a terminal: no '%s' line: %s", args, runs[i].what, tty);
        const char *erased = shown ? strstr(shown, "\r\033[K") : NULL;
        cr_expect(erased, "`%s`: the progress line is not erased: %s", args, tty);
        /* Nothing after the erase is drawn over: the rest ends the output
           or starts at the line's beginning. */
        if (erased)
            cr_expect(!strstr(erased + 4, "\rabiguard: "), "`%s`: drawn again after the end: %s", args, tty);
        free(tty);
    }
    remove_tree(dir);
    free(dir);
    free(db);
    free(corpus);
    free(lib);
}

/* ------------------------------------------------------------------ */
/* serve: --create, the URL on stdout                                  */

Test(cli, serve_needs_create_for_a_new_store_and_prints_its_url)
{
    char *dir = make_temp_dir(), *db = path_join2(dir, "typo.db"), *out = path_join2(dir, "out"),
         *err = path_join2(dir, "err");
    tool_run r;
    cr_assert(run_abiguard(&r, "serve", "--db", db, "--listen", "127.0.0.1:0", NULL));
    cr_expect(r.exited && r.exit_status == 1, "%s", tool_run_outcome(&r));
    cr_expect(strstr(r.err, "typo.db: no such store (give --create"), "%s", r.err);
    cr_expect(!file_exists(db), "a missing store was created");
    tool_run_free(&r);

    pid_t forker = getpid();
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        child_dies_with_parent(forker);
        int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644), e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(o, 1);
        dup2(e, 2);
        execl(abiguard_binary(), abiguard_binary(), "serve", "--db", db, "--create", "--listen", "127.0.0.1:0",
              (char *)NULL);
        _exit(127);
    }
    unsigned port = 0;
    char *text = NULL;
    for (int i = 0; i < 400 && !port; i++) {
        struct timespec ts = { 0, 25 * 1000 * 1000 };
        nanosleep(&ts, NULL);
        free(text);
        text = read_whole_file(out, NULL);
        if (text && strchr(text, '\n'))
            cr_assert(sscanf(text, "http://127.0.0.1:%u/\n", &port) == 1, "stdout: '%s'", text);
    }
    cr_assert(port > 0, "serve printed no URL on stdout");
    /* The URL is the whole first line, and it answers. */
    char expect[64];
    snprintf(expect, sizeof expect, "http://127.0.0.1:%u/\n", port);
    cr_expect_str_eq(text, expect);
    char *body = NULL;
    cr_expect_eq(loopback_http_get(port, "/healthz", &body), 200, "%s", body);
    cr_expect(strstr(body, "\"store\": \"typo.db\"") || strstr(body, "\"store\":\"typo.db\""), "%s", body);
    free(body);
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    cr_expect(file_exists(db), "--create made no store");
    free(text);
    remove_tree(dir);
    free(dir);
    free(db);
    free(out);
    free(err);
}

/* ------------------------------------------------------------------ */
/* Messages                                                            */

Test(cli, a_json_file_that_is_not_a_corpus_says_so)
{
    char *dir = make_temp_dir(), *a = path_join2(dir, "package.json"), *b = path_join2(dir, "report.json");
    cr_assert(write_whole_file(a, "{\"name\": \"x\"}\n", 14));
    cr_assert(write_whole_file(b, "{\"format\": \"abiguard-diff/1\"}\n", 30));
    tool_run r;
    cr_assert(run_abiguard(&r, "show", a, NULL));
    cr_expect(r.exited && r.exit_status == 1 && strstr(r.err, "package.json: not an abiguard corpus: no format field"),
              "%s", r.err);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "diff", b, a, NULL));
    cr_expect(r.exited && r.exit_status == 1 &&
              strstr(r.err, "report.json: not an abiguard corpus: format is \"abiguard-diff/1\""), "%s", r.err);
    tool_run_free(&r);
    remove_tree(dir);
    free(dir);
    free(a);
    free(b);
}
