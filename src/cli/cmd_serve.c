/*
 * cmd_serve.c — `abiguard serve`: runs the service (src/server.h) until
 * SIGINT or SIGTERM. The signals are blocked before the worker threads
 * start, so only this thread receives them (sigwait); on one, the server
 * stops accepting, lets requests in flight finish, and the command exits 0.
 * This file owns the output: the "listening on" line and one log line per
 * request on stderr ("METHOD PATH STATUS MS").
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_args.h"
#include "../server.h"
#include "../store.h"

#define STOP_GRACE_MS 30000

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

int cmd_serve(int argc, char **argv)
{
    const char *db = NULL, *listen = "127.0.0.1:8080", *token_file = NULL, *web = NULL, *v = NULL;
    unsigned threads = 2;
    size_t max_body = AG_SERVER_DEFAULT_MAX_BODY;
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
        if ((r = cli_opt_value("serve", argc, argv, &i, "--threads", NULL, &v)) != 0) {
            if (r < 0)
                return AG_EXIT_USAGE;
            char *end = NULL;
            long t = strtol(v, &end, 10);
            if (*end || end == v || t < 1 || t > 256)
                return cli_usage_error("serve", "--threads takes 1 to 256, not '%s'", v);
            threads = (unsigned)t;
            continue;
        }
        if ((r = cli_opt_value("serve", argc, argv, &i, "--max-body", NULL, &v)) != 0) {
            if (r < 0)
                return AG_EXIT_USAGE;
            if (parse_size(v, &max_body) != 0)
                return cli_usage_error("serve", "--max-body takes a size in bytes (or with K, M, G), not '%s'", v);
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

    const char *db_path = ag_store_default_path(db);
    /* A mistyped --db must not serve an empty store that looks like an
       outage: a new store is made only when asked for. */
    struct stat db_sb;
    if (!create && stat(db_path, &db_sb) != 0 && errno == ENOENT) {
        cli_error(db_path, "no such store (give --create to start with an empty one)");
        return AG_EXIT_ERROR;
    }
    char *web_dir = web ? strdup(web) : default_web_dir();
    ag_server_config cfg = {
        .db_path = db_path, .listen = listen, .token_file = token_file, .threads = threads,
        .max_body = max_body, .web_dir = web_dir, .log = log_request,
    };
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
    fprintf(stderr, "store %s, %u threads, dashboard from %s\n", db_path, threads, web_dir ? web_dir : "-");
    fflush(stderr);

    int sig = 0;
    while (sigwait(&stop, &sig) != 0)
        ;
    fprintf(stderr, "%s: stopping (finishing requests in flight)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    ag_server_stop(srv, STOP_GRACE_MS);
    fprintf(stderr, "stopped\n");
    free(web_dir);
    return AG_EXIT_OK;
}
