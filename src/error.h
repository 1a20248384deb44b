/*
 * error.h — how the library reports failure. Every public function returns an
 * ag_status (or NULL) and fills an ag_error with one human sentence; the
 * library itself never prints and never exits. The CLI turns the message into
 * "abiguard: error: FILE: what is wrong" (see cli/cli.h).
 */
#ifndef ABIGUARD_ERROR_H
#define ABIGUARD_ERROR_H

#include <stdarg.h>

typedef enum ag_status {
    AG_OK = 0,
    AG_ERR_IO,        /* file missing, unreadable, unwritable */
    AG_ERR_FORMAT,    /* not ELF, truncated, malformed JSON, wrong corpus format */
    AG_ERR_DWARF,     /* debug info present but unreadable */
    AG_ERR_UNSUPPORTED,/* a valid input this version cannot handle */
    AG_ERR_NOMEM,
    AG_ERR_USAGE,
    AG_ERR_NOTFOUND,
    AG_ERR_LIMIT,     /* over a limit of work, time or size (budget.h), or cancelled */
    AG_ERR_NOSPACE,   /* the disk (or quota) is full: nothing was written */
} ag_status;

typedef struct ag_error {
    char msg[1024];
} ag_error;

/* Sets err->msg (when err is not NULL) and returns status, so callers can
   write `return ag_fail(err, AG_ERR_IO, "cannot open: %s", strerror(errno));` */
ag_status ag_fail(ag_error *err, ag_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
ag_status ag_vfail(ag_error *err, ag_status status, const char *fmt, va_list ap);

/* Puts "prefix: " before err's message (copied first, so the message may
   name what failed inside something larger: "usr/lib/libz.so.1: ...").
   Returns status. */
ag_status ag_fail_prefix(ag_error *err, ag_status status, const char *prefix);

const char *ag_status_name(ag_status s);

#endif
