/*
 * binding.c — `abiguard check`, the library part: builds the corpus of what
 * a binding was built for (see binding.h) and diffs it against a library
 * release, keeping only what the binding uses.
 *
 * The built-for corpus is an ordinary corpus, so the diff engine, the
 * verdicts and the report writers work on it unchanged:
 *   exports    the binding's imports from the library (name, required version)
 *   functions  their declarations from the binding's DWARF, else from the
 *   variables  --built-against baseline; none when neither knows them
 *   types      what those reach (declarations with the binding's compiler's
 *              view of the headers: a callback typedef included)
 *   SONAME     the binding's DT_NEEDED entry for the library
 *   versions   the version nodes its imports require
 * The library's own ELF properties are copied from the library, so they
 * never show up as changes.
 *
 * Which imports come from the library: a versioned import whose version
 * file (vn_file) is the library's DT_NEEDED entry; an unversioned one when
 * the library or the baseline exports it, or when the binding's DWARF
 * declares it in the same header as an import the library does export (a
 * function removed from the library is still the library's, not libc's).
 */
#include "binding.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dwarf_imports.h"
#include "elf_reader.h"
#include "ld_search.h"

const char *ag_binding_source_name(ag_binding_source s)
{
    switch (s) {
    case AG_BINDING_FROM_DWARF: return "dwarf";
    case AG_BINDING_FROM_DWARF_BASELINE: return "dwarf+baseline";
    case AG_BINDING_FROM_BASELINE: return "baseline";
    case AG_BINDING_FROM_SYMBOLS: return "symbols";
    }
    return "?";
}

typedef struct builder {
    ag_binding_check *r;
    const ag_corpus *library;
    const ag_corpus *baseline;  /* may be NULL */
    ag_error *err;
    ag_status st;
    ag_type_ref baseline_base;  /* index of the baseline's first type in built_for, once copied */
    bool baseline_copied;
    const ag_binding_view *view; /* what was read from the binding (ag_binding_read) */
} builder;

static bool ok(const builder *b)
{
    return b->st == AG_OK;
}

static void oom(builder *b)
{
    if (ok(b))
        b->st = ag_fail(b->err, AG_ERR_NOMEM, "out of memory");
}

static char *xdup(builder *b, const char *s)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        oom(b);
    return d;
}

/* ------------------------------------------------------------------ */
/* Names                                                               */

/* "libgeo.so.1" -> length of "libgeo" (up to ".so"), else the whole name. */
static size_t stem_len(const char *name)
{
    const char *so = strstr(name, ".so");
    return so ? (size_t)(so - name) : strlen(name);
}

static bool same_stem(const char *a, const char *b)
{
    size_t la = stem_len(a), lb = stem_len(b);
    return la == lb && strncmp(a, b, la) == 0;
}

static const char *library_name(const ag_corpus *c)
{
    return c->elf.soname ? c->elf.soname : c->elf.file_name;
}

/* The binding's DT_NEEDED entry for the library: its SONAME (or the
   baseline's) exactly, else one of the same stem (libgeo.so.1 when the
   library is now libgeo.so.2). NULL when the binding does not link it. */
static const ag_symbol *find_export(const ag_corpus *c, const char *name, const char *version);

/* The C runtime and the toolchain's support libraries: never the library a
   binding is checked against by elimination. */
static bool is_system_library(const char *needed)
{
    static const char *const stems[] = { "libc", "libm", "libdl", "libpthread", "librt", "libgcc_s",
                                         "libstdc++", "libutil", "libresolv", "ld-linux", "ld-linux-x86-64",
                                         "libatomic", NULL };
    for (size_t i = 0; stems[i]; i++)
        if (stem_len(needed) == strlen(stems[i]) && strncmp(needed, stems[i], strlen(stems[i])) == 0)
            return true;
    return strncmp(needed, "ld-", 3) == 0;
}

/* No DT_NEEDED entry has the library's name: the entry its imports come
   from (a versioned import names it), or else the one entry that is not a
   system library, when the binding imports something the library exports.
   The library then has another name than the one the binding asks the
   loader for, which is a SONAME change, not "nothing imported". */
static const char *needed_by_imports(const ag_corpus *bin, const ag_corpus *library)
{
    bool uses_library = false;
    for (size_t i = 0; i < bin->n_imports; i++) {
        const ag_symbol *im = &bin->imports[i];
        if (!find_export(library, im->name, NULL))
            continue;
        if (im->version_file && !is_system_library(im->version_file))
            for (size_t k = 0; k < bin->elf.n_needed; k++)
                if (strcmp(bin->elf.needed[k], im->version_file) == 0)
                    return bin->elf.needed[k];
        uses_library = uses_library || !im->version_file;
    }
    const char *only = NULL;
    for (size_t k = 0; uses_library && k < bin->elf.n_needed; k++) {
        if (is_system_library(bin->elf.needed[k]))
            continue;
        if (only)
            return NULL; /* several: cannot tell which */
        only = bin->elf.needed[k];
    }
    return only;
}

static const char *find_needed(const ag_corpus *bin, const ag_corpus *library, const ag_corpus *baseline)
{
    const char *names[2] = { library_name(library), baseline ? library_name(baseline) : NULL };
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; names[k] && i < bin->elf.n_needed; i++)
            if (strcmp(bin->elf.needed[i], names[k]) == 0)
                return bin->elf.needed[i];
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; names[k] && i < bin->elf.n_needed; i++)
            if (same_stem(bin->elf.needed[i], names[k]))
                return bin->elf.needed[i];
    return needed_by_imports(bin, library);
}

static const ag_symbol *find_export(const ag_corpus *c, const char *name, const char *version)
{
    const ag_symbol *any = NULL;
    for (size_t i = 0; c && i < c->n_exports; i++) {
        const ag_symbol *s = &c->exports[i];
        if (strcmp(s->name, name) != 0)
            continue;
        if (version && s->version && strcmp(s->version, version) == 0)
            return s;
        if (!any || s->is_default)
            any = s;
    }
    return any;
}

/* ------------------------------------------------------------------ */
/* Step 1: the imports that may come from the library                 */

static bool is_data(ag_sym_type t)
{
    return t == AG_SYM_OBJECT || t == AG_SYM_TLS || t == AG_SYM_COMMON;
}

static void add_candidates(builder *b)
{
    const ag_corpus *bin = b->r->binding;
    ag_corpus *bf = b->r->built_for;
    bf->exports = calloc(bin->n_imports ? bin->n_imports : 1, sizeof *bf->exports);
    if (!bf->exports) {
        oom(b);
        return;
    }
    for (size_t i = 0; i < bin->n_imports && ok(b); i++) {
        const ag_symbol *im = &bin->imports[i];
        if (im->version_file) {
            /* Versioned: the version file says which library provides it. */
            bool ours = b->r->needed ? strcmp(im->version_file, b->r->needed) == 0
                                     : same_stem(im->version_file, library_name(b->library));
            if (!ours)
                continue;
        }
        ag_symbol *s = &bf->exports[bf->n_exports++];
        memset(s, 0, sizeof *s);
        s->name = xdup(b, im->name);
        s->version = xdup(b, im->version);
        s->is_default = true;
        s->type = im->type;
        s->binding = im->binding;
        s->size = im->size;
    }
}

/* ------------------------------------------------------------------ */
/* Step 2: membership of unversioned imports                          */

static const ag_function *find_fn(const ag_corpus *c, const char *name)
{
    for (size_t i = 0; i < c->n_functions; i++)
        if (strcmp(c->functions[i].name, name) == 0)
            return &c->functions[i];
    return NULL;
}

static const ag_variable *find_var(const ag_corpus *c, const char *name)
{
    for (size_t i = 0; i < c->n_variables; i++)
        if (strcmp(c->variables[i].name, name) == 0)
            return &c->variables[i];
    return NULL;
}

static const char *decl_file_of(const ag_corpus *c, const char *name)
{
    const ag_function *f = find_fn(c, name);
    if (f)
        return f->decl_file;
    const ag_variable *v = find_var(c, name);
    return v ? v->decl_file : NULL;
}

static bool exported_by_library(const builder *b, const ag_symbol *s)
{
    /* A versioned import got here only when its version file is the library. */
    return s->version || find_export(b->library, s->name, NULL) ||
           find_export(b->baseline, s->name, NULL);
}

/* True when the binding declares name in a header that also declares an
   import the library or the baseline exports. */
static bool declared_with_library(const builder *b, const char *name)
{
    const ag_corpus *bf = b->r->built_for;
    const char *file = decl_file_of(bf, name);
    if (!file)
        return false;
    for (size_t i = 0; i < bf->n_exports; i++) {
        const ag_symbol *s = &bf->exports[i];
        if (strcmp(s->name, name) == 0 || !exported_by_library(b, s))
            continue;
        const char *f2 = decl_file_of(bf, s->name);
        if (f2 && strcmp(f2, file) == 0)
            return true;
    }
    return false;
}

static void drop_interface(ag_corpus *c, const char *name)
{
    for (size_t i = 0; i < c->n_functions; i++) {
        ag_function *f = &c->functions[i];
        if (strcmp(f->name, name) != 0)
            continue;
        free(f->name);
        for (size_t k = 0; k < f->n_params; k++)
            free(f->params[k].name);
        free(f->params);
        free(f->decl_file);
        c->functions[i] = c->functions[--c->n_functions];
        return;
    }
    for (size_t i = 0; i < c->n_variables; i++) {
        ag_variable *v = &c->variables[i];
        if (strcmp(v->name, name) != 0)
            continue;
        free(v->name);
        free(v->decl_file);
        c->variables[i] = c->variables[--c->n_variables];
        return;
    }
}

/* An unversioned import the loader can only bind to the library: the
   binding names the library in DT_NEEDED and every other library it needs
   was found (when the binding was read) and exports no such symbol. (A
   weak reference may stay unresolved, so it says nothing.) This is how a
   function removed from the library is still known to be the library's. */
static bool only_library_provides(const builder *b, const ag_symbol *s)
{
    const ag_binding_view *v = b->view;
    if (s->version || s->binding == AG_BIND_WEAK || !b->r->needed || !v->deps_known)
        return false;
    for (size_t i = 0; i < v->n_deps; i++) {
        const ag_binding_dep *d = &v->deps[i];
        if (strcmp(d->needed, b->r->needed) == 0)
            continue;
        if (!d->found)
            return false;
        for (size_t k = 0; k < d->n_provides; k++)
            if (strcmp(d->provides[k], s->name) == 0)
                return false;
    }
    return true;
}

static void keep_library_imports(builder *b)
{
    ag_corpus *bf = b->r->built_for;
    bool *keep = calloc(bf->n_exports ? bf->n_exports : 1, sizeof *keep);
    if (!keep) {
        oom(b);
        return;
    }
    for (size_t i = 0; i < bf->n_exports; i++)
        keep[i] = exported_by_library(b, &bf->exports[i]) ||
                  declared_with_library(b, bf->exports[i].name) || only_library_provides(b, &bf->exports[i]);
    size_t n = 0;
    for (size_t i = 0; i < bf->n_exports; i++) {
        ag_symbol *s = &bf->exports[i];
        if (keep[i]) {
            bf->exports[n++] = *s;
            continue;
        }
        drop_interface(bf, s->name);
        free(s->name);
        free(s->version);
        free(s->version_file);
    }
    bf->n_exports = n;
    free(keep);
}

/* ------------------------------------------------------------------ */
/* Step 3: the baseline fills in what the binding's DWARF does not say */

static ag_param *copy_params(builder *b, const ag_param *p, size_t n, ag_type_ref base)
{
    if (!n)
        return NULL;
    ag_param *out = calloc(n, sizeof *out);
    if (!out) {
        oom(b);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        out[i].name = xdup(b, p[i].name);
        out[i].type = p[i].type == AG_NO_TYPE ? AG_NO_TYPE : p[i].type + base;
    }
    return out;
}

/* Appends a deep copy of every type of src (finalize later merges
   duplicates by id and drops what nothing reaches); returns the index of
   the first, which src's type references are shifted by. */
static ag_type_ref copy_types(builder *b, const ag_corpus *src)
{
    ag_corpus *bf = b->r->built_for;
    ag_type_ref base = (ag_type_ref)bf->n_types;
    for (size_t i = 0; i < src->n_types && ok(b); i++) {
        const ag_type *s = &src->types[i];
        ag_type_ref t = ag_corpus_add_type(bf, s->kind);
        if (t == AG_NO_TYPE) {
            oom(b);
            return base;
        }
        ag_type *d = &bf->types[t];
        *d = *s;
        d->name = xdup(b, s->name);
        d->decl_file = xdup(b, s->decl_file);
        d->target = s->target == AG_NO_TYPE ? AG_NO_TYPE : s->target + base;
        d->members = NULL;
        d->enumerators = NULL;
        d->dims = NULL;
        d->params = NULL;
        if (s->n_members && (d->members = calloc(s->n_members, sizeof *d->members))) {
            for (size_t k = 0; k < s->n_members; k++) {
                d->members[k] = s->members[k];
                d->members[k].name = xdup(b, s->members[k].name);
                if (s->members[k].type != AG_NO_TYPE)
                    d->members[k].type = s->members[k].type + base;
            }
        }
        if (s->n_enumerators && (d->enumerators = calloc(s->n_enumerators, sizeof *d->enumerators))) {
            for (size_t k = 0; k < s->n_enumerators; k++) {
                d->enumerators[k] = s->enumerators[k];
                d->enumerators[k].name = xdup(b, s->enumerators[k].name);
            }
        }
        if (s->n_dims && (d->dims = malloc(s->n_dims * sizeof *d->dims)))
            memcpy(d->dims, s->dims, s->n_dims * sizeof *d->dims);
        d->params = copy_params(b, s->params, s->n_params, base);
        if ((s->n_members && !d->members) || (s->n_enumerators && !d->enumerators) ||
            (s->n_dims && !d->dims)) {
            d->n_members = d->members ? d->n_members : 0;
            d->n_enumerators = d->enumerators ? d->n_enumerators : 0;
            d->n_dims = d->dims ? d->n_dims : 0;
            oom(b);
        }
        if (s->n_params && !d->params)
            d->n_params = 0;
    }
    return base;
}

static void copy_baseline_types(builder *b)
{
    if (b->baseline_copied)
        return;
    b->baseline_copied = true;
    b->baseline_base = copy_types(b, b->baseline);
}

static bool append_function(builder *b, const ag_function *src, ag_type_ref base)
{
    ag_corpus *bf = b->r->built_for;
    ag_function *bigger = ok(b) ? realloc(bf->functions, (bf->n_functions + 1) * sizeof *bigger) : NULL;
    if (!bigger) {
        oom(b);
        return false;
    }
    bf->functions = bigger;
    ag_function *f = &bf->functions[bf->n_functions++];
    *f = *src;
    f->name = xdup(b, src->name);
    f->decl_file = xdup(b, src->decl_file);
    f->return_type = src->return_type == AG_NO_TYPE ? AG_NO_TYPE : src->return_type + base;
    f->params = copy_params(b, src->params, src->n_params, base);
    if (src->n_params && !f->params)
        f->n_params = 0;
    return ok(b);
}

static bool append_variable(builder *b, const ag_variable *src, ag_type_ref base)
{
    ag_corpus *bf = b->r->built_for;
    ag_variable *bigger = ok(b) ? realloc(bf->variables, (bf->n_variables + 1) * sizeof *bigger) : NULL;
    if (!bigger) {
        oom(b);
        return false;
    }
    bf->variables = bigger;
    ag_variable *v = &bf->variables[bf->n_variables++];
    *v = *src;
    v->name = xdup(b, src->name);
    v->decl_file = xdup(b, src->decl_file);
    v->type = src->type == AG_NO_TYPE ? AG_NO_TYPE : src->type + base;
    return ok(b);
}

/* Symbol attributes the import does not carry (an undefined symbol has no
   size, and its binding says nothing about the definition's) come from the
   baseline when given, else from the library itself (so they cannot show
   up as changes). Then signatures the DWARF did not give come from the
   baseline. */
/* s is bound to a version the library keeps but no longer makes the
   default (`.symver foo_old, foo@V1` while foo@@V2 is current). */
static bool bound_to_old_version(const builder *b, const ag_symbol *s)
{
    if (!s->version)
        return false;
    const ag_symbol *def = find_export(b->library, s->name, NULL);
    const ag_symbol *mine = find_export(b->library, s->name, s->version);
    return def && mine && def->version && strcmp(def->version, s->version) != 0 && mine->version &&
           strcmp(mine->version, s->version) == 0;
}

static void fill_in(builder *b)
{
    ag_corpus *bf = b->r->built_for;
    size_t n_exports = bf->n_exports;
    for (size_t i = 0; i < n_exports && ok(b); i++) {
        ag_symbol *s = &bf->exports[i];
        const ag_symbol *ref = find_export(b->baseline, s->name, s->version);
        if (!ref)
            ref = find_export(b->library, s->name, s->version);
        if (ref) {
            if (s->type == AG_SYM_NOTYPE)
                s->type = ref->type;
            s->binding = ref->binding;
            if (!s->size && b->baseline && ref == find_export(b->baseline, s->name, s->version))
                s->size = ref->size;
        }
        bool described = find_fn(bf, s->name) || find_var(bf, s->name);
        if (described)
            continue;
        const ag_function *f = b->baseline ? ag_corpus_find_function(b->baseline, s->name) : NULL;
        const ag_variable *v = b->baseline ? ag_corpus_find_variable(b->baseline, s->name) : NULL;
        if (f || v)
            copy_baseline_types(b);
        if (f && !is_data(s->type) && append_function(b, f, b->baseline_base))
            b->r->n_from_baseline++;
        else if (v && !f && append_variable(b, v, b->baseline_base))
            b->r->n_from_baseline++;
        else if (ok(b) && !bound_to_old_version(b, s))
            b->r->n_undescribed++;
    }
    b->r->n_imports = bf->n_exports;
}

/* ------------------------------------------------------------------ */
/* Step 4: identity                                                    */

static bool strv_has(char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

static void fill_identity(builder *b)
{
    ag_corpus *bf = b->r->built_for;
    const ag_corpus *lib = b->library;
    const ag_corpus *origin = b->baseline ? b->baseline : lib;
    ag_elf_info *e = &bf->elf;
    e->file_name = xdup(b, origin->elf.file_name);
    /* The name the binding asks the loader for; else the release's own. A
       library without SONAME is found by its file name: asked for by that
       name it is the same as having no SONAME on both sides. */
    bool found_by_file_name = !lib->elf.soname && b->r->needed && lib->elf.file_name &&
                              strcmp(b->r->needed, lib->elf.file_name) == 0;
    e->soname = found_by_file_name ? NULL : xdup(b, b->r->needed ? b->r->needed : origin->elf.soname);
    e->elf_type = xdup(b, lib->elf.elf_type);
    e->machine = xdup(b, lib->elf.machine);
    e->byte_order = xdup(b, lib->elf.byte_order);
    e->elf_class = lib->elf.elf_class;
    /* The library's own properties are not the binding's business. */
    e->relro = lib->elf.relro;
    e->bind_now = lib->elf.bind_now;
    e->stack_protector = lib->elf.stack_protector;
    e->exec_stack = lib->elf.exec_stack;
    e->static_tls = lib->elf.static_tls;
    e->cet_ibt = lib->elf.cet_ibt;
    e->cet_shstk = lib->elf.cet_shstk;
    e->runpath = xdup(b, lib->elf.runpath);
    e->rpath = xdup(b, lib->elf.rpath);
    /* The version nodes the imports require. */
    e->version_defs = calloc(bf->n_exports ? bf->n_exports : 1, sizeof *e->version_defs);
    if (!e->version_defs) {
        oom(b);
        return;
    }
    for (size_t i = 0; i < bf->n_exports && ok(b); i++) {
        const char *v = bf->exports[i].version;
        if (v && !strv_has(e->version_defs, e->n_version_defs, v) &&
            (e->version_defs[e->n_version_defs] = xdup(b, v)) != NULL)
            e->n_version_defs++;
    }
}

/* ------------------------------------------------------------------ */
/* Step 5: reduce the diff to what the binding uses                   */

static bool kept_without_impact(ag_change_kind k)
{
    switch (k) {
    case AG_CK_FN_REMOVED:
    case AG_CK_VAR_REMOVED:
    case AG_CK_SYMBOL_VERSION_REMOVED:
    case AG_CK_VERSION_NODE_REMOVED:
    case AG_CK_SONAME_CHANGED:
    case AG_CK_SYMBOL_TYPE_CHANGED:
    case AG_CK_BINDING_WEAK_TO_GLOBAL:
    case AG_CK_BINDING_GLOBAL_TO_WEAK:
    case AG_CK_VAR_SIZE_CHANGED:
    case AG_CK_TLS_SIZE_CHANGED:
    case AG_CK_DEBUG_INFO_MISSING:
        return true;
    default:
        /* Additions, a new default version (the binding keeps the version
           it was linked with), the library's own ELF properties. */
        return false;
    }
}

static bool imported(const ag_corpus *bf, const char *name)
{
    return find_export(bf, name, NULL) != NULL;
}

static void free_change(ag_change *c)
{
    free(c->subject);
    free(c->old_value);
    free(c->new_value);
    free(c->detail);
    free(c->decl_file);
    for (size_t i = 0; i < c->n_impacts; i++) {
        free(c->impacts[i].interface);
        free(c->impacts[i].path);
    }
    free(c->impacts);
}

/* Narrowing a diff between two releases of the library: a change to a
   symbol itself concerns the binding when it imports that symbol (subject
   "name()", "name" or "name@VERSION"), a removed version node when its
   imports require it; a SONAME change and lost debug info always do. */
static bool concerns_binding(const ag_change *c, const ag_corpus *bf)
{
    if (c->kind == AG_CK_SONAME_CHANGED || c->kind == AG_CK_DEBUG_INFO_MISSING)
        return true;
    if (c->kind == AG_CK_VERSION_NODE_REMOVED)
        return c->subject && strv_has(bf->elf.version_defs, bf->elf.n_version_defs, c->subject);
    if (!c->subject)
        return false;
    size_t n = strcspn(c->subject, "(@");
    for (size_t i = 0; i < bf->n_exports; i++)
        if (strlen(bf->exports[i].name) == n && strncmp(bf->exports[i].name, c->subject, n) == 0)
            return true;
    return false;
}

/* Keeps the changes the binding can feel. For the check's own diff
   (built-for -> library) every symbol change is one of the binding's;
   narrowing another diff of the library also asks concerns_binding. */
static void reduce(ag_diff *d, const ag_corpus *bf, bool narrowing)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n_changes; i++) {
        ag_change *c = &d->changes[i];
        bool keep;
        if (c->n_impacts) {
            size_t k = 0;
            for (size_t j = 0; j < c->n_impacts; j++) {
                if (imported(bf, c->impacts[j].interface)) {
                    c->impacts[k++] = c->impacts[j];
                } else {
                    free(c->impacts[j].interface);
                    free(c->impacts[j].path);
                }
            }
            c->n_impacts = k;
            keep = k > 0 || (!narrowing && kept_without_impact(c->kind));
        } else {
            keep = kept_without_impact(c->kind) && (!narrowing || concerns_binding(c, bf));
        }
        if (keep)
            d->changes[n++] = *c;
        else
            free_change(c);
    }
    d->n_changes = n;
    memset(d->counts, 0, sizeof d->counts);
    d->n_suppressed = 0;
    d->functions_added = d->variables_added = 0;
    d->functions_removed = d->variables_removed = 0;
    for (size_t i = 0; i < n; i++) {
        const ag_change *c = &d->changes[i];
        if (c->suppressed)
            d->n_suppressed++;
        else
            d->counts[c->verdict]++;
        d->functions_removed += c->kind == AG_CK_FN_REMOVED;
        d->variables_removed += c->kind == AG_CK_VAR_REMOVED;
    }
}

/* A SONAME change to a library without SONAME: the loader looks for it by
   file name, so the new side is that name. */
static void name_the_unsonamed_file(ag_diff *d, const ag_corpus *library)
{
    for (size_t i = 0; i < d->n_changes && !library->elf.soname && library->elf.file_name; i++) {
        ag_change *c = &d->changes[i];
        if (c->kind != AG_CK_SONAME_CHANGED || c->new_value)
            continue;
        char *name = strdup(library->elf.file_name);
        char *detail = NULL;
        if (name && asprintf(&detail, "the binding asks the loader for %s; this library has no SONAME and "
                                      "is found only by its file name, %s", c->old_value ? c->old_value : "?",
                             name) < 0)
            detail = NULL;
        c->new_value = name;
        if (detail) {
            free(c->detail);
            c->detail = detail;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Entry point                                                         */

/* The binding's declarations of the candidates (what its DWARF says of
   them, from the view): every type of the view is copied (finalize merges
   duplicates and drops what nothing reaches), then the declarations. */
static void take_declarations(builder *b)
{
    const ag_corpus *view = b->view->corpus;
    ag_corpus *bf = b->r->built_for;
    bool copied = false;
    ag_type_ref base = 0;
    for (size_t i = 0; i < bf->n_exports && ok(b); i++) {
        const char *name = bf->exports[i].name;
        if (find_fn(bf, name) || find_var(bf, name))
            continue; /* imported under two versions: one declaration */
        const ag_function *f = ag_corpus_find_function(view, name);
        const ag_variable *v = f ? NULL : ag_corpus_find_variable(view, name);
        if ((f || v) && !copied) {
            base = copy_types(b, view);
            copied = true;
            bf->dwarf_version = view->dwarf_version;
        }
        if (f)
            append_function(b, f, base);
        else if (v)
            append_variable(b, v, base);
    }
}

/* An import bound to a version the library keeps but no longer makes the
   default (`.symver foo_old, foo@V1` while foo@@V2 is current): the
   library's corpus describes foo by its default version, so comparing the
   binding's declaration with it would compare two different functions. The
   symbol and its version are still checked; the signature is not. */
static void drop_old_versions(builder *b)
{
    ag_corpus *bf = b->r->built_for;
    for (size_t i = 0; i < bf->n_exports; i++) {
        const ag_symbol *s = &bf->exports[i];
        if (bound_to_old_version(b, s) && (find_fn(bf, s->name) || find_var(bf, s->name))) {
            drop_interface(bf, s->name);
            b->r->n_old_version++;
        }
    }
}

static ag_status build(builder *b)
{
    ag_binding_check *r = b->r;
    const char *needed = find_needed(r->binding, b->library, b->baseline);
    r->needed = xdup(b, needed);
    add_candidates(b);
    if (ok(b))
        take_declarations(b);
    if (ok(b))
        keep_library_imports(b);
    if (ok(b)) {
        r->n_declared = r->built_for->n_functions + r->built_for->n_variables;
        drop_old_versions(b);
        fill_in(b);
    }
    if (ok(b)) {
        ag_corpus *bf = r->built_for;
        if (r->n_declared && r->n_from_baseline)
            r->source = AG_BINDING_FROM_DWARF_BASELINE;
        else if (r->n_declared)
            r->source = AG_BINDING_FROM_DWARF;
        else if (r->n_from_baseline)
            r->source = AG_BINDING_FROM_BASELINE;
        else
            r->source = AG_BINDING_FROM_SYMBOLS;
        bf->has_debug_info = r->source != AG_BINDING_FROM_SYMBOLS;
        bf->debug_source = xdup(b, r->source == AG_BINDING_FROM_BASELINE ? "baseline" : "binding");
        fill_identity(b);
    }
    if (!ok(b))
        return b->st;
    return ag_corpus_finalize(r->built_for, b->err);
}

static bool names_type(const ag_corpus *c, const char *name)
{
    return c && ag_corpus_find_type(c, name) != AG_NO_TYPE;
}

/* The types the binding holds by value in its own code: in its variables,
   its functions' parameters and locals, and members of its own structs (a
   library struct's members are the library's layout, judged by the diff).
   The names borrow the view's strings. */
static ag_status held_by_value(builder *b, const char ***out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    const ag_held_types *held = &b->view->held;
    if (!held->n)
        return AG_OK;
    const char **v = calloc(held->n, sizeof *v);
    if (!v)
        return ag_fail(b->err, AG_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < held->n; i++) {
        const ag_held_type *h = &held->v[i];
        bool own = !h->container || (!names_type(b->library, h->container) &&
                                     !names_type(b->baseline, h->container) &&
                                     !names_type(b->r->built_for, h->container));
        if (own)
            v[n++] = h->name;
    }
    *out = v;
    *n_out = n;
    return AG_OK;
}

ag_status ag_binding_check_view(const ag_binding_view *view, const ag_corpus *library,
                                const ag_corpus *built_against, const ag_diff_options *opts,
                                ag_binding_check **out, ag_error *err)
{
    *out = NULL;
    ag_binding_check *r = calloc(1, sizeof *r);
    if (!r || !(r->built_for = ag_corpus_new())) {
        ag_binding_check_free(r);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    r->binding = view->corpus;
    builder b = { .r = r, .library = library, .baseline = built_against, .err = err, .view = view };
    ag_status st = build(&b);
    const char **held = NULL;
    size_t n_held = 0;
    if (st == AG_OK)
        st = held_by_value(&b, &held, &n_held);
    if (st == AG_OK) {
        /* Sizes are judged by what this binding does with each type. */
        ag_diff_options diff_view = opts ? *opts : (ag_diff_options){ 0 };
        diff_view.binding_view = true;
        diff_view.by_value_types = held;
        diff_view.n_by_value_types = n_held;
        st = ag_diff_corpora(r->built_for, library, &diff_view, &r->diff, err);
    }
    free(held);
    if (st != AG_OK) {
        ag_binding_check_free(r);
        return st;
    }
    reduce(r->diff, r->built_for, false);
    name_the_unsonamed_file(r->diff, library);
    *out = r;
    return AG_OK;
}

ag_status ag_binding_check_run(const char *binding_path, const ag_debug_search *search,
                               const ag_corpus *library, const ag_corpus *built_against,
                               const ag_diff_options *opts, ag_binding_check **out, ag_error *err)
{
    *out = NULL;
    ag_binding_view *view = NULL;
    ag_status st = ag_binding_read(binding_path, search, &view, err);
    if (st == AG_OK)
        st = ag_binding_check_view(view, library, built_against, opts, out, err);
    if (st != AG_OK) {
        ag_binding_view_free(view);
        return st;
    }
    (*out)->owned_view = view;
    return AG_OK;
}

/* ------------------------------------------------------------------ */
/* Reading a binding (independent of the library it is checked against) */

/* The declarations the binding's DWARF holds of every symbol it imports,
   whichever library provides it, and the types its own code holds by value;
   which of them are the library's is decided per check (step 1). */
static ag_status read_declarations(ag_binding_view *v, const char *binding_path, const ag_debug_search *search,
                                   ag_error *err)
{
    ag_corpus *c = v->corpus;
    ag_debug_search none = { 0 };
    char *debug_path = NULL;
    const char *how = NULL;
    ag_status st = ag_debug_locate(binding_path, &c->elf, search ? search : &none, &debug_path, &how, err);
    if (st == AG_ERR_NOTFOUND)
        return AG_OK;
    if (st != AG_OK)
        return st;
    ag_corpus *decl = ag_corpus_new();
    if (!decl || !(decl->exports = calloc(c->n_imports ? c->n_imports : 1, sizeof *decl->exports)))
        st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == AG_OK && i < c->n_imports; i++) {
        ag_symbol *s = &decl->exports[decl->n_exports++];
        s->name = strdup(c->imports[i].name);
        s->type = c->imports[i].type;
        s->is_default = true;
        if (!s->name)
            st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    if (st == AG_OK)
        st = ag_dwarf_read_imports(decl, debug_path, NULL, &v->held, err);
    free(debug_path);
    if (st == AG_OK) {
        /* The declarations move over; the binding keeps its own exports. */
        c->functions = decl->functions;
        c->n_functions = decl->n_functions;
        c->variables = decl->variables;
        c->n_variables = decl->n_variables;
        c->types = decl->types;
        c->n_types = decl->n_types;
        c->cap_types = decl->cap_types;
        c->dwarf_version = decl->dwarf_version;
        decl->functions = NULL;
        decl->variables = NULL;
        decl->types = NULL;
        decl->n_functions = decl->n_variables = decl->n_types = decl->cap_types = 0;
        c->has_debug_info = true;
    }
    ag_corpus_free(decl);
    return st == AG_ERR_NOTFOUND ? AG_OK : st;
}

/* Each DT_NEEDED library where the loader would find it: found or not, and
   which of the binding's unversioned imports it exports. */
static ag_status read_dependencies(ag_binding_view *v, const char *binding_path, ag_error *err)
{
    const ag_corpus *bin = v->corpus;
    v->deps_known = true;
    v->deps = calloc(bin->elf.n_needed ? bin->elf.n_needed : 1, sizeof *v->deps);
    if (!v->deps)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < bin->elf.n_needed; i++) {
        ag_binding_dep *d = &v->deps[v->n_deps++];
        if (!(d->needed = strdup(bin->elf.needed[i])))
            return ag_fail(err, AG_ERR_NOMEM, "out of memory");
        char *path = ag_ld_find(binding_path, &bin->elf, bin->elf.needed[i]);
        ag_corpus *c = path ? ag_corpus_new() : NULL;
        ag_error e = { .msg = "" };
        d->found = c && ag_elf_read(path, c, &e) == AG_OK;
        free(path);
        if (d->found && !(d->provides = calloc(bin->n_imports ? bin->n_imports : 1, sizeof *d->provides))) {
            ag_corpus_free(c);
            return ag_fail(err, AG_ERR_NOMEM, "out of memory");
        }
        for (size_t k = 0; d->found && k < bin->n_imports; k++) {
            const ag_symbol *im = &bin->imports[k];
            if (im->version || !find_export(c, im->name, NULL))
                continue;
            if (d->n_provides && strcmp(d->provides[d->n_provides - 1], im->name) == 0)
                continue;
            if (!(d->provides[d->n_provides] = strdup(im->name))) {
                ag_corpus_free(c);
                return ag_fail(err, AG_ERR_NOMEM, "out of memory");
            }
            d->n_provides++;
        }
        ag_corpus_free(c);
    }
    return AG_OK;
}

ag_status ag_binding_read(const char *binding_path, const ag_debug_search *search, ag_binding_view **out,
                          ag_error *err)
{
    *out = NULL;
    ag_binding_view *v = calloc(1, sizeof *v);
    if (!v || !(v->corpus = ag_corpus_new())) {
        free(v);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    ag_status st = ag_elf_read(binding_path, v->corpus, err);
    if (st == AG_OK)
        st = read_declarations(v, binding_path, search, err);
    if (st == AG_OK)
        st = read_dependencies(v, binding_path, err);
    if (st == AG_OK)
        st = ag_corpus_finalize(v->corpus, err);
    if (st != AG_OK) {
        ag_binding_view_free(v);
        return st;
    }
    *out = v;
    return AG_OK;
}

void ag_binding_view_free(ag_binding_view *v)
{
    if (!v)
        return;
    ag_corpus_free(v->corpus);
    ag_held_types_free(&v->held);
    for (size_t i = 0; i < v->n_deps; i++) {
        free(v->deps[i].needed);
        for (size_t k = 0; k < v->deps[i].n_provides; k++)
            free(v->deps[i].provides[k]);
        free(v->deps[i].provides);
    }
    free(v->deps);
    free(v);
}

/* ------------------------------------------------------------------ */
/* Narrowing a diff between two releases to what a binding uses        */

/* Which of the library's exported functions and variables a kept change
   reaches, for the interface counts of a narrowed diff. */
static size_t count_reached(const ag_diff *d, const char *const *names, size_t n)
{
    size_t hits = 0;
    for (size_t i = 0; i < n; i++) {
        bool hit = false;
        for (size_t k = 0; !hit && k < d->n_changes; k++)
            for (size_t j = 0; !hit && j < d->changes[k].n_impacts; j++)
                hit = d->changes[k].impacts[j].interface &&
                      strcmp(d->changes[k].impacts[j].interface, names[i]) == 0;
        hits += hit;
    }
    return hits;
}

void ag_binding_narrow(ag_diff *d, const ag_binding_check *r)
{
    const ag_corpus *bf = r->built_for;
    reduce(d, bf, true);
    const char **names = calloc(bf->n_functions + bf->n_variables + 1, sizeof *names);
    if (!names) {
        d->functions_changed = d->variables_changed = 0;
        return;
    }
    for (size_t i = 0; i < bf->n_functions; i++)
        names[i] = bf->functions[i].name;
    d->functions_changed = count_reached(d, names, bf->n_functions);
    for (size_t i = 0; i < bf->n_variables; i++)
        names[i] = bf->variables[i].name;
    d->variables_changed = count_reached(d, names, bf->n_variables);
    free(names);
}

void ag_binding_check_free(ag_binding_check *r)
{
    if (!r)
        return;
    ag_binding_view_free(r->owned_view);
    ag_corpus_free(r->built_for);
    ag_diff_free(r->diff);
    free(r->needed);
    free(r);
}

static bool needs(char *const *needed, size_t n_needed, const char *soname)
{
    for (size_t k = 0; soname && k < n_needed; k++)
        if (needed[k] && strcmp(needed[k], soname) == 0)
            return true;
    return false;
}

long ag_binding_library_soname(const char *const *sonames, size_t n, char *const *needed, size_t n_needed)
{
    if (n == 1)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (needs(needed, n_needed, sonames[i]))
            return (long)i;
    return -1;
}

long ag_binding_library_binary(const ag_corpus *const *bins, size_t n, char *const *needed, size_t n_needed)
{
    if (n == 1)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (needs(needed, n_needed, bins[i]->elf.soname))
            return (long)i;
    return -1;
}
