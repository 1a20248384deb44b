/*
 * abi_return.c — registers or memory for a returned value (see abi_return.h).
 *
 * x86-64, System V psABI 3.2.3: a value over 16 bytes, or with a member not
 * at its natural alignment, has class MEMORY. Otherwise each eightbyte gets
 * the merged class of what lies in it (INTEGER for integers and pointers,
 * SSE for float and double, X87/X87UP for long double, COMPLEX_X87 for
 * long double _Complex); x87 classes mixed into an aggregate with anything
 * else, or an X87UP not after X87, make it MEMORY. MEMORY is returned in a
 * buffer whose address the caller passes in %rdi (and gets back in %rax);
 * INTEGER in %rax/%rdx, SSE in %xmm0/%xmm1, X87 in %st(0).
 *
 * AArch64, AAPCS64 (result return, 6.9): a composite over 16 bytes that is
 * not a homogeneous floating-point aggregate (one to four members of the
 * same floating-point type) is returned in memory at the address the caller
 * passes in x8; everything else in x0/x1 or v0-v3.
 *
 * i386, System V: every struct and union through a hidden pointer (the
 * first stack argument, popped by the callee); floating point in %st(0);
 * integers in %eax/%edx.
 */
#include "abi_return.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef enum eb_class {
    EB_NONE,
    EB_INTEGER,
    EB_SSE,
    EB_SSEUP,
    EB_X87,
    EB_X87UP,
    EB_COMPLEX_X87,
} eb_class;

typedef struct classifier {
    const ag_corpus *c;
    eb_class eb[2];
    const char *memory; /* why the value is MEMORY, NULL while it is not */
    bool unknown;       /* something this module cannot classify */
} classifier;

static bool is_x87(eb_class k)
{
    return k == EB_X87 || k == EB_X87UP || k == EB_COMPLEX_X87;
}

/* The psABI's merge of two classes meeting in one eightbyte. */
static void put(classifier *cl, uint64_t off, eb_class k)
{
    if (off >= 16) {
        cl->memory = "larger than 16 bytes";
        return;
    }
    eb_class *slot = &cl->eb[off / 8];
    if (*slot == k || k == EB_NONE)
        return;
    if (*slot == EB_NONE)
        *slot = k;
    else if (is_x87(*slot) || is_x87(k))
        cl->memory = "x87 data shares an eightbyte with other data";
    else if (*slot == EB_INTEGER || k == EB_INTEGER)
        *slot = EB_INTEGER;
    else
        *slot = EB_SSE;
}

static bool is_float128(const ag_type *t)
{
    return t->name && strstr(t->name, "128") != NULL;
}

/* The natural alignment of a scalar (its size; half of it for complex
   types; at most 16), 0 for aggregates and arrays, whose scalars are
   checked themselves. */
static uint64_t scalar_alignment(const ag_corpus *c, ag_type_ref t)
{
    t = ag_type_resolve(c, t);
    if (t >= c->n_types)
        return 0;
    const ag_type *ty = &c->types[t];
    if (ty->kind == AG_T_POINTER)
        return ty->byte_size ? ty->byte_size : 8;
    if (ty->kind != AG_T_BASE && ty->kind != AG_T_ENUM)
        return 0;
    uint64_t size = ty->encoding == AG_ENC_COMPLEX_FLOAT ? ty->byte_size / 2 : ty->byte_size;
    return size > 16 ? 16 : size;
}

static void classify(classifier *cl, ag_type_ref t, uint64_t off, int depth)
{
    const ag_corpus *c = cl->c;
    t = ag_type_resolve(c, t);
    if (t >= c->n_types || depth > 32 || cl->memory || cl->unknown) {
        cl->unknown = cl->unknown || t >= c->n_types || depth > 32;
        return;
    }
    const ag_type *ty = &c->types[t];
    switch (ty->kind) {
    case AG_T_BASE:
        if (ty->encoding == AG_ENC_FLOAT && ty->byte_size == 16) {
            put(cl, off, is_float128(ty) ? EB_SSE : EB_X87);
            put(cl, off + 8, is_float128(ty) ? EB_SSEUP : EB_X87UP);
        } else if (ty->encoding == AG_ENC_FLOAT) {
            put(cl, off, EB_SSE);
        } else if (ty->encoding == AG_ENC_COMPLEX_FLOAT && ty->byte_size == 32) {
            put(cl, off, EB_COMPLEX_X87);
            put(cl, off + 8, EB_COMPLEX_X87);
        } else if (ty->encoding == AG_ENC_COMPLEX_FLOAT) {
            put(cl, off, EB_SSE);
            if (ty->byte_size == 16)
                put(cl, off + 8, EB_SSE);
        } else {
            put(cl, off, EB_INTEGER);
            if (ty->byte_size == 16)
                put(cl, off + 8, EB_INTEGER);
        }
        return;
    case AG_T_POINTER:
    case AG_T_ENUM:
        put(cl, off, EB_INTEGER);
        return;
    case AG_T_STRUCT:
    case AG_T_UNION:
        if (ty->declaration_only) {
            cl->unknown = true;
            return;
        }
        for (size_t i = 0; i < ty->n_members && !cl->memory; i++) {
            const ag_member *m = &ty->members[i];
            if (m->bit_size) {
                put(cl, off + m->bit_offset / 64 * 8, EB_INTEGER);
                continue;
            }
            /* Scalars are checked where they end up, so a packed struct
               nested anywhere is found. */
            uint64_t al = scalar_alignment(c, m->type);
            if (m->bit_offset % 8 || (al && (off + m->bit_offset / 8) % al)) {
                cl->memory = "a member is not at its natural alignment (packed)";
                return;
            }
            classify(cl, m->type, off + m->bit_offset / 8, depth + 1);
        }
        return;
    case AG_T_ARRAY: {
        uint64_t es = ag_type_size(c, ty->target), total = ag_type_size(c, t);
        for (uint64_t k = 0; es && k * es < total && !cl->memory; k++)
            classify(cl, ty->target, off + k * es, depth + 1);
        return;
    }
    default:
        cl->unknown = true;
        return;
    }
}

static const char *reg_name(eb_class k, int *n_int, int *n_sse)
{
    static const char *const ints[] = { "%rax", "%rdx" }, *const sses[] = { "%xmm0", "%xmm1" };
    if (k == EB_INTEGER)
        return ints[(*n_int)++ & 1];
    return sses[(*n_sse)++ & 1];
}

static ag_return_class x86_64(const ag_corpus *c, ag_type_ref t, uint64_t size, char *how, size_t len)
{
    classifier cl = { .c = c };
    if (size > 16)
        cl.memory = "larger than 16 bytes";
    else
        classify(&cl, t, 0, 0);
    if (!cl.memory && cl.eb[1] == EB_X87UP && cl.eb[0] != EB_X87)
        cl.memory = "X87UP without X87";
    if (!cl.memory && cl.eb[1] == EB_SSEUP && cl.eb[0] != EB_SSE)
        cl.memory = "SSEUP without SSE";
    if (cl.unknown && !cl.memory) {
        snprintf(how, len, "a type the x86-64 classification here does not know");
        return AG_RET_UNKNOWN;
    }
    if (cl.memory) {
        snprintf(how, len,
                 "returned in memory (x86-64 psABI class MEMORY: %s): the function now expects the address of a "
                 "buffer for it in %%rdi, which old callers do not pass, so it reads every argument from the "
                 "register after the right one and writes the result through the first argument",
                 cl.memory);
        return AG_RET_MEMORY;
    }
    if (is_x87(cl.eb[0])) {
        snprintf(how, len,
                 "returned on the x87 register stack (%s), which the caller must pop: old callers do not, so "
                 "after eight calls the x87 stack overflows and long double arithmetic yields NaN",
                 cl.eb[0] == EB_COMPLEX_X87 ? "%st(0) and %st(1), x86-64 psABI class COMPLEX_X87"
                                            : "%st(0), x86-64 psABI class X87");
        return AG_RET_X87;
    }
    if (cl.eb[0] == EB_NONE && cl.eb[1] == EB_NONE) {
        snprintf(how, len, "nothing is returned (an empty type)");
        return AG_RET_NOTHING;
    }
    int ni = 0, ns = 0;
    const char *r0 = reg_name(cl.eb[0], &ni, &ns);
    const char *r1 = cl.eb[1] == EB_NONE || cl.eb[1] == EB_SSEUP ? NULL : reg_name(cl.eb[1], &ni, &ns);
    snprintf(how, len, "returned in %s%s%s (x86-64 psABI: registers)", r0, r1 ? " and " : "", r1 ? r1 : "");
    return AG_RET_REGISTERS;
}

/* AAPCS64 5.9.5: the floating-point base type of a homogeneous aggregate,
   counting its members; false when the type is not one. */
static bool hfa_members(const ag_corpus *c, ag_type_ref t, uint64_t *base_size, unsigned *count, int depth)
{
    t = ag_type_resolve(c, t);
    if (t >= c->n_types || depth > 32)
        return false;
    const ag_type *ty = &c->types[t];
    switch (ty->kind) {
    case AG_T_BASE: {
        uint64_t unit = ty->encoding == AG_ENC_COMPLEX_FLOAT ? ty->byte_size / 2 : ty->byte_size;
        if (ty->encoding != AG_ENC_FLOAT && ty->encoding != AG_ENC_COMPLEX_FLOAT)
            return false;
        if (*base_size && *base_size != unit)
            return false;
        *base_size = unit;
        *count += ty->encoding == AG_ENC_COMPLEX_FLOAT ? 2 : 1;
        return *count <= 4;
    }
    case AG_T_STRUCT:
    case AG_T_UNION:
        if (ty->declaration_only || !ty->n_members)
            return false;
        for (size_t i = 0; i < ty->n_members; i++)
            if (ty->members[i].bit_size || !hfa_members(c, ty->members[i].type, base_size, count, depth + 1))
                return false;
        return true;
    case AG_T_ARRAY: {
        uint64_t es = ag_type_size(c, ty->target), total = ag_type_size(c, t);
        for (uint64_t k = 0; es && k * es < total; k++)
            if (!hfa_members(c, ty->target, base_size, count, depth + 1))
                return false;
        return es != 0;
    }
    default:
        return false;
    }
}

static ag_return_class aarch64(const ag_corpus *c, ag_type_ref t, uint64_t size, char *how, size_t len)
{
    ag_type_ref r = ag_type_resolve(c, t);
    const ag_type *ty = r < c->n_types ? &c->types[r] : NULL;
    bool composite = ty && (ty->kind == AG_T_STRUCT || ty->kind == AG_T_UNION || ty->kind == AG_T_ARRAY);
    uint64_t base = 0;
    unsigned count = 0;
    if (composite && hfa_members(c, t, &base, &count, 0)) {
        snprintf(how, len, "returned in v0-v%u (AAPCS64: a homogeneous floating-point aggregate)", count - 1);
        return AG_RET_REGISTERS;
    }
    if (composite && size > 16) {
        snprintf(how, len,
                 "returned in memory (AAPCS64: a composite larger than 16 bytes): the function writes it "
                 "through x8, the indirect result register, which old callers do not set");
        return AG_RET_MEMORY;
    }
    snprintf(how, len, "returned in %s (AAPCS64: registers)",
             ty && ty->kind == AG_T_BASE && ty->encoding == AG_ENC_FLOAT ? "v0" : size > 8 ? "x0 and x1" : "x0");
    return AG_RET_REGISTERS;
}

static ag_return_class i386(const ag_corpus *c, ag_type_ref t, uint64_t size, char *how, size_t len)
{
    ag_type_ref r = ag_type_resolve(c, t);
    const ag_type *ty = r < c->n_types ? &c->types[r] : NULL;
    if (ty && (ty->kind == AG_T_STRUCT || ty->kind == AG_T_UNION)) {
        snprintf(how, len,
                 "returned in memory (i386 System V: every struct or union): the function takes a hidden "
                 "pointer to it as its first stack argument and pops it on return, which old callers neither "
                 "push nor expect");
        return AG_RET_MEMORY;
    }
    if (ty && ty->kind == AG_T_BASE && (ty->encoding == AG_ENC_FLOAT || ty->encoding == AG_ENC_COMPLEX_FLOAT)) {
        snprintf(how, len,
                 "returned on the x87 register stack in %%st(0) (i386 System V), which the caller must pop: old "
                 "callers do not, so after eight calls the x87 stack overflows and floating-point results are NaN");
        return AG_RET_X87;
    }
    snprintf(how, len, "returned in %s (i386 System V: registers)", size > 4 ? "%eax and %edx" : "%eax");
    return AG_RET_REGISTERS;
}

ag_return_class ag_return_class_of(const ag_corpus *c, ag_type_ref t, char *how, size_t how_len)
{
    const char *m = c->elf.machine ? c->elf.machine : "";
    uint64_t size = ag_type_size(c, t);
    if (strcmp(m, "x86_64") == 0 && c->elf.elf_class == 64)
        return x86_64(c, t, size, how, how_len);
    if (strcmp(m, "aarch64") == 0)
        return aarch64(c, t, size, how, how_len);
    if (strcmp(m, "i386") == 0)
        return i386(c, t, size, how, how_len);
    snprintf(how, how_len, "returned as the calling convention of %s says (not modelled here)", *m ? m : "this machine");
    return AG_RET_UNKNOWN;
}
