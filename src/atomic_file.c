/*
 * atomic_file.c — see atomic_file.h.
 *
 * What `-o PATH` names decides how it is written:
 *   - nothing yet, or a regular file: a temporary file next to it is
 *     written, synced and renamed over it (readers see old or new);
 *   - a symbolic link: the same, for the file the link leads to, so the
 *     link itself stays (a baseline symlinked into place keeps working);
 *   - a character device or a FIFO (/dev/null, /dev/stdout, a pipe to a
 *     reader): written straight into, never replaced — renaming over
 *     /dev/null would give the whole machine a regular file instead;
 *   - anything else (a directory, a block device, a socket): an error.
 */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINK_HOPS 40 /* as the kernel's own limit on symlink chains */

/* The directory part of path ("." for a bare name), malloc'd. */
static char *directory_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* Makes the rename itself durable; a failure here loses nothing written. */
static void sync_directory_of(const char *path)
{
    char *dir = directory_of(path);
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

/* Writes through f and closes it; sync only where syncing means something. */
static ag_status write_and_close(FILE *f, bool sync, ag_content_writer write, const void *arg, ag_error *err)
{
    ag_status st = write(f, arg, err);
    if (st == AG_OK && fflush(f) != 0)
        st = ag_fail(err, AG_ERR_IO, "cannot write: %s", strerror(errno));
    if (st == AG_OK && sync && fsync(fileno(f)) != 0)
        st = ag_fail(err, AG_ERR_IO, "cannot write: %s", strerror(errno));
    if (fclose(f) != 0 && st == AG_OK)
        st = ag_fail(err, AG_ERR_IO, "cannot write: %s", strerror(errno));
    return st;
}

static ag_status write_synced(int fd, ag_content_writer write, const void *arg, ag_error *err)
{
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return ag_fail(err, AG_ERR_IO, "cannot write: %s", strerror(errno));
    }
    return write_and_close(f, true, write, arg, err);
}

/* A character device or FIFO: opened for writing as it is (no O_CREAT, no
   O_TRUNC, which mean nothing there) and written in place. */
static ag_status write_in_place(const char *path, ag_content_writer write, const void *arg, ag_error *err)
{
    int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return ag_fail(err, AG_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
        /* Swapped for something else since it was looked at. */
        close(fd);
        return ag_fail(err, AG_ERR_IO, "%s changed while being opened", path);
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return ag_fail(err, AG_ERR_IO, "cannot write: %s", strerror(errno));
    }
    return write_and_close(f, false, write, arg, err);
}

/* Temporary file, write, rename over path; mode taken from the file being
   replaced, if any. */
static ag_status replace_atomically(const char *path, const struct stat *old, ag_content_writer write,
                                    const void *arg, ag_error *err)
{
    size_t len = strlen(path) + 32;
    char *tmp = malloc(len);
    if (!tmp)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
    ag_status st;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        st = ag_fail(err, AG_ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
    } else {
        if (old)
            fchmod(fd, old->st_mode & 07777); /* best effort: keep who may read it */
        st = write_synced(fd, write, arg, err);
    }
    if (st == AG_OK && rename(tmp, path) != 0)
        st = ag_fail(err, AG_ERR_IO, "cannot replace: %s", strerror(errno));
    if (st != AG_OK && fd >= 0)
        unlink(tmp);
    if (st == AG_OK)
        sync_directory_of(path);
    free(tmp);
    return st;
}

/* Where a symbolic link leads, relative links taken from the link's own
   directory; malloc'd. The target need not exist. */
static char *link_target(const char *link, ag_error *err)
{
    char buf[PATH_MAX];
    ssize_t n = readlink(link, buf, sizeof buf - 1);
    if (n < 0) {
        ag_fail(err, AG_ERR_IO, "cannot read the link %s: %s", link, strerror(errno));
        return NULL;
    }
    buf[n] = '\0';
    if (buf[0] == '/' || !strchr(link, '/')) {
        char *t = strdup(buf);
        if (!t)
            ag_fail(err, AG_ERR_NOMEM, "out of memory");
        return t;
    }
    char *dir = directory_of(link);
    char *t = NULL;
    if (!dir || asprintf(&t, "%s/%s", dir, buf) < 0) {
        t = NULL;
        ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    free(dir);
    return t;
}

/* The missing file a dangling link chain ends at (malloc'd), or NULL. */
static char *dangling_target(const char *path, ag_error *err)
{
    char *current = strdup(path);
    if (!current) {
        ag_fail(err, AG_ERR_NOMEM, "out of memory");
        return NULL;
    }
    for (int hops = 0; hops <= MAX_LINK_HOPS; hops++) {
        struct stat sb;
        if (lstat(current, &sb) != 0)
            return current; /* the end of the chain: create it */
        if (!S_ISLNK(sb.st_mode))
            break; /* appeared meanwhile */
        char *next = link_target(current, err);
        free(current);
        if (!next)
            return NULL;
        current = next;
    }
    free(current);
    ag_fail(err, AG_ERR_IO, "cannot write %s: %s", path, strerror(ELOOP));
    return NULL;
}

ag_status ag_write_file_atomically(const char *path, ag_content_writer write, const void *arg,
                                   ag_error *err)
{
    struct stat link_sb, sb;
    if (lstat(path, &link_sb) != 0) {
        if (errno == ENOENT)
            return replace_atomically(path, NULL, write, arg, err);
        return ag_fail(err, AG_ERR_IO, "cannot write: %s", strerror(errno));
    }
    if (!S_ISLNK(link_sb.st_mode)) {
        sb = link_sb;
    } else if (stat(path, &sb) != 0) {
        if (errno != ENOENT)
            return ag_fail(err, AG_ERR_IO, "cannot write: %s", strerror(errno));
        char *target = dangling_target(path, err);
        if (!target)
            return AG_ERR_IO;
        ag_status st = replace_atomically(target, NULL, write, arg, err);
        free(target);
        return st;
    }
    /* A device or FIFO, named directly or through links (/dev/stdout ->
       /proc/self/fd/1 -> pipe:[...]): the kernel follows the links. */
    if (S_ISCHR(sb.st_mode) || S_ISFIFO(sb.st_mode))
        return write_in_place(path, write, arg, err);
    if (!S_ISREG(sb.st_mode))
        return ag_fail(err, AG_ERR_IO, "cannot write: %s",
                       S_ISDIR(sb.st_mode) ? strerror(EISDIR) : "not a regular file, character device or FIFO");
    if (!S_ISLNK(link_sb.st_mode))
        return replace_atomically(path, &sb, write, arg, err);
    /* A link to a regular file: the file is replaced, the link stays. */
    char *target = realpath(path, NULL);
    if (!target)
        return ag_fail(err, AG_ERR_IO, "cannot resolve the link: %s", strerror(errno));
    ag_status st = replace_atomically(target, &sb, write, arg, err);
    free(target);
    return st;
}
