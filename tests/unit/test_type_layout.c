/*
 * test_type_layout.c — type spelling (corpus.c) and the psABI return-value
 * classification (abi_return.c), on types built by hand through the
 * corpus.h API: qualifiers on arrays written once and on the elements
 * (C11 6.7.3p9); registers, memory and the x87 stack for x86-64, the
 * homogeneous floating-point aggregates of AArch64, i386's hidden pointer.
 * The x86-64 cases are also checked on real code by the diff fixtures'
 * run-time proofs (tests/fixtures/diff/return_void_to_*).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi_return.h"
#include "corpus.h"

static ag_corpus *new_corpus(const char *machine)
{
    ag_corpus *c = ag_corpus_new();
    cr_assert_not_null(c);
    c->elf.machine = strdup(machine);
    c->elf.elf_class = strcmp(machine, "i386") == 0 ? 32 : 64;
    return c;
}

static ag_type_ref add(ag_corpus *c, ag_type_kind kind, const char *name, uint64_t size, ag_type_ref target)
{
    ag_type_ref r = ag_corpus_add_type(c, kind);
    cr_assert_neq(r, AG_NO_TYPE);
    c->types[r].name = name ? strdup(name) : NULL;
    c->types[r].byte_size = size;
    c->types[r].target = target;
    return r;
}

static ag_type_ref base(ag_corpus *c, const char *name, uint64_t size, ag_encoding enc)
{
    ag_type_ref r = add(c, AG_T_BASE, name, size, AG_NO_TYPE);
    c->types[r].encoding = enc;
    return r;
}

static ag_type_ref array(ag_corpus *c, ag_type_ref elem, uint64_t dim)
{
    ag_type_ref r = add(c, AG_T_ARRAY, NULL, 0, elem);
    c->types[r].dims = malloc(sizeof *c->types[r].dims);
    c->types[r].dims[0] = dim;
    c->types[r].n_dims = 1;
    return r;
}

/* A struct (or union) of the given members at the given byte offsets. */
static ag_type_ref aggregate(ag_corpus *c, ag_type_kind kind, uint64_t size, size_t n, const ag_type_ref *types,
                             const uint64_t *offsets)
{
    ag_type_ref r = add(c, kind, "s", size, AG_NO_TYPE);
    ag_member *m = calloc(n, sizeof *m);
    for (size_t i = 0; i < n; i++) {
        char name[24];
        snprintf(name, sizeof name, "m%zu", i);
        m[i].name = strdup(name);
        m[i].type = types[i];
        m[i].bit_offset = offsets[i] * 8;
    }
    c->types[r].members = m;
    c->types[r].n_members = n;
    return r;
}

static void expect_spelling(const ag_corpus *c, ag_type_ref t, const char *want)
{
    char buf[256];
    ag_type_spell(c, t, buf, sizeof buf);
    cr_expect_str_eq(buf, want);
}

Test(type_spell, qualifiers_on_arrays_qualify_the_elements_once)
{
    ag_corpus *c = new_corpus("x86_64");
    ag_type_ref ch = base(c, "char", 1, AG_ENC_SIGNED_CHAR);
    ag_type_ref cch = add(c, AG_T_CONST, NULL, 0, ch);
    /* const applied to char[4], as gcc writes `const name_t` */
    expect_spelling(c, add(c, AG_T_CONST, NULL, 0, array(c, ch, 4)), "const char[4]");
    /* const applied to an array of const char: still one const */
    expect_spelling(c, add(c, AG_T_CONST, NULL, 0, array(c, cch, 4)), "const char[4]");
    /* an array of pointers qualified: the pointers are const */
    ag_type_ref pch = add(c, AG_T_POINTER, NULL, 8, ch);
    expect_spelling(c, add(c, AG_T_CONST, NULL, 0, array(c, pch, 2)), "char *const[2]");
    /* a typedef keeps its name */
    ag_type_ref td = add(c, AG_T_TYPEDEF, "cname_t", 0, array(c, cch, 4));
    expect_spelling(c, add(c, AG_T_CONST, NULL, 0, td), "const cname_t");
    /* the usual cases are unchanged */
    expect_spelling(c, add(c, AG_T_POINTER, NULL, 8, cch), "const char *");
    expect_spelling(c, add(c, AG_T_CONST, NULL, 0, pch), "char *const");
    expect_spelling(c, add(c, AG_T_VOLATILE, NULL, 0, cch), "const volatile char");
    ag_corpus_free(c);
}

static ag_return_class classify(const ag_corpus *c, ag_type_ref t)
{
    char how[512];
    ag_return_class rc = ag_return_class_of(c, t, how, sizeof how);
    cr_log_info("%s", how);
    cr_expect(how[0], "no explanation");
    return rc;
}

Test(abi_return, x86_64_registers_memory_and_x87)
{
    ag_corpus *c = new_corpus("x86_64");
    ag_type_ref i32 = base(c, "int", 4, AG_ENC_SIGNED), f32 = base(c, "float", 4, AG_ENC_FLOAT);
    ag_type_ref f64 = base(c, "double", 8, AG_ENC_FLOAT), ld = base(c, "long double", 16, AG_ENC_FLOAT);
    ag_type_ref f128 = base(c, "_Float128", 16, AG_ENC_FLOAT), i64 = base(c, "long int", 8, AG_ENC_SIGNED);
    cr_expect_eq(classify(c, i32), AG_RET_REGISTERS);
    cr_expect_eq(classify(c, f64), AG_RET_REGISTERS);
    cr_expect_eq(classify(c, ld), AG_RET_X87);
    cr_expect_eq(classify(c, f128), AG_RET_REGISTERS);
    /* {int, float}: one INTEGER eightbyte; {double, long}: SSE + INTEGER */
    cr_expect_eq(classify(c, aggregate(c, AG_T_STRUCT, 8, 2, (ag_type_ref[]){ i32, f32 }, (uint64_t[]){ 0, 4 })),
                 AG_RET_REGISTERS);
    cr_expect_eq(classify(c, aggregate(c, AG_T_STRUCT, 16, 2, (ag_type_ref[]){ f64, i64 }, (uint64_t[]){ 0, 8 })),
                 AG_RET_REGISTERS);
    /* 24 bytes: MEMORY */
    cr_expect_eq(classify(c, aggregate(c, AG_T_STRUCT, 24, 3, (ag_type_ref[]){ i64, i64, i64 },
                                       (uint64_t[]){ 0, 8, 16 })),
                 AG_RET_MEMORY);
    /* packed {char; int at 1}: an unaligned member, MEMORY */
    ag_type_ref ch = base(c, "char", 1, AG_ENC_SIGNED_CHAR);
    cr_expect_eq(classify(c, aggregate(c, AG_T_STRUCT, 5, 2, (ag_type_ref[]){ ch, i32 }, (uint64_t[]){ 0, 1 })),
                 AG_RET_MEMORY);
    /* {long double}: X87 + X87UP, on the x87 stack; {long double, int}: 32 bytes */
    cr_expect_eq(classify(c, aggregate(c, AG_T_STRUCT, 16, 1, (ag_type_ref[]){ ld }, (uint64_t[]){ 0 })), AG_RET_X87);
    cr_expect_eq(classify(c, aggregate(c, AG_T_STRUCT, 32, 2, (ag_type_ref[]){ ld, i32 }, (uint64_t[]){ 0, 16 })),
                 AG_RET_MEMORY);
    /* a union of long double and long: x87 mixed with INTEGER, MEMORY */
    cr_expect_eq(classify(c, aggregate(c, AG_T_UNION, 16, 2, (ag_type_ref[]){ ld, i64 }, (uint64_t[]){ 0, 0 })),
                 AG_RET_MEMORY);
    /* char[16] in a struct: two INTEGER eightbytes */
    cr_expect_eq(classify(c, aggregate(c, AG_T_STRUCT, 16, 1, (ag_type_ref[]){ array(c, ch, 16) },
                                       (uint64_t[]){ 0 })),
                 AG_RET_REGISTERS);
    ag_corpus_free(c);
}

Test(abi_return, aarch64_homogeneous_aggregates_and_x8)
{
    ag_corpus *c = new_corpus("aarch64");
    ag_type_ref f64 = base(c, "double", 8, AG_ENC_FLOAT), i64 = base(c, "long int", 8, AG_ENC_SIGNED);
    /* four doubles (32 bytes): an HFA, in v0-v3 (x86-64 would use memory) */
    cr_expect_eq(classify(c, aggregate(c, AG_T_STRUCT, 32, 4, (ag_type_ref[]){ f64, f64, f64, f64 },
                                       (uint64_t[]){ 0, 8, 16, 24 })),
                 AG_RET_REGISTERS);
    /* five doubles: not an HFA, over 16 bytes: x8 */
    cr_expect_eq(classify(c, aggregate(c, AG_T_STRUCT, 40, 5, (ag_type_ref[]){ f64, f64, f64, f64, f64 },
                                       (uint64_t[]){ 0, 8, 16, 24, 32 })),
                 AG_RET_MEMORY);
    /* three longs: x8; two: x0 and x1 */
    cr_expect_eq(classify(c, aggregate(c, AG_T_STRUCT, 24, 3, (ag_type_ref[]){ i64, i64, i64 },
                                       (uint64_t[]){ 0, 8, 16 })),
                 AG_RET_MEMORY);
    cr_expect_eq(classify(c, aggregate(c, AG_T_STRUCT, 16, 2, (ag_type_ref[]){ i64, i64 }, (uint64_t[]){ 0, 8 })),
                 AG_RET_REGISTERS);
    ag_corpus_free(c);
}

Test(abi_return, i386_and_unknown_machines)
{
    ag_corpus *c = new_corpus("i386");
    ag_type_ref i32 = base(c, "int", 4, AG_ENC_SIGNED), f64 = base(c, "double", 8, AG_ENC_FLOAT);
    cr_expect_eq(classify(c, i32), AG_RET_REGISTERS);
    cr_expect_eq(classify(c, f64), AG_RET_X87);
    cr_expect_eq(classify(c, aggregate(c, AG_T_STRUCT, 4, 1, (ag_type_ref[]){ i32 }, (uint64_t[]){ 0 })),
                 AG_RET_MEMORY);
    ag_corpus_free(c);
    c = new_corpus("riscv");
    cr_expect_eq(classify(c, base(c, "int", 4, AG_ENC_SIGNED)), AG_RET_UNKNOWN);
    ag_corpus_free(c);
}
