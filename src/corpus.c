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
    { AG_ENC_IMAGINARY_FLOAT, "imaginary-float" },
    { AG_ENC_PACKED_DECIMAL, "packed-decimal" },
    { AG_ENC_NUMERIC_STRING, "numeric-string" },
    { AG_ENC_EDITED, "edited" },
    { AG_ENC_SIGNED_FIXED, "signed-fixed" },
    { AG_ENC_UNSIGNED_FIXED, "unsigned-fixed" },
    { AG_ENC_DECIMAL_FLOAT, "decimal-float" },
    { AG_ENC_UTF, "utf" },
    { AG_ENC_UCS, "ucs" },
    { AG_ENC_ASCII, "ascii" },
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
    ag_type_ref *stack;   /* the explicit stack of the depth-first walks */
    uint32_t *next;       /* per open type: the next reference to look at */
    uint32_t *depth;      /* check_chains: longest chain starting at the type */
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

/* The types a type refers to: its target, then its members' types, then its
   parameters' types (ref_count of them; AG_NO_TYPE where there is none). */
static size_t ref_count(const ag_type *t)
{
    return 1 + t->n_members + t->n_params;
}

static ag_type_ref ref_at(const ag_type *t, size_t i)
{
    if (i == 0)
        return t->target;
    i--;
    if (i < t->n_members)
        return t->members[i].type;
    return t->params[i - t->n_members].type;
}

/* Identity by name (or by the base type's own fields) rather than by content. */
static bool has_nominal_id(const ag_type *t)
{
    return is_named_aggregate(t) || t->kind == AG_T_VOID || t->kind == AG_T_UNKNOWN || t->kind == AG_T_BASE;
}

static uint64_t nominal_id(const ag_type *t)
{
    ag_hasher hs;
    ag_hash_init(&hs);
    if (t->kind == AG_T_BASE) {
        ag_hash_str(&hs, "base");
        ag_hash_str(&hs, t->name);
        ag_hash_u64(&hs, t->byte_size);
        ag_hash_u64(&hs, (uint64_t)t->encoding);
    } else {
        /* Identity by kind and name: references through a named type stop here. */
        ag_hash_str(&hs, "named");
        ag_hash_u64(&hs, (uint64_t)t->kind);
        ag_hash_str(&hs, t->name);
    }
    return ag_hash_final(&hs);
}

/* The id of a type whose id is known (computed, or nominal). */
static uint64_t known_id(const finalizer *f, ag_type_ref r)
{
    if (r == AG_NO_TYPE)
        return 0;
    return f->state[r] == 2 ? f->id[r] : nominal_id(&f->c->types[r]);
}

/* Everything but the name-based identity: the type's own layout, with the
   types it refers to taken by id (which must be known). Used for anonymous
   types' ids and for every type's content hash. */
static void hash_content(const finalizer *f, ag_type_ref r, ag_hasher *hs)
{
    const ag_type *t = &f->c->types[r];
    ag_hash_u64(hs, (uint64_t)t->kind);
    ag_hash_str(hs, t->name);
    ag_hash_u64(hs, t->byte_size);
    ag_hash_u64(hs, t->alignment);
    ag_hash_u64(hs, (uint64_t)t->encoding);
    ag_hash_u64(hs, t->declaration_only);
    ag_hash_u64(hs, known_id(f, t->target));
    ag_hash_u64(hs, t->n_members);
    for (size_t i = 0; i < t->n_members; i++) {
        const ag_member *m = &t->members[i];
        ag_hash_str(hs, m->name);
        ag_hash_u64(hs, known_id(f, m->type));
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
    /* Parameter names of a function type are not part of its identity:
       `void (*)(int a)` and `void (*)(int b)` are the same type. */
    for (size_t i = 0; i < t->n_params; i++)
        ag_hash_u64(hs, known_id(f, t->params[i].type));
    ag_hash_u64(hs, t->variadic);
    ag_hash_u64(hs, t->prototyped);
}

static const char *type_label(const ag_type *t, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s", ag_type_kind_name(t->kind), t->name ? " " : "", t->name ? t->name : "");
    return buf;
}

/* Ids of every type. An anonymous type's id hashes the ids of what it
   refers to, so those come first: a depth-first walk with an explicit
   stack (chains of anonymous types can be as long as AG_MAX_TYPE_DEPTH,
   or longer in a corrupt file, which must give an error, not a crash). */
static ag_status compute_all_ids(finalizer *f)
{
    ag_corpus *c = f->c;
    memset(f->state, 0, c->n_types);
    for (size_t root = 0; root < c->n_types; root++) {
        if (f->state[root] == 2)
            continue;
        if (has_nominal_id(&c->types[root])) {
            f->id[root] = nominal_id(&c->types[root]);
            f->state[root] = 2;
            continue;
        }
        size_t sp = 0;
        f->stack[sp++] = (ag_type_ref)root;
        f->next[root] = 0;
        f->state[root] = 1;
        while (sp > 0) {
            ag_type_ref u = f->stack[sp - 1];
            const ag_type *t = &c->types[u];
            bool pushed = false;
            for (size_t i = f->next[u]; i < ref_count(t) && !pushed; i++) {
                f->next[u] = (uint32_t)i + 1;
                ag_type_ref dep = ref_at(t, i);
                if (dep == AG_NO_TYPE || f->state[dep] == 2)
                    continue;
                if (has_nominal_id(&c->types[dep])) {
                    f->id[dep] = nominal_id(&c->types[dep]);
                    f->state[dep] = 2;
                    continue;
                }
                if (f->state[dep] == 1) {
                    char label[128];
                    return ag_fail(f->err, AG_ERR_FORMAT,
                                   "type %u (%s) is part of a cycle that goes through no named type", dep,
                                   type_label(&c->types[dep], label, sizeof label));
                }
                f->state[dep] = 1;
                f->next[dep] = 0;
                f->stack[sp++] = dep; /* each type is opened once: sp <= n_types */
                pushed = true;
            }
            if (pushed)
                continue;
            ag_hasher hs;
            ag_hash_init(&hs);
            ag_hash_str(&hs, "structural");
            hash_content(f, u, &hs);
            f->id[u] = ag_hash_final(&hs);
            f->state[u] = 2;
            sp--;
        }
    }
    return AG_OK;
}

/* The references a chain can follow without passing a struct or union:
   everything a typedef, pointer, qualifier, array, function type or enum
   refers to. A struct or union ends a chain (its members start new ones). */
static size_t chain_ref_count(const ag_type *t)
{
    return t->kind == AG_T_STRUCT || t->kind == AG_T_UNION ? 0 : ref_count(t);
}

/* Every reader ends here, so this is where the one depth limit of
   corpus.h is enforced for all of them: no chain of references through
   no struct or union may loop (C cannot express one; every walk that
   follows typedefs, pointers and arrays relies on that to end) or be
   longer than AG_MAX_TYPE_DEPTH types. Iterative, longest chains by
   memoized depth. */
static ag_status check_chains(finalizer *f)
{
    ag_corpus *c = f->c;
    memset(f->state, 0, c->n_types);
    uint32_t *depth = f->depth;
    for (size_t root = 0; root < c->n_types; root++) {
        if (f->state[root] == 2)
            continue;
        size_t sp = 0;
        f->stack[sp++] = (ag_type_ref)root;
        f->next[root] = 0;
        f->state[root] = 1;
        while (sp > 0) {
            ag_type_ref u = f->stack[sp - 1];
            const ag_type *t = &c->types[u];
            bool pushed = false;
            for (size_t i = f->next[u]; i < chain_ref_count(t) && !pushed; i++) {
                f->next[u] = (uint32_t)i + 1;
                ag_type_ref dep = ref_at(t, i);
                if (dep == AG_NO_TYPE || f->state[dep] == 2)
                    continue;
                if (f->state[dep] == 1) {
                    char label[128];
                    return ag_fail(f->err, AG_ERR_FORMAT,
                                   "type %u (%s) is part of a cycle that passes through no struct or union",
                                   dep, type_label(&c->types[dep], label, sizeof label));
                }
                f->state[dep] = 1;
                f->next[dep] = 0;
                f->stack[sp++] = dep;
                pushed = true;
            }
            if (pushed)
                continue;
            uint32_t longest = 0;
            for (size_t i = 0; i < chain_ref_count(t); i++) {
                ag_type_ref dep = ref_at(t, i);
                if (dep != AG_NO_TYPE && depth[dep] > longest)
                    longest = depth[dep];
            }
            depth[u] = longest + 1;
            if (depth[u] > AG_MAX_TYPE_DEPTH) {
                char label[128];
                return ag_fail(f->err, AG_ERR_FORMAT,
                               "type %u (%s) starts a chain of more than %d typedefs, pointers, qualifiers, "
                               "arrays or function types", u, type_label(t, label, sizeof label),
                               AG_MAX_TYPE_DEPTH);
            }
            f->state[u] = 2;
            sp--;
        }
    }
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
            hash_content(f, (ag_type_ref)i, &hs);
            t->hash = ag_hash_final(&hs);
        } else {
            t->hash = f->id[i];
        }
    }
    return AG_OK;
}

static int cmp_cstr_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The first name that occurs twice among n (NULLs, anonymous, ignored), or
   NULL. `scratch` holds n pointers. */
static const char *first_repeated(const char **scratch, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (scratch[i])
            scratch[k++] = scratch[i];
    if (k > 1)
        qsort(scratch, k, sizeof *scratch, cmp_cstr_ptr);
    for (size_t i = 1; i < k; i++)
        if (strcmp(scratch[i - 1], scratch[i]) == 0)
            return scratch[i];
    return NULL;
}

/* Names extract never writes twice, refused in any corpus: with two
   members `p` (or two functions `f`) the diff would compare whichever it
   finds first and report changes between a file and itself. Functions and
   variables are sorted by name when this runs. */
static ag_status check_unique_names(const ag_corpus *c, ag_error *err)
{
    for (size_t i = 1; i < c->n_functions; i++)
        if (strcmp(c->functions[i - 1].name, c->functions[i].name) == 0)
            return ag_fail(err, AG_ERR_FORMAT, "two functions are named %s", c->functions[i].name);
    for (size_t i = 1; i < c->n_variables; i++)
        if (strcmp(c->variables[i - 1].name, c->variables[i].name) == 0)
            return ag_fail(err, AG_ERR_FORMAT, "two variables are named %s", c->variables[i].name);
    for (size_t i = 0, k = 0; i < c->n_functions && k < c->n_variables;) {
        int d = strcmp(c->functions[i].name, c->variables[k].name);
        if (d == 0)
            return ag_fail(err, AG_ERR_FORMAT, "%s is both a function and a variable", c->functions[i].name);
        i += d < 0;
        k += d > 0;
    }
    size_t most = 0;
    for (size_t t = 0; t < c->n_types; t++) {
        if (c->types[t].n_members > most)
            most = c->types[t].n_members;
        if (c->types[t].n_enumerators > most)
            most = c->types[t].n_enumerators;
    }
    const char **scratch = malloc((most ? most : 1) * sizeof *scratch);
    if (!scratch)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    ag_status st = AG_OK;
    for (size_t t = 0; t < c->n_types && st == AG_OK; t++) {
        const ag_type *ty = &c->types[t];
        char label[128];
        for (size_t m = 0; m < ty->n_members; m++)
            scratch[m] = ty->members[m].name;
        const char *dup = first_repeated(scratch, ty->n_members);
        if (dup) {
            st = ag_fail(err, AG_ERR_FORMAT, "%s has two members named %s", type_label(ty, label, sizeof label),
                         dup);
            break;
        }
        for (size_t e = 0; e < ty->n_enumerators; e++)
            scratch[e] = ty->enumerators[e].name;
        dup = first_repeated(scratch, ty->n_enumerators);
        if (dup)
            st = ag_fail(err, AG_ERR_FORMAT, "%s has two enumerators named %s", type_label(ty, label, sizeof label),
                         dup);
    }
    free(scratch);
    return st;
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
    f.stack = calloc(n, sizeof *f.stack);
    f.next = calloc(n, sizeof *f.next);
    f.depth = calloc(n, sizeof *f.depth);
    ag_status st = AG_OK;
    if (!f.id || !f.state || !canon || !live || !stack || !f.stack || !f.next || !f.depth) {
        st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
        goto out;
    }
    if ((st = check_refs(&f)) != AG_OK || (st = check_chains(&f)) != AG_OK ||
        (st = compute_all_ids(&f)) != AG_OK)
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
    if ((st = check_unique_names(c, err)) != AG_OK)
        goto out;
    sort_if_any(c->skipped, c->n_skipped, sizeof *c->skipped, cmp_skip);
out:
    free(f.id);
    free(f.state);
    free(f.stack);
    free(f.next);
    free(f.depth);
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
    /* Steps left for the whole spelling, shared by the buffers of its parts:
       a type graph is spelled as a tree, and callbacks whose parameters are
       callbacks (sharing their types) would otherwise take one step per
       path, exponentially many. What does not fit shows as "...". */
    long *budget;
} spell_buf;

#define SPELL_STEPS 4096

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

static void spell_declarator(const ag_corpus *c, ag_type_ref t, const char *inner, spell_buf *out, int depth,
                             unsigned quals);

/* Qualifiers as bits, in the order they are written. */
static const char *const qual_words[] = { "const", "volatile", "restrict", "_Atomic" };

static unsigned qual_bit(ag_type_kind k)
{
    return k == AG_T_CONST ? 1u : k == AG_T_VOLATILE ? 2u : k == AG_T_RESTRICT ? 4u : k == AG_T_ATOMIC ? 8u : 0u;
}

/* "const volatile" (each at most once), with a separator after each word. */
static void quals_text(unsigned quals, const char *sep, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < 4 && used < len; i++)
        if (quals & (1u << i))
            used += (size_t)snprintf(buf + used, len - used, "%s%s", qual_words[i], sep);
}

static void spell_params(const ag_corpus *c, const ag_type *fn, spell_buf *out, int depth)
{
    char part[512];
    sb_put(out, "(");
    for (size_t i = 0; i < fn->n_params; i++) {
        if (out->len + 1 >= out->cap)
            return; /* nothing more would show */
        if (i)
            sb_put(out, ", ");
        spell_buf pb = { part, 0, sizeof part, out->budget };
        part[0] = '\0';
        spell_declarator(c, fn->params[i].type, "", &pb, depth + 1, 0);
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
   far around the name (empty for an abstract declarator); `quals` are
   qualifiers met above that apply here: a run of qualifiers is written once
   (never "const const"), and qualifiers on an array type qualify its
   elements (C11 6.7.3p9: `const` on char[4] is const char[4]). */
static void spell_declarator(const ag_corpus *c, ag_type_ref t, const char *inner, spell_buf *out, int depth,
                             unsigned quals)
{
    char next[1024], qs[64];
    if (--*out->budget < 0) {
        sb_put(out, "...");
        return;
    }
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
        /* A qualified pointer: the qualifiers go after the star. */
        const ag_type *to = ty->target < c->n_types ? &c->types[ty->target] : NULL;
        bool wrap = to && (to->kind == AG_T_FUNC || to->kind == AG_T_ARRAY);
        quals_text(quals, " ", qs, sizeof qs);
        size_t ql = strlen(qs);
        if (ql && (!*inner || *inner == '[' || *inner == ')'))
            qs[ql - 1] = '\0';
        snprintf(next, sizeof next, wrap ? "(*%s%s)" : "*%s%s", qs, inner);
        spell_declarator(c, ty->target, next, out, depth + 1, 0);
        return;
    }
    case AG_T_CONST:
    case AG_T_VOLATILE:
    case AG_T_RESTRICT:
    case AG_T_ATOMIC:
        spell_declarator(c, ty->target, inner, out, depth + 1, quals | qual_bit(ty->kind));
        return;
    case AG_T_ARRAY: {
        size_t used = (size_t)snprintf(next, sizeof next, "%s", inner);
        for (size_t i = 0; i < ty->n_dims && used < sizeof next; i++) {
            if (ty->dims[i] == AG_DIM_UNKNOWN)
                used += (size_t)snprintf(next + used, sizeof next - used, "[]");
            else
                used += (size_t)snprintf(next + used, sizeof next - used, "[%" PRIu64 "]", ty->dims[i]);
        }
        spell_declarator(c, ty->target, next, out, depth + 1, quals);
        return;
    }
    case AG_T_FUNC: {
        char params[1024];
        spell_buf pb = { params, 0, sizeof params, out->budget };
        params[0] = '\0';
        spell_params(c, ty, &pb, depth);
        snprintf(next, sizeof next, "%s%s", inner, params);
        spell_declarator(c, ty->target, next, out, depth + 1, 0);
        return;
    }
    default:
        quals_text(quals, " ", qs, sizeof qs);
        sb_put(out, qs);
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
    long budget = SPELL_STEPS;
    spell_buf b = { buf, 0, buflen, &budget };
    spell_declarator(c, t, "", &b, 0, 0);
}

/* ------------------------------------------------------------------ */
/* Layout                                                              */

ag_type_ref ag_type_resolve(const ag_corpus *c, ag_type_ref t)
{
    for (size_t guard = 0; t < c->n_types && guard < c->n_types; guard++) {
        ag_type_kind k = c->types[t].kind;
        if (k != AG_T_TYPEDEF && k != AG_T_CONST && k != AG_T_VOLATILE && k != AG_T_RESTRICT && k != AG_T_ATOMIC)
            break;
        t = c->types[t].target;
    }
    return t;
}

uint64_t ag_type_size(const ag_corpus *c, ag_type_ref t)
{
    /* Arrays of arrays multiply their way down to the element, iteratively. */
    uint64_t count = 1;
    for (size_t guard = 0; guard <= c->n_types; guard++) {
        t = ag_type_resolve(c, t);
        if (t >= c->n_types)
            return 0;
        const ag_type *ty = &c->types[t];
        if (ty->kind != AG_T_ARRAY || ty->byte_size) {
            uint64_t size = ty->byte_size;
            if (ty->kind == AG_T_POINTER && !size)
                size = c->elf.elf_class == 32 ? 4 : 8;
            return count * size;
        }
        for (size_t i = 0; i < ty->n_dims; i++) {
            if (ty->dims[i] == AG_DIM_UNKNOWN)
                return 0;
            count *= ty->dims[i];
        }
        t = ty->target;
    }
    return 0;
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
