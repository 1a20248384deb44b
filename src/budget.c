/*
 * budget.c — deadlines, work counts and cancellation for long work (see
 * budget.h).
 */
#include "budget.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How many units may pass between two reads of the clock. */
#define CLOCK_EVERY 256

int64_t ag_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void ag_budget_init(ag_budget *b, uint64_t time_limit_ms, uint64_t work_limit, const atomic_int *cancel)
{
    *b = (ag_budget){ .time_limit_ms = time_limit_ms, .work_limit = work_limit, .cancel = cancel };
    if (time_limit_ms)
        b->deadline_ns = ag_monotonic_ns() + (int64_t)time_limit_ms * 1000000LL;
}

ag_status ag_budget_fail(const ag_budget *b, ag_error *err)
{
    switch (b->hit) {
    case AG_BUDGET_TIME:
        return ag_fail(err, AG_ERR_LIMIT, "the request ran over its time budget of %" PRIu64 " ms",
                       b->time_limit_ms);
    case AG_BUDGET_WORK:
        return ag_fail(err, AG_ERR_LIMIT, "the request needs more than the work limit of %" PRIu64 " units",
                       b->work_limit);
    case AG_BUDGET_CANCELLED:
        return ag_fail(err, AG_ERR_LIMIT, "the service is stopping");
    case AG_BUDGET_SIZE:
        return ag_fail(err, AG_ERR_LIMIT, "the response would be over the limit of %" PRIu64 " bytes",
                       b->max_output);
    default:
        return AG_OK;
    }
}

static bool check_now(ag_budget *b)
{
    if (b->cancel && atomic_load_explicit(b->cancel, memory_order_relaxed))
        b->hit = AG_BUDGET_CANCELLED;
    else if (b->deadline_ns && ag_monotonic_ns() >= b->deadline_ns)
        b->hit = AG_BUDGET_TIME;
    return b->hit != AG_BUDGET_OK;
}

bool ag_budget_spent(ag_budget *b)
{
    if (!b)
        return false;
    return b->hit != AG_BUDGET_OK || check_now(b);
}

ag_status ag_budget_charge(ag_budget *b, uint64_t units, ag_error *err)
{
    if (!b)
        return AG_OK;
    if (b->hit != AG_BUDGET_OK)
        return ag_budget_fail(b, err);
    b->work += units;
    if (b->work_limit && b->work > b->work_limit)
        b->hit = AG_BUDGET_WORK;
    else if (b->work >= b->next_clock_check) {
        b->next_clock_check = b->work + CLOCK_EVERY;
        check_now(b);
    }
    return b->hit != AG_BUDGET_OK ? ag_budget_fail(b, err) : AG_OK;
}

/* A memory stream with a ceiling: fopencookie over a growing buffer. */
typedef struct capped {
    ag_budget *b;
    char **buf;
    size_t *len, cap;
} capped;

static ssize_t capped_write(void *cookie, const char *data, size_t n)
{
    capped *c = cookie;
    if (c->b->max_output && *c->len + n > c->b->max_output) {
        c->b->hit = AG_BUDGET_SIZE;
        return -1;
    }
    if (*c->len + n + 1 > c->cap) {
        size_t cap = c->cap ? c->cap : 4096;
        while (cap < *c->len + n + 1)
            cap *= 2;
        char *p = realloc(*c->buf, cap);
        if (!p)
            return -1;
        *c->buf = p;
        c->cap = cap;
    }
    memcpy(*c->buf + *c->len, data, n);
    *c->len += n;
    (*c->buf)[*c->len] = '\0';
    return (ssize_t)n;
}

static int capped_close(void *cookie)
{
    capped *c = cookie;
    if (!*c->buf)
        *c->buf = calloc(1, 1);
    int rc = *c->buf ? 0 : -1;
    free(c);
    return rc;
}

FILE *ag_budget_memstream(ag_budget *b, char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    if (!b || !b->max_output)
        return open_memstream(buf, len);
    capped *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    *c = (capped){ .b = b, .buf = buf, .len = len };
    FILE *f = fopencookie(c, "w", (cookie_io_functions_t){ .write = capped_write, .close = capped_close });
    if (!f)
        free(c);
    return f;
}
