/*
 * cli_help.c — the help text as data: the options a command's --help
 * lists, read back from the text itself, so the "did you mean" suggestions,
 * the man pages and the shell completion (src/cli/docgen.c) all come from
 * the one text `abiguard CMD --help` prints and cannot disagree with it.
 * Also the terminal helpers the commands share: colour (--color, NO_COLOR)
 * and the progress line on stderr.
 */
#include "cli_help.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "../progress.h"
#include "../report.h"

/* ------------------------------------------------------------------ */
/* Reading the help text                                               */

/* An argument placeholder: FILE, DIR, HOST:PORT, YYYY-MM-DD, NAME@V... */
static bool is_placeholder(const char *s, size_t n)
{
    bool upper = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isupper(c))
            upper = true;
        else if (!isdigit(c) && !strchr("_:|.-@,[]", c))
            return false;
    }
    return upper;
}

/* Parses one option line ("  -o, --output FILE   write to FILE"). */
static bool parse_option_line(const char *line, size_t len, cli_help_option *o)
{
    memset(o, 0, sizeof *o);
    if (len < 4 || line[0] != ' ' || line[1] != ' ' || line[2] != '-')
        return false;
    const char *p = line + 2, *end = line + len;
    while (p < end && *p == '-') {
        const char *q = p;
        while (q < end && *q != ' ' && *q != ',' && *q != '=')
            q++;
        size_t n = (size_t)(q - p);
        if (n < 2 || n >= sizeof o->names[0])
            return false;
        if (o->n_names < CLI_HELP_MAX_NAMES) {
            memcpy(o->names[o->n_names], p, n);
            o->names[o->n_names][n] = '\0';
            o->n_names++;
        }
        p = q;
        if (p + 1 < end && p[0] == ',' && p[1] == ' ')
            p += 2;
        else
            break;
    }
    if (o->n_names == 0)
        return false;
    if (p < end && (*p == ' ' || *p == '=')) {
        const char *a = p + 1;
        const char *q = a;
        while (q < end && *q != ' ')
            q++;
        if (q > a && isupper((unsigned char)*a) && is_placeholder(a, (size_t)(q - a)) &&
            (size_t)(q - a) < sizeof o->arg) {
            memcpy(o->arg, a, (size_t)(q - a));
            o->arg[q - a] = '\0';
            p = q;
        }
    }
    while (p < end && *p == ' ')
        p++;
    o->desc = p;
    o->desc_len = (size_t)(end - p);
    return true;
}

size_t cli_help_options(const char *usage, cli_help_option *out, size_t max)
{
    size_t n = 0;
    const char *line = usage;
    while (line && *line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        cli_help_option o;
        if (parse_option_line(line, len, &o)) {
            if (out && n < max)
                out[n] = o;
            n++;
        } else if (n > 0 && n <= max && out && len > 4 && strncmp(line, "    ", 4) == 0 &&
                   out[n - 1].desc + out[n - 1].desc_len + 1 == line) {
            /* A continuation of the description above (more indented). */
            out[n - 1].desc_len += 1 + len;
        }
        line = nl ? nl + 1 : NULL;
    }
    return n;
}

const ag_command *cli_find_command(const char *name)
{
    for (const ag_command *c = ag_commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Did you mean                                                        */

/* Optimal string alignment distance (a swap of two neighbours is one edit),
   capped: anything over 8 counts as far. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    size_t d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

const char *cli_suggest(const char *word, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    size_t best_d = 99, wl = strlen(word);
    /* Close enough to be a typo: a third of the word, at least one edit. */
    size_t limit = wl / 3 > 1 ? wl / 3 : 1;
    if (limit > 3)
        limit = 3;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, candidates[i]);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    if (best && best_d <= limit)
        return best;
    /* A unique candidate that starts with the word (--surp -> --suppressions). */
    const char *prefix = NULL;
    for (size_t i = 0; wl >= 3 && i < n; i++) {
        if (strncmp(candidates[i], word, wl) == 0) {
            if (prefix)
                return NULL;
            prefix = candidates[i];
        }
    }
    return prefix;
}

/* The global options every command takes (main.c strips them). */
static const char *const global_options[] = { "--help", "--color", "--no-color" };

int cli_unknown_option(const char *cmd, const char *arg)
{
    const ag_command *c = cli_find_command(cmd);
    cli_help_option opts[CLI_HELP_MAX_OPTIONS];
    size_t n = c ? cli_help_options(c->usage, opts, CLI_HELP_MAX_OPTIONS) : 0;
    if (n > CLI_HELP_MAX_OPTIONS)
        n = CLI_HELP_MAX_OPTIONS;
    const char *names[CLI_HELP_MAX_OPTIONS * CLI_HELP_MAX_NAMES + 3];
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < opts[i].n_names; j++)
            names[k++] = opts[i].names[j];
    for (size_t i = 0; i < sizeof global_options / sizeof global_options[0]; i++)
        names[k++] = global_options[i];
    /* "--format=json": suggest for the name part. */
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)strcspn(arg, "="), arg);
    const char *s = cli_suggest(name, names, k);
    if (s)
        return cli_usage_error(cmd, "unknown option '%s' (did you mean %s?)", arg, s);
    return cli_usage_error(cmd, "unknown option '%s'", arg);
}

int cli_unknown_command(const char *name)
{
    const char *names[64];
    size_t k = 0;
    for (const ag_command *c = ag_commands; c->name && k < 64; c++)
        names[k++] = c->name;
    const char *s = cli_suggest(name, names, k);
    if (s)
        cli_error(NULL, "unknown command '%s' (did you mean '%s'?)", name, s);
    else
        cli_error(NULL, "unknown command '%s'", name);
    fprintf(stderr, "try 'abiguard --help'\n");
    return AG_EXIT_USAGE;
}

/* ------------------------------------------------------------------ */
/* Colour                                                              */

static cli_color_mode g_color = CLI_COLOR_AUTO;

void cli_set_color_mode(cli_color_mode m)
{
    g_color = m;
}

int cli_parse_color_mode(const char *v)
{
    if (strcmp(v, "auto") == 0)
        return CLI_COLOR_AUTO;
    if (strcmp(v, "always") == 0)
        return CLI_COLOR_ALWAYS;
    if (strcmp(v, "never") == 0)
        return CLI_COLOR_NEVER;
    return -1;
}

bool cli_color_for(FILE *stream)
{
    if (g_color != CLI_COLOR_AUTO)
        return g_color == CLI_COLOR_ALWAYS;
    /* https://no-color.org: set and not empty turns colour off. */
    const char *no_color = getenv("NO_COLOR");
    if (no_color && *no_color)
        return false;
    const char *term = getenv("TERM");
    if (!term || strcmp(term, "dumb") == 0)
        return false;
    return isatty(fileno(stream));
}

void cli_print_verdict(const char *word, int verdict, int width)
{
    static int color = -1;
    if (color < 0)
        color = cli_color_for(stdout);
    int pad = width - (int)strlen(word);
    if (color)
        printf("%s%s%s", ag_verdict_sgr((ag_verdict)verdict), word, AG_SGR_RESET);
    else
        fputs(word, stdout);
    if (pad > 0)
        printf("%*s", pad, "");
}

/* ------------------------------------------------------------------ */
/* Progress                                                            */

/* One line on stderr, only on a terminal, only once the work has taken
   a second (short runs stay silent; ABIGUARD_PROGRESS_DELAY), redrawn at most five
   times a second, erased when the work ends. */
static double g_progress_delay = 1.0;

static struct {
    double started, last_draw;
    bool drawn;
    char what[64];
} g_progress;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress_hook(void *ctx, const char *what, uint64_t done, uint64_t total)
{
    (void)ctx;
    double now = now_seconds();
    if (!what) {                        /* the work ended */
        if (g_progress.drawn) {
            fputs("\r\033[K", stderr);
            fflush(stderr);
        }
        memset(&g_progress, 0, sizeof g_progress);
        return;
    }
    if (strncmp(g_progress.what, what, sizeof g_progress.what - 1) != 0) {
        snprintf(g_progress.what, sizeof g_progress.what, "%s", what);
        if (g_progress.started == 0)
            g_progress.started = now;
    }
    if (now - g_progress.started < g_progress_delay || (g_progress.drawn && now - g_progress.last_draw < 0.2))
        return;
    g_progress.last_draw = now;
    g_progress.drawn = true;
    if (total)
        fprintf(stderr, "\rabiguard: %s: %llu/%llu (%d%%)\033[K", what, (unsigned long long)done,
                (unsigned long long)total, (int)(done * 100 / total));
    else
        fprintf(stderr, "\rabiguard: %s: %llu\033[K", what, (unsigned long long)done);
    fflush(stderr);
}

void cli_progress_start(void)
{
    /* ABIGUARD_PROGRESS_DELAY=SECONDS changes the wait before the line
       shows (0: at once, as the tests need). */
    const char *delay = getenv("ABIGUARD_PROGRESS_DELAY");
    if (delay && *delay) {
        char *end;
        double d = strtod(delay, &end);
        if (*end == '\0' && d >= 0 && d < 1e6)
            g_progress_delay = d;
    }
    if (isatty(STDERR_FILENO))
        ag_progress_set(progress_hook, NULL);
}

void cli_progress_end(void)
{
    ag_progress_end();
}
