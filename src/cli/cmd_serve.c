/*
 * cmd_serve.c — `abiguard serve`: runs the service (src/server.h) until
 * SIGINT or SIGTERM. The signals are blocked before the worker threads
 * start, so only this thread receives them (sigwait); on one, the server
 * stops accepting, lets requests in flight finish for up to --grace, cancels
 * what still runs, and the command exits 0. The limits of every request and
 * connection are options (LIMIT_OPTS); the file-descriptor limit is raised
 * to its hard limit first, since each connection takes one.
 * This file owns the output: the "listening on" line and one log line per
 * request on stderr ("METHOD PATH STATUS MS").
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_args.h"
#include "../server.h"
#include "../store.h"

#define STOP_GRACE_MS 10000

/* Printable ASCII only: request paths are client text. */
static void log_request(void *user, const char *method, const char *path, int status, double ms)
{
    (void)user;
    char clean[512];
    size_t j = 0;
    for (const char *p = path; *p && j + 5 < sizeof clean; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch <= 0x20 || ch >= 0x7f || ch == '%')
            j += (size_t)snprintf(clean + j, sizeof clean - j, "%%%02X", ch);
        else
            clean[j++] = (char)ch;
    }
    clean[j] = '\0';
    fprintf(stderr, "%s %s %d %.1f\n", method, clean, status, ms);
}

/* The dashboard, found from the binary's own location: installed
   (PREFIX/bin/abiguard -> PREFIX/share/abiguard/web), else in the source
   tree it was built in (build/abiguard -> web/). NULL when neither is. */
static char *default_web_dir(void)
{
    static const char *const relative[] = { "../share/abiguard/web", "../web" };
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    for (size_t i = 0; i < sizeof relative / sizeof relative[0]; i++) {
        char *dir = NULL;
        struct stat sb;
        if (asprintf(&dir, "%s/%s", exe, relative[i]) < 0)
            return NULL;
        char *real = realpath(dir, NULL);
        free(dir);
        if (real && stat(real, &sb) == 0 && S_ISDIR(sb.st_mode))
            return real;
        free(real);
    }
    return NULL;
}

static int parse_size(const char *v, size_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno || end == v || v[0] == '-')
        return -1;
    unsigned long long mult = 1;
    if (*end == 'k' || *end == 'K')
        mult = 1024ULL, end++;
    else if (*end == 'm' || *end == 'M')
        mult = 1024ULL * 1024, end++;
    else if (*end == 'g' || *end == 'G')
        mult = 1024ULL * 1024 * 1024, end++;
    if (*end || n == 0 || n > SIZE_MAX / mult)
        return -1;
    *out = (size_t)(n * mult);
    return 0;
}

/* "30" or "30s", "500ms", "2m": milliseconds, at least 1. */
static int parse_duration_ms(const char *v, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno || end == v || v[0] == '-')
        return -1;
    unsigned long long mult = 1000;
    if (strcmp(end, "ms") == 0)
        mult = 1;
    else if (strcmp(end, "m") == 0)
        mult = 60000;
    else if (*end && strcmp(end, "s") != 0)
        return -1;
    if (n == 0 || n > UINT32_MAX / mult)
        return -1;
    *out = n * mult;
    return 0;
}

static int parse_count(const char *v, uint64_t max, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno || end == v || *end || v[0] == '-' || n == 0 || n > max)
        return -1;
    *out = n;
    return 0;
}

/* The limit options: each sets one field of the configuration. */
typedef enum opt_kind { OPT_SIZE, OPT_COUNT, OPT_MS, OPT_SECONDS } opt_kind;
typedef struct limit_opt {
    const char *name;
    opt_kind kind;
    uint64_t max;
    size_t offset;          /* in ag_server_config, or SIZE_MAX for --grace */
    size_t width;           /* sizeof the field */
} limit_opt;

#define FIELD(f) offsetof(ag_server_config, f), sizeof(((ag_server_config *)0)->f)
static const limit_opt LIMIT_OPTS[] = {
    { "--threads", OPT_COUNT, 256, FIELD(threads) },
    { "--max-body", OPT_SIZE, 0, FIELD(max_body) },
    { "--max-imports", OPT_COUNT, UINT32_MAX, FIELD(max_imports) },
    { "--max-types", OPT_COUNT, UINT32_MAX, FIELD(max_types) },
    { "--max-members", OPT_COUNT, UINT32_MAX, FIELD(max_members) },
    { "--max-work", OPT_COUNT, UINT64_MAX / 2, FIELD(max_work) },
    { "--max-response", OPT_SIZE, 0, FIELD(max_response) },
    { "--request-timeout", OPT_MS, 0, FIELD(request_timeout_ms) },
    { "--max-connections", OPT_COUNT, 1000000, FIELD(max_connections) },
    { "--max-per-client", OPT_COUNT, 1000000, FIELD(max_per_client) },
    { "--idle-timeout", OPT_SECONDS, 0, FIELD(idle_timeout_s) },
    { "--max-queue", OPT_COUNT, 1000000, FIELD(max_queue) },
};
#undef FIELD

static void set_field(ag_server_config *cfg, const limit_opt *o, uint64_t v)
{
    char *p = (char *)cfg + o->offset;
    if (o->width == sizeof(unsigned)) {
        unsigned u = (unsigned)v;
        memcpy(p, &u, sizeof u);
    } else if (o->width == sizeof(size_t)) {
        size_t z = (size_t)v;
        memcpy(p, &z, sizeof z);
    } else {
        memcpy(p, &v, sizeof v);
    }
}

/* 1 when argv[*i] was a limit option (set in cfg), 0 when not, -1 on a usage error. */
static int limit_option(int argc, char **argv, int *i, ag_server_config *cfg)
{
    for (size_t k = 0; k < sizeof LIMIT_OPTS / sizeof LIMIT_OPTS[0]; k++) {
        const limit_opt *o = &LIMIT_OPTS[k];
        const char *v = NULL;
        int r = cli_opt_value("serve", argc, argv, i, o->name, NULL, &v);
        if (r <= 0) {
            if (r < 0)
                return -1;
            continue;
        }
        uint64_t n = 0;
        size_t z = 0;
        switch (o->kind) {
        case OPT_SIZE:
            if (parse_size(v, &z) != 0) {
                cli_usage_error("serve", "%s takes a size in bytes (or with K, M, G), not '%s'", o->name, v);
                return -1;
            }
            n = z;
            break;
        case OPT_COUNT:
            if (parse_count(v, o->max, &n) != 0) {
                cli_usage_error("serve", "%s takes a number from 1 to %llu, not '%s'", o->name,
                                (unsigned long long)o->max, v);
                return -1;
            }
            break;
        case OPT_MS:
        case OPT_SECONDS:
            if (parse_duration_ms(v, &n) != 0 || (o->kind == OPT_SECONDS && n < 1000)) {
                cli_usage_error("serve", "%s takes a duration (30, 30s, 500ms, 2m), not '%s'", o->name, v);
                return -1;
            }
            if (o->kind == OPT_SECONDS)
                n /= 1000;
            break;
        }
        set_field(cfg, o, n);
        return 1;
    }
    return 0;
}

/* As many descriptors as the hard limit allows: each connection is one. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int cmd_serve(int argc, char **argv)
{
    const char *db = NULL, *listen = "127.0.0.1:8080", *token_file = NULL, *web = NULL, *v = NULL;
    ag_server_config cfg = { .threads = 2 };
    uint64_t grace_ms = STOP_GRACE_MS;
    bool create = false;
    for (int i = 1; i < argc; i++) {
        int r;
        if (strcmp(argv[i], "--create") == 0) {
            create = true;
            continue;
        }
        if ((r = cli_opt_value("serve", argc, argv, &i, "--db", NULL, &db)) != 0 ||
            (r = cli_opt_value("serve", argc, argv, &i, "--listen", NULL, &listen)) != 0 ||
            (r = cli_opt_value("serve", argc, argv, &i, "--token-file", NULL, &token_file)) != 0 ||
            (r = cli_opt_value("serve", argc, argv, &i, "--web", NULL, &web)) != 0) {
            if (r < 0)
                return AG_EXIT_USAGE;
            continue;
        }
        if ((r = cli_opt_value("serve", argc, argv, &i, "--grace", NULL, &v)) != 0) {
            if (r < 0)
                return AG_EXIT_USAGE;
            if (parse_duration_ms(v, &grace_ms) != 0)
                return cli_usage_error("serve", "--grace takes a duration (10, 10s, 500ms), not '%s'", v);
            continue;
        }
        if ((r = limit_option(argc, argv, &i, &cfg)) != 0) {
            if (r < 0)
                return AG_EXIT_USAGE;
            continue;
        }
        return argv[i][0] == '-' ? cli_unknown_option("serve", argv[i])
                                 : cli_usage_error("serve", "unexpected argument '%s'", argv[i]);
    }

    /* Before any thread exists: the workers inherit this mask. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    raise_fd_limit();
    const char *db_path = ag_store_default_path(db);
    /* A mistyped --db must not serve an empty store that looks like an
       outage: a new store is made only when asked for. */
    struct stat db_sb;
    if (!create && stat(db_path, &db_sb) != 0 && errno == ENOENT) {
        cli_error(db_path, "no such store (give --create to start with an empty one)");
        return AG_EXIT_ERROR;
    }
    char *web_dir = web ? strdup(web) : default_web_dir();
    cfg.db_path = db_path;
    cfg.listen = listen;
    cfg.token_file = token_file;
    cfg.web_dir = web_dir;
    cfg.log = log_request;
    ag_error err = { .msg = "" };
    ag_server *srv = NULL;
    ag_status st = ag_server_start(&cfg, &srv, &err);
    if (st != AG_OK) {
        cli_error(NULL, "%s", err.msg);
        free(web_dir);
        return st == AG_ERR_USAGE ? AG_EXIT_USAGE : AG_EXIT_ERROR;
    }
    char host[256];
    snprintf(host, sizeof host, "%s", listen);
    char *colon = strrchr(host, ':');
    if (colon)
        *colon = '\0';
    fprintf(stderr, "listening on http://%s:%u\n", host, ag_server_port(srv));
    if (ag_server_readonly(srv))
        cli_warning(db_path, "the store cannot be written: served read-only (writes answer 503)");
    /* The URL alone on stdout, for scripts (the port chosen for :0). */
    printf("http://%s:%u/\n", host, ag_server_port(srv));
    fflush(stdout);
    if (!token_file)
        cli_warning(NULL, "no --token-file: every write is refused");
    else if (ag_server_token_count(srv) == 0)
        cli_warning(token_file, "no token in the file: every write is refused");
    if (ag_server_static_count(srv) == 0 && web_dir)
        cli_warning(web_dir, "no dashboard files found; serving the API only");
    else if (!web_dir)
        cli_warning(NULL, "no dashboard next to the binary (give --web DIR); serving the API only");
    const ag_server_config *in_effect = ag_server_config_of(srv);
    fprintf(stderr, "store %s, %u threads, dashboard from %s\n", db_path, in_effect->threads,
            web_dir ? web_dir : "-");
    fprintf(stderr,
            "limits: body %zu B, imports %zu, types %zu, members %zu, work %llu, response %zu B,"
            " time %u ms, connections %u (%u per client), idle %u s, queue %u\n",
            in_effect->max_body, in_effect->max_imports, in_effect->max_types, in_effect->max_members,
            (unsigned long long)in_effect->max_work, in_effect->max_response, in_effect->request_timeout_ms,
            in_effect->max_connections, in_effect->max_per_client, in_effect->idle_timeout_s,
            in_effect->max_queue);
    fflush(stderr);

    int sig = 0;
    while (sigwait(&stop, &sig) != 0)
        ;
    fprintf(stderr, "%s: stopping (finishing requests in flight, at most %llu ms)\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM", (unsigned long long)grace_ms);
    ag_server_stop(srv, (unsigned)grace_ms);
    fprintf(stderr, "stopped\n");
    free(web_dir);
    return AG_EXIT_OK;
}
