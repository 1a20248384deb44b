/*
 * progress.h — how long work reports how far it has come, without printing:
 * the library calls ag_progress() at its steps (DWARF units read, types
 * stored, matrix cells computed, files imported); the one hook the program
 * set (the CLI's, on a terminal) decides what to show. No hook: no cost
 * beyond a load and a branch. The hook is process-wide: set it from the
 * main thread before the work starts (the server never sets one).
 */
#ifndef ABIGUARD_PROGRESS_H
#define ABIGUARD_PROGRESS_H

#include <stdint.h>

/* what: a short phase name ("reading DWARF", "storing types"); NULL when
   the work ended. total 0: unknown. */
typedef void (*ag_progress_fn)(void *ctx, const char *what, uint64_t done, uint64_t total);

void ag_progress_set(ag_progress_fn fn, void *ctx);
void ag_progress(const char *what, uint64_t done, uint64_t total);
/* The work ended: the hook erases what it showed. */
void ag_progress_end(void);

#endif
