/*
 * corpus.c — owning, finalizing and naming the ABI model (corpus.h).
 *
 * Readers (DWARF, JSON) build a corpus loosely: types may be duplicated,
 * unreachable, in any order. ag_corpus_finalize turns that into the one
 * canonical form every other module relies on: ids computed from content,
 * duplicates merged, only types reachable from the interface kept, and all
 * arrays in a deterministic order. That is what makes extract -> JSON ->
 * read -> JSON byte-identical, and ids equal across runs and machines.
 */
#include "corpus.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

ag_corpus *ag_corpus_new(void)
{
    return calloc(1, sizeof(ag_corpus));
}

static void free_symbols(ag_symbol *syms, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(syms[i].name);
        free(syms[i].version);
        free(syms[i].version_file);
    }
    free(syms);
}

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void free_params(ag_param *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(p[i].name);
    free(p);
}

static void free_type_contents(ag_type *t)
{
    free(t->name);
    for (size_t i = 0; i < t->n_members; i++)
        free(t->members[i].name);
    free(t->members);
    for (size_t i = 0; i < t->n_enumerators; i++)
        free(t->enumerators[i].name);
    free(t->enumerators);
    free(t->dims);
    free_params(t->params, t->n_params);
    free(t->decl_file);
}

void ag_corpus_free(ag_corpus *c)
{
    if (!c)
        return;
    ag_elf_info *e = &c->elf;
    free(e->file_name);
    free(e->soname);
    free(e->elf_type);
    free(e->machine);
    free(e->byte_order);
    free(e->build_id);
    free_strv(e->needed, e->n_needed);
    free(e->runpath);
    free(e->rpath);
    free_strv(e->version_defs, e->n_version_defs);
    free(c->debug_source);
    free_symbols(c->exports, c->n_exports);
    free_symbols(c->imports, c->n_imports);
    for (size_t i = 0; i < c->n_functions; i++) {
        free(c->functions[i].name);
        free_params(c->functions[i].params, c->functions[i].n_params);
        free(c->functions[i].decl_file);
    }
    free(c->functions);
    for (size_t i = 0; i < c->n_variables; i++) {
        free(c->variables[i].name);
        free(c->variables[i].decl_file);
    }
    free(c->variables);
    for (size_t i = 0; i < c->n_types; i++)
        free_type_contents(&c->types[i]);
    free(c->types);
    for (size_t i = 0; i < c->n_skipped; i++)
        free(c->skipped[i].what);
    free(c->skipped);
    ag_surface_clear(&c->surface);
    free(c);
}

void ag_surface_clear(ag_surface *s)
{
    free_strv(s->public_headers, s->n_public_headers);
    memset(s, 0, sizeof *s);
}

ag_type_ref ag_corpus_add_type(ag_corpus *c, ag_type_kind kind)
{
    if (c->n_types >= (size_t)AG_NO_TYPE - 1)
        return AG_NO_TYPE;
    if (c->n_types == c->cap_types) {
        size_t cap = c->cap_types ? c->cap_types * 2 : 64;
        ag_type *bigger = realloc(c->types, cap * sizeof *bigger);
        if (!bigger)
            return AG_NO_TYPE;
        c->types = bigger;
        c->cap_types = cap;
    }
    ag_type *t = &c->types[c->n_types];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    t->target = AG_NO_TYPE;
    return (ag_type_ref)c->n_types++;
}

ag_type_ref ag_corpus_void_type(ag_corpus *c)
{
    for (size_t i = 0; i < c->n_types; i++)
        if (c->types[i].kind == AG_T_VOID)
            return (ag_type_ref)i;
    ag_type_ref r = ag_corpus_add_type(c, AG_T_VOID);
    if (r != AG_NO_TYPE) {
        c->types[r].name = strdup("void");
        if (!c->types[r].name) {
            c->n_types--;
            return AG_NO_TYPE;
        }
    }
    return r;
}

/* ------------------------------------------------------------------ */
/* Names                                                               */

static const char *const kind_names[AG_T__COUNT] = {
    [AG_T_VOID] = "void",         [AG_T_BASE] = "base",
    [AG_T_POINTER] = "pointer",   [AG_T_CONST] = "const",
    [AG_T_VOLATILE] = "volatile", [AG_T_RESTRICT] = "restrict",
    [AG_T_ATOMIC] = "atomic",     [AG_T_TYPEDEF] = "typedef",
    [AG_T_STRUCT] = "struct",     [AG_T_UNION] = "union",
    [AG_T_ENUM] = "enum",         [AG_T_ARRAY] = "array",
    [AG_T_FUNC] = "function",     [AG_T_UNKNOWN] = "unknown",
};

const char *ag_type_kind_name(ag_type_kind k)
{
    return (unsigned)k < AG_T__COUNT ? kind_names[k] : "invalid";
}

int ag_type_kind_from_name(const char *s)
{
    for (int k = 0; k < AG_T__COUNT; k++)
        if (s && strcmp(s, kind_names[k]) == 0)
            return k;
    return -1;
}

static const char *const sym_type_names[] = {
    [AG_SYM_NOTYPE] = "notype", [AG_SYM_FUNC] = "func", [AG_SYM_OBJECT] = "object",
    [AG_SYM_IFUNC] = "ifunc",   [AG_SYM_TLS] = "tls",   [AG_SYM_COMMON] = "common",
};

const char *ag_sym_type_name(ag_sym_type t)
{
    return (unsigned)t <= AG_SYM_COMMON ? sym_type_names[t] : "invalid";
}

int ag_sym_type_from_name(const char *s)
{
    for (int t = 0; t <= AG_SYM_COMMON; t++)
        if (s && strcmp(s, sym_type_names[t]) == 0)
            return t;
    return -1;
}

static const char *const binding_names[] = {
    [AG_BIND_GLOBAL] = "global", [AG_BIND_WEAK] = "weak", [AG_BIND_UNIQUE] = "unique",
};

const char *ag_sym_binding_name(ag_sym_binding b)
{
    return (unsigned)b <= AG_BIND_UNIQUE ? binding_names[b] : "invalid";
}

int ag_sym_binding_from_name(const char *s)
{
    for (int b = 0; b <= AG_BIND_UNIQUE; b++)
        if (s && strcmp(s, binding_names[b]) == 0)
            return b;
    return -1;
}

static const struct {
    ag_encoding enc;
    const char *name;
} encoding_names[] = {
    { AG_ENC_NONE, "none" },
    { AG_ENC_ADDRESS, "address" },
    { AG_ENC_BOOLEAN, "boolean" },
    { AG_ENC_COMPLEX_FLOAT, "complex-float" },
    { AG_ENC_FLOAT, "float" },
    { AG_ENC_SIGNED, "signed" },
    { AG_ENC_SIGNED_CHAR, "signed-char" },
    { AG_ENC_UNSIGNED, "unsigned" },
    { AG_ENC_UNSIGNED_CHAR, "unsigned-char" },
    { AG_ENC_UTF, "utf" },
};

const char *ag_encoding_name(ag_encoding e)
{
    for (size_t i = 0; i < sizeof encoding_names / sizeof encoding_names[0]; i++)
        if (encoding_names[i].enc == e)
            return encoding_names[i].name;
    return "none";
}

int ag_encoding_from_name(const char *s)
{
    for (size_t i = 0; i < sizeof encoding_names / sizeof encoding_names[0]; i++)
        if (s && strcmp(s, encoding_names[i].name) == 0)
            return (int)encoding_names[i].enc;
    return -1;
}

/* ------------------------------------------------------------------ */
/* Finalize: ids, hashes, merge, prune, order                          */

typedef struct finalizer {
    ag_corpus *c;
    uint64_t *id;      /* per type */
    unsigned char *state; /* 0 todo, 1 in progress, 2 done */
    ag_error *err;
} finalizer;

static bool is_named_aggregate(const ag_type *t)
{
    return t->name && (t->kind == AG_T_STRUCT || t->kind == AG_T_UNION ||
                       t->kind == AG_T_ENUM || t->kind == AG_T_TYPEDEF);
}

static ag_status check_ref(finalizer *f, ag_type_ref r, bool may_be_none, const char *what, size_t idx)
{
    if (r == AG_NO_TYPE && may_be_none)
        return AG_OK;
    if (r >= f->c->n_types)
        return ag_fail(f->err, AG_ERR_FORMAT, "%s %zu refers to a type that does not exist", what, idx);
    return AG_OK;
}

static ag_status check_refs(finalizer *f)
{
    ag_corpus *c = f->c;
    ag_status st = AG_OK;
    for (size_t i = 0; i < c->n_types && st == AG_OK; i++) {
        const ag_type *t = &c->types[i];
        bool target_optional = t->kind == AG_T_ENUM || t->kind == AG_T_VOID ||
                               t->kind == AG_T_BASE || t->kind == AG_T_STRUCT ||
                               t->kind == AG_T_UNION || t->kind == AG_T_UNKNOWN;
        st = check_ref(f, t->target, target_optional, "type", i);
        for (size_t m = 0; m < t->n_members && st == AG_OK; m++)
            st = check_ref(f, t->members[m].type, false, "type", i);
        for (size_t p = 0; p < t->n_params && st == AG_OK; p++)
            st = check_ref(f, t->params[p].type, false, "type", i);
    }
    for (size_t i = 0; i < c->n_functions && st == AG_OK; i++) {
        st = check_ref(f, c->functions[i].return_type, false, "function", i);
        for (size_t p = 0; p < c->functions[i].n_params && st == AG_OK; p++)
            st = check_ref(f, c->functions[i].params[p].type, false, "function", i);
    }
    for (size_t i = 0; i < c->n_variables && st == AG_OK; i++)
        st = check_ref(f, c->variables[i].type, false, "variable", i);
    return st;
}

static ag_status compute_id(finalizer *f, ag_type_ref r, uint64_t *out);

static ag_status hash_ref(finalizer *f, ag_hasher *hs, ag_type_ref r)
{
    if (r == AG_NO_TYPE) {
        ag_hash_u64(hs, 0);
        return AG_OK;
    }
    uint64_t id;
    ag_status st = compute_id(f, r, &id);
    if (st == AG_OK)
        ag_hash_u64(hs, id);
    return st;
}

/* Everything but the name-based identity: the type's own layout, with the
   types it refers to taken by id. Used for anonymous types' ids and for
   every type's content hash. */
static ag_status hash_content(finalizer *f, ag_type_ref r, ag_hasher *hs)
{
    const ag_type *t = &f->c->types[r];
    ag_status st;
    ag_hash_u64(hs, (uint64_t)t->kind);
    ag_hash_str(hs, t->name);
    ag_hash_u64(hs, t->byte_size);
    ag_hash_u64(hs, t->alignment);
    ag_hash_u64(hs, (uint64_t)t->encoding);
    ag_hash_u64(hs, t->declaration_only);
    if ((st = hash_ref(f, hs, t->target)) != AG_OK)
        return st;
    ag_hash_u64(hs, t->n_members);
    for (size_t i = 0; i < t->n_members; i++) {
        const ag_member *m = &t->members[i];
        ag_hash_str(hs, m->name);
        if ((st = hash_ref(f, hs, m->type)) != AG_OK)
            return st;
        ag_hash_u64(hs, m->bit_offset);
        ag_hash_u64(hs, m->bit_size);
        ag_hash_u64(hs, m->alignment);
    }
    ag_hash_u64(hs, t->n_enumerators);
    for (size_t i = 0; i < t->n_enumerators; i++) {
        ag_hash_str(hs, t->enumerators[i].name);
        ag_hash_u64(hs, (uint64_t)t->enumerators[i].value);
        ag_hash_u64(hs, t->enumerators[i].value_unsigned);
    }
    ag_hash_u64(hs, t->n_dims);
    for (size_t i = 0; i < t->n_dims; i++)
        ag_hash_u64(hs, t->dims[i]);
    ag_hash_u64(hs, t->n_params);
    for (size_t i = 0; i < t->n_params; i++) {
        /* Parameter names of a function type are not part of its identity:
           `void (*)(int a)` and `void (*)(int b)` are the same type. */
        if ((st = hash_ref(f, hs, t->params[i].type)) != AG_OK)
            return st;
    }
    ag_hash_u64(hs, t->variadic);
    ag_hash_u64(hs, t->prototyped);
    return AG_OK;
}

static ag_status compute_id(finalizer *f, ag_type_ref r, uint64_t *out)
{
    if (f->state[r] == 2) {
        *out = f->id[r];
        return AG_OK;
    }
    const ag_type *t = &f->c->types[r];
    ag_hasher hs;
    ag_hash_init(&hs);
    if (is_named_aggregate(t) || t->kind == AG_T_VOID || t->kind == AG_T_UNKNOWN) {
        /* Identity by kind and name: recursion through a named type stops here. */
        ag_hash_str(&hs, "named");
        ag_hash_u64(&hs, (uint64_t)t->kind);
        ag_hash_str(&hs, t->name);
    } else if (t->kind == AG_T_BASE) {
        ag_hash_str(&hs, "base");
        ag_hash_str(&hs, t->name);
        ag_hash_u64(&hs, t->byte_size);
        ag_hash_u64(&hs, (uint64_t)t->encoding);
    } else {
        if (f->state[r] == 1)
            return ag_fail(f->err, AG_ERR_FORMAT,
                           "type %u is part of a cycle that goes through no named type", r);
        f->state[r] = 1;
        ag_hash_str(&hs, "structural");
        ag_status st = hash_content(f, r, &hs);
        if (st != AG_OK)
            return st;
    }
    f->id[r] = ag_hash_final(&hs);
    f->state[r] = 2;
    *out = f->id[r];
    return AG_OK;
}

static ag_type_ref canon_of(const ag_type_ref *canon, ag_type_ref r)
{
    return r == AG_NO_TYPE ? r : canon[r];
}

static void remap_refs(ag_corpus *c, const ag_type_ref *map)
{
    for (size_t i = 0; i < c->n_types; i++) {
        ag_type *t = &c->types[i];
        t->target = canon_of(map, t->target);
        for (size_t m = 0; m < t->n_members; m++)
            t->members[m].type = map[t->members[m].type];
        for (size_t p = 0; p < t->n_params; p++)
            t->params[p].type = map[t->params[p].type];
    }
    for (size_t i = 0; i < c->n_functions; i++) {
        ag_function *fn = &c->functions[i];
        fn->return_type = map[fn->return_type];
        for (size_t p = 0; p < fn->n_params; p++)
            fn->params[p].type = map[fn->params[p].type];
    }
    for (size_t i = 0; i < c->n_variables; i++)
        c->variables[i].type = map[c->variables[i].type];
}

/* Picks one representative per id: a complete definition beats a
   declaration, otherwise the first seen wins. */
static ag_status merge_duplicates(finalizer *f, ag_type_ref *canon)
{
    ag_corpus *c = f->c;
    ag_u64map by_id;
    if (!ag_u64map_init(&by_id, c->n_types))
        return ag_fail(f->err, AG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < c->n_types; i++) {
        uint32_t seen;
        if (!ag_u64map_get(&by_id, f->id[i], &seen)) {
            if (!ag_u64map_put(&by_id, f->id[i], (uint32_t)i)) {
                ag_u64map_free(&by_id);
                return ag_fail(f->err, AG_ERR_NOMEM, "out of memory");
            }
            continue;
        }
        if (c->types[seen].declaration_only && !c->types[i].declaration_only)
            ag_u64map_put(&by_id, f->id[i], (uint32_t)i); /* cannot grow: key exists */
    }
    for (size_t i = 0; i < c->n_types; i++) {
        uint32_t rep = (uint32_t)i;
        ag_u64map_get(&by_id, f->id[i], &rep);
        canon[i] = rep;
    }
    ag_u64map_free(&by_id);
    return AG_OK;
}

static void mark(unsigned char *live, ag_type_ref r, ag_type_ref *stack, size_t *sp)
{
    if (r == AG_NO_TYPE || live[r])
        return;
    live[r] = 1;
    stack[(*sp)++] = r;
}

/* Marks every type reachable from functions and variables, and with a
   recorded surface from every public type's representative (iteratively:
   real corpora have reference chains thousands of types deep). */
static void mark_reachable(const ag_corpus *c, const ag_type_ref *canon, unsigned char *live,
                           ag_type_ref *stack)
{
    size_t sp = 0;
    if (c->surface.recorded)
        for (size_t i = 0; i < c->n_types; i++)
            if (c->types[i].is_public && canon[i] == i)
                mark(live, (ag_type_ref)i, stack, &sp);
    for (size_t i = 0; i < c->n_functions; i++) {
        mark(live, c->functions[i].return_type, stack, &sp);
        for (size_t p = 0; p < c->functions[i].n_params; p++)
            mark(live, c->functions[i].params[p].type, stack, &sp);
    }
    for (size_t i = 0; i < c->n_variables; i++)
        mark(live, c->variables[i].type, stack, &sp);
    while (sp) {
        const ag_type *t = &c->types[stack[--sp]];
        mark(live, t->target, stack, &sp);
        for (size_t m = 0; m < t->n_members; m++)
            mark(live, t->members[m].type, stack, &sp);
        for (size_t p = 0; p < t->n_params; p++)
            mark(live, t->params[p].type, stack, &sp);
    }
}

static int cmp_type_id(const void *a, const void *b)
{
    return strcmp(((const ag_type *)a)->id, ((const ag_type *)b)->id);
}

static int cmp_str_nullable(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int cmp_symbol(const void *pa, const void *pb)
{
    const ag_symbol *a = pa, *b = pb;
    int d = strcmp(a->name, b->name);
    if (!d)
        d = cmp_str_nullable(a->version, b->version);
    if (!d)
        d = (int)b->is_default - (int)a->is_default;
    if (!d)
        d = cmp_str_nullable(a->version_file, b->version_file);
    return d;
}

static int cmp_function(const void *a, const void *b)
{
    return strcmp(((const ag_function *)a)->name, ((const ag_function *)b)->name);
}

static int cmp_variable(const void *a, const void *b)
{
    return strcmp(((const ag_variable *)a)->name, ((const ag_variable *)b)->name);
}

static int cmp_skip(const void *a, const void *b)
{
    return strcmp(((const ag_skip_count *)a)->what, ((const ag_skip_count *)b)->what);
}

/* qsort's pointer must be valid even for zero elements; ours may be NULL. */
static void sort_if_any(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

/* Keeps the live representatives, sorted by id, and renumbers. */
static ag_status compact(finalizer *f, const unsigned char *live)
{
    ag_corpus *c = f->c;
    size_t n_live = 0;
    for (size_t i = 0; i < c->n_types; i++)
        n_live += live[i];
    ag_type *kept = malloc((n_live ? n_live : 1) * sizeof *kept);
    ag_type_ref *new_index = malloc((c->n_types ? c->n_types : 1) * sizeof *new_index);
    if (!kept || !new_index) {
        free(kept);
        free(new_index);
        return ag_fail(f->err, AG_ERR_NOMEM, "out of memory");
    }
    /* Sort (id, old index) pairs by carrying the old index in `hash` for a moment. */
    size_t k = 0;
    for (size_t i = 0; i < c->n_types; i++) {
        if (live[i]) {
            kept[k] = c->types[i];
            kept[k].hash = i;
            k++;
        } else {
            free_type_contents(&c->types[i]);
        }
    }
    sort_if_any(kept, n_live, sizeof *kept, cmp_type_id);
    for (size_t i = 0; i < c->n_types; i++)
        new_index[i] = AG_NO_TYPE;
    for (size_t j = 0; j < n_live; j++)
        new_index[kept[j].hash] = (ag_type_ref)j;
    free(c->types);
    c->types = kept;
    c->n_types = c->cap_types = n_live;
    remap_refs(c, new_index);
    free(new_index);
    return AG_OK;
}

static ag_status compute_hashes(finalizer *f)
{
    ag_corpus *c = f->c;
    for (size_t i = 0; i < c->n_types; i++) {
        ag_type *t = &c->types[i];
        if (is_named_aggregate(t)) {
            ag_hasher hs;
            ag_hash_init(&hs);
            ag_status st = hash_content(f, (ag_type_ref)i, &hs);
            if (st != AG_OK)
                return st;
            t->hash = ag_hash_final(&hs);
        } else {
            t->hash = f->id[i];
        }
    }
    return AG_OK;
}

static ag_status compute_all_ids(finalizer *f)
{
    ag_corpus *c = f->c;
    memset(f->state, 0, c->n_types);
    for (size_t i = 0; i < c->n_types; i++) {
        uint64_t id;
        ag_status st = compute_id(f, (ag_type_ref)i, &id);
        if (st != AG_OK)
            return st;
    }
    return AG_OK;
}

ag_status ag_corpus_finalize(ag_corpus *c, ag_error *err)
{
    finalizer f = { .c = c, .err = err };
    size_t n = c->n_types ? c->n_types : 1;
    f.id = calloc(n, sizeof *f.id);
    f.state = calloc(n, 1);
    ag_type_ref *canon = calloc(n, sizeof *canon);
    unsigned char *live = calloc(n, 1);
    ag_type_ref *stack = calloc(n, sizeof *stack);
    ag_status st = AG_OK;
    if (!f.id || !f.state || !canon || !live || !stack) {
        st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
        goto out;
    }
    if ((st = check_refs(&f)) != AG_OK || (st = compute_all_ids(&f)) != AG_OK)
        goto out;
    if ((st = merge_duplicates(&f, canon)) != AG_OK)
        goto out;
    remap_refs(c, canon);
    mark_reachable(c, canon, live, stack);
    for (size_t i = 0; i < c->n_types; i++)
        snprintf(c->types[i].id, sizeof c->types[i].id, "%016" PRIx64, f.id[i]);
    if ((st = compact(&f, live)) != AG_OK)
        goto out;
    /* After renumbering, recompute ids against the new indices (same values). */
    memset(f.state, 0, n);
    if ((st = compute_all_ids(&f)) != AG_OK || (st = compute_hashes(&f)) != AG_OK)
        goto out;
    sort_if_any(c->exports, c->n_exports, sizeof *c->exports, cmp_symbol);
    sort_if_any(c->imports, c->n_imports, sizeof *c->imports, cmp_symbol);
    sort_if_any(c->functions, c->n_functions, sizeof *c->functions, cmp_function);
    sort_if_any(c->variables, c->n_variables, sizeof *c->variables, cmp_variable);
    sort_if_any(c->skipped, c->n_skipped, sizeof *c->skipped, cmp_skip);
out:
    free(f.id);
    free(f.state);
    free(canon);
    free(live);
    free(stack);
    return st;
}

/* ------------------------------------------------------------------ */
/* Spelling types as C                                                  */

typedef struct spell_buf {
    char *p;
    size_t len, cap;
} spell_buf;

static void sb_put(spell_buf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + 1 >= b->cap)
        return;
    if (n > b->cap - 1 - b->len)
        n = b->cap - 1 - b->len;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void spell_declarator(const ag_corpus *c, ag_type_ref t, const char *inner, spell_buf *out, int depth);

static void spell_params(const ag_corpus *c, const ag_type *fn, spell_buf *out, int depth)
{
    char part[512];
    sb_put(out, "(");
    for (size_t i = 0; i < fn->n_params; i++) {
        if (i)
            sb_put(out, ", ");
        spell_buf pb = { part, 0, sizeof part };
        part[0] = '\0';
        spell_declarator(c, fn->params[i].type, "", &pb, depth + 1);
        sb_put(out, part);
    }
    if (fn->variadic)
        sb_put(out, fn->n_params ? ", ..." : "...");
    else if (!fn->n_params && fn->prototyped)
        sb_put(out, "void");
    sb_put(out, ")");
}

static void spell_named(const ag_type *ty, spell_buf *out)
{
    switch (ty->kind) {
    case AG_T_STRUCT: sb_put(out, "struct "); break;
    case AG_T_UNION: sb_put(out, "union "); break;
    case AG_T_ENUM: sb_put(out, "enum "); break;
    default: break;
    }
    sb_put(out, ty->name ? ty->name : "{anonymous}");
}

/* The classic inside-out C declarator: `inner` is what has been built so
   far around the name (empty for an abstract declarator). */
static void spell_declarator(const ag_corpus *c, ag_type_ref t, const char *inner, spell_buf *out, int depth)
{
    char next[1024];
    if (t == AG_NO_TYPE || t >= c->n_types || depth > 64) {
        sb_put(out, "?");
        if (*inner) {
            sb_put(out, " ");
            sb_put(out, inner);
        }
        return;
    }
    const ag_type *ty = &c->types[t];
    switch (ty->kind) {
    case AG_T_POINTER: {
        const ag_type *to = ty->target < c->n_types ? &c->types[ty->target] : NULL;
        bool wrap = to && (to->kind == AG_T_FUNC || to->kind == AG_T_ARRAY);
        snprintf(next, sizeof next, wrap ? "(*%s)" : "*%s", inner);
        spell_declarator(c, ty->target, next, out, depth + 1);
        return;
    }
    case AG_T_CONST:
    case AG_T_VOLATILE:
    case AG_T_RESTRICT:
    case AG_T_ATOMIC: {
        const char *q = ty->kind == AG_T_CONST ? "const" : ty->kind == AG_T_VOLATILE ? "volatile"
                      : ty->kind == AG_T_RESTRICT ? "restrict" : "_Atomic";
        const ag_type *to = ty->target < c->n_types ? &c->types[ty->target] : NULL;
        if (to && to->kind == AG_T_POINTER) {
            /* A qualified pointer: the qualifier goes after the star. */
            const ag_type *pointee = to->target < c->n_types ? &c->types[to->target] : NULL;
            bool wrap = pointee && (pointee->kind == AG_T_FUNC || pointee->kind == AG_T_ARRAY);
            snprintf(next, sizeof next, wrap ? "(*%s%s%s)" : "*%s%s%s", q, *inner ? " " : "", inner);
            spell_declarator(c, to->target, next, out, depth + 1);
            return;
        }
        sb_put(out, q);
        sb_put(out, " ");
        spell_declarator(c, ty->target, inner, out, depth + 1);
        return;
    }
    case AG_T_ARRAY: {
        size_t used = (size_t)snprintf(next, sizeof next, "%s", inner);
        for (size_t i = 0; i < ty->n_dims && used < sizeof next; i++) {
            if (ty->dims[i] == AG_DIM_UNKNOWN)
                used += (size_t)snprintf(next + used, sizeof next - used, "[]");
            else
                used += (size_t)snprintf(next + used, sizeof next - used, "[%" PRIu64 "]", ty->dims[i]);
        }
        spell_declarator(c, ty->target, next, out, depth + 1);
        return;
    }
    case AG_T_FUNC: {
        char params[1024];
        spell_buf pb = { params, 0, sizeof params };
        params[0] = '\0';
        spell_params(c, ty, &pb, depth);
        snprintf(next, sizeof next, "%s%s", inner, params);
        spell_declarator(c, ty->target, next, out, depth + 1);
        return;
    }
    default:
        spell_named(ty, out);
        if (*inner) {
            if (inner[0] != '[')
                sb_put(out, " ");
            sb_put(out, inner);
        }
        return;
    }
}

void ag_type_spell(const ag_corpus *c, ag_type_ref t, char *buf, size_t buflen)
{
    if (!buflen)
        return;
    buf[0] = '\0';
    spell_buf b = { buf, 0, buflen };
    spell_declarator(c, t, "", &b, 0);
}

/* ------------------------------------------------------------------ */
/* Lookups                                                             */

/* functions and variables are sorted by name once finalized; both arrays
   start with their name member, so one search serves both. */
static const void *find_by_name(const void *base, size_t n, size_t size, const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const void *elem = (const char *)base + mid * size;
        int d = strcmp(*(char *const *)elem, name);
        if (!d)
            return elem;
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const ag_function *ag_corpus_find_function(const ag_corpus *c, const char *name)
{
    return find_by_name(c->functions, c->n_functions, sizeof *c->functions, name);
}

const ag_variable *ag_corpus_find_variable(const ag_corpus *c, const char *name)
{
    return find_by_name(c->variables, c->n_variables, sizeof *c->variables, name);
}

static ag_type_ref find_named(const ag_corpus *c, ag_type_kind kind, const char *name)
{
    ag_type_ref found = AG_NO_TYPE;
    for (size_t i = 0; i < c->n_types; i++) {
        const ag_type *t = &c->types[i];
        if (t->kind == kind && t->name && strcmp(t->name, name) == 0) {
            if (!t->declaration_only)
                return (ag_type_ref)i;
            found = (ag_type_ref)i;
        }
    }
    return found;
}

ag_type_ref ag_corpus_find_type(const ag_corpus *c, const char *name)
{
    static const struct {
        const char *prefix;
        ag_type_kind kind;
    } tagged[] = { { "struct ", AG_T_STRUCT }, { "union ", AG_T_UNION }, { "enum ", AG_T_ENUM } };
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(tagged[i].prefix);
        if (strncmp(name, tagged[i].prefix, n) == 0)
            return find_named(c, tagged[i].kind, name + n);
    }
    static const ag_type_kind order[] = { AG_T_TYPEDEF, AG_T_STRUCT, AG_T_UNION, AG_T_ENUM, AG_T_BASE };
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        ag_type_ref r = find_named(c, order[i], name);
        if (r != AG_NO_TYPE)
            return r;
    }
    return AG_NO_TYPE;
}
