/*
 * atomic_file.c — see atomic_file.h.
 */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Makes the rename itself durable; a failure here loses nothing written. */
static void sync_directory_of(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
}

static ag_status write_synced(int fd, ag_content_writer write, const void *arg, ag_error *err)
{
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return ag_fail(err, AG_ERR_IO, "cannot write: %s", strerror(errno));
    }
    ag_status st = write(f, arg, err);
    if (st == AG_OK && (fflush(f) != 0 || fsync(fileno(f)) != 0))
        st = ag_fail(err, AG_ERR_IO, "cannot write: %s", strerror(errno));
    if (fclose(f) != 0 && st == AG_OK)
        st = ag_fail(err, AG_ERR_IO, "cannot write: %s", strerror(errno));
    return st;
}

ag_status ag_write_file_atomically(const char *path, ag_content_writer write, const void *arg,
                                   ag_error *err)
{
    size_t len = strlen(path) + 32;
    char *tmp = malloc(len);
    if (!tmp)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
    ag_status st;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0)
        st = ag_fail(err, AG_ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
    else
        st = write_synced(fd, write, arg, err);
    if (st == AG_OK && rename(tmp, path) != 0)
        st = ag_fail(err, AG_ERR_IO, "cannot replace: %s", strerror(errno));
    if (st != AG_OK && fd >= 0)
        unlink(tmp);
    if (st == AG_OK)
        sync_directory_of(path);
    free(tmp);
    return st;
}
