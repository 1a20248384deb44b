/*
 * corpus_json.c — the corpus's one serialized form, "abiguard-corpus/1",
 * written deterministically (jansson) and read back with full validation:
 * in one pass over the text (json_scan.c) when the file is valid, through a
 * jansson tree when it is not, to explain why (see "Reading, fast path").
 *
 * Shape. Keys are sorted on output (JSON_SORT_KEYS), one value per line, so a
 * baseline diffs cleanly in git. Arrays keep the corpus's order (finalize
 * sorts symbols, functions and variables by name); types are sorted by id.
 * Type references are the 16-hex ids. No addresses, no timestamps.
 *
 *   format         "abiguard-corpus/1"
 *   elf            { file_name, soname|null, elf_type, machine, class (0|32|64),
 *                    byte_order, build_id|null, sha256 ("" or 64 hex),
 *                    needed [str], runpath|null, rpath|null, version_defs [str],
 *                    hardening { relro, bind_now, stack_protector, exec_stack,
 *                                static_tls, cet_ibt, cet_shstk } }
 *   debug_info     bool; false means functions/variables/types are unknown
 *   debug_source   str|null         dwarf_version   int
 *   exports        [ { name, version|null, default, type, binding, size } ]
 *   imports        [ { name, version|null, version_file|null, type, binding } ]
 *   functions      null | [ { name, return (id), params [ { name|null, type } ],
 *                    variadic, prototyped, calling_convention?, decl_file|null,
 *                    decl_line, internal? } ]
 *   variables      null | [ { name, type, decl_file|null, decl_line, internal? } ]
 *   types          null | [ { id, kind, name?, size?, alignment?, encoding?,
 *                    declaration_only?, target?, members?, enumerators?, dims?,
 *                    params?, variadic?, prototyped?, decl_file?, decl_line?,
 *                    public? } ]
 *                    members     [ { name|null, type, bit_offset, bit_size?, alignment? } ]
 *                    enumerators [ { name, value, unsigned? } ]
 *                    dims        [ n | null (unbounded) ]
 *   skipped        { "DW_TAG_x": count }
 *   surface?       { method: "headers", public_headers [str] }: the public
 *                    surface as given at extraction (docs/corpus.md); types
 *                    then carry "public": true when declared in one of the
 *                    headers. Absent: not recorded (inferred when used), and
 *                    no type may say "public".
 *
 * "?" keys are omitted when they hold their default (0, false, null, none,
 * empty), except that a kind's own list is always written (members for
 * struct/union, enumerators for enum, dims for array, params/variadic/
 * prototyped for func), so an empty struct reads as "no members", visibly.
 * Omitting only defaults keeps the writer lossless: write(read(write(c))) is
 * byte-identical to write(c).
 *
 * Integers beyond INT64_MAX (an unsigned enumerator 0xFFFFFFFFFFFFFFFF, say)
 * are written as decimal strings, because JSON integers in jansson are
 * int64; the reader accepts both forms. An enumerator whose value is to be
 * read as uint64 carries "unsigned": true.
 */
#include "corpus_json.h"

#include "json_scan.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_LEN 256

/* ================================================================== */
/* Shared by the writer and both readers                               */

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The public header names, sorted and unique, as the writer writes them
   (so a hand-edited order still round-trips to one form). False when a
   name is empty. */
static bool surface_headers_normalize(ag_surface *s)
{
    size_t n = s->n_public_headers, k = 0;
    for (size_t i = 0; i < n; i++)
        if (!s->public_headers[i][0])
            return false;
    if (n > 1)
        qsort(s->public_headers, n, sizeof *s->public_headers, cmp_cstr);
    for (size_t i = 0; i < n; i++) {
        if (k > 0 && strcmp(s->public_headers[k - 1], s->public_headers[i]) == 0)
            free(s->public_headers[i]);
        else
            s->public_headers[k++] = s->public_headers[i];
    }
    s->n_public_headers = k;
    return true;
}

/* ================================================================== */
/* Writing                                                             */

/* Builders keep going after the first failure (jansson's *_set_new accepts
   and frees NULL values), and the first failure is remembered here: that
   keeps each builder a flat list of fields instead of a ladder of checks. */
typedef struct writer {
    const ag_corpus *c;
    ag_status status;
    ag_error *err;
} writer;

static void w_fail_nomem(writer *w)
{
    if (w->status == AG_OK)
        w->status = ag_fail(w->err, AG_ERR_NOMEM, "out of memory while writing JSON");
}

/* Up to 60 characters of s for an error message: printable ASCII as it is,
   any other byte as \xHH, so the message stays one readable line. */
static const char *message_safe(const char *s, char *buf, size_t len)
{
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && k + 8 < len && k < 60; p++) {
        if (*p >= 0x20 && *p < 0x7f && *p != '\\')
            buf[k++] = (char)*p;
        else
            k += (size_t)snprintf(buf + k, len - k, "\\x%02x", *p);
    }
    buf[k] = '\0';
    return buf;
}

static json_t *w_str(writer *w, const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    if (j || w->status != AG_OK)
        return j;
    /* json_string fails on invalid UTF-8 or on memory: tell them apart, so a
       Latin-1 file name is not reported as out of memory. */
    json_t *raw = json_stringn_nocheck(s, strlen(s));
    if (raw) {
        json_decref(raw);
        char shown[128];
        w->status = ag_fail(w->err, AG_ERR_UNSUPPORTED, "cannot write a name that is not valid UTF-8 in "
                            "JSON: \"%s\"", message_safe(s, shown, sizeof shown));
    } else {
        w_fail_nomem(w);
    }
    return NULL;
}

static json_t *w_u64(writer *w, uint64_t v)
{
    json_t *j;
    if (v <= (uint64_t)INT64_MAX) {
        j = json_integer((json_int_t)v);
    } else {
        char buf[24];
        snprintf(buf, sizeof buf, "%" PRIu64, v);
        j = json_string(buf);
    }
    if (!j)
        w_fail_nomem(w);
    return j;
}

static json_t *w_bool(bool b)
{
    return json_boolean(b);
}

static json_t *w_ref(writer *w, ag_type_ref ref)
{
    if (ref >= w->c->n_types || w->c->types[ref].id[0] == '\0') {
        if (w->status == AG_OK)
            w->status = ag_fail(w->err, AG_ERR_FORMAT,
                                "dangling type reference %" PRIu32 " (corpus not finalized?)", ref);
        return NULL;
    }
    return w_str(w, w->c->types[ref].id);
}

static void w_set(writer *w, json_t *obj, const char *key, json_t *val)
{
    if (!obj) {
        json_decref(val);
        return;
    }
    if (json_object_set_new(obj, key, val) != 0 && val)
        w_fail_nomem(w);
    if (!val)
        w_fail_nomem(w); /* no-op when the cause was already recorded */
}

static void w_append(writer *w, json_t *arr, json_t *val)
{
    if (!arr) {
        json_decref(val);
        return;
    }
    if (json_array_append_new(arr, val) != 0 && val)
        w_fail_nomem(w);
    if (!val)
        w_fail_nomem(w);
}

static json_t *w_object(writer *w)
{
    json_t *o = json_object();
    if (!o)
        w_fail_nomem(w);
    return o;
}

static json_t *w_array(writer *w)
{
    json_t *a = json_array();
    if (!a)
        w_fail_nomem(w);
    return a;
}

static json_t *w_strings(writer *w, char *const *v, size_t n)
{
    json_t *a = w_array(w);
    for (size_t i = 0; i < n; i++)
        w_append(w, a, w_str(w, v[i]));
    return a;
}

static json_t *w_hardening(writer *w, const ag_elf_info *e)
{
    json_t *o = w_object(w);
    w_set(w, o, "relro", w_bool(e->relro));
    w_set(w, o, "bind_now", w_bool(e->bind_now));
    w_set(w, o, "stack_protector", w_bool(e->stack_protector));
    w_set(w, o, "exec_stack", w_bool(e->exec_stack));
    w_set(w, o, "static_tls", w_bool(e->static_tls));
    w_set(w, o, "cet_ibt", w_bool(e->cet_ibt));
    w_set(w, o, "cet_shstk", w_bool(e->cet_shstk));
    return o;
}

static json_t *w_elf(writer *w, const ag_elf_info *e)
{
    json_t *o = w_object(w);
    w_set(w, o, "file_name", w_str(w, e->file_name ? e->file_name : ""));
    w_set(w, o, "soname", w_str(w, e->soname));
    w_set(w, o, "elf_type", w_str(w, e->elf_type ? e->elf_type : "other"));
    w_set(w, o, "machine", w_str(w, e->machine ? e->machine : ""));
    w_set(w, o, "class", json_integer(e->elf_class));
    w_set(w, o, "byte_order", w_str(w, e->byte_order ? e->byte_order : ""));
    w_set(w, o, "build_id", w_str(w, e->build_id));
    w_set(w, o, "sha256", w_str(w, e->sha256));
    w_set(w, o, "needed", w_strings(w, e->needed, e->n_needed));
    w_set(w, o, "runpath", w_str(w, e->runpath));
    w_set(w, o, "rpath", w_str(w, e->rpath));
    w_set(w, o, "version_defs", w_strings(w, e->version_defs, e->n_version_defs));
    w_set(w, o, "hardening", w_hardening(w, e));
    return o;
}

static json_t *w_symbol(writer *w, const ag_symbol *s, bool is_import)
{
    json_t *o = w_object(w);
    w_set(w, o, "name", w_str(w, s->name));
    w_set(w, o, "version", w_str(w, s->version));
    w_set(w, o, "type", w_str(w, ag_sym_type_name(s->type)));
    w_set(w, o, "binding", w_str(w, ag_sym_binding_name(s->binding)));
    if (is_import) {
        w_set(w, o, "version_file", w_str(w, s->version_file));
    } else {
        w_set(w, o, "default", w_bool(s->is_default));
        w_set(w, o, "size", w_u64(w, s->size));
    }
    return o;
}

static json_t *w_symbols(writer *w, const ag_symbol *v, size_t n, bool is_import)
{
    json_t *a = w_array(w);
    for (size_t i = 0; i < n; i++)
        w_append(w, a, w_symbol(w, &v[i], is_import));
    return a;
}

static json_t *w_params(writer *w, const ag_param *p, size_t n)
{
    json_t *a = w_array(w);
    for (size_t i = 0; i < n; i++) {
        json_t *o = w_object(w);
        w_set(w, o, "name", w_str(w, p[i].name));
        w_set(w, o, "type", w_ref(w, p[i].type));
        w_append(w, a, o);
    }
    return a;
}

static json_t *w_function(writer *w, const ag_function *f)
{
    json_t *o = w_object(w);
    w_set(w, o, "name", w_str(w, f->name));
    w_set(w, o, "return", w_ref(w, f->return_type));
    w_set(w, o, "params", w_params(w, f->params, f->n_params));
    w_set(w, o, "variadic", w_bool(f->variadic));
    w_set(w, o, "prototyped", w_bool(f->prototyped));
    if (f->calling_convention)
        w_set(w, o, "calling_convention", w_u64(w, f->calling_convention));
    w_set(w, o, "decl_file", w_str(w, f->decl_file));
    w_set(w, o, "decl_line", w_u64(w, f->decl_line));
    if (w->c->surface.recorded && f->is_internal)
        w_set(w, o, "internal", w_bool(true));
    return o;
}

static json_t *w_variable(writer *w, const ag_variable *v)
{
    json_t *o = w_object(w);
    w_set(w, o, "name", w_str(w, v->name));
    w_set(w, o, "type", w_ref(w, v->type));
    w_set(w, o, "decl_file", w_str(w, v->decl_file));
    w_set(w, o, "decl_line", w_u64(w, v->decl_line));
    if (w->c->surface.recorded && v->is_internal)
        w_set(w, o, "internal", w_bool(true));
    return o;
}

static json_t *w_members(writer *w, const ag_member *m, size_t n)
{
    json_t *a = w_array(w);
    for (size_t i = 0; i < n; i++) {
        json_t *o = w_object(w);
        w_set(w, o, "name", w_str(w, m[i].name));
        w_set(w, o, "type", w_ref(w, m[i].type));
        w_set(w, o, "bit_offset", w_u64(w, m[i].bit_offset));
        if (m[i].bit_size)
            w_set(w, o, "bit_size", w_u64(w, m[i].bit_size));
        if (m[i].alignment)
            w_set(w, o, "alignment", w_u64(w, m[i].alignment));
        w_append(w, a, o);
    }
    return a;
}

static json_t *w_enumerators(writer *w, const ag_enumerator *e, size_t n)
{
    json_t *a = w_array(w);
    for (size_t i = 0; i < n; i++) {
        json_t *o = w_object(w);
        w_set(w, o, "name", w_str(w, e[i].name));
        if (e[i].value_unsigned) {
            w_set(w, o, "value", w_u64(w, (uint64_t)e[i].value));
            w_set(w, o, "unsigned", w_bool(true));
        } else {
            w_set(w, o, "value", json_integer(e[i].value));
        }
        w_append(w, a, o);
    }
    return a;
}

static json_t *w_dims(writer *w, const uint64_t *d, size_t n)
{
    json_t *a = w_array(w);
    for (size_t i = 0; i < n; i++)
        w_append(w, a, d[i] == AG_DIM_UNKNOWN ? json_null() : w_u64(w, d[i]));
    return a;
}

static json_t *w_type(writer *w, const ag_type *t)
{
    json_t *o = w_object(w);
    w_set(w, o, "id", w_str(w, t->id));
    w_set(w, o, "kind", w_str(w, ag_type_kind_name(t->kind)));
    if (t->name)
        w_set(w, o, "name", w_str(w, t->name));
    if (t->byte_size)
        w_set(w, o, "size", w_u64(w, t->byte_size));
    if (t->alignment)
        w_set(w, o, "alignment", w_u64(w, t->alignment));
    if (t->encoding != AG_ENC_NONE)
        w_set(w, o, "encoding", w_str(w, ag_encoding_name(t->encoding)));
    if (t->declaration_only)
        w_set(w, o, "declaration_only", w_bool(true));
    if (t->target != AG_NO_TYPE)
        w_set(w, o, "target", w_ref(w, t->target));
    bool aggregate = t->kind == AG_T_STRUCT || t->kind == AG_T_UNION;
    if (aggregate || t->n_members)
        w_set(w, o, "members", w_members(w, t->members, t->n_members));
    if (t->kind == AG_T_ENUM || t->n_enumerators)
        w_set(w, o, "enumerators", w_enumerators(w, t->enumerators, t->n_enumerators));
    if (t->kind == AG_T_ARRAY || t->n_dims)
        w_set(w, o, "dims", w_dims(w, t->dims, t->n_dims));
    bool func = t->kind == AG_T_FUNC;
    if (func || t->n_params)
        w_set(w, o, "params", w_params(w, t->params, t->n_params));
    if (func || t->variadic)
        w_set(w, o, "variadic", w_bool(t->variadic));
    if (func || t->prototyped)
        w_set(w, o, "prototyped", w_bool(t->prototyped));
    if (t->decl_file)
        w_set(w, o, "decl_file", w_str(w, t->decl_file));
    if (t->decl_line)
        w_set(w, o, "decl_line", w_u64(w, t->decl_line));
    if (w->c->surface.recorded && t->is_public)
        w_set(w, o, "public", w_bool(true));
    return o;
}

static int cmp_type_ptr_by_id(const void *a, const void *b)
{
    const ag_type *ta = *(const ag_type *const *)a;
    const ag_type *tb = *(const ag_type *const *)b;
    return strcmp(ta->id, tb->id);
}

/* Types in id order. A type without an id was dropped by finalize (nothing
   reaches it) and is not part of the corpus's content. */
static json_t *w_types(writer *w)
{
    const ag_corpus *c = w->c;
    const ag_type **sorted = malloc((c->n_types ? c->n_types : 1) * sizeof *sorted);
    if (!sorted) {
        w_fail_nomem(w);
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < c->n_types; i++)
        if (c->types[i].id[0] != '\0')
            sorted[n++] = &c->types[i];
    qsort(sorted, n, sizeof *sorted, cmp_type_ptr_by_id);
    json_t *a = w_array(w);
    for (size_t i = 0; i < n; i++) {
        /* Identical types collapse into one: same id, written once. */
        if (i > 0 && strcmp(sorted[i - 1]->id, sorted[i]->id) == 0)
            continue;
        w_append(w, a, w_type(w, sorted[i]));
    }
    free(sorted);
    return a;
}

static json_t *w_functions(writer *w)
{
    json_t *a = w_array(w);
    for (size_t i = 0; i < w->c->n_functions; i++)
        w_append(w, a, w_function(w, &w->c->functions[i]));
    return a;
}

static json_t *w_variables(writer *w)
{
    json_t *a = w_array(w);
    for (size_t i = 0; i < w->c->n_variables; i++)
        w_append(w, a, w_variable(w, &w->c->variables[i]));
    return a;
}

static json_t *w_skipped(writer *w)
{
    json_t *o = w_object(w);
    for (size_t i = 0; o && i < w->c->n_skipped; i++) {
        const ag_skip_count *s = &w->c->skipped[i];
        if (!s->what)
            continue;
        /* A name listed twice is summed, so the object keeps one key each. */
        uint64_t total = s->count;
        json_t *prev = json_object_get(o, s->what);
        if (prev && json_is_integer(prev))
            total += (uint64_t)json_integer_value(prev);
        w_set(w, o, s->what, w_u64(w, total));
    }
    return o;
}

static json_t *w_surface(writer *w, const ag_surface *s)
{
    json_t *o = w_object(w);
    w_set(w, o, "method", w_str(w, "headers"));
    w_set(w, o, "public_headers", w_strings(w, s->public_headers, s->n_public_headers));
    return o;
}

static json_t *w_corpus(writer *w)
{
    const ag_corpus *c = w->c;
    json_t *root = w_object(w);
    w_set(w, root, "format", w_str(w, AG_CORPUS_FORMAT));
    w_set(w, root, "elf", w_elf(w, &c->elf));
    w_set(w, root, "debug_info", w_bool(c->has_debug_info));
    w_set(w, root, "debug_source", w_str(w, c->debug_source));
    w_set(w, root, "dwarf_version", json_integer(c->dwarf_version));
    w_set(w, root, "exports", w_symbols(w, c->exports, c->n_exports, false));
    w_set(w, root, "imports", w_symbols(w, c->imports, c->n_imports, true));
    w_set(w, root, "functions", c->has_debug_info ? w_functions(w) : json_null());
    w_set(w, root, "variables", c->has_debug_info ? w_variables(w) : json_null());
    w_set(w, root, "types", c->has_debug_info ? w_types(w) : json_null());
    w_set(w, root, "skipped", w_skipped(w));
    if (c->surface.recorded)
        w_set(w, root, "surface", w_surface(w, &c->surface));
    return root;
}

/* Serializes c into a malloc'd string ending in a newline. */
static ag_status corpus_to_text(const ag_corpus *c, char **out, ag_error *err)
{
    *out = NULL;
    writer w = { .c = c, .status = AG_OK, .err = err };
    json_t *root = w_corpus(&w);
    if (w.status != AG_OK) {
        json_decref(root);
        return w.status;
    }
    char *text = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(1));
    json_decref(root);
    if (!text)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory while writing JSON");
    size_t len = strlen(text);
    char *with_nl = realloc(text, len + 2);
    if (!with_nl) {
        free(text);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory while writing JSON");
    }
    with_nl[len] = '\n';
    with_nl[len + 1] = '\0';
    *out = with_nl;
    return AG_OK;
}

char *ag_corpus_to_json(const ag_corpus *c, ag_error *err)
{
    char *text;
    corpus_to_text(c, &text, err);
    return text;
}

ag_status ag_corpus_write_file(const ag_corpus *c, FILE *out, ag_error *err)
{
    char *text;
    ag_status st = corpus_to_text(c, &text, err);
    if (st != AG_OK)
        return st;
    size_t len = strlen(text);
    errno = 0;
    size_t put = fwrite(text, 1, len, out);
    free(text);
    if (put != len || fflush(out) != 0 || ferror(out))
        return ag_fail(err, AG_ERR_IO, "cannot write: %s", strerror(errno ? errno : EIO));
    return AG_OK;
}

/* ================================================================== */
/* Reading                                                             */

/* Maps a type id in the file to the index of the type built from it. */
typedef struct id_entry {
    char id[17];
    ag_type_ref ref;
    size_t pos; /* index in the file's "types" array, for messages */
} id_entry;

typedef struct reader {
    ag_corpus *c;
    ag_error *err;
    id_entry *ids; /* sorted by id */
    size_t n_ids;
} reader;

/* Paths only go into messages, so one longer than PATH_MAX_LEN is cut
   short rather than treated as an error. (Built by hand, not snprintf, whose
   truncation -Wformat-truncation rightly flags.) */
static void path_join(char *buf, const char *a, const char *b, const char *c)
{
    size_t n = 0;
    for (const char *parts[] = { a, b, c }, **p = parts; p < parts + 3; p++)
        for (const char *s = *p; *s && n + 1 < PATH_MAX_LEN; s++)
            buf[n++] = *s;
    buf[n] = '\0';
}

/* "where.key", or just "key" at the top level. */
static void path_key(char *buf, const char *where, const char *key)
{
    path_join(buf, where, where[0] ? "." : "", key);
}

/* "where[i]" */
static void path_index(char *buf, const char *where, size_t i)
{
    char index[32];
    snprintf(index, sizeof index, "[%zu]", i);
    path_join(buf, where, index, "");
}

static const char *json_type_word(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "something else";
}

static ag_status r_expected(reader *r, const char *path, const char *what, const json_t *got)
{
    return ag_fail(r->err, AG_ERR_FORMAT, "%s: expected %s, got %s", path, what, json_type_word(got));
}

static ag_status r_nomem(reader *r)
{
    return ag_fail(r->err, AG_ERR_NOMEM, "out of memory while reading JSON");
}

/* Rejects keys this format does not define: a misspelled key would
   otherwise silently read as its default. */
static ag_status r_check_keys(reader *r, const json_t *obj, const char *where,
                              const char *const *allowed)
{
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)obj, key, val) {
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(*a, key) == 0;
        if (!known) {
            char path[PATH_MAX_LEN];
            path_key(path, where, key);
            return ag_fail(r->err, AG_ERR_FORMAT, "%s: unknown field", path);
        }
    }
    return AG_OK;
}

/* Looks up obj[key]. Sets *out to NULL (and succeeds) when the key is absent
   and optional. */
static ag_status r_field(reader *r, const json_t *obj, const char *where, const char *key,
                         bool optional, json_t **out)
{
    *out = json_object_get(obj, key);
    if (*out || optional)
        return AG_OK;
    char path[PATH_MAX_LEN];
    path_key(path, where, key);
    return ag_fail(r->err, AG_ERR_FORMAT, "%s: missing", path);
}

enum { REQUIRED = 0, OPTIONAL = 1 };
enum { NOT_NULL = 0, NULLABLE = 1 };

static ag_status r_str(reader *r, const json_t *obj, const char *where, const char *key,
                       bool optional, bool nullable, char **out)
{
    json_t *j;
    ag_status st = r_field(r, obj, where, key, optional, &j);
    if (st != AG_OK || !j)
        return st;
    if (nullable && json_is_null(j))
        return AG_OK;
    char path[PATH_MAX_LEN];
    path_key(path, where, key);
    if (!json_is_string(j))
        return r_expected(r, path, nullable ? "a string or null" : "a string", j);
    if (strlen(json_string_value(j)) != json_string_length(j))
        return ag_fail(r->err, AG_ERR_FORMAT, "%s: string contains a NUL character", path);
    *out = strdup(json_string_value(j));
    return *out ? AG_OK : r_nomem(r);
}

static ag_status r_bool(reader *r, const json_t *obj, const char *where, const char *key,
                        bool optional, bool *out)
{
    json_t *j;
    ag_status st = r_field(r, obj, where, key, optional, &j);
    if (st != AG_OK || !j)
        return st;
    if (!json_is_boolean(j)) {
        char path[PATH_MAX_LEN];
        path_key(path, where, key);
        return r_expected(r, path, "a boolean", j);
    }
    *out = json_is_true(j);
    return AG_OK;
}

/* A canonical decimal uint64 ("0", or no leading zero, no sign). */
static bool parse_u64_decimal(const char *s, uint64_t *out)
{
    if (!s[0] || (s[0] == '0' && s[1]) || strspn(s, "0123456789") != strlen(s))
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno == ERANGE)
        return false;
    *out = v;
    return true;
}

/* An unsigned integer: a JSON integer >= 0, or, beyond INT64_MAX, a
   decimal string. */
static ag_status r_u64_value(reader *r, const json_t *j, const char *path, uint64_t max,
                             uint64_t *out)
{
    uint64_t v;
    if (json_is_integer(j)) {
        if (json_integer_value(j) < 0)
            return ag_fail(r->err, AG_ERR_FORMAT, "%s: must not be negative", path);
        v = (uint64_t)json_integer_value(j);
    } else if (json_is_string(j)) {
        /* Only the writer's own form: a string for what an integer cannot hold. */
        if (!parse_u64_decimal(json_string_value(j), &v) || v <= (uint64_t)INT64_MAX)
            return r_expected(r, path, "an unsigned integer", j);
    } else {
        return r_expected(r, path, "an unsigned integer", j);
    }
    if (v > max)
        return ag_fail(r->err, AG_ERR_FORMAT, "%s: %" PRIu64 " is out of range (max %" PRIu64 ")",
                       path, v, max);
    *out = v;
    return AG_OK;
}

static ag_status r_u64(reader *r, const json_t *obj, const char *where, const char *key,
                       bool optional, uint64_t max, uint64_t *out)
{
    json_t *j;
    ag_status st = r_field(r, obj, where, key, optional, &j);
    if (st != AG_OK || !j)
        return st;
    char path[PATH_MAX_LEN];
    path_key(path, where, key);
    return r_u64_value(r, j, path, max, out);
}

static ag_status r_u32(reader *r, const json_t *obj, const char *where, const char *key,
                       bool optional, uint32_t *out)
{
    uint64_t v = *out;
    ag_status st = r_u64(r, obj, where, key, optional, UINT32_MAX, &v);
    if (st == AG_OK)
        *out = (uint32_t)v;
    return st;
}

/* obj[key] as an array (or NULL when nullable and null / optional and absent). */
static ag_status r_array(reader *r, const json_t *obj, const char *where, const char *key,
                         bool optional, bool nullable, json_t **out)
{
    ag_status st = r_field(r, obj, where, key, optional, out);
    if (st != AG_OK || !*out)
        return st;
    if (nullable && json_is_null(*out)) {
        *out = NULL;
        return AG_OK;
    }
    if (!json_is_array(*out)) {
        char path[PATH_MAX_LEN];
        path_key(path, where, key);
        return r_expected(r, path, nullable ? "an array or null" : "an array", *out);
    }
    return AG_OK;
}

static ag_status r_object(reader *r, const json_t *obj, const char *where, const char *key,
                          json_t **out)
{
    ag_status st = r_field(r, obj, where, key, REQUIRED, out);
    if (st != AG_OK)
        return st;
    if (!json_is_object(*out)) {
        char path[PATH_MAX_LEN];
        path_key(path, where, key);
        return r_expected(r, path, "an object", *out);
    }
    return AG_OK;
}

/* arr[i] as an object; fills path with "where[i]". */
static ag_status r_element_object(reader *r, const json_t *arr, size_t i, const char *where,
                                  char *path, json_t **out)
{
    path_index(path, where, i);
    *out = json_array_get(arr, i);
    if (!json_is_object(*out))
        return r_expected(r, path, "an object", *out);
    return AG_OK;
}

/* A name from one of corpus.h's tables ("func", "weak", "signed", ...). */
static ag_status r_enum(reader *r, const json_t *obj, const char *where, const char *key,
                        bool optional, int (*from_name)(const char *), int *out)
{
    json_t *j;
    ag_status st = r_field(r, obj, where, key, optional, &j);
    if (st != AG_OK || !j)
        return st;
    char path[PATH_MAX_LEN];
    path_key(path, where, key);
    if (!json_is_string(j))
        return r_expected(r, path, "a string", j);
    int v = from_name(json_string_value(j));
    if (v < 0)
        return ag_fail(r->err, AG_ERR_FORMAT, "%s: unknown value \"%.60s\"", path, json_string_value(j));
    *out = v;
    return AG_OK;
}

static ag_status r_string_list(reader *r, const json_t *obj, const char *where, const char *key,
                               char ***out, size_t *n_out)
{
    json_t *arr;
    ag_status st = r_array(r, obj, where, key, REQUIRED, NOT_NULL, &arr);
    if (st != AG_OK)
        return st;
    size_t n = json_array_size(arr);
    if (n == 0)
        return AG_OK;
    if (!(*out = calloc(n, sizeof **out)))
        return r_nomem(r);
    *n_out = n;
    char path[PATH_MAX_LEN];
    path_key(path, where, key);
    for (size_t i = 0; i < n; i++) {
        json_t *j = json_array_get(arr, i);
        if (!json_is_string(j)) {
            char ipath[PATH_MAX_LEN];
            path_index(ipath, path, i);
            return r_expected(r, ipath, "a string", j);
        }
        if (!((*out)[i] = strdup(json_string_value(j))))
            return r_nomem(r);
    }
    return AG_OK;
}

static bool is_lower_hex(const char *s, size_t len)
{
    return strlen(s) == len && strspn(s, "0123456789abcdef") == len;
}

/* ---------------------------------------------------------------- elf */

static ag_status r_hardening(reader *r, const json_t *elf, ag_elf_info *e)
{
    static const char *const keys[] = { "relro", "bind_now", "stack_protector", "exec_stack",
                                        "static_tls", "cet_ibt", "cet_shstk", NULL };
    json_t *h;
    const char *where = "elf.hardening";
    ag_status st = r_object(r, elf, "elf", "hardening", &h);
    if (st == AG_OK) st = r_check_keys(r, h, where, keys);
    if (st == AG_OK) st = r_bool(r, h, where, "relro", REQUIRED, &e->relro);
    if (st == AG_OK) st = r_bool(r, h, where, "bind_now", REQUIRED, &e->bind_now);
    if (st == AG_OK) st = r_bool(r, h, where, "stack_protector", REQUIRED, &e->stack_protector);
    if (st == AG_OK) st = r_bool(r, h, where, "exec_stack", REQUIRED, &e->exec_stack);
    if (st == AG_OK) st = r_bool(r, h, where, "static_tls", REQUIRED, &e->static_tls);
    if (st == AG_OK) st = r_bool(r, h, where, "cet_ibt", REQUIRED, &e->cet_ibt);
    if (st == AG_OK) st = r_bool(r, h, where, "cet_shstk", REQUIRED, &e->cet_shstk);
    return st;
}

static ag_status r_sha256(reader *r, const json_t *elf, ag_elf_info *e)
{
    char *sha = NULL;
    ag_status st = r_str(r, elf, "elf", "sha256", REQUIRED, NOT_NULL, &sha);
    if (st != AG_OK)
        return st;
    if (sha[0] && !is_lower_hex(sha, 64)) {
        free(sha);
        return ag_fail(r->err, AG_ERR_FORMAT, "elf.sha256: expected 64 lowercase hex digits");
    }
    memcpy(e->sha256, sha, strlen(sha) + 1);
    free(sha);
    return AG_OK;
}

static ag_status r_elf_class(reader *r, const json_t *elf, ag_elf_info *e)
{
    uint64_t cls = 0;
    ag_status st = r_u64(r, elf, "elf", "class", REQUIRED, 64, &cls);
    if (st == AG_OK && cls != 0 && cls != 32 && cls != 64)
        return ag_fail(r->err, AG_ERR_FORMAT, "elf.class: expected 32 or 64, got %" PRIu64, cls);
    e->elf_class = (int)cls;
    return st;
}

static ag_status r_elf(reader *r, const json_t *root)
{
    static const char *const keys[] = { "file_name", "soname", "elf_type", "machine", "class",
                                        "byte_order", "build_id", "sha256", "needed", "runpath",
                                        "rpath", "version_defs", "hardening", NULL };
    ag_elf_info *e = &r->c->elf;
    json_t *elf;
    ag_status st = r_object(r, root, "", "elf", &elf);
    if (st == AG_OK) st = r_check_keys(r, elf, "elf", keys);
    if (st == AG_OK) st = r_str(r, elf, "elf", "file_name", REQUIRED, NOT_NULL, &e->file_name);
    if (st == AG_OK) st = r_str(r, elf, "elf", "soname", REQUIRED, NULLABLE, &e->soname);
    if (st == AG_OK) st = r_str(r, elf, "elf", "elf_type", REQUIRED, NOT_NULL, &e->elf_type);
    if (st == AG_OK) st = r_str(r, elf, "elf", "machine", REQUIRED, NOT_NULL, &e->machine);
    if (st == AG_OK) st = r_elf_class(r, elf, e);
    if (st == AG_OK) st = r_str(r, elf, "elf", "byte_order", REQUIRED, NOT_NULL, &e->byte_order);
    if (st == AG_OK) st = r_str(r, elf, "elf", "build_id", REQUIRED, NULLABLE, &e->build_id);
    if (st == AG_OK) st = r_sha256(r, elf, e);
    if (st == AG_OK) st = r_string_list(r, elf, "elf", "needed", &e->needed, &e->n_needed);
    if (st == AG_OK) st = r_str(r, elf, "elf", "runpath", REQUIRED, NULLABLE, &e->runpath);
    if (st == AG_OK) st = r_str(r, elf, "elf", "rpath", REQUIRED, NULLABLE, &e->rpath);
    if (st == AG_OK) st = r_string_list(r, elf, "elf", "version_defs", &e->version_defs,
                                        &e->n_version_defs);
    if (st == AG_OK) st = r_hardening(r, elf, e);
    return st;
}

/* ---------------------------------------------------------------- symbols */

static ag_status r_symbol(reader *r, const json_t *o, const char *where, bool is_import,
                          ag_symbol *s)
{
    static const char *const export_keys[] = { "name", "version", "default", "type", "binding",
                                               "size", NULL };
    static const char *const import_keys[] = { "name", "version", "version_file", "type",
                                               "binding", NULL };
    int type = 0, binding = 0;
    ag_status st = r_check_keys(r, o, where, is_import ? import_keys : export_keys);
    if (st == AG_OK) st = r_str(r, o, where, "name", REQUIRED, NOT_NULL, &s->name);
    if (st == AG_OK) st = r_str(r, o, where, "version", REQUIRED, NULLABLE, &s->version);
    if (st == AG_OK) st = r_enum(r, o, where, "type", REQUIRED, ag_sym_type_from_name, &type);
    if (st == AG_OK) st = r_enum(r, o, where, "binding", REQUIRED, ag_sym_binding_from_name, &binding);
    if (st == AG_OK && is_import)
        st = r_str(r, o, where, "version_file", REQUIRED, NULLABLE, &s->version_file);
    if (st == AG_OK && !is_import)
        st = r_bool(r, o, where, "default", REQUIRED, &s->is_default);
    if (st == AG_OK && !is_import)
        st = r_u64(r, o, where, "size", REQUIRED, UINT64_MAX, &s->size);
    s->type = (ag_sym_type)type;
    s->binding = (ag_sym_binding)binding;
    return st;
}

static ag_status r_symbols(reader *r, const json_t *root, const char *key, bool is_import,
                           ag_symbol **out, size_t *n_out)
{
    json_t *arr;
    ag_status st = r_array(r, root, "", key, REQUIRED, NOT_NULL, &arr);
    size_t n = st == AG_OK ? json_array_size(arr) : 0;
    if (n == 0)
        return st;
    if (!(*out = calloc(n, sizeof **out)))
        return r_nomem(r);
    *n_out = n;
    for (size_t i = 0; i < n && st == AG_OK; i++) {
        char path[PATH_MAX_LEN];
        json_t *o;
        st = r_element_object(r, arr, i, key, path, &o);
        if (st == AG_OK)
            st = r_symbol(r, o, path, is_import, &(*out)[i]);
    }
    return st;
}

/* ---------------------------------------------------------------- type ids */

static int cmp_id_entry(const void *a, const void *b)
{
    return strcmp(((const id_entry *)a)->id, ((const id_entry *)b)->id);
}

static ag_status r_ref(reader *r, const json_t *obj, const char *where, const char *key,
                       bool optional, ag_type_ref *out)
{
    json_t *j;
    ag_status st = r_field(r, obj, where, key, optional, &j);
    if (st != AG_OK || !j)
        return st;
    char path[PATH_MAX_LEN];
    path_key(path, where, key);
    if (!json_is_string(j))
        return r_expected(r, path, "a type id string", j);
    id_entry probe = { .ref = 0 };
    snprintf(probe.id, sizeof probe.id, "%s", json_string_value(j));
    const id_entry *hit = NULL;
    if (strlen(json_string_value(j)) == 16)
        hit = bsearch(&probe, r->ids, r->n_ids, sizeof *r->ids, cmp_id_entry);
    if (!hit)
        return ag_fail(r->err, AG_ERR_FORMAT, "%s: unknown type id %.40s", path, json_string_value(j));
    *out = hit->ref;
    return AG_OK;
}

/* First pass over "types": creates each type with its kind, and indexes the
   ids so that the second pass can resolve references in any order. */
static ag_status r_type_ids(reader *r, const json_t *arr)
{
    size_t n = json_array_size(arr);
    if (n == 0)
        return AG_OK;
    if (!(r->ids = calloc(n, sizeof *r->ids)))
        return r_nomem(r);
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX_LEN];
        json_t *o;
        char *id = NULL;
        int kind = 0;
        ag_status st = r_element_object(r, arr, i, "types", path, &o);
        if (st == AG_OK) st = r_str(r, o, path, "id", REQUIRED, NOT_NULL, &id);
        if (st == AG_OK && !is_lower_hex(id, 16))
            st = ag_fail(r->err, AG_ERR_FORMAT, "%s.id: \"%.40s\" is not 16 lowercase hex digits",
                         path, id);
        if (st == AG_OK) st = r_enum(r, o, path, "kind", REQUIRED, ag_type_kind_from_name, &kind);
        if (st == AG_OK && (r->ids[i].ref = ag_corpus_add_type(r->c, (ag_type_kind)kind)) == AG_NO_TYPE)
            st = r_nomem(r);
        if (st == AG_OK)
            memcpy(r->ids[i].id, id, 17);
        free(id);
        if (st != AG_OK)
            return st;
        r->ids[i].pos = i;
        r->n_ids = i + 1;
    }
    qsort(r->ids, r->n_ids, sizeof *r->ids, cmp_id_entry);
    for (size_t i = 1; i < r->n_ids; i++)
        if (strcmp(r->ids[i - 1].id, r->ids[i].id) == 0) {
            size_t a = r->ids[i - 1].pos, b = r->ids[i].pos;
            return ag_fail(r->err, AG_ERR_FORMAT, "types[%zu]: duplicate type id %s (also types[%zu])",
                           a > b ? a : b, r->ids[i].id, a < b ? a : b);
        }
    return AG_OK;
}

/* ---------------------------------------------------------------- type content */

static ag_status r_param(reader *r, const json_t *o, const char *where, ag_param *p)
{
    static const char *const keys[] = { "name", "type", NULL };
    ag_status st = r_check_keys(r, o, where, keys);
    if (st == AG_OK) st = r_str(r, o, where, "name", REQUIRED, NULLABLE, &p->name);
    if (st == AG_OK) st = r_ref(r, o, where, "type", REQUIRED, &p->type);
    return st;
}

static ag_status r_member(reader *r, const json_t *o, const char *where, ag_member *m)
{
    static const char *const keys[] = { "name", "type", "bit_offset", "bit_size", "alignment", NULL };
    ag_status st = r_check_keys(r, o, where, keys);
    if (st == AG_OK) st = r_str(r, o, where, "name", REQUIRED, NULLABLE, &m->name);
    if (st == AG_OK) st = r_ref(r, o, where, "type", REQUIRED, &m->type);
    if (st == AG_OK) st = r_u64(r, o, where, "bit_offset", REQUIRED, UINT64_MAX, &m->bit_offset);
    if (st == AG_OK) st = r_u32(r, o, where, "bit_size", OPTIONAL, &m->bit_size);
    if (st == AG_OK) st = r_u32(r, o, where, "alignment", OPTIONAL, &m->alignment);
    return st;
}

/* The enumerator value: an integer (negative allowed unless "unsigned"), or a
   decimal string for unsigned values beyond INT64_MAX. */
static ag_status r_enumerator_value(reader *r, const json_t *o, const char *where, ag_enumerator *e)
{
    json_t *j;
    ag_status st = r_bool(r, o, where, "unsigned", OPTIONAL, &e->value_unsigned);
    if (st == AG_OK) st = r_field(r, o, where, "value", REQUIRED, &j);
    if (st != AG_OK)
        return st;
    char path[PATH_MAX_LEN];
    path_key(path, where, "value");
    if (json_is_integer(j)) {
        e->value = (int64_t)json_integer_value(j);
        if (e->value_unsigned && e->value < 0)
            return ag_fail(r->err, AG_ERR_FORMAT, "%s: negative value for an unsigned enumerator", path);
        return AG_OK;
    }
    if (!json_is_string(j))
        return r_expected(r, path, "an integer or a decimal string", j);
    uint64_t u;
    st = r_u64_value(r, j, path, UINT64_MAX, &u);
    if (st != AG_OK)
        return st;
    e->value = (int64_t)u;
    e->value_unsigned = true; /* only unsigned values need the string form */
    return AG_OK;
}

static ag_status r_enumerator(reader *r, const json_t *o, const char *where, ag_enumerator *e)
{
    static const char *const keys[] = { "name", "value", "unsigned", NULL };
    ag_status st = r_check_keys(r, o, where, keys);
    if (st == AG_OK) st = r_str(r, o, where, "name", REQUIRED, NOT_NULL, &e->name);
    if (st == AG_OK) st = r_enumerator_value(r, o, where, e);
    return st;
}

/* Reads an optional array of objects into a calloc'd array of n elements of
   `size` bytes, calling read_one on each. The count is stored before the
   elements are filled so that ag_corpus_free releases a partial array. */
typedef ag_status (*read_one_fn)(reader *r, const json_t *o, const char *where, void *elem);

static ag_status r_object_list(reader *r, const json_t *obj, const char *where, const char *key,
                               size_t size, read_one_fn read_one, void **out, size_t *n_out)
{
    json_t *arr;
    ag_status st = r_array(r, obj, where, key, OPTIONAL, NOT_NULL, &arr);
    size_t n = st == AG_OK && arr ? json_array_size(arr) : 0;
    if (n == 0)
        return st;
    if (!(*out = calloc(n, size)))
        return r_nomem(r);
    *n_out = n;
    char list_path[PATH_MAX_LEN];
    path_key(list_path, where, key);
    for (size_t i = 0; i < n && st == AG_OK; i++) {
        char path[PATH_MAX_LEN];
        json_t *o;
        st = r_element_object(r, arr, i, list_path, path, &o);
        if (st == AG_OK)
            st = read_one(r, o, path, (char *)*out + i * size);
    }
    return st;
}

static ag_status read_member_cb(reader *r, const json_t *o, const char *where, void *e)
{
    return r_member(r, o, where, e);
}

static ag_status read_enumerator_cb(reader *r, const json_t *o, const char *where, void *e)
{
    return r_enumerator(r, o, where, e);
}

static ag_status read_param_cb(reader *r, const json_t *o, const char *where, void *e)
{
    return r_param(r, o, where, e);
}

static ag_status r_dims(reader *r, const json_t *o, const char *where, ag_type *t)
{
    json_t *arr;
    ag_status st = r_array(r, o, where, "dims", OPTIONAL, NOT_NULL, &arr);
    size_t n = st == AG_OK && arr ? json_array_size(arr) : 0;
    if (n == 0)
        return st;
    if (!(t->dims = calloc(n, sizeof *t->dims)))
        return r_nomem(r);
    t->n_dims = n;
    char list_path[PATH_MAX_LEN];
    path_key(list_path, where, "dims");
    for (size_t i = 0; i < n && st == AG_OK; i++) {
        char path[PATH_MAX_LEN];
        path_index(path, list_path, i);
        json_t *j = json_array_get(arr, i);
        t->dims[i] = AG_DIM_UNKNOWN;
        if (!json_is_null(j))
            st = r_u64_value(r, j, path, AG_DIM_UNKNOWN - 1, &t->dims[i]);
    }
    return st;
}

static ag_status r_type_scalars(reader *r, const json_t *o, const char *where, ag_type *t)
{
    int enc = AG_ENC_NONE;
    ag_status st = r_str(r, o, where, "name", OPTIONAL, NOT_NULL, &t->name);
    if (st == AG_OK) st = r_u64(r, o, where, "size", OPTIONAL, UINT64_MAX, &t->byte_size);
    if (st == AG_OK) st = r_u32(r, o, where, "alignment", OPTIONAL, &t->alignment);
    if (st == AG_OK) st = r_enum(r, o, where, "encoding", OPTIONAL, ag_encoding_from_name, &enc);
    if (st == AG_OK) st = r_bool(r, o, where, "declaration_only", OPTIONAL, &t->declaration_only);
    if (st == AG_OK) st = r_ref(r, o, where, "target", OPTIONAL, &t->target);
    if (st == AG_OK) st = r_bool(r, o, where, "variadic", OPTIONAL, &t->variadic);
    if (st == AG_OK) st = r_bool(r, o, where, "prototyped", OPTIONAL, &t->prototyped);
    if (st == AG_OK) st = r_str(r, o, where, "decl_file", OPTIONAL, NOT_NULL, &t->decl_file);
    if (st == AG_OK) st = r_u32(r, o, where, "decl_line", OPTIONAL, &t->decl_line);
    if (st == AG_OK) st = r_bool(r, o, where, "public", OPTIONAL, &t->is_public);
    t->encoding = (ag_encoding)enc;
    return st;
}

static ag_status r_type(reader *r, const json_t *o, const char *where, ag_type *t)
{
    static const char *const keys[] = { "id", "kind", "name", "size", "alignment", "encoding",
                                        "declaration_only", "target", "members", "enumerators",
                                        "dims", "params", "variadic", "prototyped", "decl_file",
                                        "decl_line", "public", NULL };
    ag_status st = r_check_keys(r, o, where, keys);
    if (st == AG_OK) st = r_type_scalars(r, o, where, t);
    if (st == AG_OK)
        st = r_object_list(r, o, where, "members", sizeof *t->members, read_member_cb,
                           (void **)&t->members, &t->n_members);
    if (st == AG_OK)
        st = r_object_list(r, o, where, "enumerators", sizeof *t->enumerators, read_enumerator_cb,
                           (void **)&t->enumerators, &t->n_enumerators);
    if (st == AG_OK)
        st = r_object_list(r, o, where, "params", sizeof *t->params, read_param_cb,
                           (void **)&t->params, &t->n_params);
    if (st == AG_OK) st = r_dims(r, o, where, t);
    return st;
}

static ag_status r_types(reader *r, const json_t *arr)
{
    ag_status st = r_type_ids(r, arr);
    /* r->ids is sorted now; walk the file in order through each entry's pos. */
    for (size_t k = 0; k < r->n_ids && st == AG_OK; k++) {
        const id_entry *e = &r->ids[k];
        char path[PATH_MAX_LEN];
        path_index(path, "types", e->pos);
        st = r_type(r, json_array_get(arr, e->pos), path, &r->c->types[e->ref]);
    }
    return st;
}

/* ---------------------------------------------------------------- interfaces */

static ag_status r_function(reader *r, const json_t *o, const char *where, void *elem)
{
    static const char *const keys[] = { "name", "return", "params", "variadic", "prototyped",
                                        "calling_convention", "decl_file", "decl_line", "internal", NULL };
    ag_function *f = elem;
    json_t *params;
    ag_status st = r_check_keys(r, o, where, keys);
    if (st == AG_OK) st = r_str(r, o, where, "name", REQUIRED, NOT_NULL, &f->name);
    if (st == AG_OK) st = r_ref(r, o, where, "return", REQUIRED, &f->return_type);
    /* params is required for functions: [] (no parameters) is information. */
    if (st == AG_OK) st = r_array(r, o, where, "params", REQUIRED, NOT_NULL, &params);
    if (st == AG_OK)
        st = r_object_list(r, o, where, "params", sizeof *f->params, read_param_cb,
                           (void **)&f->params, &f->n_params);
    if (st == AG_OK) st = r_bool(r, o, where, "variadic", REQUIRED, &f->variadic);
    if (st == AG_OK) st = r_bool(r, o, where, "prototyped", REQUIRED, &f->prototyped);
    if (st == AG_OK) st = r_u32(r, o, where, "calling_convention", OPTIONAL, &f->calling_convention);
    if (st == AG_OK) st = r_str(r, o, where, "decl_file", REQUIRED, NULLABLE, &f->decl_file);
    if (st == AG_OK) st = r_u32(r, o, where, "decl_line", REQUIRED, &f->decl_line);
    if (st == AG_OK) st = r_bool(r, o, where, "internal", OPTIONAL, &f->is_internal);
    return st;
}

static ag_status r_variable(reader *r, const json_t *o, const char *where, void *elem)
{
    static const char *const keys[] = { "name", "type", "decl_file", "decl_line", "internal", NULL };
    ag_variable *v = elem;
    ag_status st = r_check_keys(r, o, where, keys);
    if (st == AG_OK) st = r_str(r, o, where, "name", REQUIRED, NOT_NULL, &v->name);
    if (st == AG_OK) st = r_ref(r, o, where, "type", REQUIRED, &v->type);
    if (st == AG_OK) st = r_str(r, o, where, "decl_file", REQUIRED, NULLABLE, &v->decl_file);
    if (st == AG_OK) st = r_u32(r, o, where, "decl_line", REQUIRED, &v->decl_line);
    if (st == AG_OK) st = r_bool(r, o, where, "internal", OPTIONAL, &v->is_internal);
    return st;
}

/* "functions", "variables" and "types" are null exactly when debug_info is
   false: unknown is not the same as empty. */
static ag_status r_debug_part(reader *r, const json_t *root, const char *key, json_t **arr)
{
    ag_status st = r_array(r, root, "", key, REQUIRED, NULLABLE, arr);
    if (st != AG_OK)
        return st;
    if (r->c->has_debug_info && !*arr)
        return ag_fail(r->err, AG_ERR_FORMAT, "%s: null although debug_info is true", key);
    if (!r->c->has_debug_info && *arr)
        return ag_fail(r->err, AG_ERR_FORMAT, "%s: must be null when debug_info is false", key);
    return AG_OK;
}

static ag_status r_interfaces(reader *r, const json_t *root)
{
    ag_corpus *c = r->c;
    json_t *types, *functions, *variables;
    ag_status st = r_debug_part(r, root, "types", &types);
    if (st == AG_OK) st = r_debug_part(r, root, "functions", &functions);
    if (st == AG_OK) st = r_debug_part(r, root, "variables", &variables);
    if (st != AG_OK || !c->has_debug_info)
        return st;
    st = r_types(r, types);
    if (st == AG_OK)
        st = r_object_list(r, root, "", "functions", sizeof *c->functions, r_function,
                           (void **)&c->functions, &c->n_functions);
    if (st == AG_OK)
        st = r_object_list(r, root, "", "variables", sizeof *c->variables, r_variable,
                           (void **)&c->variables, &c->n_variables);
    return st;
}

/* ---------------------------------------------------------------- the rest */

static int cmp_skip(const void *a, const void *b)
{
    return strcmp(((const ag_skip_count *)a)->what, ((const ag_skip_count *)b)->what);
}

static ag_status r_skipped(reader *r, const json_t *root)
{
    json_t *obj;
    ag_status st = r_object(r, root, "", "skipped", &obj);
    size_t n = st == AG_OK ? json_object_size(obj) : 0;
    if (n == 0)
        return st;
    ag_corpus *c = r->c;
    if (!(c->skipped = calloc(n, sizeof *c->skipped)))
        return r_nomem(r);
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val) {
        ag_skip_count *s = &c->skipped[c->n_skipped];
        if (!(s->what = strdup(key)))
            return r_nomem(r);
        c->n_skipped++;
        char path[PATH_MAX_LEN];
        path_key(path, "skipped", key);
        if ((st = r_u64_value(r, val, path, UINT64_MAX, &s->count)) != AG_OK)
            return st;
    }
    /* Object order in memory follows the file; sort so it does not depend on it. */
    qsort(c->skipped, c->n_skipped, sizeof *c->skipped, cmp_skip);
    return AG_OK;
}

static ag_status r_header(reader *r, const json_t *root)
{
    static const char *const keys[] = { "format", "elf", "debug_info", "debug_source",
                                        "dwarf_version", "exports", "imports", "functions",
                                        "variables", "types", "skipped", "surface", NULL };
    ag_corpus *c = r->c;
    uint64_t dwarf_version = 0;
    json_t *fmt;
    ag_status st = r_field(r, root, "", "format", OPTIONAL, &fmt);
    if (st != AG_OK)
        return st;
    /* Another kind of JSON file (a diff report, a package.json) is named as
       such; a corpus of another format version gets the versions compared. */
    if (!fmt)
        return ag_fail(r->err, AG_ERR_FORMAT, "not an abiguard corpus: no format field");
    if (json_is_string(fmt) && strncmp(json_string_value(fmt), "abiguard-corpus/", 16) != 0)
        return ag_fail(r->err, AG_ERR_FORMAT, "not an abiguard corpus: format is \"%.60s\", not \"%s\"",
                       json_string_value(fmt), AG_CORPUS_FORMAT);
    if (!json_is_string(fmt) || strcmp(json_string_value(fmt), AG_CORPUS_FORMAT) != 0)
        return ag_fail(r->err, AG_ERR_FORMAT, "format: expected \"%s\", got %s%.60s%s", AG_CORPUS_FORMAT,
                       json_is_string(fmt) ? "\"" : json_type_word(fmt),
                       json_is_string(fmt) ? json_string_value(fmt) : "",
                       json_is_string(fmt) ? "\"" : "");
    st = r_check_keys(r, root, "", keys);
    if (st == AG_OK) st = r_bool(r, root, "", "debug_info", REQUIRED, &c->has_debug_info);
    if (st == AG_OK) st = r_str(r, root, "", "debug_source", REQUIRED, NULLABLE, &c->debug_source);
    if (st == AG_OK) st = r_u64(r, root, "", "dwarf_version", REQUIRED, 255, &dwarf_version);
    c->dwarf_version = (int)dwarf_version;
    return st;
}

static int cmp_id_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Finalize recomputes every id from content, merges equal types and drops
   unreachable ones; it may also renumber the types. A file written by this
   writer survives that unchanged, so the finalized ids must be exactly the
   file's ids. Any difference means a hand edit (or another algorithm), and
   references by such ids cannot be trusted. The two id lists are compared
   as sorted sets, which does not depend on how finalize orders types. */
static ag_status r_verify_ids(reader *r)
{
    const ag_corpus *c = r->c;
    const char **got = malloc((c->n_types ? c->n_types : 1) * sizeof *got);
    if (!got)
        return r_nomem(r);
    for (size_t i = 0; i < c->n_types; i++)
        got[i] = c->types[i].id;
    qsort(got, c->n_types, sizeof *got, cmp_id_str);

    const id_entry *first_bad = NULL; /* in the file, not in the corpus; lowest pos */
    const char *extra = NULL;         /* in the corpus, not in the file */
    size_t n_extra = 0, i = 0, k = 0;
    while (i < r->n_ids || k < c->n_types) {
        int d = i == r->n_ids ? 1 : k == c->n_types ? -1 : strcmp(r->ids[i].id, got[k]);
        if (d < 0 && (!first_bad || r->ids[i].pos < first_bad->pos))
            first_bad = &r->ids[i];
        if (d > 0 && n_extra++ == 0)
            extra = got[k];
        i += d <= 0;
        k += d >= 0;
    }
    ag_status st = AG_OK;
    if (first_bad && n_extra == 1)
        st = ag_fail(r->err, AG_ERR_FORMAT, "types[%zu]: id %s does not match its content (%s)",
                     first_bad->pos, first_bad->id, extra);
    else if (first_bad && n_extra > 1)
        st = ag_fail(r->err, AG_ERR_FORMAT, "types[%zu]: id %s does not match its content "
                     "(%zu types have ids other than the file says)", first_bad->pos, first_bad->id, n_extra);
    else if (first_bad)
        st = ag_fail(r->err, AG_ERR_FORMAT, "types[%zu]: id %s: no function or variable reaches "
                     "this type, or it equals another type", first_bad->pos, first_bad->id);
    else if (n_extra)
        st = ag_fail(r->err, AG_ERR_FORMAT, "types: finalizing produced type id %s, not in the file", extra);
    free(got);
    return st;
}

/* "surface" (optional): { method: "headers", public_headers: [str] }. */
static ag_status r_surface(reader *r, const json_t *root)
{
    static const char *const keys[] = { "method", "public_headers", NULL };
    json_t *o = json_object_get(root, "surface");
    if (!o)
        return AG_OK;
    if (!json_is_object(o))
        return r_expected(r, "surface", "an object", o);
    ag_surface *s = &r->c->surface;
    char *method = NULL;
    ag_status st = r_check_keys(r, o, "surface", keys);
    if (st == AG_OK) st = r_str(r, o, "surface", "method", REQUIRED, NOT_NULL, &method);
    if (st == AG_OK && strcmp(method, "headers") != 0)
        st = ag_fail(r->err, AG_ERR_FORMAT, "surface.method: unknown value \"%.60s\"", method);
    free(method);
    if (st == AG_OK)
        st = r_string_list(r, o, "surface", "public_headers", &s->public_headers, &s->n_public_headers);
    if (st == AG_OK && !surface_headers_normalize(s))
        st = ag_fail(r->err, AG_ERR_FORMAT, "surface.public_headers: an empty name");
    s->recorded = st == AG_OK;
    return st;
}

/* A type says "public" only in a corpus that records its surface. */
static ag_status r_check_public(reader *r)
{
    const ag_corpus *c = r->c;
    for (size_t i = 0; i < c->n_types && !c->surface.recorded; i++)
        if (c->types[i].is_public)
            return ag_fail(r->err, AG_ERR_FORMAT,
                           "types[%zu].public: only a corpus with a \"surface\" has public types", i);
    for (size_t i = 0; i < c->n_functions && !c->surface.recorded; i++)
        if (c->functions[i].is_internal)
            return ag_fail(r->err, AG_ERR_FORMAT,
                           "functions[%zu].internal: only a corpus with a \"surface\" has internal functions", i);
    for (size_t i = 0; i < c->n_variables && !c->surface.recorded; i++)
        if (c->variables[i].is_internal)
            return ag_fail(r->err, AG_ERR_FORMAT,
                           "variables[%zu].internal: only a corpus with a \"surface\" has internal variables", i);
    return AG_OK;
}

static ag_status r_corpus(reader *r, const json_t *root)
{
    ag_status st = r_header(r, root);
    if (st == AG_OK) st = r_surface(r, root);
    if (st == AG_OK) st = r_elf(r, root);
    if (st == AG_OK)
        st = r_symbols(r, root, "exports", false, &r->c->exports, &r->c->n_exports);
    if (st == AG_OK)
        st = r_symbols(r, root, "imports", true, &r->c->imports, &r->c->n_imports);
    if (st == AG_OK) st = r_interfaces(r, root);
    if (st == AG_OK) st = r_check_public(r);
    if (st == AG_OK) st = r_skipped(r, root);
    if (st == AG_OK) st = ag_corpus_finalize(r->c, r->err);
    if (st == AG_OK) st = r_verify_ids(r);
    return st;
}

/* The tree reader: jansson's DOM, checked field by field. ag_corpus_from_json
   runs it only when the fast reader below fails, for its messages. */
ag_status ag_corpus_from_json_tree(const char *text, size_t len, ag_corpus **out, ag_error *err);
ag_status ag_corpus_from_json_tree(const char *text, size_t len, ag_corpus **out, ag_error *err)
{
    *out = NULL;
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return ag_fail(err, AG_ERR_FORMAT, "line %d column %d: %s", jerr.line, jerr.column, jerr.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return ag_fail(err, AG_ERR_FORMAT, "expected a JSON object at the top level");
    }
    reader r = { .c = ag_corpus_new(), .err = err };
    ag_status st = r.c ? r_corpus(&r, root) : ag_fail(err, AG_ERR_NOMEM, "out of memory");
    json_decref(root);
    free(r.ids);
    if (st != AG_OK) {
        ag_corpus_free(r.c);
        return st;
    }
    *out = r.c;
    return AG_OK;
}

/* ================================================================== */
/* Reading, fast path                                                  */
/*
 * One pass over the text with json_scan (json_scan.h), building the corpus
 * directly: no tree, no per-field paths, type ids parsed into 64-bit
 * numbers and resolved through a hash table. It accepts exactly the
 * documents the tree reader above accepts and builds exactly the same
 * corpus, but it does not explain failures: on any failure (syntax, schema,
 * ids, memory) ag_corpus_from_json drops its work and runs the tree reader,
 * whose messages (jansson's, with line and column, for syntax; "types[12].
 * members[3].type: ..." for the rest) are the documented ones. A valid file,
 * the common case, is read once and fast; a broken one twice, and explained.
 *
 * So every check of the tree reader has its counterpart here, in whatever
 * order the file presents the keys (all required keys present, no unknown or
 * duplicate key, types per field, ranges, null sections iff no debug info,
 * ids that resolve and match their content), and where the two could
 * differ this one fails rather than guess. tests/unit/test_json_scan.c
 * compares the two readers on damaged corpora.
 */

/* A type id seen in the file, as a definition or a reference. References
   are stored as slot numbers while reading and resolved at the end. */
typedef struct id_slot {
    uint64_t id;
    ag_type_ref type; /* index in c->types; AG_NO_TYPE while only referenced */
} id_slot;

/* A growable scratch array: lists are read into it, then copied into an
   allocation of exactly their size (as the tree reader's calloc(n)). */
typedef struct scratch {
    void *v;
    size_t cap; /* elements */
} scratch;

typedef struct fast {
    js_scanner s;
    ag_corpus *c;
    id_slot *slots;
    size_t n_slots, cap_slots;
    uint32_t *table;  /* open addressing: slot + 1, 0 when empty */
    unsigned bits;    /* table size is 1 << bits */
    scratch members, params, enumerators, dims, strings, symbols, functions, variables, skipped;
} fast;

enum { F_REQUIRED = 0, F_OPTIONAL = 1 };
enum { F_NOT_NULL = 0, F_NULLABLE = 1 };

static bool f_fail(fast *f, const char *what)
{
    return js_fail(&f->s, what);
}

static bool f_nomem(fast *f)
{
    return js_fail(&f->s, "out of memory");
}

/* Room for one more element at index n. */
static void *f_scratch_at(fast *f, scratch *sc, size_t size, size_t n)
{
    if (n == sc->cap) {
        size_t cap = sc->cap ? sc->cap * 2 : 16;
        void *bigger = realloc(sc->v, cap * size);
        if (!bigger) {
            f_nomem(f);
            return NULL;
        }
        sc->v = bigger;
        sc->cap = cap;
    }
    void *e = (char *)sc->v + n * size;
    memset(e, 0, size);
    return e;
}

/* ---------------------------------------------------------------- scalars */

static bool f_str(fast *f, bool nullable, char **out)
{
    if (nullable && js_peek(&f->s) == JS_NULL)
        return js_null(&f->s);
    js_str v;
    if (!js_string(&f->s, &v))
        return false;
    char *d = malloc(v.len + 1);
    if (!d)
        return f_nomem(f);
    memcpy(d, v.ptr, v.len);
    d[v.len] = '\0';
    *out = d;
    return true;
}

/* parse_u64_decimal on a js_str: canonical decimal, no overflow. */
static bool f_decimal(js_str v, uint64_t *out)
{
    if (v.len == 0 || (v.ptr[0] == '0' && v.len > 1))
        return false;
    uint64_t x = 0;
    for (size_t i = 0; i < v.len; i++) {
        unsigned d = (unsigned)(v.ptr[i] - '0');
        if (d > 9 || x > (UINT64_MAX - d) / 10)
            return false;
        x = x * 10 + d;
    }
    *out = x;
    return true;
}

/* r_u64_value: an integer >= 0, or a decimal string beyond INT64_MAX. */
static bool f_u64(fast *f, uint64_t max, uint64_t *out)
{
    uint64_t v;
    js_type t = js_peek(&f->s);
    if (t == JS_NUMBER) {
        int64_t i;
        if (!js_int64(&f->s, &i))
            return false;
        if (i < 0)
            return f_fail(f, "negative");
        v = (uint64_t)i;
    } else if (t == JS_STRING) {
        js_str s;
        if (!js_string(&f->s, &s))
            return false;
        if (!f_decimal(s, &v) || v <= (uint64_t)INT64_MAX)
            return f_fail(f, "expected an unsigned integer");
    } else {
        return f_fail(f, "expected an unsigned integer");
    }
    if (v > max)
        return f_fail(f, "out of range");
    *out = v;
    return true;
}

static bool f_u32(fast *f, uint32_t *out)
{
    uint64_t v;
    if (!f_u64(f, UINT32_MAX, &v))
        return false;
    *out = (uint32_t)v;
    return true;
}

static bool f_enum(fast *f, int (*from_name)(const char *), int *out)
{
    js_str v;
    char name[32];
    if (!js_string(&f->s, &v))
        return false;
    if (v.len >= sizeof name)
        return f_fail(f, "unknown value");
    memcpy(name, v.ptr, v.len);
    name[v.len] = '\0';
    int x = from_name(name);
    if (x < 0)
        return f_fail(f, "unknown value");
    *out = x;
    return true;
}

/* ---------------------------------------------------------------- type ids */

static bool f_hex_id(js_str v, uint64_t *out)
{
    if (v.len != 16)
        return false;
    uint64_t x = 0;
    for (size_t i = 0; i < 16; i++) {
        char ch = v.ptr[i];
        unsigned d;
        if (ch >= '0' && ch <= '9')
            d = (unsigned)(ch - '0');
        else if (ch >= 'a' && ch <= 'f')
            d = (unsigned)(ch - 'a' + 10);
        else
            return false;
        x = x << 4 | d;
    }
    *out = x;
    return true;
}

static size_t f_hash(const fast *f, uint64_t id)
{
    return (size_t)((id * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - f->bits));
}

static bool f_table_grow(fast *f)
{
    unsigned bits = f->bits ? f->bits + 1 : 10;
    uint32_t *table = calloc((size_t)1 << bits, sizeof *table);
    if (!table)
        return f_nomem(f);
    free(f->table);
    f->table = table;
    f->bits = bits;
    size_t mask = ((size_t)1 << bits) - 1;
    for (size_t k = 0; k < f->n_slots; k++) {
        size_t i = f_hash(f, f->slots[k].id);
        while (table[i])
            i = (i + 1) & mask;
        table[i] = (uint32_t)k + 1;
    }
    return true;
}

/* The slot of id, created on first sight. */
static bool f_slot(fast *f, uint64_t id, uint32_t *out)
{
    if (2 * (f->n_slots + 1) > ((size_t)1 << f->bits) && !f_table_grow(f))
        return false;
    size_t mask = ((size_t)1 << f->bits) - 1;
    size_t i = f_hash(f, id);
    for (; f->table[i]; i = (i + 1) & mask)
        if (f->slots[f->table[i] - 1].id == id) {
            *out = f->table[i] - 1;
            return true;
        }
    if (f->n_slots >= (size_t)AG_NO_TYPE - 1)
        return f_nomem(f);
    if (f->n_slots == f->cap_slots) {
        size_t cap = f->cap_slots ? f->cap_slots * 2 : 1024;
        id_slot *bigger = realloc(f->slots, cap * sizeof *bigger);
        if (!bigger)
            return f_nomem(f);
        f->slots = bigger;
        f->cap_slots = cap;
    }
    f->slots[f->n_slots] = (id_slot){ id, AG_NO_TYPE };
    f->table[i] = (uint32_t)f->n_slots + 1;
    *out = (uint32_t)f->n_slots++;
    return true;
}

/* A reference: the slot of its id (resolved by f_resolve). Anything but 16
   lowercase hex digits cannot name a type of the file. */
static bool f_ref(fast *f, ag_type_ref *out)
{
    js_str v;
    uint64_t id;
    if (!js_string(&f->s, &v))
        return false;
    if (!f_hex_id(v, &id))
        return f_fail(f, "unknown type id");
    return f_slot(f, id, out);
}

/* ---------------------------------------------------------------- lists */

typedef bool (*f_one_fn)(fast *f, void *elem);
typedef void (*f_drop_fn)(void *elem);

/* An array of n elements read by one() into sc, then moved to *out (left
   NULL when empty). On failure the elements read so far are dropped. */
static bool f_list(fast *f, scratch *sc, size_t size, f_one_fn one, f_drop_fn drop, void **out,
                   size_t *n_out)
{
    size_t count = 0, n = 0;
    bool ok = js_array_begin(&f->s);
    while (ok && js_array_next(&f->s, &count)) {
        void *e = f_scratch_at(f, sc, size, n);
        if (!e)
            break;
        n++;
        ok = one(f, e);
    }
    ok = ok && js_ok(&f->s);
    if (ok && n > 0) {
        void *a = malloc(n * size);
        if (a) {
            memcpy(a, sc->v, n * size);
            *out = a;
            *n_out = n;
            return true;
        }
        ok = f_nomem(f);
    }
    if (!ok && drop)
        for (size_t i = 0; i < n; i++)
            drop((char *)sc->v + i * size);
    return ok;
}

static bool f_string_elem(fast *f, void *e)
{
    return f_str(f, F_NOT_NULL, e);
}

static void drop_string(void *e)
{
    free(*(char **)e);
}

static bool f_strings(fast *f, char ***out, size_t *n_out)
{
    return f_list(f, &f->strings, sizeof **out, f_string_elem, drop_string, (void **)out, n_out);
}

/* ---------------------------------------------------------------- elf */

static bool f_hardening(fast *f, ag_elf_info *e)
{
    static const char *const keys[] = { "bind_now", "cet_ibt", "cet_shstk", "exec_stack",
                                        "relro", "stack_protector", "static_tls" };
    bool *const fields[] = { &e->bind_now, &e->cet_ibt, &e->cet_shstk, &e->exec_stack,
                             &e->relro, &e->stack_protector, &e->static_tls };
    uint32_t seen = 0;
    size_t count = 0;
    js_str key;
    if (!js_object_begin(&f->s))
        return false;
    while (js_object_next(&f->s, &count, &key)) {
        int k = js_key_lookup(&f->s, key, keys, 7, &seen);
        if (k < 0 || !js_bool(&f->s, fields[k]))
            return false;
    }
    return js_ok(&f->s) && (seen == 0x7F || f_fail(f, "missing key"));
}

static bool f_sha256(fast *f, ag_elf_info *e)
{
    js_str v;
    if (!js_string(&f->s, &v))
        return false;
    if (v.len != 0 && v.len != 64)
        return f_fail(f, "bad sha256");
    for (size_t i = 0; i < v.len; i++)
        if (!((v.ptr[i] >= '0' && v.ptr[i] <= '9') || (v.ptr[i] >= 'a' && v.ptr[i] <= 'f')))
            return f_fail(f, "bad sha256");
    memcpy(e->sha256, v.ptr, v.len);
    e->sha256[v.len] = '\0';
    return true;
}

static bool f_elf(fast *f)
{
    static const char *const keys[] = { "build_id", "byte_order", "class", "elf_type",
                                        "file_name", "hardening", "machine", "needed",
                                        "rpath", "runpath", "sha256", "soname", "version_defs" };
    enum { BUILD_ID, BYTE_ORDER_KEY, CLASS, ELF_TYPE, FILE_NAME, HARDENING, MACHINE, NEEDED,
           RPATH, RUNPATH, SHA256, SONAME, VERSION_DEFS, N_KEYS };
    ag_elf_info *e = &f->c->elf;
    uint32_t seen = 0;
    size_t count = 0;
    js_str key;
    uint64_t cls;
    if (!js_object_begin(&f->s))
        return false;
    while (js_object_next(&f->s, &count, &key)) {
        bool ok;
        switch (js_key_lookup(&f->s, key, keys, N_KEYS, &seen)) {
        case BUILD_ID: ok = f_str(f, F_NULLABLE, &e->build_id); break;
        case BYTE_ORDER_KEY: ok = f_str(f, F_NOT_NULL, &e->byte_order); break;
        case CLASS:
            ok = f_u64(f, 64, &cls) &&
                 ((cls == 0 || cls == 32 || cls == 64) || f_fail(f, "bad class"));
            e->elf_class = ok ? (int)cls : 0;
            break;
        case ELF_TYPE: ok = f_str(f, F_NOT_NULL, &e->elf_type); break;
        case FILE_NAME: ok = f_str(f, F_NOT_NULL, &e->file_name); break;
        case HARDENING: ok = f_hardening(f, e); break;
        case MACHINE: ok = f_str(f, F_NOT_NULL, &e->machine); break;
        case NEEDED: ok = f_strings(f, &e->needed, &e->n_needed); break;
        case RPATH: ok = f_str(f, F_NULLABLE, &e->rpath); break;
        case RUNPATH: ok = f_str(f, F_NULLABLE, &e->runpath); break;
        case SHA256: ok = f_sha256(f, e); break;
        case SONAME: ok = f_str(f, F_NULLABLE, &e->soname); break;
        case VERSION_DEFS: ok = f_strings(f, &e->version_defs, &e->n_version_defs); break;
        default: ok = false; break;
        }
        if (!ok)
            return false;
    }
    return js_ok(&f->s) && (seen == (UINT32_C(1) << N_KEYS) - 1 || f_fail(f, "missing key"));
}

/* ---------------------------------------------------------------- symbols */

static bool f_symbol(fast *f, ag_symbol *s, bool is_import)
{
    static const char *const keys[] = { "binding", "default", "name", "size", "type",
                                        "version", "version_file" };
    enum { BINDING, DEFAULT, NAME, SIZE, TYPE, VERSION, VERSION_FILE, N_KEYS };
    /* exports have no version_file, imports no default and size */
    const uint32_t allowed = is_import ? 0x75 : 0x3F;
    uint32_t seen = 0;
    size_t count = 0;
    js_str key;
    int v = 0;
    if (!js_object_begin(&f->s))
        return false;
    while (js_object_next(&f->s, &count, &key)) {
        bool ok;
        int k = js_key_lookup(&f->s, key, keys, N_KEYS, &seen);
        if (k >= 0 && !(allowed & (UINT32_C(1) << k)))
            return f_fail(f, "unknown key");
        switch (k) {
        case BINDING:
            ok = f_enum(f, ag_sym_binding_from_name, &v);
            s->binding = (ag_sym_binding)v;
            break;
        case DEFAULT: ok = js_bool(&f->s, &s->is_default); break;
        case NAME: ok = f_str(f, F_NOT_NULL, &s->name); break;
        case SIZE: ok = f_u64(f, UINT64_MAX, &s->size); break;
        case TYPE:
            ok = f_enum(f, ag_sym_type_from_name, &v);
            s->type = (ag_sym_type)v;
            break;
        case VERSION: ok = f_str(f, F_NULLABLE, &s->version); break;
        case VERSION_FILE: ok = f_str(f, F_NULLABLE, &s->version_file); break;
        default: ok = false; break;
        }
        if (!ok)
            return false;
    }
    return js_ok(&f->s) && (seen == allowed || f_fail(f, "missing key"));
}

static bool f_export(fast *f, void *e)
{
    return f_symbol(f, e, false);
}

static bool f_import(fast *f, void *e)
{
    return f_symbol(f, e, true);
}

static void drop_symbol(void *e)
{
    ag_symbol *s = e;
    free(s->name);
    free(s->version);
    free(s->version_file);
}

/* ---------------------------------------------------------------- types */

static bool f_param(fast *f, void *elem)
{
    static const char *const keys[] = { "name", "type" };
    ag_param *p = elem;
    uint32_t seen = 0;
    size_t count = 0;
    js_str key;
    if (!js_object_begin(&f->s))
        return false;
    while (js_object_next(&f->s, &count, &key)) {
        int k = js_key_lookup(&f->s, key, keys, 2, &seen);
        if (k < 0 || !(k == 0 ? f_str(f, F_NULLABLE, &p->name) : f_ref(f, &p->type)))
            return false;
    }
    return js_ok(&f->s) && (seen == 3 || f_fail(f, "missing key"));
}

static void drop_param(void *e)
{
    free(((ag_param *)e)->name);
}

static bool f_params(fast *f, ag_param **out, size_t *n_out)
{
    return f_list(f, &f->params, sizeof **out, f_param, drop_param, (void **)out, n_out);
}

static bool f_member(fast *f, void *elem)
{
    static const char *const keys[] = { "alignment", "bit_offset", "bit_size", "name", "type" };
    enum { ALIGNMENT, BIT_OFFSET, BIT_SIZE, NAME, TYPE, N_KEYS };
    ag_member *m = elem;
    uint32_t seen = 0;
    size_t count = 0;
    js_str key;
    if (!js_object_begin(&f->s))
        return false;
    while (js_object_next(&f->s, &count, &key)) {
        bool ok;
        switch (js_key_lookup(&f->s, key, keys, N_KEYS, &seen)) {
        case ALIGNMENT: ok = f_u32(f, &m->alignment); break;
        case BIT_OFFSET: ok = f_u64(f, UINT64_MAX, &m->bit_offset); break;
        case BIT_SIZE: ok = f_u32(f, &m->bit_size); break;
        case NAME: ok = f_str(f, F_NULLABLE, &m->name); break;
        case TYPE: ok = f_ref(f, &m->type); break;
        default: ok = false; break;
        }
        if (!ok)
            return false;
    }
    const uint32_t required = 1u << BIT_OFFSET | 1u << NAME | 1u << TYPE;
    return js_ok(&f->s) && ((seen & required) == required || f_fail(f, "missing key"));
}

static void drop_member(void *e)
{
    free(((ag_member *)e)->name);
}

static bool f_enumerator(fast *f, void *elem)
{
    static const char *const keys[] = { "name", "unsigned", "value" };
    enum { NAME, UNSIGNED, VALUE, N_KEYS };
    ag_enumerator *e = elem;
    uint32_t seen = 0;
    size_t count = 0;
    js_str key;
    bool is_unsigned = false, from_string = false;
    uint64_t u = 0;
    int64_t i = 0;
    if (!js_object_begin(&f->s))
        return false;
    while (js_object_next(&f->s, &count, &key)) {
        bool ok;
        switch (js_key_lookup(&f->s, key, keys, N_KEYS, &seen)) {
        case NAME: ok = f_str(f, F_NOT_NULL, &e->name); break;
        case UNSIGNED: ok = js_bool(&f->s, &is_unsigned); break;
        case VALUE:
            if (js_peek(&f->s) == JS_STRING) {
                /* only unsigned values beyond INT64_MAX take the string form */
                from_string = true;
                ok = f_u64(f, UINT64_MAX, &u);
            } else {
                ok = js_int64(&f->s, &i);
            }
            break;
        default: ok = false; break;
        }
        if (!ok)
            return false;
    }
    if (!js_ok(&f->s) || !(seen & 1u << NAME) || !(seen & 1u << VALUE))
        return f_fail(f, "missing key");
    if (from_string) {
        e->value = (int64_t)u;
        e->value_unsigned = true;
    } else {
        if (is_unsigned && i < 0)
            return f_fail(f, "negative value for an unsigned enumerator");
        e->value = i;
        e->value_unsigned = is_unsigned;
    }
    return true;
}

static void drop_enumerator(void *e)
{
    free(((ag_enumerator *)e)->name);
}

static bool f_dim(fast *f, void *elem)
{
    uint64_t *d = elem;
    *d = AG_DIM_UNKNOWN;
    if (js_peek(&f->s) == JS_NULL)
        return js_null(&f->s);
    return f_u64(f, AG_DIM_UNKNOWN - 1, d);
}

static bool f_type(fast *f, ag_type_ref ref)
{
    static const char *const keys[] = { "alignment", "decl_file", "decl_line", "declaration_only",
                                        "dims", "encoding", "enumerators", "id", "kind",
                                        "members", "name", "params", "prototyped", "public",
                                        "size", "target", "variadic" };
    enum { ALIGNMENT, DECL_FILE, DECL_LINE, DECLARATION_ONLY, DIMS, ENCODING, ENUMERATORS, ID,
           KIND, MEMBERS, NAME, PARAMS, PROTOTYPED, PUBLIC, SIZE, TARGET, VARIADIC, N_KEYS };
    ag_type *t = &f->c->types[ref]; /* stable: no type is added while this one is read */
    uint32_t seen = 0;
    size_t count = 0;
    js_str key;
    int v = 0;
    uint64_t id = 0;
    uint32_t slot = 0;
    if (!js_object_begin(&f->s))
        return false;
    while (js_object_next(&f->s, &count, &key)) {
        bool ok;
        switch (js_key_lookup(&f->s, key, keys, N_KEYS, &seen)) {
        case ALIGNMENT: ok = f_u32(f, &t->alignment); break;
        case DECL_FILE: ok = f_str(f, F_NOT_NULL, &t->decl_file); break;
        case DECL_LINE: ok = f_u32(f, &t->decl_line); break;
        case DECLARATION_ONLY: ok = js_bool(&f->s, &t->declaration_only); break;
        case DIMS:
            ok = f_list(f, &f->dims, sizeof *t->dims, f_dim, NULL, (void **)&t->dims, &t->n_dims);
            break;
        case ENCODING:
            ok = f_enum(f, ag_encoding_from_name, &v);
            t->encoding = (ag_encoding)v;
            break;
        case ENUMERATORS:
            ok = f_list(f, &f->enumerators, sizeof *t->enumerators, f_enumerator, drop_enumerator,
                        (void **)&t->enumerators, &t->n_enumerators);
            break;
        case ID:
            ok = js_string(&f->s, &key) && (f_hex_id(key, &id) || f_fail(f, "bad id")) &&
                 f_slot(f, id, &slot) &&
                 (f->slots[slot].type == AG_NO_TYPE || f_fail(f, "duplicate type id"));
            if (ok)
                f->slots[slot].type = ref;
            break;
        case KIND:
            ok = f_enum(f, ag_type_kind_from_name, &v);
            t->kind = (ag_type_kind)v;
            break;
        case MEMBERS:
            ok = f_list(f, &f->members, sizeof *t->members, f_member, drop_member,
                        (void **)&t->members, &t->n_members);
            break;
        case NAME: ok = f_str(f, F_NOT_NULL, &t->name); break;
        case PARAMS: ok = f_params(f, &t->params, &t->n_params); break;
        case PROTOTYPED: ok = js_bool(&f->s, &t->prototyped); break;
        case PUBLIC: ok = js_bool(&f->s, &t->is_public); break;
        case SIZE: ok = f_u64(f, UINT64_MAX, &t->byte_size); break;
        case TARGET: ok = f_ref(f, &t->target); break;
        case VARIADIC: ok = js_bool(&f->s, &t->variadic); break;
        default: ok = false; break;
        }
        if (!ok)
            return false;
    }
    const uint32_t required = 1u << ID | 1u << KIND;
    return js_ok(&f->s) && ((seen & required) == required || f_fail(f, "missing key"));
}

static bool f_types(fast *f)
{
    size_t count = 0;
    if (!js_array_begin(&f->s))
        return false;
    while (js_array_next(&f->s, &count)) {
        ag_type_ref ref = ag_corpus_add_type(f->c, AG_T_VOID);
        if (ref == AG_NO_TYPE)
            return f_nomem(f);
        if (!f_type(f, ref))
            return false;
    }
    return js_ok(&f->s);
}

/* ---------------------------------------------------------------- interfaces */

static bool f_function(fast *f, void *elem)
{
    static const char *const keys[] = { "calling_convention", "decl_file", "decl_line", "internal", "name",
                                        "params", "prototyped", "return", "variadic" };
    enum { CALLING_CONVENTION, DECL_FILE, DECL_LINE, INTERNAL, NAME, PARAMS, PROTOTYPED, RETURN, VARIADIC,
           N_KEYS };
    ag_function *fn = elem;
    uint32_t seen = 0;
    size_t count = 0;
    js_str key;
    if (!js_object_begin(&f->s))
        return false;
    while (js_object_next(&f->s, &count, &key)) {
        bool ok;
        switch (js_key_lookup(&f->s, key, keys, N_KEYS, &seen)) {
        case CALLING_CONVENTION: ok = f_u32(f, &fn->calling_convention); break;
        case DECL_FILE: ok = f_str(f, F_NULLABLE, &fn->decl_file); break;
        case DECL_LINE: ok = f_u32(f, &fn->decl_line); break;
        case INTERNAL: ok = js_bool(&f->s, &fn->is_internal); break;
        case NAME: ok = f_str(f, F_NOT_NULL, &fn->name); break;
        case PARAMS: ok = f_params(f, &fn->params, &fn->n_params); break;
        case PROTOTYPED: ok = js_bool(&f->s, &fn->prototyped); break;
        case RETURN: ok = f_ref(f, &fn->return_type); break;
        case VARIADIC: ok = js_bool(&f->s, &fn->variadic); break;
        default: ok = false; break;
        }
        if (!ok)
            return false;
    }
    const uint32_t required = ((UINT32_C(1) << N_KEYS) - 1) & ~(1u << CALLING_CONVENTION) & ~(1u << INTERNAL);
    return js_ok(&f->s) && ((seen & required) == required || f_fail(f, "missing key"));
}

static void drop_function(void *e)
{
    ag_function *fn = e;
    free(fn->name);
    for (size_t i = 0; i < fn->n_params; i++)
        free(fn->params[i].name);
    free(fn->params);
    free(fn->decl_file);
}

static bool f_variable(fast *f, void *elem)
{
    static const char *const keys[] = { "decl_file", "decl_line", "internal", "name", "type" };
    enum { DECL_FILE, DECL_LINE, INTERNAL, NAME, TYPE, N_KEYS };
    ag_variable *var = elem;
    uint32_t seen = 0;
    size_t count = 0;
    js_str key;
    if (!js_object_begin(&f->s))
        return false;
    while (js_object_next(&f->s, &count, &key)) {
        bool ok;
        switch (js_key_lookup(&f->s, key, keys, N_KEYS, &seen)) {
        case DECL_FILE: ok = f_str(f, F_NULLABLE, &var->decl_file); break;
        case DECL_LINE: ok = f_u32(f, &var->decl_line); break;
        case INTERNAL: ok = js_bool(&f->s, &var->is_internal); break;
        case NAME: ok = f_str(f, F_NOT_NULL, &var->name); break;
        case TYPE: ok = f_ref(f, &var->type); break;
        default: ok = false; break;
        }
        if (!ok)
            return false;
    }
    return js_ok(&f->s) && ((seen | 1u << INTERNAL) == (UINT32_C(1) << N_KEYS) - 1 || f_fail(f, "missing key"));
}

static void drop_variable(void *e)
{
    ag_variable *v = e;
    free(v->name);
    free(v->decl_file);
}

/* ---------------------------------------------------------------- the rest */

static bool f_skipped(fast *f)
{
    ag_corpus *c = f->c;
    size_t count = 0, n = 0;
    js_str key;
    bool ok = js_object_begin(&f->s);
    while (ok && js_object_next(&f->s, &count, &key)) {
        ag_skip_count *s = f_scratch_at(f, &f->skipped, sizeof *s, n);
        if (!s)
            break;
        n++;
        if (!(s->what = malloc(key.len + 1))) {
            ok = f_nomem(f);
            break;
        }
        memcpy(s->what, key.ptr, key.len);
        s->what[key.len] = '\0';
        ok = f_u64(f, UINT64_MAX, &s->count);
    }
    ag_skip_count *v = f->skipped.v;
    ok = ok && js_ok(&f->s);
    if (ok && n > 0) {
        qsort(v, n, sizeof *v, cmp_skip);
        for (size_t i = 1; i < n && ok; i++)
            if (strcmp(v[i - 1].what, v[i].what) == 0)
                ok = f_fail(f, "duplicate object key");
        if (ok && !(c->skipped = malloc(n * sizeof *v)))
            ok = f_nomem(f);
        if (ok) {
            memcpy(c->skipped, v, n * sizeof *v);
            c->n_skipped = n;
            return true;
        }
    }
    for (size_t i = 0; !ok && i < n; i++)
        free(v[i].what);
    return ok;
}

/* "functions", "variables", "types": null, or an array read by read. */
static bool f_debug_part(fast *f, bool *is_null, bool (*read)(fast *f))
{
    *is_null = js_peek(&f->s) == JS_NULL;
    return *is_null ? js_null(&f->s) : read(f);
}

static bool f_functions(fast *f)
{
    ag_corpus *c = f->c;
    return f_list(f, &f->functions, sizeof *c->functions, f_function, drop_function,
                  (void **)&c->functions, &c->n_functions);
}

static bool f_variables(fast *f)
{
    ag_corpus *c = f->c;
    return f_list(f, &f->variables, sizeof *c->variables, f_variable, drop_variable,
                  (void **)&c->variables, &c->n_variables);
}

/* "surface": { method: "headers", public_headers: [str] } (r_surface). */
static bool f_surface(fast *f)
{
    static const char *const keys[] = { "method", "public_headers" };
    enum { METHOD, PUBLIC_HEADERS, N_KEYS };
    ag_surface *sf = &f->c->surface;
    uint32_t seen = 0;
    size_t count = 0;
    js_str key;
    if (!js_object_begin(&f->s))
        return false;
    while (js_object_next(&f->s, &count, &key)) {
        bool ok;
        switch (js_key_lookup(&f->s, key, keys, N_KEYS, &seen)) {
        case METHOD:
            ok = js_string(&f->s, &key) && (js_str_is(key, "headers") || f_fail(f, "surface method"));
            break;
        case PUBLIC_HEADERS: ok = f_strings(f, &sf->public_headers, &sf->n_public_headers); break;
        default: ok = false; break;
        }
        if (!ok)
            return false;
    }
    if (!js_ok(&f->s) || seen != (UINT32_C(1) << N_KEYS) - 1)
        return js_ok(&f->s) && f_fail(f, "missing key");
    sf->recorded = true;
    return surface_headers_normalize(sf) || f_fail(f, "empty header name");
}

static bool f_root(fast *f)
{
    static const char *const keys[] = { "debug_info", "debug_source", "dwarf_version", "elf",
                                        "exports", "format", "functions", "imports",
                                        "skipped", "surface", "types", "variables" };
    enum { DEBUG_INFO, DEBUG_SOURCE, DWARF_VERSION, ELF, EXPORTS, FORMAT, FUNCTIONS, IMPORTS,
           SKIPPED, SURFACE, TYPES, VARIABLES, N_KEYS };
    ag_corpus *c = f->c;
    uint32_t seen = 0;
    size_t count = 0;
    js_str key;
    uint64_t dwarf_version;
    bool types_null = false, functions_null = false, variables_null = false;
    if (!js_object_begin(&f->s))
        return false;
    while (js_object_next(&f->s, &count, &key)) {
        bool ok;
        switch (js_key_lookup(&f->s, key, keys, N_KEYS, &seen)) {
        case DEBUG_INFO: ok = js_bool(&f->s, &c->has_debug_info); break;
        case DEBUG_SOURCE: ok = f_str(f, F_NULLABLE, &c->debug_source); break;
        case DWARF_VERSION:
            ok = f_u64(f, 255, &dwarf_version);
            c->dwarf_version = ok ? (int)dwarf_version : 0;
            break;
        case ELF: ok = f_elf(f); break;
        case EXPORTS:
            ok = f_list(f, &f->symbols, sizeof *c->exports, f_export, drop_symbol,
                        (void **)&c->exports, &c->n_exports);
            break;
        case FORMAT:
            ok = js_string(&f->s, &key) && (js_str_is(key, AG_CORPUS_FORMAT) || f_fail(f, "format"));
            break;
        case FUNCTIONS: ok = f_debug_part(f, &functions_null, f_functions); break;
        case IMPORTS:
            ok = f_list(f, &f->symbols, sizeof *c->imports, f_import, drop_symbol,
                        (void **)&c->imports, &c->n_imports);
            break;
        case SKIPPED: ok = f_skipped(f); break;
        case SURFACE: ok = f_surface(f); break;
        case TYPES: ok = f_debug_part(f, &types_null, f_types); break;
        case VARIABLES: ok = f_debug_part(f, &variables_null, f_variables); break;
        default: ok = false; break;
        }
        if (!ok)
            return false;
    }
    if (!js_ok(&f->s) || !js_finish(&f->s))
        return false;
    if ((seen | 1u << SURFACE) != (UINT32_C(1) << N_KEYS) - 1)
        return f_fail(f, "missing key");
    for (size_t i = 0; i < c->n_types && !c->surface.recorded; i++)
        if (c->types[i].is_public)
            return f_fail(f, "public type without a surface");
    for (size_t i = 0; i < c->n_functions && !c->surface.recorded; i++)
        if (c->functions[i].is_internal)
            return f_fail(f, "internal function without a surface");
    for (size_t i = 0; i < c->n_variables && !c->surface.recorded; i++)
        if (c->variables[i].is_internal)
            return f_fail(f, "internal variable without a surface");
    /* unknown (null) iff no debug info */
    bool want_null = !c->has_debug_info;
    if (types_null != want_null || functions_null != want_null || variables_null != want_null)
        return f_fail(f, "debug parts do not match debug_info");
    return true;
}

/* Turns the slot numbers stored in references into type indices. */
static bool f_resolve(fast *f)
{
    for (size_t i = 0; i < f->n_slots; i++)
        if (f->slots[i].type == AG_NO_TYPE)
            return f_fail(f, "unknown type id");
    const id_slot *slots = f->slots;
    ag_corpus *c = f->c;
    for (size_t i = 0; i < c->n_types; i++) {
        ag_type *t = &c->types[i];
        if (t->target != AG_NO_TYPE)
            t->target = slots[t->target].type;
        for (size_t k = 0; k < t->n_members; k++)
            t->members[k].type = slots[t->members[k].type].type;
        for (size_t k = 0; k < t->n_params; k++)
            t->params[k].type = slots[t->params[k].type].type;
    }
    for (size_t i = 0; i < c->n_functions; i++) {
        ag_function *fn = &c->functions[i];
        fn->return_type = slots[fn->return_type].type;
        for (size_t k = 0; k < fn->n_params; k++)
            fn->params[k].type = slots[fn->params[k].type].type;
    }
    for (size_t i = 0; i < c->n_variables; i++)
        c->variables[i].type = slots[c->variables[i].type].type;
    return true;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* r_verify_ids: after finalize, the corpus's ids are exactly the file's. */
static bool f_verify_ids(fast *f)
{
    const ag_corpus *c = f->c;
    if (c->n_types != f->n_slots)
        return f_fail(f, "ids do not match content");
    if (c->n_types == 0)
        return true;
    uint64_t *ids = malloc(2 * c->n_types * sizeof *ids);
    if (!ids)
        return f_nomem(f);
    uint64_t *got = ids + c->n_types;
    bool ok = true;
    for (size_t i = 0; i < c->n_types && ok; i++) {
        ids[i] = f->slots[i].id;
        ok = f_hex_id((js_str){ c->types[i].id, strlen(c->types[i].id) }, &got[i]);
    }
    if (ok) {
        qsort(ids, c->n_types, sizeof *ids, cmp_u64);
        qsort(got, c->n_types, sizeof *got, cmp_u64);
        ok = memcmp(ids, got, c->n_types * sizeof *ids) == 0;
    }
    free(ids);
    return ok || f_fail(f, "ids do not match content");
}

static void f_release(fast *f)
{
    js_release(&f->s);
    free(f->slots);
    free(f->table);
    scratch *all[] = { &f->members, &f->params, &f->enumerators, &f->dims, &f->strings,
                       &f->symbols, &f->functions, &f->variables, &f->skipped };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i]->v);
}

/* Reads text into a finalized corpus, or fails (AG_ERR_FORMAT, or
   AG_ERR_NOMEM) with the scanner's terse message and position: only tests
   show that message; ag_corpus_from_json explains failures with the tree
   reader. */
ag_status ag_corpus_from_json_fast(const char *text, size_t len, ag_corpus **out, ag_error *err);
ag_status ag_corpus_from_json_fast(const char *text, size_t len, ag_corpus **out, ag_error *err)
{
    *out = NULL;
    fast f = { .c = ag_corpus_new() };
    js_init(&f.s, text, len);
    ag_error ferr;
    bool ok = f.c && f_root(&f) && f_resolve(&f) &&
              (ag_corpus_finalize(f.c, &ferr) == AG_OK || f_fail(&f, "finalize failed")) &&
              f_verify_ids(&f);
    ag_status st = AG_OK;
    if (!ok) {
        int line, column;
        js_error_location(&f.s, &line, &column);
        const char *msg = !f.c ? "out of memory" : js_error(&f.s) ? js_error(&f.s) : "rejected";
        st = ag_fail(err, strcmp(msg, "out of memory") == 0 ? AG_ERR_NOMEM : AG_ERR_FORMAT,
                     "line %d column %d: %s", line, column, msg);
        ag_corpus_free(f.c);
    } else {
        *out = f.c;
    }
    f_release(&f);
    return st;
}

/* ================================================================== */
/* Reading: the entry points                                           */

ag_status ag_corpus_from_json(const char *text, size_t len, ag_corpus **out, ag_error *err)
{
    if (ag_corpus_from_json_fast(text, len, out, NULL) == AG_OK)
        return AG_OK;
    return ag_corpus_from_json_tree(text, len, out, err);
}

ag_status ag_corpus_json_read_stream(FILE *f, char **text, size_t *len, ag_error *err)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    for (;;) {
        if (n == cap) {
            if (cap >= AG_MAX_CORPUS_JSON_BYTES) {
                free(buf);
                return ag_fail(err, AG_ERR_FORMAT, "more than %u MiB: not a corpus",
                               (unsigned)(AG_MAX_CORPUS_JSON_BYTES >> 20));
            }
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                return ag_fail(err, AG_ERR_NOMEM, "out of memory");
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        int e = errno;
        free(buf);
        return ag_fail(err, AG_ERR_IO, "cannot read: %s", strerror(e ? e : EIO));
    }
    *text = buf;
    *len = n;
    return AG_OK;
}

ag_status ag_corpus_read_file(const char *path, ag_corpus **out, ag_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ag_fail(err, AG_ERR_IO, "cannot open: %s", strerror(errno));
    char *text = NULL;
    size_t len = 0;
    ag_status st = ag_corpus_json_read_stream(f, &text, &len, err);
    fclose(f);
    if (st != AG_OK)
        return st;
    st = ag_corpus_from_json(text, len, out, err);
    free(text);
    return st;
}
