/*
 * show.c — the readable report behind `abiguard show`: a corpus summary,
 * pahole-style struct/union layouts (offsets, sizes, holes, padding), enums,
 * typedefs, and a function with every type it reaches. Writes only to the
 * FILE* it is given; errors come back as ag_status.
 */
#include "show.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define SPELL_MAX 2048
#define CACHELINE 64
#define DECL_COLUMN 40

/* ================================================================== */
/* Spelling declarations                                               */

static bool is_qualifier_word(const char *p, size_t *len)
{
    static const char *const words[] = { "const", "volatile", "restrict", "_Atomic" };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t n = strlen(words[i]);
        if (strncmp(p, words[i], n) == 0) {
            *len = n;
            return true;
        }
    }
    return false;
}

/* Where a name goes in an abstract declarator: "int (*)(int)" -> after the
   stars and qualifiers of the first "(*"; "int[4]" and "int (int)" -> before
   the first bracket; otherwise at the end. */
static size_t name_position(const char *s)
{
    const char *p = strstr(s, "(*");
    if (p) {
        p++;
        for (;;) {
            size_t n;
            if (*p == '*' || *p == ' ')
                p++;
            else if (is_qualifier_word(p, &n))
                p += n;
            else
                break;
        }
        return (size_t)(p - s);
    }
    size_t at = strcspn(s, "[(");
    return at;
}

/* "type name" as C writes it: "int (*cb)(void *)", "char name[16]",
   "const char *s". A NULL name gives the abstract spelling. */
static void spell_decl(const ag_corpus *c, ag_type_ref t, const char *name, char *buf, size_t len)
{
    char abstract[SPELL_MAX];
    ag_type_spell(c, t, abstract, sizeof abstract);
    if (!name || !*name) {
        snprintf(buf, len, "%s", abstract);
        return;
    }
    size_t at = name_position(abstract);
    size_t head = at;
    while (head > 0 && abstract[head - 1] == ' ' && abstract[at] != '\0')
        head--; /* "int (int)" -> "int name(int)" */
    char prev = head ? abstract[head - 1] : '\0';
    bool space = prev && prev != '*' && prev != '(' && prev != ' ';
    snprintf(buf, len, "%.*s%s%s%s", (int)head, abstract, space ? " " : "", name, abstract + at);
}

/* ================================================================== */
/* Type sizes                                                          */

static const ag_type *type_at(const ag_corpus *c, ag_type_ref t)
{
    return t < c->n_types ? &c->types[t] : NULL;
}

/* Strips typedefs and qualifiers: what the type really is. */
static ag_type_ref resolve(const ag_corpus *c, ag_type_ref t)
{
    for (size_t guard = 0; guard < c->n_types; guard++) {
        const ag_type *ty = type_at(c, t);
        if (!ty)
            return AG_NO_TYPE;
        switch (ty->kind) {
        case AG_T_TYPEDEF:
        case AG_T_CONST:
        case AG_T_VOLATILE:
        case AG_T_RESTRICT:
        case AG_T_ATOMIC:
            t = ty->target;
            break;
        default:
            return t;
        }
    }
    return AG_NO_TYPE;
}

/* Size in bytes of an object of type t (0 when unknown or unbounded). */
static uint64_t type_size(const ag_corpus *c, ag_type_ref t)
{
    const ag_type *ty = type_at(c, t);
    if (ty && ty->byte_size)
        return ty->byte_size;
    ty = type_at(c, resolve(c, t));
    if (!ty)
        return 0;
    if (ty->byte_size || ty->kind != AG_T_ARRAY)
        return ty->byte_size;
    uint64_t n = 1;
    for (size_t i = 0; i < ty->n_dims; i++) {
        if (ty->dims[i] == AG_DIM_UNKNOWN)
            return 0;
        n *= ty->dims[i];
    }
    return n * type_size(c, ty->target);
}

/* ================================================================== */
/* Struct and union layout                                             */

/* Running totals of a layout, for the closing summary. */
typedef struct layout_stats {
    uint64_t end_bits;       /* end of the furthest member so far */
    uint64_t member_bits;    /* sum of member sizes */
    size_t holes, bit_holes;
    uint64_t hole_bytes, hole_bits;
    uint64_t next_cacheline; /* byte offset of the next boundary to mark */
} layout_stats;

static void print_hole(FILE *out, uint64_t n, const char *unit)
{
    fprintf(out, "\n\t/* XXX %" PRIu64 " %s%s hole, try to pack */\n\n", n, unit, n == 1 ? "" : "s");
}

/* Reports the gap between the end of the previous member and `start`,
   split into the bits that finish a partly used byte and whole bytes. */
static void report_gap(FILE *out, layout_stats *s, uint64_t start)
{
    if (start <= s->end_bits)
        return;
    uint64_t gap = start - s->end_bits;
    uint64_t bits = (8 - s->end_bits % 8) % 8;
    if (bits > gap)
        bits = gap;
    if (bits) {
        print_hole(out, bits, "bit");
        s->bit_holes++;
        s->hole_bits += bits;
    }
    uint64_t bytes = (gap - bits) / 8, rest = (gap - bits) % 8;
    if (bytes) {
        print_hole(out, bytes, "byte");
        s->holes++;
        s->hole_bytes += bytes;
    }
    if (rest) {
        print_hole(out, rest, "bit");
        s->bit_holes++;
        s->hole_bits += rest;
    }
}

static void print_cacheline_marks(FILE *out, layout_stats *s, uint64_t byte_offset)
{
    if (byte_offset < s->next_cacheline)
        return;
    uint64_t boundary = byte_offset / CACHELINE * CACHELINE;
    fprintf(out, "\t/* --- cacheline %" PRIu64 " boundary (%" PRIu64 " bytes) --- */\n",
            boundary / CACHELINE, boundary);
    s->next_cacheline = boundary + CACHELINE;
}

static void print_member(FILE *out, const ag_corpus *c, const ag_member *m)
{
    char decl[SPELL_MAX], where[64];
    spell_decl(c, m->type, m->name, decl, sizeof decl);
    uint64_t size = type_size(c, m->type);
    if (m->bit_size) {
        /* byte offset : bit within that byte / width in bits */
        snprintf(where, sizeof where, "%" PRIu64 ":%" PRIu64 "/%" PRIu32,
                 m->bit_offset / 8, m->bit_offset % 8, m->bit_size);
        char with_width[SPELL_MAX + 16];
        snprintf(with_width, sizeof with_width, "%s:%" PRIu32 ";", decl, m->bit_size);
        fprintf(out, "\t%-*s /* %8s %5" PRIu64 " */\n", DECL_COLUMN, with_width, where, size);
        return;
    }
    snprintf(where, sizeof where, "%" PRIu64, m->bit_offset / 8);
    if (m->bit_offset % 8) /* a non-bit-field at an odd bit: say so exactly */
        snprintf(where, sizeof where, "%" PRIu64 ":%" PRIu64, m->bit_offset / 8, m->bit_offset % 8);
    size_t n = strlen(decl);
    if (n + 1 < sizeof decl) {
        decl[n] = ';';
        decl[n + 1] = '\0';
    }
    fprintf(out, "\t%-*s /* %8s %5" PRIu64 " */\n", DECL_COLUMN, decl, where, size);
}

static void layout_member(FILE *out, const ag_corpus *c, const ag_type *t, const ag_member *m,
                          layout_stats *s)
{
    uint64_t bits = m->bit_size ? m->bit_size : type_size(c, m->type) * 8;
    if (t->kind == AG_T_STRUCT)
        report_gap(out, s, m->bit_offset);
    print_cacheline_marks(out, s, m->bit_offset / 8);
    print_member(out, c, m);
    s->member_bits += bits;
    if (m->bit_offset + bits > s->end_bits)
        s->end_bits = m->bit_offset + bits;
}

static void print_layout_summary(FILE *out, const ag_type *t, const layout_stats *s)
{
    uint64_t size = t->byte_size;
    uint64_t tail_bits = size * 8 > s->end_bits ? size * 8 - s->end_bits : 0;
    uint64_t bit_padding = tail_bits % 8, padding = tail_bits / 8;
    if (padding)
        fprintf(out, "\n\t/* XXX %" PRIu64 " byte%s of padding at the end */\n", padding,
                padding == 1 ? "" : "s");
    fprintf(out, "\n\t/* size: %" PRIu64 ", cachelines: %" PRIu64 ", members: %zu */\n",
            size, (size + CACHELINE - 1) / CACHELINE, t->n_members);
    if (t->kind == AG_T_STRUCT) /* union members overlap: sums mean nothing */
        fprintf(out, "\t/* sum members: %" PRIu64 ", holes: %zu, sum holes: %" PRIu64 " */\n",
                s->member_bits / 8, s->holes, s->hole_bytes);
    if (s->bit_holes)
        fprintf(out, "\t/* bit holes: %zu, sum bit holes: %" PRIu64 " bits */\n",
                s->bit_holes, s->hole_bits);
    if (padding)
        fprintf(out, "\t/* padding: %" PRIu64 " */\n", padding);
    if (bit_padding)
        fprintf(out, "\t/* bit_padding: %" PRIu64 " bits */\n", bit_padding);
    if (size % CACHELINE)
        fprintf(out, "\t/* last cacheline: %" PRIu64 " bytes */\n", size % CACHELINE);
}

static void print_decl_location(FILE *out, const ag_type *t)
{
    if (t->decl_file)
        fprintf(out, "\t/* %s:%" PRIu32 " */", t->decl_file, t->decl_line);
    fputc('\n', out);
}

/* `alias` names an anonymous type by the typedef it was reached through. */
static void print_head(FILE *out, const char *head, const ag_type *t, const char *alias)
{
    if (!t->name && alias)
        fprintf(out, "%s {\t/* typedef %s */\n", head, alias);
    else
        fprintf(out, "%s {\n", head);
}

static void show_aggregate(FILE *out, const ag_corpus *c, ag_type_ref ref, const char *alias)
{
    const ag_type *t = &c->types[ref];
    char head[SPELL_MAX];
    ag_type_spell(c, ref, head, sizeof head);
    if (t->declaration_only) {
        fprintf(out, "%s;\t/* declaration only: layout unknown (opaque) */\n", head);
        return;
    }
    print_head(out, head, t, alias);
    layout_stats s = { .next_cacheline = CACHELINE };
    for (size_t i = 0; i < t->n_members; i++)
        layout_member(out, c, t, &t->members[i], &s);
    print_layout_summary(out, t, &s);
    fprintf(out, "};");
    print_decl_location(out, t);
}

/* ================================================================== */
/* Other kinds                                                         */

static void show_enum(FILE *out, const ag_corpus *c, ag_type_ref ref, const char *alias)
{
    const ag_type *t = &c->types[ref];
    char head[SPELL_MAX];
    ag_type_spell(c, ref, head, sizeof head);
    if (t->declaration_only) {
        fprintf(out, "%s;\t/* declaration only: values unknown */\n", head);
        return;
    }
    print_head(out, head, t, alias);
    for (size_t i = 0; i < t->n_enumerators; i++) {
        const ag_enumerator *e = &t->enumerators[i];
        if (e->value_unsigned)
            fprintf(out, "\t%s = %" PRIu64 ",\n", e->name, (uint64_t)e->value);
        else
            fprintf(out, "\t%s = %" PRId64 ",\n", e->name, e->value);
    }
    fprintf(out, "};\t/* size: %" PRIu64, t->byte_size);
    if (t->target != AG_NO_TYPE) {
        char under[SPELL_MAX];
        ag_type_spell(c, t->target, under, sizeof under);
        fprintf(out, ", underlying type: %s", under);
    }
    fprintf(out, " */");
    print_decl_location(out, t);
}

static bool has_layout(const ag_type *t)
{
    return t && (t->kind == AG_T_STRUCT || t->kind == AG_T_UNION || t->kind == AG_T_ENUM);
}

static void show_layout(FILE *out, const ag_corpus *c, ag_type_ref ref, const char *alias)
{
    if (c->types[ref].kind == AG_T_ENUM)
        show_enum(out, c, ref, alias);
    else
        show_aggregate(out, c, ref, alias);
}

static void show_typedef(FILE *out, const ag_corpus *c, ag_type_ref ref)
{
    const ag_type *t = &c->types[ref];
    char decl[SPELL_MAX];
    spell_decl(c, t->target, t->name, decl, sizeof decl);
    fprintf(out, "typedef %s;\t/* size: %" PRIu64 " */", decl, type_size(c, ref));
    print_decl_location(out, t);
    /* The layout a typedef names is usually what the reader came for. */
    ag_type_ref named = resolve(c, t->target);
    if (has_layout(type_at(c, named))) {
        fputc('\n', out);
        show_layout(out, c, named, t->name);
    }
}

static void show_other(FILE *out, const ag_corpus *c, ag_type_ref ref)
{
    const ag_type *t = &c->types[ref];
    char spelled[SPELL_MAX];
    ag_type_spell(c, ref, spelled, sizeof spelled);
    fprintf(out, "%s\t/* %s", spelled, ag_type_kind_name(t->kind));
    if (t->kind == AG_T_BASE && t->encoding != AG_ENC_NONE)
        fprintf(out, ", %s", ag_encoding_name(t->encoding));
    uint64_t size = type_size(c, ref);
    if (size)
        fprintf(out, ", size: %" PRIu64, size);
    fprintf(out, " */\n");
}

static void show_one_type(FILE *out, const ag_corpus *c, ag_type_ref ref)
{
    const ag_type *t = &c->types[ref];
    if (has_layout(t))
        show_layout(out, c, ref, NULL);
    else if (t->kind == AG_T_TYPEDEF)
        show_typedef(out, c, ref);
    else
        show_other(out, c, ref);
}

static ag_status finish(FILE *out, ag_error *err)
{
    if (fflush(out) != 0 || ferror(out))
        return ag_fail(err, AG_ERR_IO, "cannot write: %s", strerror(errno ? errno : EIO));
    return AG_OK;
}

ag_status ag_show_type(const ag_corpus *c, const char *name, FILE *out, ag_error *err)
{
    ag_type_ref ref = ag_corpus_find_type(c, name);
    if (ref == AG_NO_TYPE || ref >= c->n_types)
        return ag_fail(err, AG_ERR_NOTFOUND, "no type named %s%s", name,
                       c->has_debug_info ? "" : " (no debug info: types are unknown)");
    errno = 0;
    show_one_type(out, c, ref);
    return finish(out, err);
}

/* ================================================================== */
/* Functions                                                           */

static void spell_signature(const ag_corpus *c, const ag_function *f, char *buf, size_t len)
{
    char params[SPELL_MAX] = "", decl[SPELL_MAX];
    size_t used = 0;
    for (size_t i = 0; i < f->n_params && used < sizeof params; i++) {
        spell_decl(c, f->params[i].type, f->params[i].name, decl, sizeof decl);
        used += (size_t)snprintf(params + used, sizeof params - used, "%s%s", i ? ", " : "", decl);
    }
    if (used < sizeof params) {
        if (f->variadic)
            snprintf(params + used, sizeof params - used, "%s...", f->n_params ? ", " : "");
        else if (!f->n_params && f->prototyped)
            snprintf(params + used, sizeof params - used, "void");
    }
    char ret[SPELL_MAX];
    ag_type_spell(c, f->return_type, ret, sizeof ret);
    size_t n = strlen(ret);
    bool space = n && ret[n - 1] != '*';
    snprintf(buf, len, "%s%s%s(%s)", ret, space ? " " : "", f->name, params);
}

/* A FIFO of type refs, each queued at most once. */
typedef struct walk {
    const ag_corpus *c;
    ag_type_ref *queue;
    size_t head, tail;
    unsigned char *seen;
    const char **alias; /* typedef name a type was first reached through */
} walk;

static void walk_push(walk *w, ag_type_ref t, const char *alias)
{
    if (t >= w->c->n_types || w->seen[t])
        return;
    w->seen[t] = 1;
    w->alias[t] = alias;
    w->queue[w->tail++] = t;
}

static void walk_children(walk *w, const ag_type *t)
{
    if (t->kind != AG_T_ENUM) /* an enum's target is only its underlying integer */
        walk_push(w, t->target, t->kind == AG_T_TYPEDEF ? t->name : NULL);
    for (size_t i = 0; i < t->n_members; i++)
        walk_push(w, t->members[i].type, NULL);
    for (size_t i = 0; i < t->n_params; i++)
        walk_push(w, t->params[i].type, NULL);
}

/* Prints, in the order they are reached (breadth first), the layout of each
   struct, union and enum reachable from f. */
static ag_status show_reached_types(FILE *out, const ag_corpus *c, const ag_function *f, ag_error *err)
{
    walk w = { .c = c };
    w.queue = malloc((c->n_types ? c->n_types : 1) * sizeof *w.queue);
    w.seen = calloc(c->n_types ? c->n_types : 1, 1);
    w.alias = calloc(c->n_types ? c->n_types : 1, sizeof *w.alias);
    if (!w.queue || !w.seen || !w.alias) {
        free(w.queue);
        free(w.seen);
        free(w.alias);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    walk_push(&w, f->return_type, NULL);
    for (size_t i = 0; i < f->n_params; i++)
        walk_push(&w, f->params[i].type, NULL);
    while (w.head < w.tail) {
        ag_type_ref ref = w.queue[w.head++];
        const ag_type *t = &c->types[ref];
        if (has_layout(t)) {
            fputc('\n', out);
            show_layout(out, c, ref, w.alias[ref]);
        }
        walk_children(&w, t);
    }
    free(w.queue);
    free(w.seen);
    free(w.alias);
    return AG_OK;
}

static bool exports_symbol(const ag_corpus *c, const char *name)
{
    for (size_t i = 0; i < c->n_exports; i++)
        if (strcmp(c->exports[i].name, name) == 0)
            return true;
    return false;
}

ag_status ag_show_function(const ag_corpus *c, const char *name, FILE *out, ag_error *err)
{
    const ag_function *f = ag_corpus_find_function(c, name);
    if (!f && !c->has_debug_info && exports_symbol(c, name))
        return ag_fail(err, AG_ERR_NOTFOUND,
                       "%s is exported, but its signature is unknown (no debug info)", name);
    if (!f)
        return ag_fail(err, AG_ERR_NOTFOUND, "no function named %s", name);
    char sig[SPELL_MAX * 2];
    spell_signature(c, f, sig, sizeof sig);
    errno = 0;
    fprintf(out, "%s;", sig);
    if (f->decl_file)
        fprintf(out, "\t/* %s:%" PRIu32 " */", f->decl_file, f->decl_line);
    fputc('\n', out);
    ag_status st = show_reached_types(out, c, f, err);
    return st != AG_OK ? st : finish(out, err);
}

/* ================================================================== */
/* Summary                                                             */

static void print_list(FILE *out, const char *label, char *const *v, size_t n)
{
    if (n == 0)
        return;
    fprintf(out, "%-14s", label);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%s", i ? ", " : "", v[i]);
    fputc('\n', out);
}

static void print_opt(FILE *out, const char *label, const char *value)
{
    if (value)
        fprintf(out, "%-14s%s\n", label, value);
}

static void print_identity(FILE *out, const ag_elf_info *e)
{
    print_opt(out, "file:", e->file_name);
    print_opt(out, "soname:", e->soname);
    fprintf(out, "%-14s%s, %s, %d-bit, %s-endian\n", "elf:", e->elf_type ? e->elf_type : "?",
            e->machine ? e->machine : "?", e->elf_class, e->byte_order ? e->byte_order : "?");
    print_opt(out, "build-id:", e->build_id);
    print_opt(out, "sha256:", e->sha256[0] ? e->sha256 : NULL);
    print_list(out, "needed:", e->needed, e->n_needed);
    print_opt(out, "runpath:", e->runpath);
    print_opt(out, "rpath:", e->rpath);
    print_list(out, "versions:", e->version_defs, e->n_version_defs);
    fprintf(out, "%-14srelro=%s bind_now=%s stack_protector=%s exec_stack=%s static_tls=%s "
            "cet_ibt=%s cet_shstk=%s\n", "hardening:",
            e->relro ? "yes" : "no", e->bind_now ? "yes" : "no", e->stack_protector ? "yes" : "no",
            e->exec_stack ? "yes" : "no", e->static_tls ? "yes" : "no",
            e->cet_ibt ? "yes" : "no", e->cet_shstk ? "yes" : "no");
}

/* "12 (func 10, object 2)" */
static void print_symbol_counts(FILE *out, const char *label, const ag_symbol *s, size_t n)
{
    size_t by_type[AG_SYM_COMMON + 1] = { 0 };
    for (size_t i = 0; i < n; i++)
        if ((size_t)s[i].type <= AG_SYM_COMMON)
            by_type[s[i].type]++;
    fprintf(out, "%-14s%zu", label, n);
    const char *sep = " (";
    for (int t = 0; t <= AG_SYM_COMMON; t++) {
        if (!by_type[t])
            continue;
        fprintf(out, "%s%s %zu", sep, ag_sym_type_name((ag_sym_type)t), by_type[t]);
        sep = ", ";
    }
    fprintf(out, "%s\n", n ? ")" : "");
}

static void print_functions(FILE *out, const ag_corpus *c)
{
    fprintf(out, "\nfunctions (%zu):\n", c->n_functions);
    for (size_t i = 0; i < c->n_functions; i++) {
        char sig[SPELL_MAX * 2];
        spell_signature(c, &c->functions[i], sig, sizeof sig);
        fprintf(out, "  %s\n", sig);
    }
}

static void print_variables(FILE *out, const ag_corpus *c)
{
    fprintf(out, "\nvariables (%zu):\n", c->n_variables);
    for (size_t i = 0; i < c->n_variables; i++) {
        char decl[SPELL_MAX];
        spell_decl(c, c->variables[i].type, c->variables[i].name, decl, sizeof decl);
        fprintf(out, "  %s\n", decl);
    }
}

/* Without debug info only the symbol names are known. */
static void print_exported_names(FILE *out, const ag_corpus *c, ag_sym_type type, const char *title)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_exports; i++)
        n += c->exports[i].type == type;
    if (!n)
        return;
    fprintf(out, "\n%s (%zu):\n", title, n);
    for (size_t i = 0; i < c->n_exports; i++) {
        const ag_symbol *s = &c->exports[i];
        if (s->type != type)
            continue;
        if (s->version)
            fprintf(out, "  %s%s%s\n", s->name, s->is_default ? "@@" : "@", s->version);
        else
            fprintf(out, "  %s\n", s->name);
    }
}

static void print_debug_line(FILE *out, const ag_corpus *c)
{
    if (!c->has_debug_info) {
        fprintf(out, "%-14snone (types unknown)\n", "debug info:");
        return;
    }
    fprintf(out, "%-14s%s", "debug info:", c->debug_source ? c->debug_source : "yes");
    if (c->dwarf_version)
        fprintf(out, ", DWARF %d", c->dwarf_version);
    fprintf(out, ", %zu types\n", c->n_types);
}

static void print_skipped(FILE *out, const ag_corpus *c)
{
    if (!c->n_skipped)
        return;
    fprintf(out, "\nnot modelled (by DWARF tag):");
    for (size_t i = 0; i < c->n_skipped; i++)
        fprintf(out, "%s %s %" PRIu64, i ? "," : "", c->skipped[i].what, c->skipped[i].count);
    fputc('\n', out);
}

ag_status ag_show_summary(const ag_corpus *c, FILE *out, ag_error *err)
{
    errno = 0;
    print_identity(out, &c->elf);
    print_debug_line(out, c);
    print_symbol_counts(out, "exports:", c->exports, c->n_exports);
    print_symbol_counts(out, "imports:", c->imports, c->n_imports);
    if (c->has_debug_info) {
        print_functions(out, c);
        print_variables(out, c);
    } else {
        print_exported_names(out, c, AG_SYM_FUNC, "exported functions, signatures unknown");
        print_exported_names(out, c, AG_SYM_IFUNC, "exported ifuncs, signatures unknown");
        print_exported_names(out, c, AG_SYM_OBJECT, "exported variables, types unknown");
        print_exported_names(out, c, AG_SYM_TLS, "exported thread-local variables, types unknown");
    }
    print_skipped(out, c);
    return finish(out, err);
}
