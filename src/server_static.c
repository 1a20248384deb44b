/*
 * server_static.c — the dashboard's files. At start-up the web directory is
 * walked once and every regular file with a served extension is indexed by
 * its URL path; a request is answered only by an exact match in that index,
 * so no request text is ever joined into a file system path ("/../x",
 * "/%2e%2e/x" and "/web/../../x" simply are not in it). The directory stays
 * open, and an indexed file is opened from it one path component at a time
 * with O_NOFOLLOW: a directory (or file) replaced by a symbolic link after
 * start-up is not followed out of web/.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server_internal.h"

#define MAX_DEPTH 8
#define MAX_FILES 10000

static const struct { const char *ext, *ctype; } TYPES[] = {
    { ".html", "text/html; charset=utf-8" },
    { ".css", "text/css; charset=utf-8" },
    { ".js", "text/javascript; charset=utf-8" },
    { ".svg", "image/svg+xml" },
    { ".png", "image/png" },
    { ".json", "application/json" },
    { ".ico", "image/x-icon" },
};

const char *srv_content_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return NULL;
    for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++)
        if (strcmp(dot, TYPES[i].ext) == 0)
            return TYPES[i].ctype;
    return NULL;
}

typedef struct scan {
    srv_static *st;
    size_t cap;
} scan;

static ag_status add_file(scan *sc, const char *url, const char *fs_path, const char *ctype,
                          ag_error *err)
{
    srv_static *st = sc->st;
    if (st->n == MAX_FILES)
        return AG_OK;
    if (st->n == sc->cap) {
        size_t cap = sc->cap ? sc->cap * 2 : 32;
        srv_static_file *v = realloc(st->files, cap * sizeof *v);
        if (!v)
            return ag_fail(err, AG_ERR_NOMEM, "out of memory");
        st->files = v;
        sc->cap = cap;
    }
    srv_static_file *f = &st->files[st->n];
    f->url = strdup(url);
    f->fs_path = strdup(fs_path);
    f->ctype = ctype;
    if (!f->url || !f->fs_path) {
        free(f->url);
        free(f->fs_path);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    st->n++;
    return AG_OK;
}

static ag_status walk(scan *sc, const char *dir, const char *url_prefix, int depth, ag_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return AG_OK; /* unreadable: nothing served from it */
    ag_status st = AG_OK;
    struct dirent *e;
    while (st == AG_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *fs = NULL, *url = NULL;
        if (asprintf(&fs, "%s/%s", dir, e->d_name) < 0 || asprintf(&url, "%s/%s", url_prefix, e->d_name) < 0) {
            free(fs);
            closedir(d);
            return ag_fail(err, AG_ERR_NOMEM, "out of memory");
        }
        struct stat sb;
        if (lstat(fs, &sb) == 0) {
            if (S_ISDIR(sb.st_mode) && depth < MAX_DEPTH) {
                st = walk(sc, fs, url, depth + 1, err);
            } else if (S_ISREG(sb.st_mode)) {
                const char *ctype = srv_content_type(e->d_name);
                if (ctype)
                    st = add_file(sc, url, fs, ctype, err);
            }
        }
        free(fs);
        free(url);
    }
    closedir(d);
    return st;
}

static int by_url(const void *a, const void *b)
{
    return strcmp(((const srv_static_file *)a)->url, ((const srv_static_file *)b)->url);
}

ag_status srv_static_scan(const char *dir, srv_static *out, ag_error *err)
{
    memset(out, 0, sizeof *out);
    out->dir_fd = -1;
    if (!dir)
        return AG_OK;
    out->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (out->dir_fd < 0)
        return AG_OK; /* missing or unreadable: nothing served */
    scan sc = { out, 0 };
    ag_status st = walk(&sc, dir, "", 0, err);
    if (st != AG_OK) {
        srv_static_free(out);
        return st;
    }
    if (out->n)
        qsort(out->files, out->n, sizeof *out->files, by_url);
    return AG_OK;
}

void srv_static_free(srv_static *st)
{
    for (size_t i = 0; i < st->n; i++) {
        free(st->files[i].url);
        free(st->files[i].fs_path);
    }
    free(st->files);
    if (st->dir_fd >= 0)
        close(st->dir_fd);
    memset(st, 0, sizeof *st);
    st->dir_fd = -1;
}

int srv_static_open(const srv_static *st, const srv_static_file *f)
{
    if (st->dir_fd < 0 || f->url[0] != '/')
        return -1;
    char *rel = strdup(f->url + 1), *save = NULL;
    if (!rel)
        return -1;
    int dir = st->dir_fd, fd = -1;
    char *part = strtok_r(rel, "/", &save);
    while (part) {
        char *next = strtok_r(NULL, "/", &save);
        /* O_NONBLOCK: a FIFO swapped in does not block the open. */
        int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (next ? O_DIRECTORY : O_NONBLOCK);
        int opened = strcmp(part, "..") == 0 || strcmp(part, ".") == 0 ? -1 : openat(dir, part, flags);
        if (dir != st->dir_fd)
            close(dir);
        if (opened < 0) {
            dir = st->dir_fd;
            break;
        }
        if (next) {
            dir = opened;
        } else {
            fd = opened;
            dir = st->dir_fd;
        }
        part = next;
    }
    if (dir != st->dir_fd)
        close(dir);
    free(rel);
    struct stat sb;
    if (fd >= 0 && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))) {
        close(fd);
        fd = -1;
    }
    if (fd >= 0) /* back to blocking reads for sending */
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

const srv_static_file *srv_static_find(const srv_static *st, const char *url)
{
    if (strcmp(url, "/") == 0)
        url = "/index.html";
    if (st->n == 0)
        return NULL;
    srv_static_file key = { .url = (char *)url };
    return bsearch(&key, st->files, st->n, sizeof *st->files, by_url);
}
