/*
 * debuginfod.c — fetching a separate debug file by build-id from debuginfod
 * servers into a local cache (see debuginfod.h). The cache is written the
 * safe way: download to a temporary file in the cache directory, check that
 * it is ELF with DWARF and the requested build-id, then rename it into
 * place, so a killed download or a wrong answer never lands in the cache and
 * concurrent fetches of the same build-id cannot see a half-written file.
 */
#include "debuginfod.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_file.h"
#include "http_client.h"

#define CONNECT_TIMEOUT_S 10L
#define LOW_SPEED_TIME_S 90L  /* as elfutils' DEBUGINFOD_TIMEOUT default */
#define RETRIES 2u
#define BACKOFF_MS 500L
#define MAX_BUILD_ID_HEX 128

ag_status ag_debuginfod_default_cache_dir(char **out, ag_error *err)
{
    *out = NULL;
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;
    /* XDG base directory spec: a relative $XDG_CACHE_HOME is invalid. */
    if (xdg && xdg[0] == '/')
        n = asprintf(out, "%s/abiguard/debuginfo", xdg);
    else if (home && *home)
        n = asprintf(out, "%s/.cache/abiguard/debuginfo", home);
    else
        return ag_fail(err, AG_ERR_NOTFOUND, "no cache directory: neither $XDG_CACHE_HOME nor $HOME is set");
    if (n < 0) {
        *out = NULL;
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    return AG_OK;
}

void ag_debuginfod_urls_free(char **urls, size_t n)
{
    for (size_t i = 0; urls && i < n; i++)
        free(urls[i]);
    free(urls);
}

ag_status ag_debuginfod_split_urls(const char *list, char ***urls, size_t *n, ag_error *err)
{
    *urls = NULL;
    *n = 0;
    static const char blanks[] = " \t\r\n";
    size_t count = 0;
    for (const char *p = list ? list : ""; *(p += strspn(p, blanks)); p += strcspn(p, blanks))
        count++;
    if (count == 0)
        return AG_OK;
    char **out = calloc(count, sizeof *out);
    if (!out)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    size_t i = 0;
    for (const char *p = list; *(p += strspn(p, blanks)); p += strcspn(p, blanks)) {
        out[i] = strndup(p, strcspn(p, blanks));
        if (!out[i]) {
            ag_debuginfod_urls_free(out, i);
            return ag_fail(err, AG_ERR_NOMEM, "out of memory");
        }
        i++;
    }
    *urls = out;
    *n = count;
    return AG_OK;
}

static bool valid_build_id(const char *id)
{
    size_t n = strlen(id);
    if (n < 2 || n > MAX_BUILD_ID_HEX)
        return false;
    for (const char *p = id; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

/* mkdir -p, each new level 0755. */
static ag_status make_dirs(const char *dir, ag_error *err)
{
    char *path = strdup(dir);
    if (!path)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    ag_status st = AG_OK;
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        struct stat sb;
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            st = ag_fail(err, AG_ERR_IO, "%s: cannot create the cache directory: %s", path, strerror(errno));
            break;
        }
        if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            st = ag_fail(err, AG_ERR_IO, "%s: not a directory", path);
            break;
        }
        *p = saved;
        if (saved == '\0')
            break;
    }
    free(path);
    return st;
}

/* Whether path is an ELF file with DWARF and the given build-id; if not,
   why not, in why. */
static bool file_is_debug_for(const char *path, const char *build_id, char *why, size_t why_size)
{
    ag_elf_file f;
    ag_error e = { .msg = "" };
    if (ag_elf_file_open(&f, path, &e) != AG_OK) {
        snprintf(why, why_size, "not a usable ELF file (%s)", e.msg);
        return false;
    }
    char *id = NULL;
    bool ok = false;
    if (ag_elf_file_build_id(&f, &id, &e) != AG_OK || !id)
        snprintf(why, why_size, "a file without a build-id, not the debug file of build-id %s", build_id);
    else if (strcmp(id, build_id) != 0)
        snprintf(why, why_size, "a file with build-id %s, not %s (another build's debug info)", id, build_id);
    else if (!ag_elf_file_has_contents(&f, ".debug_info"))
        snprintf(why, why_size, "a file with build-id %s but no .debug_info", id);
    else
        ok = true;
    free(id);
    ag_elf_file_close(&f);
    return ok;
}

static void warn(const ag_debuginfod_options *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(const ag_debuginfod_options *o, const char *fmt, ...)
{
    if (!o->warning)
        return;
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    o->warning(o->warning_ctx, msg);
}

/* What asking one server came to. */
typedef enum ask_result { ASK_FOUND, ASK_MISSING, ASK_FAILED } ask_result;

/* Downloads from one server into tmp_path and checks it; on ASK_FOUND the
   checked file is at tmp_path. Only a local failure (out of memory) is an
   error status; a server's failure is a warning and ASK_FAILED. */
static ag_status ask_server(const char *server, const char *build_id, const char *tmp_path,
                            const ag_debuginfod_options *o, ask_result *result, ag_error *err)
{
    *result = ASK_FAILED;
    size_t len = strlen(server);
    while (len > 0 && server[len - 1] == '/')
        len--;
    char *url = NULL;
    if (asprintf(&url, "%.*s/buildid/%s/debuginfo", (int)len, server, build_id) < 0)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    ag_http_options ho = {
        .connect_timeout_s = CONNECT_TIMEOUT_S,
        .low_speed_time_s = LOW_SPEED_TIME_S,
        .retries = RETRIES,
        .backoff_ms = BACKOFF_MS,
        .progress = o->progress,
        .progress_ctx = o->progress_ctx,
    };
    ag_http_response resp;
    ag_error herr = { .msg = "" };
    ag_status st = ag_http_get_to_file(url, tmp_path, &ho, &resp, &herr);
    if (st == AG_ERR_NOMEM) {
        ag_fail(err, st, "%s", herr.msg);
    } else if (st != AG_OK) {
        warn(o, "debuginfod: %s", herr.msg);
        st = AG_OK;
    } else if (resp.status == 404) {
        *result = ASK_MISSING;
    } else if (resp.status < 200 || resp.status > 299) {
        char msg[256];
        ag_http_error_message(&resp, msg, sizeof msg);
        warn(o, "debuginfod: GET %s: HTTP %ld %s%s%s (%u attempt%s)", url, resp.status, ag_http_reason(resp.status),
             *msg ? ": " : "", msg, resp.attempts, resp.attempts == 1 ? "" : "s");
    } else {
        char why[512];
        if (file_is_debug_for(tmp_path, build_id, why, sizeof why))
            *result = ASK_FOUND;
        else
            warn(o, "debuginfod: GET %s: rejected the answer: %s", url, why);
    }
    ag_http_response_free(&resp);
    free(url);
    return st;
}

static ag_status fetch_into(const char *dir, const char *final_path, const char *build_id,
                            const ag_debuginfod_options *o, ag_error *err)
{
    ag_status st = make_dirs(dir, err);
    if (st != AG_OK)
        return st;
    size_t missing = 0;
    for (size_t i = 0; i < o->n_urls; i++) {
        char *tmp = NULL;
        if (asprintf(&tmp, "%s/.%s.debug.XXXXXX", dir, build_id) < 0)
            return ag_fail(err, AG_ERR_NOMEM, "out of memory");
        int fd = mkstemp(tmp);
        if (fd < 0) {
            st = ag_fail(err, AG_ERR_IO, "%s: cannot create a file in the cache: %s", dir, strerror(errno));
            free(tmp);
            return st;
        }
        close(fd);
        ask_result result;
        st = ask_server(o->urls[i], build_id, tmp, o, &result, err);
        if (st == AG_OK && result == ASK_FOUND) {
            if (rename(tmp, final_path) == 0) {
                free(tmp);
                return AG_OK;
            }
            st = ag_fail(err, AG_ERR_IO, "%s: cannot move into the cache: %s", final_path, strerror(errno));
        }
        unlink(tmp);
        free(tmp);
        if (st != AG_OK)
            return st;
        missing += result == ASK_MISSING;
    }
    return ag_fail(err, AG_ERR_NOTFOUND, "build-id %s: no debug info on %zu debuginfod server%s (%zu answered not found)",
                   build_id, o->n_urls, o->n_urls == 1 ? "" : "s", missing);
}

ag_status ag_debuginfod_fetch(const char *build_id, const ag_debuginfod_options *opts,
                              char **out_path, ag_error *err)
{
    *out_path = NULL;
    static const ag_debuginfod_options none = { 0 };
    const ag_debuginfod_options *o = opts ? opts : &none;
    if (!build_id || !valid_build_id(build_id))
        return ag_fail(err, AG_ERR_USAGE, "'%s' is not a build-id (lowercase hex)", build_id ? build_id : "(none)");
    char *default_dir = NULL;
    const char *dir = o->cache_dir;
    if (!dir || !*dir) {
        ag_status st = ag_debuginfod_default_cache_dir(&default_dir, err);
        if (st != AG_OK)
            return st;
        dir = default_dir;
    }
    char *final_path = NULL;
    if (asprintf(&final_path, "%s/%s.debug", dir, build_id) < 0) {
        free(default_dir);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    ag_status st;
    char why[512];
    if (access(final_path, F_OK) == 0 && file_is_debug_for(final_path, build_id, why, sizeof why)) {
        st = AG_OK; /* cached: no server is asked */
    } else {
        if (access(final_path, F_OK) == 0) {
            warn(o, "debuginfod: %s: dropped from the cache: %s", final_path, why);
            unlink(final_path);
        }
        st = o->n_urls == 0 ? ag_fail(err, AG_ERR_NOTFOUND, "build-id %s: no debuginfod server configured", build_id)
                            : fetch_into(dir, final_path, build_id, o, err);
    }
    if (st == AG_OK)
        *out_path = final_path;
    else
        free(final_path);
    free(default_dir);
    return st;
}
