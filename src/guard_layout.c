/*
 * guard_layout.c — the layouts a guard checks: every public struct, union,
 * enum and typedef that the plan's symbols reach (through parameters,
 * return types, members and pointers), with its size, natural alignment and
 * each named member's offset and size, as the baseline's DWARF describes
 * them; and the public headers that declare them. The C stub turns them
 * into _Static_assert lines, the other stubs into tables their own
 * language's declarations are compared with.
 *
 * Public: on the corpus's public surface (surface.h: recorded from the
 * installed headers, or inferred), and declared in a header that is not a
 * system header (/usr/include, gcc's own, /usr/lib) — a type the library
 * keeps to itself is not the binding's to declare, and a libc type is not
 * the library's.
 */
#include "guard_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "surface.h"

/* Whether s is a C identifier: what the stubs write as code (a type's tag,
   a member, an enumerator) comes from the library's DWARF, which a hostile
   library fills as it likes. */
static bool c_identifier(const char *s)
{
    if (!s || !(isalpha((unsigned char)*s) || *s == '_'))
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

bool ag_guard_is_public_header(const char *file)
{
    if (!file)
        return false;
    size_t n = strlen(file);
    if (n < 3 || strcmp(file + n - 2, ".h") != 0)
        return false;
    /* Its name goes into #include "..." and comments: letters, digits and
       ._+- only. */
    for (const char *b = ag_guard_base_name(file); *b; b++)
        if (!isalnum((unsigned char)*b) && !strchr("._+-", *b))
            return false;
    return strncmp(file, "/usr/include/", 13) != 0 && strstr(file, "/gcc/") == NULL &&
           strncmp(file, "/usr/lib/", 9) != 0;
}

const char *ag_guard_base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static ag_type_ref strip(const ag_corpus *c, ag_type_ref t)
{
    for (int depth = 0; t < c->n_types && depth < 64; depth++) {
        ag_type_kind k = c->types[t].kind;
        if (k != AG_T_TYPEDEF && k != AG_T_CONST && k != AG_T_VOLATILE && k != AG_T_RESTRICT &&
            k != AG_T_ATOMIC)
            break;
        t = c->types[t].target;
    }
    return t;
}

/* Size in bytes of an object of type t (0 when unknown or unbounded). */
static uint64_t type_size(const ag_corpus *c, ag_type_ref t, int depth)
{
    if (t >= c->n_types || depth > 64)
        return 0;
    const ag_type *ty = &c->types[t];
    if (ty->byte_size)
        return ty->byte_size;
    switch (ty->kind) {
    case AG_T_TYPEDEF: case AG_T_CONST: case AG_T_VOLATILE: case AG_T_RESTRICT: case AG_T_ATOMIC:
        return type_size(c, ty->target, depth + 1);
    case AG_T_POINTER:
        return (uint64_t)(c->elf.elf_class ? c->elf.elf_class : 64) / 8;
    case AG_T_ARRAY: {
        uint64_t n = 1;
        for (size_t i = 0; i < ty->n_dims; i++) {
            if (ty->dims[i] == AG_DIM_UNKNOWN)
                return 0;
            n *= ty->dims[i];
        }
        return n * type_size(c, ty->target, depth + 1);
    }
    default:
        return 0;
    }
}

/* Natural alignment as the compiler computes it, 0 when unknown (packed
   or otherwise not derivable). */
static uint64_t natural_align(const ag_corpus *c, ag_type_ref t, int depth)
{
    if (t >= c->n_types || depth > 64)
        return 0;
    const ag_type *ty = &c->types[t];
    uint64_t a = 0;
    switch (ty->kind) {
    case AG_T_BASE:
        a = ty->encoding == AG_ENC_COMPLEX_FLOAT ? ty->byte_size / 2 : ty->byte_size;
        break;
    case AG_T_POINTER:
        a = ty->byte_size ? ty->byte_size : (uint64_t)(c->elf.elf_class ? c->elf.elf_class : 64) / 8;
        break;
    case AG_T_ENUM:
        a = ty->byte_size;
        break;
    case AG_T_TYPEDEF: case AG_T_CONST: case AG_T_VOLATILE: case AG_T_RESTRICT: case AG_T_ATOMIC:
    case AG_T_ARRAY:
        a = natural_align(c, ty->target, depth + 1);
        break;
    case AG_T_STRUCT: case AG_T_UNION:
        if (ty->declaration_only)
            return 0;
        a = 1;
        for (size_t i = 0; i < ty->n_members; i++) {
            const ag_member *m = &ty->members[i];
            uint64_t ma = natural_align(c, m->type, depth + 1);
            if (m->alignment > ma)
                ma = m->alignment;
            if (ma == 0)
                return 0;
            if (m->bit_size == 0 && (m->bit_offset % 8 != 0 || (m->bit_offset / 8) % ma != 0))
                return 0; /* packed */
            if (m->bit_size == 0 && ma > a)
                a = ma;
        }
        break;
    default:
        return 0;
    }
    if (ty->alignment > a)
        a = ty->alignment;
    if (ty->kind == AG_T_STRUCT || ty->kind == AG_T_UNION) {
        if (a == 0 || ty->byte_size % a != 0)
            return 0;
    }
    return a;
}

/* The public typedef naming anonymous type t, or AG_NO_TYPE. */
static ag_type_ref naming_typedef(const ag_corpus *c, ag_type_ref t)
{
    for (size_t i = 0; i < c->n_types; i++)
        if (c->types[i].kind == AG_T_TYPEDEF && c->types[i].name && c->types[i].target == t &&
            ag_guard_is_public_header(c->types[i].decl_file))
            return (ag_type_ref)i;
    return AG_NO_TYPE;
}

static void mark_types(const ag_corpus *c, ag_type_ref t, unsigned char *seen)
{
    if (t >= c->n_types || seen[t])
        return;
    seen[t] = 1;
    const ag_type *ty = &c->types[t];
    mark_types(c, ty->target, seen);
    for (size_t i = 0; i < ty->n_members; i++)
        mark_types(c, ty->members[i].type, seen);
    for (size_t i = 0; i < ty->n_params; i++)
        mark_types(c, ty->params[i].type, seen);
}

static ag_status note_header(ag_guard_plan *p, const char *file, ag_error *err)
{
    if (!ag_guard_is_public_header(file))
        return AG_OK;
    const char *b = ag_guard_base_name(file);
    for (size_t i = 0; i < p->n_headers; i++)
        if (strcmp(p->headers[i], b) == 0)
            return AG_OK;
    const char **h = realloc(p->headers, (p->n_headers + 1) * sizeof *h);
    if (!h)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    p->headers = h;
    h[p->n_headers++] = b;
    return AG_OK;
}

/* Fills *l from type t when it is a public, complete struct, union, enum or
   sized typedef; *keep says whether it is one. */
static ag_status describe(const ag_corpus *c, const ag_visibility *vis, ag_type_ref t, ag_guard_layout *l,
                          bool *keep, ag_error *err)
{
    *keep = false;
    memset(l, 0, sizeof *l);
    if (vis[t] != AG_VIS_PUBLIC)
        return AG_OK;
    const ag_type *ty = &c->types[t];
    const char *decl = ty->decl_file;
    const char *tag = ty->name;
    const char *kind = NULL, *named = NULL; /* the C name: "KIND NAMED", or NAMED */
    if (ty->kind == AG_T_STRUCT || ty->kind == AG_T_UNION || ty->kind == AG_T_ENUM) {
        if (ty->declaration_only || ty->byte_size == 0)
            return AG_OK;
        if (ty->name) {
            kind = ag_type_kind_name(ty->kind);
            named = ty->name;
        } else {
            ag_type_ref td = naming_typedef(c, t);
            if (td == AG_NO_TYPE)
                return AG_OK;
            tag = c->types[td].name;
            decl = c->types[td].decl_file;
            named = tag;
        }
        if (ty->kind == AG_T_ENUM && !ty->name)
            return AG_OK; /* an anonymous enum's constants have no type to check */
    } else if (ty->kind == AG_T_TYPEDEF && ty->name) {
        ag_type_ref r = strip(c, t);
        if (r >= c->n_types || c->types[r].kind == AG_T_FUNC || c->types[r].kind == AG_T_VOID ||
            c->types[r].declaration_only || type_size(c, r, 0) == 0)
            return AG_OK;
        /* A typedef naming an anonymous struct is that struct's layout. */
        if ((c->types[r].kind == AG_T_STRUCT || c->types[r].kind == AG_T_UNION) && !c->types[r].name &&
            naming_typedef(c, r) == t)
            return AG_OK;
        named = ty->name;
    } else {
        return AG_OK;
    }
    if (!ag_guard_is_public_header(decl) || !c_identifier(named))
        return AG_OK;
    for (size_t i = 0; i < ty->n_members; i++) /* (an unnamed member is left out below) */
        if (ty->members[i].name && !c_identifier(ty->members[i].name))
            return AG_OK;
    for (size_t i = 0; ty->kind == AG_T_ENUM && i < ty->n_enumerators; i++)
        if (!c_identifier(ty->enumerators[i].name))
            return AG_OK;
    if (kind ? asprintf(&l->name, "%s %s", kind, named) < 0 : !(l->name = strdup(named))) {
        l->name = NULL;
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    l->tag = tag;
    l->kind = ty->kind;
    l->type = t;
    l->decl_file = decl;
    l->decl_line = ty->decl_line;
    if (ty->kind == AG_T_TYPEDEF) {
        ag_type_ref r = strip(c, t);
        l->size = type_size(c, r, 0);
        l->align = natural_align(c, r, 0);
        *keep = true;
        return AG_OK;
    }
    l->size = ty->byte_size;
    l->align = natural_align(c, t, 0);
    if (ty->kind == AG_T_ENUM) {
        l->enumerators = ty->enumerators;
        l->n_enumerators = ty->n_enumerators;
        *keep = true;
        return AG_OK;
    }
    l->fields = calloc(ty->n_members ? ty->n_members : 1, sizeof *l->fields);
    if (!l->fields) {
        free(l->name);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < ty->n_members; i++) {
        const ag_member *m = &ty->members[i];
        if (!m->name)
            continue;
        ag_guard_field *f = &l->fields[l->n_fields++];
        f->name = m->name;
        f->offset = m->bit_offset / 8;
        f->bit_offset = m->bit_offset;
        f->bit_size = m->bit_size;
        f->size = type_size(c, m->type, 0);
    }
    *keep = true;
    return AG_OK;
}

ag_status ag_guard_collect_layouts(ag_guard_plan *p, ag_error *err)
{
    const ag_corpus *c = p->corpus;
    unsigned char *seen = calloc(c->n_types ? c->n_types : 1, 1);
    ag_visibility *vis = calloc(c->n_types ? c->n_types : 1, sizeof *vis);
    if (!seen || !vis) {
        free(seen);
        free(vis);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    ag_status st = c->n_types ? ag_surface_classify(c, vis, NULL, err) : AG_OK;
    for (size_t i = 0; i < p->n_symbols && st == AG_OK; i++) {
        const ag_function *fn = ag_corpus_find_function(c, p->symbols[i].name);
        const ag_variable *v = fn ? NULL : ag_corpus_find_variable(c, p->symbols[i].name);
        if (fn) {
            st = note_header(p, fn->decl_file, err);
            mark_types(c, fn->return_type, seen);
            for (size_t k = 0; k < fn->n_params; k++)
                mark_types(c, fn->params[k].type, seen);
        } else if (v) {
            st = note_header(p, v->decl_file, err);
            mark_types(c, v->type, seen);
        }
    }
    size_t n = 0;
    for (size_t t = 0; t < c->n_types; t++)
        n += seen[t];
    if (st == AG_OK && !(p->layouts = calloc(n ? n : 1, sizeof *p->layouts)))
        st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    for (size_t t = 0; t < c->n_types && st == AG_OK; t++) {
        if (!seen[t])
            continue;
        bool keep = false;
        st = describe(c, vis, (ag_type_ref)t, &p->layouts[p->n_layouts], &keep, err);
        if (st == AG_OK && keep) {
            st = note_header(p, p->layouts[p->n_layouts].decl_file, err);
            p->n_layouts++;
        }
    }
    free(seen);
    free(vis);
    return st;
}

const ag_guard_layout *ag_guard_find_layout(const ag_guard_plan *p, const char *name)
{
    for (size_t i = 0; i < p->n_layouts; i++)
        if (strcmp(p->layouts[i].name, name) == 0)
            return &p->layouts[i];
    return NULL;
}

void ag_guard_layouts_free(ag_guard_plan *p)
{
    for (size_t i = 0; i < p->n_layouts; i++) {
        free(p->layouts[i].name);
        free(p->layouts[i].fields);
    }
    free(p->layouts);
    free(p->headers);
    p->layouts = NULL;
    p->headers = NULL;
    p->n_layouts = p->n_headers = 0;
}

char *ag_guard_layout_row(const ag_guard_layout *l, bool named)
{
    char *row = NULL;
    size_t len = 0;
    FILE *w = open_memstream(&row, &len);
    if (!w)
        return NULL;
    if (named)
        fprintf(w, "%s|", l->name);
    fprintf(w, "%s|%llu|%llu|", ag_guard_layout_kind(l->kind), (unsigned long long)l->size,
            (unsigned long long)l->align);
    if (l->kind == AG_T_STRUCT || l->kind == AG_T_UNION)
        for (size_t k = 0; k < l->n_fields; k++) {
            const ag_guard_field *m = &l->fields[k];
            fprintf(w, "%s%s,%llu,%llu,%llu,%u", k ? ";" : "", m->name, (unsigned long long)m->offset,
                    (unsigned long long)m->size, (unsigned long long)m->bit_offset, m->bit_size);
        }
    else if (l->kind == AG_T_ENUM)
        for (size_t k = 0; k < l->n_enumerators; k++) {
            const ag_enumerator *e = &l->enumerators[k];
            if (e->value_unsigned)
                fprintf(w, "%s%s=%llu", k ? ";" : "", e->name, (unsigned long long)e->value);
            else
                fprintf(w, "%s%s=%lld", k ? ";" : "", e->name, (long long)e->value);
        }
    if (named)
        fputc('\n', w);
    if (fclose(w) != 0) {
        free(row);
        return NULL;
    }
    return row;
}
