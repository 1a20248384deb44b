/*
 * test_budget.c — budgets (budget.h): work limits, deadlines, the cancel
 * flag, the capped output stream, and the diff engine stopping on a spent
 * budget with AG_ERR_LIMIT instead of finishing.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "budget.h"
#include "corpus.h"
#include "diff.h"

Test(budget, null_is_unlimited)
{
    ag_error err;
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(ag_budget_charge(NULL, 1000000, &err), AG_OK);
    cr_assert(!ag_budget_spent(NULL));
}

Test(budget, work_limit_names_itself_and_stays_spent)
{
    ag_budget b;
    ag_budget_init(&b, 0, 100, NULL);
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_budget_charge(&b, 60, &err), AG_OK);
    cr_assert_eq(ag_budget_charge(&b, 40, &err), AG_OK);
    cr_assert_eq(ag_budget_charge(&b, 1, &err), AG_ERR_LIMIT);
    cr_assert(strstr(err.msg, "work limit of 100"), "%s", err.msg);
    cr_assert_eq(b.hit, AG_BUDGET_WORK);
    cr_assert_eq(ag_budget_charge(&b, 0, &err), AG_ERR_LIMIT);
    cr_assert(ag_budget_spent(&b));
}

Test(budget, deadline)
{
    ag_budget b;
    ag_budget_init(&b, 1, 0, NULL);
    struct timespec ts = { 0, 5 * 1000000L };
    nanosleep(&ts, NULL);
    cr_assert(ag_budget_spent(&b));
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_budget_charge(&b, 1, &err), AG_ERR_LIMIT);
    cr_assert(strstr(err.msg, "time budget of 1 ms"), "%s", err.msg);
    cr_assert_eq(b.hit, AG_BUDGET_TIME);
}

Test(budget, cancel_flag)
{
    atomic_int cancel;
    atomic_init(&cancel, 0);
    ag_budget b;
    ag_budget_init(&b, 0, 0, &cancel);
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_budget_charge(&b, 10, &err), AG_OK);
    atomic_store(&cancel, 1);
    cr_assert(ag_budget_spent(&b));
    cr_assert_eq(ag_budget_charge(&b, 1, &err), AG_ERR_LIMIT);
    cr_assert(strstr(err.msg, "stopping"), "%s", err.msg);
}

Test(budget, capped_memstream)
{
    ag_budget b;
    ag_budget_init(&b, 0, 0, NULL);
    b.max_output = 10;
    char *buf;
    size_t len;
    FILE *f = ag_budget_memstream(&b, &buf, &len);
    cr_assert(f);
    setvbuf(f, NULL, _IONBF, 0);
    cr_assert_eq(fputs("12345", f) >= 0, 1);
    cr_assert(fputs("678901", f) < 0 || fflush(f) != 0, "a write over the cap fails");
    fclose(f);
    cr_assert_eq(b.hit, AG_BUDGET_SIZE);
    free(buf);
    /* without a cap it is a plain memory stream */
    f = ag_budget_memstream(NULL, &buf, &len);
    cr_assert(f);
    fputs("hello", f);
    fclose(f);
    cr_assert_str_eq(buf, "hello");
    cr_assert_eq(len, 5);
    free(buf);
}

/* n structs, each taken by pointer by its own function; variant changes
   the first member's type of every other struct. */
static ag_corpus *structs(size_t n, unsigned variant)
{
    ag_corpus *c = ag_corpus_new();
    c->has_debug_info = true;
    ag_type_ref i32 = ag_corpus_add_type(c, AG_T_BASE), i64 = ag_corpus_add_type(c, AG_T_BASE);
    c->types[i32].name = strdup("int");
    c->types[i32].byte_size = 4;
    c->types[i32].encoding = AG_ENC_SIGNED;
    c->types[i64].name = strdup("long");
    c->types[i64].byte_size = 8;
    c->types[i64].encoding = AG_ENC_SIGNED;
    ag_type_ref v = ag_corpus_void_type(c);
    c->functions = calloc(n, sizeof *c->functions);
    for (size_t k = 0; k < n; k++) {
        ag_type_ref s = ag_corpus_add_type(c, AG_T_STRUCT), p = ag_corpus_add_type(c, AG_T_POINTER);
        char name[32];
        snprintf(name, sizeof name, "s%zu", k);
        c->types[s].name = strdup(name);
        c->types[s].byte_size = 8;
        c->types[s].members = calloc(1, sizeof(ag_member));
        c->types[s].members[0] = (ag_member){ strdup("m"), (k + variant) % 2 ? i64 : i32, 0, 0, 0 };
        c->types[s].n_members = 1;
        c->types[p].target = s;
        c->types[p].byte_size = 8;
        snprintf(name, sizeof name, "f%zu", k);
        ag_param *prm = calloc(1, sizeof *prm);
        prm->type = p;
        c->functions[k] = (ag_function){ .name = strdup(name), .return_type = v, .params = prm, .n_params = 1,
                                         .prototyped = true };
    }
    c->n_functions = n;
    ag_error err;
    cr_assert_eq(ag_corpus_finalize(c, &err), AG_OK, "%s", err.msg);
    return c;
}

Test(budget, diff_stops_on_a_spent_budget)
{
    ag_corpus *a = structs(500, 0), *b = structs(500, 1);
    ag_budget unlimited;
    ag_budget_init(&unlimited, 0, 0, NULL);
    ag_diff_options o = { .budget = &unlimited };
    ag_diff *d = NULL;
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_diff_corpora(a, b, &o, &d, &err), AG_OK, "%s", err.msg);
    cr_assert(d->n_changes > 0);
    uint64_t cost = unlimited.work;
    cr_assert(cost > 1000, "a 500-struct diff costs %llu units", (unsigned long long)cost);
    ag_diff_free(d);
    ag_budget small;
    ag_budget_init(&small, 0, cost / 2, NULL);
    o.budget = &small;
    d = NULL;
    cr_assert_eq(ag_diff_corpora(a, b, &o, &d, &err), AG_ERR_LIMIT);
    cr_assert_null(d);
    cr_assert(strstr(err.msg, "work limit"), "%s", err.msg);
    ag_corpus_free(a);
    ag_corpus_free(b);
}
