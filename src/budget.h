/*
 * budget.h — how much one piece of work may cost: a deadline, a count of
 * work units, and a cancel flag another thread can raise. Long loops (the
 * diff engine, the store's history and matrix, SQLite statements through a
 * progress handler) charge it as they go and stop with AG_ERR_LIMIT and a
 * sentence naming the limit once it is spent, so the service can bound every
 * request and stop promptly on SIGTERM. A NULL budget is unlimited.
 *
 * A work unit is roughly one step of a walk: one type pair or interface
 * compared, one edge followed while attributing impacts, 256 bytes of a
 * corpus loaded; an impact recorded (with its path) is four. Diffing two
 * identical GSL releases costs about 72,000 units, glibc 47,000. A budget
 * can also cap the size of rendered output (a report). Not thread-safe: one budget per
 * request, charged from the thread that runs it (the cancel flag is the
 * only field another thread touches).
 */
#ifndef ABIGUARD_BUDGET_H
#define ABIGUARD_BUDGET_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

typedef enum ag_budget_hit {
    AG_BUDGET_OK = 0,
    AG_BUDGET_TIME,      /* the deadline passed */
    AG_BUDGET_WORK,      /* work_limit units were charged */
    AG_BUDGET_CANCELLED, /* *cancel was raised */
    AG_BUDGET_SIZE,      /* the output would be over max_output bytes */
} ag_budget_hit;

typedef struct ag_budget {
    int64_t deadline_ns;        /* CLOCK_MONOTONIC; 0: none */
    uint64_t time_limit_ms;     /* for the message only */
    uint64_t work_limit;        /* 0: none */
    uint64_t work;              /* charged so far */
    const atomic_int *cancel;   /* nonzero: stop; NULL: never */
    uint64_t max_output;        /* bytes of rendered output (a report); 0: none */
    ag_budget_hit hit;          /* why it stopped, once it has */
    uint64_t next_clock_check;  /* internal: the clock is read every few units */
} ag_budget;

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t ag_monotonic_ns(void);

/* A budget of time_limit_ms (0: no deadline) from now, work_limit units
   (0: no limit) and the cancel flag (may be NULL). */
void ag_budget_init(ag_budget *b, uint64_t time_limit_ms, uint64_t work_limit, const atomic_int *cancel);

/* Charges units; AG_OK while the budget lasts, else AG_ERR_LIMIT with a
   sentence ("the request ran over its time budget of 30000 ms") in err.
   Once spent it stays spent. b may be NULL (unlimited). */
ag_status ag_budget_charge(ag_budget *b, uint64_t units, ag_error *err);

/* Whether the budget is spent, reading the clock and the cancel flag now
   (for a SQLite progress handler). */
bool ag_budget_spent(ag_budget *b);

/* The sentence for a spent budget (as ag_budget_charge writes it). */
ag_status ag_budget_fail(const ag_budget *b, ag_error *err);

/* Output that rendering may write, as a memory stream (open_memstream's
   contract: *buf and *len are valid after fclose) that fails a write once
   more than b->max_output bytes would be written and then marks the
   budget AG_BUDGET_SIZE. Unlimited without a budget or max_output. */
FILE *ag_budget_memstream(ag_budget *b, char **buf, size_t *len);

#endif
