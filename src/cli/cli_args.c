/*
 * cli_args.c — option parsing helpers shared by the subcommands (see
 * cli_args.h). Printing is limited to usage errors, debuginfod warnings
 * and the download progress bar (stderr, only on a terminal).
 */
#include "cli_args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_help.h"
#include "../corpus_json.h"
#include "../debuginfod.h"
#include "../extract.h"
#include "../http_client.h"
#include "../source_path.h"
#include "../store.h"
#include "cli_artifact.h" /* artifacts as release arguments */

int cli_opt_value(const char *cmd, int argc, char **argv, int *i,
                  const char *long_opt, const char *short_opt, const char **value)
{
    const char *arg = argv[*i];
    size_t n = strlen(long_opt);
    if (strncmp(arg, long_opt, n) == 0 && arg[n] == '=') {
        *value = arg + n + 1;
        return 1;
    }
    bool separate = strcmp(arg, long_opt) == 0 || (short_opt && strcmp(arg, short_opt) == 0);
    if (!separate)
        return 0;
    if (*i + 1 >= argc) {
        cli_usage_error(cmd, "%s needs a value", arg);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

/* debuginfod: the servers named on the command line or in
   $DEBUGINFOD_URLS, and the progress bar. Process-wide (one command runs
   per process, and the commands' option structs do not own memory), freed
   at exit. */
static struct debuginfod_state {
    const char **cmdline;     /* --debuginfod values (argv strings) */
    size_t n_cmdline, cap_cmdline;
    char **env;               /* $DEBUGINFOD_URLS, split */
    size_t n_env;
    bool env_read;
    bool cleanup_registered;
} g_debuginfod;

static void debuginfod_state_free(void)
{
    free(g_debuginfod.cmdline);
    ag_debuginfod_urls_free(g_debuginfod.env, g_debuginfod.n_env);
    memset(&g_debuginfod, 0, sizeof g_debuginfod);
    ag_http_global_cleanup();
}

static void register_cleanup(void)
{
    if (!g_debuginfod.cleanup_registered)
        g_debuginfod.cleanup_registered = atexit(debuginfod_state_free) == 0;
}

static int add_debuginfod_url(const char *cmd, const char *url)
{
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return cli_usage_error(cmd, "--debuginfod needs an http:// or https:// URL, not '%s'", url), -1;
    register_cleanup();
    if (g_debuginfod.n_cmdline == g_debuginfod.cap_cmdline) {
        size_t cap = g_debuginfod.cap_cmdline ? g_debuginfod.cap_cmdline * 2 : 4;
        const char **p = realloc(g_debuginfod.cmdline, cap * sizeof *p);
        if (!p) {
            cli_error(NULL, "out of memory");
            return -1;
        }
        g_debuginfod.cmdline = p;
        g_debuginfod.cap_cmdline = cap;
    }
    g_debuginfod.cmdline[g_debuginfod.n_cmdline++] = url;
    return 1;
}

int cli_debug_option(const char *cmd, int argc, char **argv, int *i, cli_debug_opts *opts)
{
    if (strcmp(argv[*i], "--no-system-debug") == 0) {
        opts->no_system = true;
        return 1;
    }
    if (strcmp(argv[*i], "--no-debuginfod") == 0) {
        opts->no_debuginfod = true;
        return 1;
    }
    int r = cli_companion_option(cmd, argc, argv, i);
    if (r != 0)
        return r;
    const char *value;
    r = cli_opt_value(cmd, argc, argv, i, "--source-root", NULL, &value);
    if (r == 1) {
        if (!*value)
            return cli_usage_error(cmd, "--source-root needs a directory"), -1;
        opts->source_root = value;
    }
    if (r != 0)
        return r;
    r = cli_opt_value(cmd, argc, argv, i, "--debug-dir", NULL, &value);
    if (r == 1)
        opts->dirs[opts->n_dirs++] = value;
    if (r != 0)
        return r;
    r = cli_opt_value(cmd, argc, argv, i, "--debuginfod", NULL, &value);
    return r == 1 ? add_debuginfod_url(cmd, value) : r;
}

/* The progress bar: one line on stderr, redrawn at most ten times a second
   (and when complete), ended with a newline when the download ends. */
typedef struct progress_bar {
    double last_draw;
    double last_done;
    bool drawn;
} progress_bar;

static progress_bar g_progress;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "812 B", "12.5 KiB", "3.4 MiB" into buf. */
static const char *human_size(double bytes, char *buf, size_t size)
{
    if (bytes < 1024)
        snprintf(buf, size, "%.0f B", bytes);
    else if (bytes < 1024.0 * 1024.0)
        snprintf(buf, size, "%.1f KiB", bytes / 1024.0);
    else
        snprintf(buf, size, "%.1f MiB", bytes / (1024.0 * 1024.0));
    return buf;
}

static void progress_draw(void *ctx, double done, double total)
{
    progress_bar *p = ctx;
    if (done < 0) {
        if (p->drawn)
            fputc('\n', stderr);
        memset(p, 0, sizeof *p);
        return;
    }
    double now = now_seconds();
    bool complete = total > 0 && done >= total;
    if (p->drawn && (done == p->last_done || (!complete && now - p->last_draw < 0.1)))
        return;
    p->last_draw = now;
    p->last_done = done;
    p->drawn = true;
    char a[32], b[32];
    if (total > 0) {
        enum { WIDTH = 30 };
        int filled = (int)(done / total * WIDTH);
        if (filled > WIDTH)
            filled = WIDTH;
        char bar[WIDTH + 1];
        memset(bar, '#', (size_t)filled);
        memset(bar + filled, '.', (size_t)(WIDTH - filled));
        bar[WIDTH] = '\0';
        fprintf(stderr, "\rabiguard: debuginfod: [%s] %3d%% %s of %s\033[K", bar, (int)(done / total * 100),
                human_size(done, a, sizeof a), human_size(total, b, sizeof b));
    } else {
        fprintf(stderr, "\rabiguard: debuginfod: %s\033[K", human_size(done, a, sizeof a));
    }
    fflush(stderr);
}

static void debuginfod_warning(void *ctx, const char *message)
{
    (void)ctx;
    cli_warning(NULL, "%s", message);
}

/* --source-root made absolute against the working directory, textually
   (the DWARF paths it is compared with are text too). Process-wide, like
   the debuginfod state: the search refers to it. */
static char g_source_root[8192];

static const char *absolute_source_root(const char *dir)
{
    char cwd[4096] = "/";
    if (dir[0] != '/' && !getcwd(cwd, sizeof cwd))
        strcpy(cwd, "/");
    char *whole = ag_path_join(cwd, dir);
    if (!whole || strlen(whole) >= sizeof g_source_root) {
        free(whole);
        return dir;
    }
    strcpy(g_source_root, whole);
    free(whole);
    return g_source_root;
}

ag_debug_search cli_debug_search(const cli_debug_opts *opts)
{
    ag_debug_search s = { .no_system_dirs = opts->no_system };
    if (opts->source_root)
        s.source_root = absolute_source_root(opts->source_root);
    s.dirs = cli_companion_debug_dirs(opts->dirs, opts->n_dirs, &s.n_dirs);
    if (opts->no_debuginfod)
        return s;
    if (g_debuginfod.n_cmdline > 0) {
        s.debuginfod_urls = g_debuginfod.cmdline;
        s.n_debuginfod_urls = g_debuginfod.n_cmdline;
    } else {
        if (!g_debuginfod.env_read) {
            ag_error err = { .msg = "" };
            register_cleanup();
            g_debuginfod.env_read = true;
            if (ag_debuginfod_split_urls(getenv("DEBUGINFOD_URLS"), &g_debuginfod.env,
                                         &g_debuginfod.n_env, &err) != AG_OK)
                cli_warning("$DEBUGINFOD_URLS", "%s", err.msg);
        }
        s.debuginfod_urls = (const char *const *)g_debuginfod.env;
        s.n_debuginfod_urls = g_debuginfod.n_env;
    }
    if (s.n_debuginfod_urls > 0) {
        s.warning = debuginfod_warning;
        if (isatty(STDERR_FILENO)) {
            s.progress = progress_draw;
            s.progress_ctx = &g_progress;
        }
    }
    return s;
}

/* What cli_is_elf read whole from an input that cannot be read twice (a
   pipe, /dev/stdin): peeking at its magic would consume it. */
static struct {
    char *path;
    char *text;
    size_t len;
} g_stream;

ag_status cli_is_elf(const char *path, bool *is_elf, ag_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ag_fail(err, AG_ERR_IO, "cannot open: %s", strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode)) {
        free(g_stream.path);
        free(g_stream.text);
        memset(&g_stream, 0, sizeof g_stream);
        ag_status st = ag_corpus_json_read_stream(f, &g_stream.text, &g_stream.len, err);
        fclose(f);
        if (st != AG_OK)
            return st;
        if (!(g_stream.path = strdup(path)))
            return ag_fail(err, AG_ERR_NOMEM, "out of memory");
        *is_elf = g_stream.len >= 4 && memcmp(g_stream.text, "\x7f" "ELF", 4) == 0;
        if (*is_elf)
            return ag_fail(err, AG_ERR_UNSUPPORTED,
                           "an ELF file cannot be read from a pipe or device: give its path");
        return AG_OK;
    }
    unsigned char magic[4] = { 0 };
    size_t got = fread(magic, 1, sizeof magic, f);
    int read_errno = ferror(f) ? errno : 0;
    fclose(f);
    if (read_errno)
        return ag_fail(err, AG_ERR_IO, "cannot read: %s", strerror(read_errno));
    *is_elf = got == 4 && memcmp(magic, "\x7f" "ELF", 4) == 0;
    return AG_OK;
}

ag_status cli_read_corpus(const char *path, ag_corpus **out, ag_error *err)
{
    if (g_stream.path && strcmp(g_stream.path, path) == 0) {
        ag_status st = ag_corpus_from_json(g_stream.text, g_stream.len, out, err);
        free(g_stream.path);
        free(g_stream.text);
        memset(&g_stream, 0, sizeof g_stream);
        return st;
    }
    return ag_corpus_read_file(path, out, err);
}

int cli_report_option(const char *cmd, int argc, char **argv, int *i, cli_report_opts *o)
{
    if (strcmp(argv[*i], "--show-suppressed") == 0) {
        o->show_suppressed = true;
        return 1;
    }
    if (strcmp(argv[*i], "--show-private") == 0) {
        o->show_private = true;
        return 1;
    }
    const char *v = NULL;
    int r = cli_opt_value(cmd, argc, argv, i, "--format", NULL, &v);
    if (r == 1) {
        int f = ag_report_format_from_name(v);
        if (f < 0) {
            cli_usage_error(cmd, "unknown format '%s' (text, json, markdown, junit, sarif)", v);
            return -1;
        }
        o->format = (ag_report_format)f;
        return 1;
    }
    if (r == 0 && (r = cli_opt_value(cmd, argc, argv, i, "--fail-on", NULL, &v)) == 1) {
        int f = ag_verdict_from_name(v);
        if (f < AG_VERDICT_RISKY) {
            cli_usage_error(cmd, "--fail-on takes breaking, api-break or risky, not '%s'", v);
            return -1;
        }
        o->fail_on = (ag_verdict)f;
        return 1;
    }
    if (r == 0)
        r = cli_surface_option(cmd, argc, argv, i, &o->surface);
    if (r == 0)
        r = cli_opt_value(cmd, argc, argv, i, "--suppressions", NULL, &o->suppressions);
    if (r == 0)
        r = cli_opt_value(cmd, argc, argv, i, "--db", NULL, &o->db);
    if (r == 0)
        r = cli_opt_value(cmd, argc, argv, i, "--output", "-o", &o->output);
    return r;
}

bool cli_report_color(const cli_report_opts *o)
{
    return o->format == AG_FMT_TEXT && !o->output && cli_color_for(stdout);
}

/* ------------------------------------------------------------------ */
/* The public surface                                                  */

bool cli_surface_opts_init(cli_surface_opts *o, int argc)
{
    o->dirs = calloc((size_t)argc + 1, sizeof *o->dirs);
    o->files = calloc((size_t)argc + 1, sizeof *o->files);
    o->n_dirs = o->n_files = 0;
    return o->dirs && o->files;
}

void cli_surface_opts_free(cli_surface_opts *o)
{
    free(o->dirs);
    free(o->files);
    o->dirs = o->files = NULL;
}

int cli_surface_option(const char *cmd, int argc, char **argv, int *i, cli_surface_opts *o)
{
    const char *v = NULL;
    int r = cli_opt_value(cmd, argc, argv, i, "--headers-dir", NULL, &v);
    if (r == 1)
        o->dirs[o->n_dirs++] = v;
    if (r == 0 && (r = cli_opt_value(cmd, argc, argv, i, "--public-headers", NULL, &v)) == 1)
        o->files[o->n_files++] = v;
    return r;
}

ag_status cli_surface_headers(const cli_surface_opts *o, ag_header_set **out, ag_error *err)
{
    *out = NULL;
    if (!o->n_dirs && !o->n_files) {
        const char *include_dir = NULL;
        ag_status dev = cli_companion_include_dir(&include_dir, err);
        if (dev != AG_OK || !include_dir)
            return dev;
        return ag_header_set_collect(&include_dir, 1, NULL, 0, out, err);
    }
    /* Split "a.h,b.h" into names; the copies live until the set is built. */
    size_t n = 0, cap = 8;
    char **files = malloc(cap * sizeof *files);
    ag_status st = files ? AG_OK : ag_fail(err, AG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == AG_OK && i < o->n_files; i++) {
        const char *p = o->files[i];
        while (st == AG_OK && *p) {
            size_t len = strcspn(p, ",");
            if (len && n == cap) {
                char **b = realloc(files, 2 * cap * sizeof *b);
                if (!b) {
                    st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
                    break;
                }
                files = b;
                cap *= 2;
            }
            if (len && !(files[n++] = strndup(p, len)))
                st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
            p += len + (p[len] == ',');
        }
    }
    if (st == AG_OK && o->n_files && n == 0)
        st = ag_fail(err, AG_ERR_USAGE, "--public-headers names no file");
    if (st == AG_OK)
        st = ag_header_set_collect(o->dirs, o->n_dirs, (const char *const *)files, n, out, err);
    for (size_t i = 0; files && i < n; i++)
        free(files[i]);
    free(files);
    return st;
}

ag_status cli_load_release(const char *db, const char *arg, const cli_debug_opts *debug,
                           const ag_header_set *headers, ag_corpus **out, ag_error *err)
{
    *out = NULL;
    ag_status st;
    char *artifact = NULL, *member = NULL;
    if (cli_artifact_arg(arg, &artifact, &member)) {
        st = cli_load_artifact_binary(artifact, member, debug, headers, out, err);
        free(artifact);
        free(member);
        return st;
    }
    if (ag_store_looks_like_ref(arg)) {
        st = ag_store_load_ref(db, arg, out, err);
    } else {
        bool is_elf = false;
        st = cli_is_elf(arg, &is_elf, err);
        if (st != AG_OK)
            return st;
        if (is_elf) {
            ag_debug_search search = cli_debug_search(debug);
            return ag_extract_with_headers(arg, &search, headers, out, err);
        }
        st = cli_read_corpus(arg, out, err);
    }
    if (st == AG_OK && headers && (st = ag_surface_apply(*out, headers, err)) != AG_OK) {
        ag_corpus_free(*out);
        *out = NULL;
    }
    return st;
}
