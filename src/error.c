/*
 * error.c — filling an ag_error. Kept tiny on purpose: the library's only job
 * on failure is to say what went wrong in one sentence and return.
 */
#include "error.h"

#include <stdio.h>
#include <string.h>

ag_status ag_vfail(ag_error *err, ag_status status, const char *fmt, va_list ap)
{
    if (!err)
        return status;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    /* Messages quote their input (a section name, a JSON key, jansson's
       "near '...'"), which may hold any byte: control characters become
       '?', so that every message stays one line wherever it is printed. */
    for (char *p = err->msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return status;
}

ag_status ag_fail(ag_error *err, ag_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ag_vfail(err, status, fmt, ap);
    va_end(ap);
    return status;
}

ag_status ag_fail_prefix(ag_error *err, ag_status status, const char *prefix)
{
    if (!err)
        return status;
    char inner[sizeof err->msg];
    memcpy(inner, err->msg, sizeof inner);
    inner[sizeof inner - 1] = '\0';
    return ag_fail(err, status, "%s: %s", prefix, inner);
}

const char *ag_status_name(ag_status s)
{
    switch (s) {
    case AG_OK: return "ok";
    case AG_ERR_IO: return "i/o error";
    case AG_ERR_FORMAT: return "bad format";
    case AG_ERR_DWARF: return "bad debug info";
    case AG_ERR_UNSUPPORTED: return "unsupported";
    case AG_ERR_NOMEM: return "out of memory";
    case AG_ERR_USAGE: return "usage error";
    case AG_ERR_NOTFOUND: return "not found";
    case AG_ERR_LIMIT: return "over a limit";
    case AG_ERR_NOSPACE: return "no space left";
    }
    return "unknown error";
}
