/*
 * test_deep_types.c — corpora whose type graphs are deep or looped (issue 11
 * item 7), built in memory:
 *   - ag_corpus_finalize accepts a chain of AG_MAX_TYPE_DEPTH typedefs and
 *     pointers and refuses one more, or a 70,000-deep pointer chain, or a
 *     cycle through no struct or union, with a message (not a crash);
 *   - the diff, run on a thread with a 256 KiB stack, walks a 4,000-deep
 *     chain of typedefs (and of by-value structs) to the change at its end,
 *     and reports changes behind more than 64 differently named typedefs,
 *     64 pointers or 16 qualifiers, which it used to drop silently;
 *   - nested function types sharing their parameter types take linear time,
 *     not one walk per path;
 *   - JSON written from a deep corpus reads back on the small stack.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "corpus_json.h"
#include "diff.h"

#define SMALL_STACK (256 * 1024)

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    cr_assert_not_null(d);
    return d;
}

static ag_type_ref add(ag_corpus *c, ag_type_kind kind, const char *name, ag_type_ref target)
{
    ag_type_ref r = ag_corpus_add_type(c, kind);
    cr_assert_neq(r, AG_NO_TYPE);
    c->types[r].name = name ? xstrdup(name) : NULL;
    c->types[r].target = target;
    if (kind == AG_T_POINTER)
        c->types[r].byte_size = 8;
    return r;
}

static ag_type_ref add_base(ag_corpus *c, const char *name, uint64_t size)
{
    ag_type_ref r = add(c, AG_T_BASE, name, AG_NO_TYPE);
    c->types[r].byte_size = size;
    c->types[r].encoding = AG_ENC_SIGNED;
    return r;
}

static ag_corpus *new_corpus(void)
{
    ag_corpus *c = ag_corpus_new();
    cr_assert_not_null(c);
    c->elf.file_name = xstrdup("libdeep.so.1");
    c->elf.soname = xstrdup("libdeep.so.1");
    c->elf.elf_type = xstrdup("dyn");
    c->elf.machine = xstrdup("x86_64");
    c->elf.byte_order = xstrdup("little");
    c->elf.elf_class = 64;
    memset(c->elf.sha256, 'a', 64);
    c->has_debug_info = true;
    c->debug_source = xstrdup("embedded");
    c->dwarf_version = 5;
    c->exports = calloc(1, sizeof *c->exports);
    c->exports[0] = (ag_symbol){ .name = xstrdup("deep_f"), .is_default = true, .type = AG_SYM_FUNC, .size = 4 };
    c->n_exports = 1;
    return c;
}

/* deep_f(param), returning int. */
static void add_function(ag_corpus *c, ag_type_ref param)
{
    c->functions = calloc(1, sizeof *c->functions);
    c->n_functions = 1;
    ag_function *f = &c->functions[0];
    f->name = xstrdup("deep_f");
    f->return_type = add_base(c, "int", 4);
    f->prototyped = true;
    f->params = calloc(1, sizeof *f->params);
    f->params[0] = (ag_param){ xstrdup("x"), param };
    f->n_params = 1;
}

static void finalize_ok(ag_corpus *c)
{
    ag_error err = { "" };
    cr_assert_eq(ag_corpus_finalize(c, &err), AG_OK, "finalize: %s", err.msg);
}

static void finalize_fails(ag_corpus *c, const char *expected)
{
    ag_error err = { "" };
    cr_assert_eq(ag_corpus_finalize(c, &err), AG_ERR_FORMAT, "finalize should fail with '%s'", expected);
    cr_assert(strstr(err.msg, expected), "expected '%s' in: %s", expected, err.msg);
}

/* typedef base t0; typedef t0 t1; ... t<n-1>: the last one. Names get a
   prefix so that two chains can differ in every name. */
static ag_type_ref typedef_chain(ag_corpus *c, const char *prefix, ag_type_ref base, size_t n)
{
    ag_type_ref t = base;
    for (size_t i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s%zu", prefix, i);
        t = add(c, AG_T_TYPEDEF, name, t);
    }
    return t;
}

static ag_type_ref derived_chain(ag_corpus *c, ag_type_kind kind, ag_type_ref base, size_t n)
{
    ag_type_ref t = base;
    for (size_t i = 0; i < n; i++)
        t = add(c, kind, NULL, t);
    return t;
}

/* ------------------------------------------------------------------ */
/* Running on a small stack                                            */

typedef struct diff_job {
    const ag_corpus *a, *b;
    ag_diff *result;
    ag_status status;
    ag_error err;
    void (*extra)(struct diff_job *);
} diff_job;

static void *diff_thread(void *arg)
{
    diff_job *j = arg;
    j->status = ag_diff_corpora(j->a, j->b, NULL, &j->result, &j->err);
    if (j->extra)
        j->extra(j);
    return NULL;
}

static void on_small_stack(diff_job *j)
{
    pthread_attr_t attr;
    pthread_t t;
    cr_assert_eq(pthread_attr_init(&attr), 0);
    cr_assert_eq(pthread_attr_setstacksize(&attr, SMALL_STACK), 0);
    cr_assert_eq(pthread_create(&t, &attr, diff_thread, j), 0);
    pthread_join(t, NULL);
    pthread_attr_destroy(&attr);
}

/* Diffs a and b on a 256 KiB stack and expects one change of `kind`. */
static void expect_change(const ag_corpus *a, const ag_corpus *b, ag_change_kind kind, const char *what)
{
    diff_job j = { .a = a, .b = b, .err = { "" } };
    on_small_stack(&j);
    cr_assert_eq(j.status, AG_OK, "%s: diff failed: %s", what, j.err.msg);
    bool found = false;
    for (size_t i = 0; i < j.result->n_changes; i++)
        found |= j.result->changes[i].kind == kind;
    cr_assert(found, "%s: the change (%s) must be reported; got %zu changes", what,
              ag_change_kind_info_of(kind)->id, j.result->n_changes);
    ag_diff_free(j.result);
}

/* ------------------------------------------------------------------ */
/* Finalize                                                            */

Test(deep_types, finalize_accepts_the_limit_and_refuses_one_more)
{
    /* AG_MAX_TYPE_DEPTH types in the chain, counting the base type. */
    ag_corpus *c = new_corpus();
    add_function(c, typedef_chain(c, "t", add_base(c, "long", 8), AG_MAX_TYPE_DEPTH - 1));
    finalize_ok(c);
    ag_corpus_free(c);

    c = new_corpus();
    add_function(c, typedef_chain(c, "t", add_base(c, "long", 8), AG_MAX_TYPE_DEPTH));
    finalize_fails(c, "starts a chain of more than 4096");
    ag_corpus_free(c);
}

Test(deep_types, finalize_refuses_a_70000_deep_pointer_chain)
{
    /* Used to overflow the stack in the recursive id computation (show,
       diff and import of such a JSON file crashed). */
    ag_corpus *c = new_corpus();
    add_function(c, derived_chain(c, AG_T_POINTER, add_base(c, "int", 4), 70000));
    finalize_fails(c, "starts a chain of more than 4096");
    ag_corpus_free(c);
}

Test(deep_types, finalize_refuses_cycles_through_no_struct_or_union)
{
    /* typedef a -> typedef b -> typedef a: C cannot say it, and every walk
       that looks through typedefs would go round forever. */
    ag_corpus *c = new_corpus();
    ag_type_ref a = add(c, AG_T_TYPEDEF, "a", AG_NO_TYPE);
    ag_type_ref b = add(c, AG_T_TYPEDEF, "b", a);
    c->types[a].target = b;
    add_function(c, a);
    finalize_fails(c, "cycle that passes through no struct or union");
    ag_corpus_free(c);

    /* typedef t -> pointer -> t, likewise; through a struct it is fine. */
    c = new_corpus();
    ag_type_ref t = add(c, AG_T_TYPEDEF, "t", AG_NO_TYPE);
    c->types[t].target = add(c, AG_T_POINTER, NULL, t);
    add_function(c, t);
    finalize_fails(c, "cycle that passes through no struct or union");
    ag_corpus_free(c);

    c = new_corpus();
    ag_type_ref node = add(c, AG_T_STRUCT, "node", AG_NO_TYPE);
    c->types[node].byte_size = 8;
    c->types[node].members = calloc(1, sizeof(ag_member));
    c->types[node].members[0] = (ag_member){ .name = xstrdup("next"), .type = add(c, AG_T_POINTER, NULL, node) };
    c->types[node].n_members = 1;
    add_function(c, add(c, AG_T_POINTER, NULL, node));
    finalize_ok(c);
    ag_corpus_free(c);
}

/* ------------------------------------------------------------------ */
/* Diff                                                                */

Test(deep_types, change_behind_4000_typedefs_on_a_small_stack)
{
    /* typedef int t0; typedef t0 t1; ... t3999, then long instead of int:
       the diff recursed once per typedef and overflowed a small stack. */
    ag_corpus *a = new_corpus(), *b = new_corpus();
    add_function(a, typedef_chain(a, "t", add_base(a, "int", 4), 4000));
    add_function(b, typedef_chain(b, "t", add_base(b, "long", 8), 4000));
    finalize_ok(a);
    finalize_ok(b);
    expect_change(a, b, AG_CK_BASE_TYPE_CHANGED, "4000 typedefs");
    ag_corpus_free(a);
    ag_corpus_free(b);
}

Test(deep_types, change_behind_100_differently_named_typedefs)
{
    /* Looked through in one slot, one level of recursion each, and dropped
       without a word past 64: the diff said "no ABI change". */
    ag_corpus *a = new_corpus(), *b = new_corpus();
    add_function(a, typedef_chain(a, "old", add_base(a, "int", 4), 100));
    add_function(b, typedef_chain(b, "new", add_base(b, "long", 8), 100));
    finalize_ok(a);
    finalize_ok(b);
    expect_change(a, b, AG_CK_BASE_TYPE_CHANGED, "100 typedefs named differently");
    ag_corpus_free(a);
    ag_corpus_free(b);
}

Test(deep_types, change_behind_100_pointers_and_20_qualifiers)
{
    ag_corpus *a = new_corpus(), *b = new_corpus();
    add_function(a, derived_chain(a, AG_T_POINTER, add_base(a, "int", 4), 100));
    add_function(b, derived_chain(b, AG_T_POINTER, add_base(b, "long", 8), 100));
    finalize_ok(a);
    finalize_ok(b);
    expect_change(a, b, AG_CK_BASE_TYPE_CHANGED, "100 pointers");
    ag_corpus_free(a);
    ag_corpus_free(b);

    /* Only 16 qualifiers were stripped; the rest ended the comparison. */
    a = new_corpus();
    b = new_corpus();
    add_function(a, add(a, AG_T_POINTER, NULL, derived_chain(a, AG_T_CONST, add_base(a, "int", 4), 20)));
    add_function(b, add(b, AG_T_POINTER, NULL, derived_chain(b, AG_T_CONST, add_base(b, "long", 8), 20)));
    finalize_ok(a);
    finalize_ok(b);
    expect_change(a, b, AG_CK_BASE_TYPE_CHANGED, "20 qualifiers");
    ag_corpus_free(a);
    ag_corpus_free(b);
}

/* struct s0 { struct s1 m; }; ... struct s<n-1> { base m; }: returns s0. */
static ag_type_ref nested_structs(ag_corpus *c, ag_type_ref base, uint64_t base_size, size_t n)
{
    ag_type_ref inner = base;
    for (size_t i = n; i-- > 0;) {
        char name[32];
        snprintf(name, sizeof name, "s%zu", i);
        ag_type_ref s = add(c, AG_T_STRUCT, name, AG_NO_TYPE);
        c->types[s].byte_size = base_size;
        c->types[s].members = calloc(1, sizeof(ag_member));
        c->types[s].members[0] = (ag_member){ .name = xstrdup("m"), .type = inner };
        c->types[s].n_members = 1;
        inner = s;
    }
    return inner;
}

Test(deep_types, alignment_change_behind_4000_nested_structs)
{
    /* The alignment walk stopped at 32 levels and answered 1. Same size,
       alignment 4 -> 8 at the bottom. */
    ag_corpus *a = new_corpus(), *b = new_corpus();
    ag_type_ref ia = add_base(a, "int", 8), ib = add_base(b, "int", 8);
    a->types[ia].alignment = 4;
    b->types[ib].alignment = 8;
    add_function(a, add(a, AG_T_POINTER, NULL, nested_structs(a, ia, 8, 4000)));
    add_function(b, add(b, AG_T_POINTER, NULL, nested_structs(b, ib, 8, 4000)));
    finalize_ok(a);
    finalize_ok(b);
    expect_change(a, b, AG_CK_TYPE_ALIGNMENT_CHANGED, "4000 nested structs");
    ag_corpus_free(a);
    ag_corpus_free(b);
}

/* f0 = void (*)(int); f<k> = void (*)(f<k-1>, f<k-1>): 2^k paths. */
static ag_type_ref function_tower(ag_corpus *c, ag_type_ref base, size_t levels)
{
    ag_type_ref v = ag_corpus_void_type(c);
    ag_type_ref prev = base;
    for (size_t k = 0; k < levels; k++) {
        ag_type_ref fn = add(c, AG_T_FUNC, NULL, v);
        c->types[fn].prototyped = true;
        c->types[fn].params = calloc(2, sizeof(ag_param));
        c->types[fn].params[0].type = prev;
        c->types[fn].params[1].type = prev;
        c->types[fn].n_params = 2;
        prev = add(c, AG_T_POINTER, NULL, fn);
    }
    return prev;
}

Test(deep_types, nested_callbacks_are_walked_once_per_pair, .timeout = 60)
{
    /* Every parameter of every callback was walked again for each path to
       it: 60 levels meant 2^60 walks. A struct at the bottom changes, so
       the walk must still reach it. */
    ag_corpus *a = new_corpus(), *b = new_corpus();
    ag_type_ref sa = nested_structs(a, add_base(a, "int", 4), 4, 1);
    ag_type_ref sb = nested_structs(b, add_base(b, "long", 8), 8, 1);
    add_function(a, function_tower(a, add(a, AG_T_POINTER, NULL, sa), 60));
    add_function(b, function_tower(b, add(b, AG_T_POINTER, NULL, sb), 60));
    finalize_ok(a);
    finalize_ok(b);
    expect_change(a, b, AG_CK_TYPE_SIZE_CHANGED, "60 levels of callbacks");
    ag_corpus_free(a);
    ag_corpus_free(b);
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

static void roundtrip(diff_job *j)
{
    ag_error err = { "" };
    char *text = ag_corpus_to_json(j->a, &err);
    ag_corpus *back = NULL;
    j->status = text ? ag_corpus_from_json(text, strlen(text), &back, &j->err) : AG_ERR_NOMEM;
    if (j->status == AG_OK) {
        char *again = ag_corpus_to_json(back, &err);
        if (!again || strcmp(again, text) != 0)
            j->status = AG_ERR_FORMAT;
        free(again);
    }
    ag_corpus_free(back);
    free(text);
    ag_diff_free(j->result);
    j->result = NULL;
}

Test(deep_types, deep_corpus_json_reads_back_on_a_small_stack)
{
    ag_corpus *a = new_corpus();
    add_function(a, typedef_chain(a, "t", add_base(a, "int", 4), 4000));
    finalize_ok(a);
    diff_job j = { .a = a, .b = a, .err = { "" }, .extra = roundtrip };
    on_small_stack(&j);
    cr_assert_eq(j.status, AG_OK, "write -> read -> write of 4000 typedefs: %s", j.err.msg);
    ag_corpus_free(a);
}
