/*
 * atomic_file.h — replacing a file so that readers see the old content or
 * the new, never half of it: FILE.tmp.<pid> is written in FILE's directory,
 * flushed to disk, renamed over FILE, and the directory synced. On any
 * failure the temporary file is removed and FILE is left as it was. Used
 * for corpora, exported baselines and reports that CI reads.
 *
 * Only regular files (or a missing FILE) are replaced that way. A symbolic
 * link is followed and the file it leads to is replaced, the link kept; a
 * character device or FIFO (`-o /dev/null`, `-o /dev/stdout`) is written
 * straight into; anything else is refused.
 */
#ifndef ABIGUARD_ATOMIC_FILE_H
#define ABIGUARD_ATOMIC_FILE_H

#include <stdio.h>

#include "error.h"

/* Writes the content to f; returns AG_OK or an error (err filled). */
typedef ag_status (*ag_content_writer)(FILE *f, const void *arg, ag_error *err);

ag_status ag_write_file_atomically(const char *path, ag_content_writer write, const void *arg,
                                   ag_error *err);

#endif
