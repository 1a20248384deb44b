/*
 * progress.c — the process-wide progress hook (see progress.h).
 */
#include "progress.h"

#include <stddef.h>

static ag_progress_fn g_fn;
static void *g_ctx;

void ag_progress_set(ag_progress_fn fn, void *ctx)
{
    g_fn = fn;
    g_ctx = ctx;
}

void ag_progress(const char *what, uint64_t done, uint64_t total)
{
    if (g_fn && what)
        g_fn(g_ctx, what, done, total);
}

void ag_progress_end(void)
{
    if (g_fn)
        g_fn(g_ctx, NULL, 0, 0);
}
