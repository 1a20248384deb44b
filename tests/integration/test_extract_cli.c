/*
 * test_extract_cli.c — `abiguard extract` and `abiguard show` run as a user
 * runs them, on the fixture libraries of tests/fixtures/ (built by `make
 * fixtures`):
 *   - the corpus of libtypes.so states exactly what the C compiler says
 *     (sizes, member bit offsets, bit-fields, enumerator values: printed by
 *     the fixture program `types/expect`), and every type kind is modelled;
 *   - DWARF 4 and DWARF 5 builds, stripped + .gnu_debuglink, a debug dir in
 *     .build-id layout and no debug info at all give the corpus they should;
 *   - output is deterministic and survives read -> write byte for byte;
 *   - the CLI's help, version and usage errors;
 *   - bad input (missing, not ELF, truncated, corrupt DWARF, executables,
 *     objects, an unknown machine, random byte flips) gives one line on
 *     stderr and exit status 1 (or 0 with one warning), never a crash or hang.
 */
#include <criterion/criterion.h>
#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "corpus.h"
#include "corpus_json.h"
#include "corpus_view.h"
#include "tool_run.h"

#define LIBTYPES "types/libtypes.so"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* Runs `abiguard extract LIB [extra...]`, asserts success, parses stdout. */
static void extract_to_view(corpus_view *v, const char *lib, const char *extra1, const char *extra2)
{
    tool_run r;
    cr_assert(run_abiguard(&r, "extract", lib, extra1, extra2, (char *)NULL), "cannot start abiguard");
    cr_assert(r.exited && r.exit_status == 0, "abiguard extract %s %s %s: %s; stderr:\n%s", lib,
              extra1 ? extra1 : "", extra2 ? extra2 : "", tool_run_outcome(&r), r.err);
    corpus_view_parse(v, r.out, r.out_len);
    tool_run_free(&r);
    cr_assert_str_eq(json_string_value(corpus_field(v, "format")), "abiguard-corpus/1");
}

static void extract_fixture(corpus_view *v, const char *rel)
{
    char *lib = fixture_path(rel);
    extract_to_view(v, lib, NULL, NULL);
    free(lib);
}

/* Asserts that following `path` (a list of kinds, each the target of the
   previous) from type t reaches a type of the last kind with the given
   name (NULL: any). Example: pointer, const, base "char". */
static void assert_type_chain(const corpus_view *v, json_t *t, const char *what, const char *const kinds[],
                              const char *final_name)
{
    for (size_t i = 0; kinds[i]; i++) {
        cr_assert(t, "%s: step %zu (%s): no type", what, i, kinds[i]);
        cr_assert_str_eq(type_kind(t), kinds[i], "%s: step %zu: expected kind %s, got %s", what, i, kinds[i],
                         type_kind(t));
        if (!kinds[i + 1]) {
            if (final_name)
                cr_assert(type_name(t) && strcmp(type_name(t), final_name) == 0, "%s: expected %s named %s, got %s",
                          what, kinds[i], final_name, type_name(t) ? type_name(t) : "(anonymous)");
            return;
        }
        t = type_ref(v, t, "target");
    }
}

static void assert_dims(json_t *array_type, const char *what, const char *expected_json)
{
    json_t *dims = json_object_get(array_type, "dims");
    json_t *expected = json_loads(expected_json, JSON_DECODE_ANY, NULL);
    char *got = dims ? json_dumps(dims, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("(none)");
    cr_assert(dims && json_equal(dims, expected), "%s: dims expected %s, got %s", what, expected_json, got);
    free(got);
    json_decref(expected);
}

/* The facts printed by the fixture program types/expect, one per line,
   tab-separated (see tests/fixtures/types/expect.c). */
typedef struct expect_facts {
    char *text;
    char **lines;
    size_t n_lines;
} expect_facts;

static void load_expect_facts(expect_facts *e)
{
    char *prog = fixture_path("types/expect");
    const char *argv[] = { prog, NULL };
    tool_run r;
    cr_assert(tool_run_argv(argv, 30, &r));
    cr_assert(r.exited && r.exit_status == 0, "%s: %s", prog, tool_run_outcome(&r));
    free(prog);
    e->text = r.out;
    r.out = NULL;
    tool_run_free(&r);
    e->lines = NULL;
    e->n_lines = 0;
    for (char *save = NULL, *line = strtok_r(e->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        e->lines = realloc(e->lines, (e->n_lines + 1) * sizeof *e->lines);
        e->lines[e->n_lines++] = line;
    }
    cr_assert(e->n_lines > 50, "types/expect printed only %zu facts", e->n_lines);
}

static size_t split_tabs(char *line, char *fields[], size_t max)
{
    size_t n = 0;
    for (char *save = NULL, *f = strtok_r(line, "\t", &save); f && n < max; f = strtok_r(NULL, "\t", &save))
        fields[n++] = f;
    return n;
}

/* The name gcc gives each base type in DWARF, and its DW_ATE encoding as
   the corpus spells it (x86-64: plain char is signed). */
static const struct base_expectation {
    const char *c_spelling, *dwarf_name, *encoding;
} base_expectations[] = {
    { "char", "char", "signed-char" },
    { "signed char", "signed char", "signed-char" },
    { "unsigned char", "unsigned char", "unsigned-char" },
    { "short", "short int", "signed" },
    { "unsigned short", "short unsigned int", "unsigned" },
    { "int", "int", "signed" },
    { "unsigned int", "unsigned int", "unsigned" },
    { "long", "long int", "signed" },
    { "unsigned long", "long unsigned int", "unsigned" },
    { "long long", "long long int", "signed" },
    { "unsigned long long", "long long unsigned int", "unsigned" },
    { "float", "float", "float" },
    { "double", "double", "float" },
    { "long double", "long double", "float" },
    { "_Bool", "_Bool", "boolean" },
    { "float _Complex", "complex float", "complex-float" },
};

static void check_base_fact(const corpus_view *v, const char *c_spelling, uint64_t bytes, problem_list *p)
{
    const struct base_expectation *be = NULL;
    for (size_t i = 0; i < sizeof base_expectations / sizeof base_expectations[0]; i++)
        if (strcmp(base_expectations[i].c_spelling, c_spelling) == 0)
            be = &base_expectations[i];
    if (!be) {
        problem_add(p, "base %s: no expectation in the test", c_spelling);
        return;
    }
    json_t *t;
    size_t n = find_named_types(v, "base", be->dwarf_name, &t);
    if (n != 1) {
        problem_add(p, "base type \"%s\": expected exactly 1 in types, found %zu", be->dwarf_name, n);
        return;
    }
    uint64_t size = 0;
    if (!json_u64_field(t, "size", &size) || size != bytes)
        problem_add(p, "base type \"%s\": size expected %" PRIu64 ", got %" PRIu64, be->dwarf_name, bytes, size);
    const char *enc = json_string_value(json_object_get(t, "encoding"));
    if (!enc || strcmp(enc, be->encoding) != 0)
        problem_add(p, "base type \"%s\": encoding expected %s, got %s", be->dwarf_name, be->encoding,
                    enc ? enc : "(none)");
}

/* One line of types/expect against the corpus. */
static void check_expect_fact(const corpus_view *v, char *line, problem_list *p)
{
    char copy[512];
    snprintf(copy, sizeof copy, "%s", line);
    char *f[6];
    size_t nf = split_tabs(copy, f, 6);
    if (nf < 3) {
        problem_add(p, "unreadable expect line: %s", line);
        return;
    }
    if (strcmp(f[0], "base") == 0) {
        check_base_fact(v, f[1], strtoull(f[2], NULL, 10), p);
        return;
    }
    json_t *t;
    size_t n = find_type_spelled(v, f[1], &t);
    if (n != 1) {
        problem_add(p, "%s: expected exactly 1 type named so, found %zu", f[1], n);
        return;
    }
    json_t *layout = strip_typedefs_and_qualifiers(v, t);

    if (strcmp(f[0], "size") == 0) {
        uint64_t got = 0, want = strtoull(f[2], NULL, 10);
        if (!json_u64_field(layout, "size", &got) || got != want)
            problem_add(p, "sizeof(%s): expected %" PRIu64 ", got %" PRIu64, f[1], want, got);
    } else if (strcmp(f[0], "align") == 0) {
        uint64_t got = 0, want = strtoull(f[2], NULL, 10);
        if (!json_u64_field(layout, "alignment", &got) || got != want)
            problem_add(p, "_Alignof(%s): expected %" PRIu64 ", got %" PRIu64, f[1], want, got);
    } else if (strcmp(f[0], "member") == 0 || strcmp(f[0], "bitfield") == 0 || strcmp(f[0], "memberalign") == 0) {
        uint64_t off = 0;
        json_t *m = find_member_deep(v, layout, f[2], &off);
        if (!m) {
            problem_add(p, "%s: member %s not found", f[1], f[2]);
            return;
        }
        uint64_t bit_size = 0;
        json_u64_field(m, "bit_size", &bit_size);
        if (strcmp(f[0], "memberalign") == 0) {
            uint64_t got = 0, want = strtoull(f[3], NULL, 10);
            if (!json_u64_field(m, "alignment", &got) || got != want)
                problem_add(p, "%s.%s: alignment expected %" PRIu64 ", got %" PRIu64, f[1], f[2], want, got);
            return;
        }
        uint64_t want_off = strtoull(f[3], NULL, 10);
        if (off != want_off)
            problem_add(p, "%s.%s: bit offset expected %" PRIu64 ", got %" PRIu64, f[1], f[2], want_off, off);
        uint64_t want_bits = strcmp(f[0], "bitfield") == 0 ? strtoull(f[4], NULL, 10) : 0;
        if (bit_size != want_bits)
            problem_add(p, "%s.%s: bit_size expected %" PRIu64 ", got %" PRIu64, f[1], f[2], want_bits, bit_size);
    } else if (strcmp(f[0], "anon") == 0) {
        uint64_t want = strtoull(f[2], NULL, 10);
        json_t *members = json_object_get(layout, "members");
        bool found = false;
        size_t i;
        json_t *m;
        json_array_foreach(members, i, m) {
            uint64_t off = 0;
            json_u64_field(m, "bit_offset", &off);
            json_t *name = json_object_get(m, "name");
            if ((!name || json_is_null(name)) && off == want)
                found = true;
        }
        if (!found)
            problem_add(p, "%s: no anonymous member at bit offset %" PRIu64, f[1], want);
    } else if (strcmp(f[0], "enumerator") == 0) {
        json_t *enumerators = json_object_get(layout, "enumerators");
        json_t *e, *match = NULL;
        size_t i;
        json_array_foreach(enumerators, i, e) {
            const char *name = json_string_value(json_object_get(e, "name"));
            if (name && strcmp(name, f[2]) == 0)
                match = e;
        }
        char got[64] = "(missing)";
        if (!match || !enumerator_value_text(match, got, sizeof got) || strcmp(got, f[3]) != 0)
            problem_add(p, "%s::%s: value expected %s, got %s", f[1], f[2], f[3], got);
    } else {
        problem_add(p, "unknown expect fact: %s", line);
    }
}

/* ------------------------------------------------------------------ */
/* libtypes.so: the facts                                              */

Test(extract_types, layout_matches_the_compiler, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    expect_facts e;
    load_expect_facts(&e);
    corpus_view v;
    extract_fixture(&v, LIBTYPES);
    problem_list p = { 0 };
    for (size_t i = 0; i < e.n_lines; i++)
        check_expect_fact(&v, e.lines[i], &p);
    problem_assert_none(&p, "libtypes.so against types/expect");
    fprintf(stderr, "extract_types: checked %zu compiler facts\n", e.n_lines);
    corpus_view_free(&v);
    free(e.lines);
    free(e.text);
}

Test(extract_types, identity_and_debug_source, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    corpus_view v;
    extract_fixture(&v, LIBTYPES);
    json_t *elf = corpus_field(&v, "elf");
    cr_assert_str_eq(json_string_value(json_object_get(elf, "soname")), "libtypes.so.1");
    cr_assert_str_eq(json_string_value(json_object_get(elf, "file_name")), "libtypes.so");
    cr_assert_str_eq(json_string_value(json_object_get(elf, "elf_type")), "dyn");
    cr_assert_str_eq(json_string_value(json_object_get(elf, "machine")), "x86_64");
    cr_assert_eq(json_integer_value(json_object_get(elf, "class")), 64);
    cr_assert_str_eq(json_string_value(json_object_get(elf, "byte_order")), "little");
    const char *build_id = json_string_value(json_object_get(elf, "build_id"));
    cr_assert(build_id && strlen(build_id) == 40, "build_id: %s", build_id ? build_id : "null");
    /* fixtures.mk named the debug-dir copy after the same build-id. */
    char rel[256];
    snprintf(rel, sizeof rel, "types/debugdir/debug/.build-id/%.2s/%s.debug", build_id, build_id + 2);
    char *debug_file = path_join2(fixtures_dir(), rel);
    cr_assert(file_exists(debug_file), "build_id %s does not match the one readelf saw (%s missing)", build_id,
              debug_file);
    free(debug_file);
    cr_assert(json_is_true(corpus_field(&v, "debug_info")));
    cr_assert_str_eq(json_string_value(corpus_field(&v, "debug_source")), "embedded");
    cr_assert_eq(json_integer_value(corpus_field(&v, "dwarf_version")), 5);
    json_t *needed = json_object_get(elf, "needed");
    bool has_libc = false;
    size_t i;
    json_t *n;
    json_array_foreach(needed, i, n) has_libc |= strcmp(json_string_value(n), "libc.so.6") == 0;
    cr_assert(has_libc, "DT_NEEDED should list libc.so.6");
    corpus_view_free(&v);
}

Test(extract_types, exports_and_what_must_not_appear, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    corpus_view v;
    extract_fixture(&v, LIBTYPES);
    static const char *const functions[] = { "types_base", "types_padded", "types_anon", "types_sign",
                                             "types_arrays", "types_qualified", "types_walk", "types_opaque_new",
                                             "types_opaque_free", "types_point", "types_printf",
                                             "types_complex", "types_strings", "types_pairs" };
    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
        json_t *sym = find_by_name(&v, "exports", functions[i]);
        cr_assert(sym, "export %s missing", functions[i]);
        cr_assert_str_eq(json_string_value(json_object_get(sym, "type")), "func", "%s", functions[i]);
        cr_assert_str_eq(json_string_value(json_object_get(sym, "binding")), "global", "%s", functions[i]);
        cr_assert_eq(count_by_name(&v, "functions", functions[i]), 1, "function %s should appear once",
                     functions[i]);
    }
    static const char *const objects[] = { "types_default_padded", "types_matrix", "types_version_string" };
    for (size_t i = 0; i < sizeof objects / sizeof objects[0]; i++) {
        json_t *sym = find_by_name(&v, "exports", objects[i]);
        cr_assert(sym, "export %s missing", objects[i]);
        cr_assert_str_eq(json_string_value(json_object_get(sym, "type")), "object", "%s", objects[i]);
        cr_assert_eq(count_by_name(&v, "variables", objects[i]), 1, "variable %s should appear once", objects[i]);
    }
    uint64_t size = 0;
    cr_assert(json_u64_field(find_by_name(&v, "exports", "types_default_padded"), "size", &size));
    cr_assert_eq(size, 32, "types_default_padded: symbol size expected 32, got %" PRIu64, size);

    /* The TLS variable: a "tls" symbol, and a variable of type int. */
    json_t *tls = find_by_name(&v, "exports", "types_tls_counter");
    cr_assert(tls, "export types_tls_counter missing");
    cr_assert_str_eq(json_string_value(json_object_get(tls, "type")), "tls");
    json_t *tls_var = find_by_name(&v, "variables", "types_tls_counter");
    cr_assert(tls_var, "variable types_tls_counter (TLS) missing from variables");
    json_t *tls_type = type_ref(&v, tls_var, "type");
    cr_assert(tls_type && strcmp(type_kind(tls_type), "base") == 0 && strcmp(type_name(tls_type), "int") == 0,
              "types_tls_counter should have type int");

    /* Static and hidden functions exist in DWARF but are not exported. */
    static const char *const absent[] = { "types_static_helper", "types_hidden" };
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++) {
        cr_assert_null(find_by_name(&v, "exports", absent[i]), "%s must not be exported", absent[i]);
        cr_assert_null(find_by_name(&v, "functions", absent[i]), "%s must not be in functions", absent[i]);
    }
    /* Nothing but the exported interface: every function is an export. */
    json_t *fn;
    size_t i;
    json_array_foreach(corpus_field(&v, "functions"), i, fn) {
        const char *name = json_string_value(json_object_get(fn, "name"));
        cr_assert(find_by_name(&v, "exports", name), "function %s is not an export", name);
    }
    cr_assert_eq(json_array_size(corpus_field(&v, "functions")), 14);
    cr_assert_eq(json_array_size(corpus_field(&v, "variables")), 4);
    corpus_view_free(&v);
}

Test(extract_types, functions_params_and_callbacks, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    corpus_view v;
    extract_fixture(&v, LIBTYPES);

    json_t *printf_fn = find_by_name(&v, "functions", "types_printf");
    cr_assert(printf_fn);
    cr_assert(json_is_true(json_object_get(printf_fn, "variadic")), "types_printf: variadic should be true");
    cr_assert_eq(json_array_size(json_object_get(printf_fn, "params")), 1, "types_printf: one named parameter");
    assert_type_chain(&v, type_ref(&v, json_array_get(json_object_get(printf_fn, "params"), 0), "type"),
                      "types_printf fmt", (const char *const[]){ "pointer", "const", "base", NULL }, "char");

    json_t *walk = find_by_name(&v, "functions", "types_walk");
    cr_assert(walk);
    cr_assert(json_is_false(json_object_get(walk, "variadic")), "types_walk: variadic should be false");
    cr_assert(json_is_true(json_object_get(walk, "prototyped")), "types_walk: prototyped should be true");
    json_t *params = json_object_get(walk, "params");
    cr_assert_eq(json_array_size(params), 3);
    static const char *const param_names[] = { "head", "cb", "user" };
    for (size_t i = 0; i < 3; i++)
        cr_assert_str_eq(json_string_value(json_object_get(json_array_get(params, i), "name")), param_names[i]);
    assert_type_chain(&v, type_ref(&v, walk, "return"), "types_walk return",
                      (const char *const[]){ "base", NULL }, "int");
    assert_type_chain(&v, type_ref(&v, json_array_get(params, 0), "type"), "types_walk head",
                      (const char *const[]){ "pointer", "typedef", "struct", NULL }, "node");

    /* The callback: typedef visit_cb -> pointer -> function (int)(const struct node *, void *). */
    json_t *cb = type_ref(&v, json_array_get(params, 1), "type");
    assert_type_chain(&v, cb, "types_walk cb", (const char *const[]){ "typedef", "pointer", "function", NULL },
                      NULL);
    cr_assert_str_eq(type_name(cb), "visit_cb");
    json_t *fn_type = type_ref(&v, type_ref(&v, cb, "target"), "target");
    cr_assert(json_is_true(json_object_get(fn_type, "prototyped")), "visit_cb: prototyped");
    cr_assert(json_is_false(json_object_get(fn_type, "variadic")), "visit_cb: not variadic");
    assert_type_chain(&v, type_ref(&v, fn_type, "target"), "visit_cb return", (const char *const[]){ "base", NULL },
                      "int");
    json_t *cb_params = json_object_get(fn_type, "params");
    cr_assert_eq(json_array_size(cb_params), 2, "visit_cb: 2 params");
    assert_type_chain(&v, type_ref(&v, json_array_get(cb_params, 0), "type"), "visit_cb param 0",
                      (const char *const[]){ "pointer", "const", "struct", NULL }, "node");
    assert_type_chain(&v, type_ref(&v, json_array_get(cb_params, 1), "type"), "visit_cb param 1",
                      (const char *const[]){ "pointer", "void", NULL }, NULL);

    /* Struct returned by value through a typedef of an anonymous struct. */
    json_t *point = find_by_name(&v, "functions", "types_point");
    json_t *point_t = type_ref(&v, point, "return");
    assert_type_chain(&v, point_t, "types_point return", (const char *const[]){ "typedef", "struct", NULL }, NULL);
    cr_assert_str_eq(type_name(point_t), "point_t");
    cr_assert_null(type_name(type_ref(&v, point_t, "target")), "point_t's struct is anonymous");
    assert_type_chain(&v, type_ref(&v, json_array_get(json_object_get(point, "params"), 1), "type"),
                      "types_point scale", (const char *const[]){ "typedef", "base", NULL }, "long long unsigned int");

    /* void return; float _Complex return. */
    assert_type_chain(&v, type_ref(&v, find_by_name(&v, "functions", "types_opaque_free"), "return"),
                      "types_opaque_free return", (const char *const[]){ "void", NULL }, NULL);
    assert_type_chain(&v, type_ref(&v, find_by_name(&v, "functions", "types_complex"), "return"),
                      "types_complex return", (const char *const[]){ "base", NULL }, "complex float");
    json_t *no_params = json_object_get(find_by_name(&v, "functions", "types_opaque_new"), "params");
    cr_assert(json_is_array(no_params) && json_array_size(no_params) == 0, "types_opaque_new(void): no params");

    /* Declarations are located (file:line) for reports. */
    const char *decl_file = json_string_value(json_object_get(walk, "decl_file"));
    cr_assert(decl_file && strstr(decl_file, "types."), "types_walk decl_file: %s", decl_file ? decl_file : "null");
    cr_assert_gt(json_integer_value(json_object_get(walk, "decl_line")), 0);
    corpus_view_free(&v);
}

Test(extract_types, opaque_recursive_and_unique_types, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    corpus_view v;
    extract_fixture(&v, LIBTYPES);

    json_t *opaque;
    cr_assert_eq(find_named_types(&v, "struct", "opaque", &opaque), 1, "struct opaque: exactly one");
    cr_assert(json_is_true(json_object_get(opaque, "declaration_only")), "struct opaque: declaration_only true");
    cr_assert(json_array_size(json_object_get(opaque, "members")) == 0, "struct opaque: no members");
    assert_type_chain(&v, type_ref(&v, find_by_name(&v, "functions", "types_opaque_new"), "return"),
                      "types_opaque_new return", (const char *const[]){ "pointer", "struct", NULL }, "opaque");

    json_t *node;
    cr_assert_eq(find_named_types(&v, "struct", "node", &node), 1, "struct node: present exactly once");
    cr_assert_null(json_object_get(node, "declaration_only"), "struct node is defined");
    uint64_t off;
    json_t *next = find_member_deep(&v, node, "next", &off);
    cr_assert(next, "struct node: member next");
    json_t *next_ptr = type_ref(&v, next, "type");
    cr_assert_str_eq(type_kind(next_ptr), "pointer");
    cr_assert_str_eq(json_string_value(json_object_get(next_ptr, "target")),
                     json_string_value(json_object_get(node, "id")), "node.next points back at struct node");

    /* Deduplication: each named type once, each base type once. */
    const char *id;
    json_t *t;
    json_object_foreach(v.types_by_id, id, t) {
        const char *name = type_name(t), *kind = type_kind(t);
        if (name && strcmp(kind, "pointer") != 0)
            cr_assert_eq(find_named_types(&v, kind, name, NULL), 1, "%s %s appears more than once", kind, name);
        cr_assert(strlen(id) == 16 && strspn(id, "0123456789abcdef") == 16, "type id %s is not 16 hex digits", id);
    }
    corpus_view_free(&v);
}

Test(extract_types, qualifiers_arrays_and_unions, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    corpus_view v;
    extract_fixture(&v, LIBTYPES);
    json_t *q;
    cr_assert_eq(find_named_types(&v, "struct", "qualified", &q), 1);
    uint64_t off;
#define MEMBER_TYPE(st, name) (type_ref(&v, find_member_deep(&v, (st), (name), &off), "type"))
    assert_type_chain(&v, MEMBER_TYPE(q, "ci"), "qualified.ci", (const char *const[]){ "const", "base", NULL }, "int");
    assert_type_chain(&v, MEMBER_TYPE(q, "vi"), "qualified.vi", (const char *const[]){ "volatile", "base", NULL },
                      "int");
    /* const volatile char: both qualifiers, in either order. */
    json_t *cvc = MEMBER_TYPE(q, "cvc");
    const char *k0 = type_kind(cvc), *k1 = type_kind(type_ref(&v, cvc, "target"));
    cr_assert((strcmp(k0, "const") == 0 && strcmp(k1, "volatile") == 0) ||
                  (strcmp(k0, "volatile") == 0 && strcmp(k1, "const") == 0),
              "qualified.cvc: expected const+volatile, got %s, %s", k0, k1);
    assert_type_chain(&v, type_ref(&v, type_ref(&v, cvc, "target"), "target"), "qualified.cvc base",
                      (const char *const[]){ "base", NULL }, "char");
    assert_type_chain(&v, MEMBER_TYPE(q, "counter"), "qualified.counter (_Atomic int)",
                      (const char *const[]){ "atomic", "base", NULL }, "int");
    assert_type_chain(&v, MEMBER_TYPE(q, "rp"), "qualified.rp (int *restrict)",
                      (const char *const[]){ "restrict", "pointer", "base", NULL }, "int");
    assert_type_chain(&v, MEMBER_TYPE(q, "cpp"), "qualified.cpp (const char *const *)",
                      (const char *const[]){ "pointer", "const", "pointer", "const", "base", NULL }, "char");
    assert_type_chain(&v, MEMBER_TYPE(q, "pp"), "qualified.pp (char **)",
                      (const char *const[]){ "pointer", "pointer", "base", NULL }, "char");

    json_t *arrays;
    cr_assert_eq(find_named_types(&v, "struct", "arrays", &arrays), 1);
    json_t *grid = MEMBER_TYPE(arrays, "grid");
    cr_assert_str_eq(type_kind(grid), "array");
    assert_dims(grid, "arrays.grid (int[2][3])", "[2, 3]");
    assert_type_chain(&v, type_ref(&v, grid, "target"), "arrays.grid element", (const char *const[]){ "base", NULL },
                      "int");
    uint64_t grid_size = 0;
    if (json_u64_field(grid, "size", &grid_size))
        cr_assert_eq(grid_size, 24, "int[2][3] size");
    assert_dims(MEMBER_TYPE(arrays, "name"), "arrays.name (char[16])", "[16]");
    json_t *kinds = MEMBER_TYPE(arrays, "kinds");
    assert_dims(kinds, "arrays.kinds", "[4]");
    assert_type_chain(&v, type_ref(&v, kinds, "target"), "arrays.kinds element", (const char *const[]){ "enum", NULL },
                      "small_enum");

    json_t *flex;
    cr_assert_eq(find_named_types(&v, "struct", "flex", &flex), 1);
    json_t *data = MEMBER_TYPE(flex, "data");
    cr_assert_str_eq(type_kind(data), "array");
    assert_dims(data, "flex.data (flexible array member)", "[null]");

    json_t *matrix = find_by_name(&v, "variables", "types_matrix");
    cr_assert(matrix);
    assert_dims(type_ref(&v, matrix, "type"), "types_matrix", "[2, 3]");
    assert_type_chain(&v, type_ref(&v, find_by_name(&v, "variables", "types_default_padded"), "type"),
                      "types_default_padded", (const char *const[]){ "struct", NULL }, "padded");
    assert_type_chain(&v, type_ref(&v, find_by_name(&v, "variables", "types_version_string"), "type"),
                      "types_version_string", (const char *const[]){ "pointer", "const", "base", NULL }, "char");

    /* union value, through typedef value_t. */
    json_t *value_t;
    cr_assert_eq(find_named_types(&v, "typedef", "value_t", &value_t), 1);
    json_t *u = type_ref(&v, value_t, "target");
    cr_assert_str_eq(type_kind(u), "union");
    cr_assert_str_eq(type_name(u), "value");
    cr_assert_eq(json_array_size(json_object_get(u, "members")), 4);

    /* Anonymous members: first a union, then a struct. */
    json_t *with_anon;
    cr_assert_eq(find_named_types(&v, "struct", "with_anon", &with_anon), 1);
    json_t *members = json_object_get(with_anon, "members");
    cr_assert_eq(json_array_size(members), 4, "with_anon: tag, anonymous union, anonymous struct, after");
    json_t *anon_union = type_ref(&v, json_array_get(members, 1), "type");
    json_t *anon_struct = type_ref(&v, json_array_get(members, 2), "type");
    cr_assert_str_eq(type_kind(anon_union), "union");
    cr_assert_null(type_name(anon_union));
    cr_assert_str_eq(type_kind(anon_struct), "struct");
    cr_assert_null(type_name(anon_struct));

    /* Enums: underlying size from the compiler is checked by the layout
       test; here the packed one is 1 byte and the 64-bit one 8. */
    json_t *e;
    cr_assert_eq(find_named_types(&v, "enum", "small_enum", &e), 1);
    cr_assert_eq(json_integer_value(json_object_get(e, "size")), 1);
    cr_assert_eq(find_named_types(&v, "enum", "wide_enum", &e), 1);
    cr_assert_eq(json_integer_value(json_object_get(e, "size")), 8);
#undef MEMBER_TYPE
    corpus_view_free(&v);
}

Test(extract_versioned, symbol_versions, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    corpus_view v;
    extract_fixture(&v, "versioned/libversioned.so");
    json_t *elf = corpus_field(&v, "elf");
    cr_assert_str_eq(json_string_value(json_object_get(elf, "soname")), "libversioned.so.2");
    json_t *defs = json_object_get(elf, "version_defs");
    json_t *expected_defs = json_pack("[ss]", "VERS_1", "VERS_2");
    char *got = json_dumps(defs, JSON_COMPACT | JSON_ENCODE_ANY);
    cr_assert(json_equal(defs, expected_defs), "version_defs: expected [\"VERS_1\",\"VERS_2\"], got %s", got);
    free(got);
    json_decref(expected_defs);

    bool old_add = false, new_add = false;
    size_t i;
    json_t *s;
    json_array_foreach(corpus_field(&v, "exports"), i, s) {
        const char *name = json_string_value(json_object_get(s, "name"));
        const char *version = json_string_value(json_object_get(s, "version"));
        bool is_default = json_is_true(json_object_get(s, "default"));
        if (strcmp(name, "vers_add") == 0 && version && strcmp(version, "VERS_1") == 0) {
            old_add = true;
            cr_assert(!is_default, "vers_add@VERS_1 is the hidden old version (default false)");
        }
        if (strcmp(name, "vers_add") == 0 && version && strcmp(version, "VERS_2") == 0) {
            new_add = true;
            cr_assert(is_default, "vers_add@@VERS_2 is the default version");
        }
        cr_assert(strcmp(name, "vers_add_v1") != 0 && strcmp(name, "vers_add_v2") != 0,
                  "%s is local (version script) and must not be exported", name);
    }
    cr_assert(old_add, "export vers_add@VERS_1 missing");
    cr_assert(new_add, "export vers_add@@VERS_2 missing");
    json_t *vers_new = find_by_name(&v, "exports", "vers_new");
    cr_assert(vers_new);
    cr_assert_str_eq(json_string_value(json_object_get(vers_new, "version")), "VERS_2");
    json_t *vers_stable = find_by_name(&v, "exports", "vers_stable");
    cr_assert(vers_stable);
    cr_assert_str_eq(json_string_value(json_object_get(vers_stable, "version")), "VERS_1");
    json_t *counter = find_by_name(&v, "exports", "vers_counter");
    cr_assert(counter);
    cr_assert_str_eq(json_string_value(json_object_get(counter, "type")), "object");

    /* Imports carry the version they require and the library providing it. */
    json_t *imp = find_by_name(&v, "imports", "__cxa_finalize");
    cr_assert(imp, "import __cxa_finalize missing");
    cr_assert_str_eq(json_string_value(json_object_get(imp, "version")), "GLIBC_2.2.5");
    cr_assert_str_eq(json_string_value(json_object_get(imp, "version_file")), "libc.so.6");
    corpus_view_free(&v);
}

/* ------------------------------------------------------------------ */
/* Where the debug info comes from                                     */

static void assert_same_interface(const corpus_view *a, const corpus_view *b, const char *what)
{
    static const char *const keys[] = { "functions", "variables", "types" };
    for (size_t i = 0; i < 3; i++) {
        json_t *x = corpus_field(a, keys[i]), *y = corpus_field(b, keys[i]);
        cr_assert(json_is_array(x) && json_is_array(y), "%s: %s missing", what, keys[i]);
        if (!json_equal(x, y)) {
            /* Name the first difference rather than dumping both. */
            size_t n = json_array_size(x) > json_array_size(y) ? json_array_size(x) : json_array_size(y);
            for (size_t j = 0; j < n; j++) {
                json_t *ex = json_array_get(x, j), *ey = json_array_get(y, j);
                if (!ex || !ey || !json_equal(ex, ey)) {
                    char *sx = ex ? json_dumps(ex, JSON_COMPACT | JSON_SORT_KEYS) : strdup("(none)");
                    char *sy = ey ? json_dumps(ey, JSON_COMPACT | JSON_SORT_KEYS) : strdup("(none)");
                    cr_assert_fail("%s: %s differ (%zu vs %zu entries); first difference at [%zu]:\n  %.600s\n  %.600s",
                                   what, keys[i], json_array_size(x), json_array_size(y), j, sx, sy);
                }
            }
        }
    }
}

/* Rewrites every reference to an "atomic" type into a reference to the type
   it qualifies, and drops the atomic types. gcc -gdwarf-4 emits no
   DW_TAG_atomic_type (a DWARF 5 tag): an _Atomic int member is plain int in
   the DWARF 4 build, so that is the one difference the input itself has. */
static void forget_atomic_qualifiers(corpus_view *v)
{
    json_t *types = corpus_field(v, "types");
    json_t *replacement = json_object(); /* atomic id -> target id */
    size_t i;
    json_t *t;
    json_array_foreach(types, i, t) {
        if (strcmp(type_kind(t), "atomic") == 0)
            json_object_set(replacement, json_string_value(json_object_get(t, "id")), json_object_get(t, "target"));
    }
    if (json_object_size(replacement) == 0) {
        json_decref(replacement);
        return;
    }
#define REWRITE_REF(obj, key)                                                                     \
    do {                                                                                          \
        json_t *to_ = json_object_get(replacement, json_string_value(json_object_get((obj), (key)))); \
        if (to_)                                                                                  \
            json_object_set((obj), (key), to_);                                                   \
    } while (0)
    static const char *const lists[] = { "members", "params" };
    json_array_foreach(types, i, t) {
        REWRITE_REF(t, "target");
        for (size_t l = 0; l < 2; l++) {
            size_t j;
            json_t *e;
            json_array_foreach(json_object_get(t, lists[l]), j, e) REWRITE_REF(e, "type");
        }
    }
    json_t *fn;
    json_array_foreach(corpus_field(v, "functions"), i, fn) {
        REWRITE_REF(fn, "return");
        size_t j;
        json_t *e;
        json_array_foreach(json_object_get(fn, "params"), j, e) REWRITE_REF(e, "type");
    }
    json_array_foreach(corpus_field(v, "variables"), i, fn) REWRITE_REF(fn, "type");
#undef REWRITE_REF
    for (i = json_array_size(types); i-- > 0;)
        if (strcmp(type_kind(json_array_get(types, i)), "atomic") == 0)
            json_array_remove(types, i);
    json_decref(replacement);
}

Test(extract_debug, dwarf4_gives_the_same_corpus_as_dwarf5, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    corpus_view v5, v4;
    extract_fixture(&v5, LIBTYPES);
    extract_fixture(&v4, "types/libtypes-dwarf4.so");
    cr_assert_eq(json_integer_value(corpus_field(&v5, "dwarf_version")), 5);
    cr_assert_eq(json_integer_value(corpus_field(&v4, "dwarf_version")), 4);
    forget_atomic_qualifiers(&v5);
    assert_same_interface(&v5, &v4, "DWARF 5 (without _Atomic) vs DWARF 4");
    cr_assert(json_equal(corpus_field(&v5, "exports"), corpus_field(&v4, "exports")), "exports differ");
    corpus_view_free(&v5);
    corpus_view_free(&v4);
}

Test(extract_debug, stripped_with_debuglink, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    corpus_view full, stripped;
    extract_fixture(&full, LIBTYPES);
    extract_fixture(&stripped, "types/stripped/libtypes.so");
    cr_assert(json_is_true(corpus_field(&stripped, "debug_info")));
    cr_assert_str_eq(json_string_value(corpus_field(&stripped, "debug_source")), "debuglink");
    assert_same_interface(&full, &stripped, "unstripped vs stripped+debuglink");
    cr_assert(json_equal(corpus_field(&full, "exports"), corpus_field(&stripped, "exports")), "exports differ");
    corpus_view_free(&full);
    corpus_view_free(&stripped);
}

Test(extract_debug, debug_dir_in_build_id_layout, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    corpus_view full, without, with;
    extract_fixture(&full, LIBTYPES);
    char *lib = fixture_path("types/debugdir/lib/libtypes.so");
    char *dir = fixture_path("types/debugdir/debug");

    extract_to_view(&without, lib, NULL, NULL);
    cr_assert(json_is_false(corpus_field(&without, "debug_info")), "without --debug-dir: debug_info false");
    cr_assert(json_is_null(corpus_field(&without, "functions")), "without --debug-dir: functions null (unknown)");
    cr_assert(json_is_null(corpus_field(&without, "variables")), "without --debug-dir: variables null (unknown)");
    cr_assert(json_is_null(corpus_field(&without, "types")), "without --debug-dir: types null (unknown)");
    cr_assert(find_by_name(&without, "exports", "types_walk"), "exports are still listed");

    extract_to_view(&with, lib, "--debug-dir", dir);
    cr_assert(json_is_true(corpus_field(&with, "debug_info")), "with --debug-dir: debug_info true");
    cr_assert_str_eq(json_string_value(corpus_field(&with, "debug_source")), "debug-dir");
    assert_same_interface(&full, &with, "unstripped vs stripped+--debug-dir");
    free(lib);
    free(dir);
    corpus_view_free(&full);
    corpus_view_free(&without);
    corpus_view_free(&with);
}

Test(extract_debug, no_debug_info_anywhere, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    corpus_view full, nodebug;
    extract_fixture(&full, LIBTYPES);
    extract_fixture(&nodebug, "types/nodebug/libtypes.so");
    cr_assert(json_is_false(corpus_field(&nodebug, "debug_info")));
    cr_assert(json_is_null(corpus_field(&nodebug, "debug_source")));
    cr_assert(json_is_null(corpus_field(&nodebug, "functions")), "functions are unknown (null), not empty");
    cr_assert(json_is_null(corpus_field(&nodebug, "variables")), "variables are unknown (null), not empty");
    cr_assert(json_is_null(corpus_field(&nodebug, "types")), "types are unknown (null), not empty");
    cr_assert(json_equal(corpus_field(&full, "exports"), corpus_field(&nodebug, "exports")),
              "exports of the stripped library differ from the unstripped one's");
    cr_assert(find_by_name(&nodebug, "exports", "types_tls_counter"));
    corpus_view_free(&full);
    corpus_view_free(&nodebug);
}

/* ------------------------------------------------------------------ */
/* Output: files, determinism, round trip, show                        */

Test(roundtrip, output_file_determinism_and_show, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *lib = fixture_path(LIBTYPES);
    char *tmp = make_temp_dir();
    char *json_path = path_join2(tmp, "a.json");

    tool_run to_stdout, to_file, again;
    run_abiguard(&to_stdout, "extract", lib, (char *)NULL);
    cr_assert(to_stdout.exited && to_stdout.exit_status == 0, "%s", to_stdout.err);
    cr_assert_eq(to_stdout.err_len, 0, "a clean extract prints nothing on stderr, got: %s", to_stdout.err);
    run_abiguard(&to_file, "extract", lib, "-o", json_path, (char *)NULL);
    cr_assert(to_file.exited && to_file.exit_status == 0, "%s", to_file.err);
    cr_assert_eq(to_file.out_len, 0, "with -o nothing goes to stdout");
    size_t len;
    char *written = read_whole_file(json_path, &len);
    cr_assert(written, "-o %s was not written", json_path);
    cr_assert(len == to_stdout.out_len && memcmp(written, to_stdout.out, len) == 0,
              "-o FILE and stdout differ");
    cr_assert(len > 0 && written[len - 1] == '\n', "output ends with a newline");

    run_abiguard(&again, "extract", lib, (char *)NULL);
    cr_assert(again.out_len == to_stdout.out_len && memcmp(again.out, to_stdout.out, again.out_len) == 0,
              "two runs of extract gave different bytes");
    cr_assert_null(strstr(written, fixtures_dir()), "the corpus contains the absolute fixture path %s",
                   fixtures_dir());

    tool_run show;
    run_abiguard(&show, "show", json_path, (char *)NULL);
    cr_assert(show.exited && show.exit_status == 0, "show a.json: %s: %s", tool_run_outcome(&show), show.err);
    cr_assert(strstr(show.out, "types_walk"), "show lists the functions");
    tool_run_free(&show);

    run_abiguard(&show, "show", json_path, "--type", "struct padded", (char *)NULL);
    cr_assert(show.exited && show.exit_status == 0, "show --type 'struct padded': %s: %s", tool_run_outcome(&show),
              show.err);
    cr_assert(strstr(show.out, "tail") && strstr(show.out, "hole"), "show --type prints members and holes:\n%s",
              show.out);
    tool_run_free(&show);

    run_abiguard(&show, "show", json_path, "--function", "types_walk", (char *)NULL);
    cr_assert(show.exited && show.exit_status == 0, "show --function: %s: %s", tool_run_outcome(&show), show.err);
    cr_assert(strstr(show.out, "visit_cb"), "show --function types_walk mentions visit_cb:\n%s", show.out);
    tool_run_free(&show);

    run_abiguard(&show, "show", lib, (char *)NULL);
    cr_assert(show.exited && show.exit_status == 0, "show LIB.so: %s: %s", tool_run_outcome(&show), show.err);
    tool_run_free(&show);

    run_abiguard(&show, "show", json_path, "--type", "struct no_such_type", (char *)NULL);
    cr_assert(show.exited && show.exit_status == 1, "show --type of an unknown type: exit 1, got %s",
              tool_run_outcome(&show));
    cr_assert_eq(count_lines(show.err), 1, "one error line, got:\n%s", show.err);
    tool_run_free(&show);

    free(written);
    tool_run_free(&to_stdout);
    tool_run_free(&to_file);
    tool_run_free(&again);
    remove_tree(tmp);
    free(json_path);
    free(tmp);
    free(lib);
}

/* extract -> read -> write is byte-identical (through the library). */
Test(roundtrip, read_write_is_byte_identical, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    static const char *const libs[] = { LIBTYPES, "types/libtypes-dwarf4.so", "versioned/libversioned.so",
                                        "types/nodebug/libtypes.so" };
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        char *lib = fixture_path(libs[i]);
        tool_run r;
        run_abiguard(&r, "extract", lib, (char *)NULL);
        cr_assert(r.exited && r.exit_status == 0, "%s: %s", libs[i], r.err);
        ag_corpus *c = NULL;
        ag_error err = { { 0 } };
        ag_status st = ag_corpus_from_json(r.out, r.out_len, &c, &err);
        cr_assert_eq(st, AG_OK, "%s: reading the corpus back failed: %s", libs[i], err.msg);
        char *rewritten = ag_corpus_to_json(c, &err);
        cr_assert(rewritten, "%s: writing failed: %s", libs[i], err.msg);
        cr_assert(strlen(rewritten) == r.out_len && memcmp(rewritten, r.out, r.out_len) == 0,
                  "%s: extract -> read -> write is not byte-identical", libs[i]);
        free(rewritten);
        ag_corpus_free(c);
        tool_run_free(&r);
        free(lib);
    }
}

/* ------------------------------------------------------------------ */
/* CLI surface                                                         */

Test(cli, help_and_version)
{
    tool_run r;
    run_abiguard(&r, "--help", (char *)NULL);
    cr_assert(r.exited && r.exit_status == 0);
    cr_assert(strstr(r.out, "extract") && strstr(r.out, "show"), "--help lists the commands:\n%s", r.out);
    tool_run_free(&r);

    run_abiguard(&r, "--version", (char *)NULL);
    cr_assert(r.exited && r.exit_status == 0);
    /* The first line is abiguard's version alone (test_cli.c checks the rest). */
    cr_assert(strncmp(r.out, "abiguard ", 9) == 0 && strchr(r.out, '\n') &&
              strcspn(r.out + 9, " \n") == (size_t)(strchr(r.out, '\n') - r.out - 9), "--version: %s", r.out);
    tool_run_free(&r);

    static const char *const commands[] = { "extract", "show" };
    for (size_t i = 0; i < 2; i++) {
        run_abiguard(&r, commands[i], "--help", (char *)NULL);
        cr_assert(r.exited && r.exit_status == 0, "%s --help: %s", commands[i], tool_run_outcome(&r));
        char prefix[64];
        snprintf(prefix, sizeof prefix, "usage: abiguard %s", commands[i]);
        cr_assert(strncmp(r.out, prefix, strlen(prefix)) == 0, "%s --help:\n%s", commands[i], r.out);
        tool_run_free(&r);
    }
}

static void assert_usage_error(const char *what, tool_run *r)
{
    cr_assert(r->exited && r->exit_status == 2, "%s: expected exit 2 (usage), got %s; stderr:\n%s", what,
              tool_run_outcome(r), r->err);
    cr_assert(strncmp(r->err, "abiguard: error: ", 17) == 0, "%s: stderr should start with 'abiguard: error: ':\n%s",
              what, r->err);
    tool_run_free(r);
}

Test(cli, usage_errors_exit_2)
{
    char *lib = fixture_path(LIBTYPES);
    tool_run r;
    run_abiguard(&r, "frobnicate", (char *)NULL);
    assert_usage_error("unknown command", &r);
    run_abiguard(&r, "extract", (char *)NULL);
    assert_usage_error("extract without a file", &r);
    run_abiguard(&r, "show", (char *)NULL);
    assert_usage_error("show without a file", &r);
    run_abiguard(&r, "extract", lib, "--no-such-option", (char *)NULL);
    assert_usage_error("extract with an unknown option", &r);
    run_abiguard(&r, "extract", lib, "-o", (char *)NULL);
    assert_usage_error("extract -o without a file", &r);
    run_abiguard(&r, "extract", lib, "--debug-dir", (char *)NULL);
    assert_usage_error("extract --debug-dir without a directory", &r);
    run_abiguard(&r, "extract", lib, lib, (char *)NULL);
    assert_usage_error("extract with two files", &r);
    free(lib);

    const char *no_args[] = { abiguard_binary(), NULL };
    tool_run_argv(no_args, ABIGUARD_TIMEOUT_SECONDS, &r);
    cr_assert(r.exited && r.exit_status == 2, "abiguard without arguments: %s", tool_run_outcome(&r));
    tool_run_free(&r);
}

/* ------------------------------------------------------------------ */
/* Bad input                                                           */

/* Exit 1 with exactly one line "abiguard: error: <path>: ...", or (when
   allow_warning) exit 0 with exactly one "abiguard: warning: <path>: ..."
   line; never a signal or a hang. */
static void assert_one_line_failure(const char *what, const char *path, const tool_run *r, bool allow_warning)
{
    cr_assert(!r->timed_out, "%s: extract hung (killed at the deadline)", what);
    cr_assert(!r->signaled, "%s: extract crashed: %s; stderr:\n%s", what, tool_run_outcome(r), r->err);
    char error_prefix[4096], warning_prefix[4096];
    snprintf(error_prefix, sizeof error_prefix, "abiguard: error: %s: ", path);
    snprintf(warning_prefix, sizeof warning_prefix, "abiguard: warning: %s: ", path);
    if (allow_warning && r->exited && r->exit_status == 0) {
        cr_assert(count_lines(r->err) == 1 && strncmp(r->err, warning_prefix, strlen(warning_prefix)) == 0,
                  "%s: exit 0 must come with exactly one line starting '%s'; stderr was:\n%s", what, warning_prefix,
                  r->err);
        return;
    }
    cr_assert(r->exited && r->exit_status == 1, "%s: expected exit 1, got %s; stderr:\n%s", what,
              tool_run_outcome(r), r->err);
    cr_assert(count_lines(r->err) == 1, "%s: expected exactly one line on stderr, got %zu:\n%s", what,
              count_lines(r->err), r->err);
    cr_assert(strncmp(r->err, error_prefix, strlen(error_prefix)) == 0, "%s: stderr should start with '%s', got:\n%s",
              what, error_prefix, r->err);
    cr_assert(r->err[r->err_len - 1] == '\n', "%s: the error line ends with a newline", what);
    cr_assert(r->err_len > strlen(error_prefix) + 3, "%s: the error says what is wrong", what);
}

static void extract_expect_failure(const char *what, const char *path, bool allow_warning)
{
    tool_run r;
    cr_assert(run_abiguard(&r, "extract", path, (char *)NULL));
    assert_one_line_failure(what, path, &r, allow_warning);
    if (r.exited && r.exit_status != 0)
        cr_assert_eq(r.out_len, 0, "%s: nothing on stdout after an error, got %zu bytes", what, r.out_len);
    tool_run_free(&r);
}

Test(bad_input, missing_text_empty_directory)
{
    char *tmp = make_temp_dir();
    char *missing = path_join2(tmp, "no-such-lib.so");
    extract_expect_failure("missing file", missing, false);

    char *text = path_join2(tmp, "notes.txt");
    const char *words = "this is not an ELF file\nat all\n";
    cr_assert(write_whole_file(text, words, strlen(words)));
    extract_expect_failure("text file", text, false);

    char *empty = path_join2(tmp, "empty.so");
    cr_assert(write_whole_file(empty, "", 0));
    extract_expect_failure("empty file", empty, false);

    char *elf_magic_only = path_join2(tmp, "magic.so");
    cr_assert(write_whole_file(elf_magic_only, "\177ELF", 4));
    extract_expect_failure("ELF magic only", elf_magic_only, false);

    extract_expect_failure("a directory", tmp, false);

    tool_run r;
    run_abiguard(&r, "show", text, (char *)NULL);
    assert_one_line_failure("show on a text file", text, &r, false);
    tool_run_free(&r);

    char *bad_json = path_join2(tmp, "bad.json");
    const char *broken = "{\"format\": \"abiguard-corpus/1\", \"elf\": ";
    cr_assert(write_whole_file(bad_json, broken, strlen(broken)));
    run_abiguard(&r, "show", bad_json, (char *)NULL);
    assert_one_line_failure("show on truncated JSON", bad_json, &r, false);
    tool_run_free(&r);

    /* An unwritable -o target is an error too, and leaves nothing behind. */
    char *lib = fixture_path(LIBTYPES);
    char *unwritable = path_join2(missing, "out.json");
    run_abiguard(&r, "extract", lib, "-o", unwritable, (char *)NULL);
    cr_assert(r.exited && r.exit_status == 1 && count_lines(r.err) == 1 &&
                  strncmp(r.err, "abiguard: error: ", 17) == 0,
              "-o into a missing directory: expected exit 1 and one error line, got %s:\n%s", tool_run_outcome(&r),
              r.err);
    tool_run_free(&r);

    remove_tree(tmp);
    free(unwritable);
    free(lib);
    free(bad_json);
    free(elf_magic_only);
    free(empty);
    free(text);
    free(missing);
    free(tmp);
}

Test(bad_input, truncated_copies, .timeout = 300 * SANITIZER_SLOWDOWN)
{
    char *lib = fixture_path(LIBTYPES);
    size_t len;
    char *bytes = read_whole_file(lib, &len);
    cr_assert(bytes && len > 8192);
    char *tmp = make_temp_dir();
    char *cut = path_join2(tmp, "libtypes-truncated.so");
    const size_t lengths[] = { 1, 4, 5, 16, 52, 63, 64, 65, 100, 512, 1000, 4096, len / 4, len / 2,
                               len * 3 / 4, len - 4096, len - 200, len - 64, len - 1 };
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        cr_assert(write_whole_file(cut, bytes, lengths[i]));
        char what[64];
        snprintf(what, sizeof what, "truncated to %zu of %zu bytes", lengths[i], len);
        extract_expect_failure(what, cut, false);
    }
    remove_tree(tmp);
    free(cut);
    free(tmp);
    free(bytes);
    free(lib);
}

/* Finds a section's file offset and size by name (ELF64 little-endian,
   which is what the fixtures are). */
static bool find_section(const char *bytes, size_t len, const char *name, size_t *offset, size_t *size)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)bytes;
    if (len < sizeof *eh || eh->e_shoff == 0 || eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > len)
        return false;
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(bytes + eh->e_shoff);
    const Elf64_Shdr *strtab = &sh[eh->e_shstrndx];
    for (size_t i = 0; i < eh->e_shnum; i++) {
        const char *n = bytes + strtab->sh_offset + sh[i].sh_name;
        if (strcmp(n, name) == 0) {
            *offset = sh[i].sh_offset;
            *size = sh[i].sh_size;
            return *offset + *size <= len;
        }
    }
    return false;
}

/* Deterministic pseudo-random bytes (xorshift64*), so failures reproduce. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

Test(bad_input, corrupt_dwarf, .timeout = 300 * SANITIZER_SLOWDOWN)
{
    char *lib = fixture_path(LIBTYPES);
    size_t len;
    char *pristine = read_whole_file(lib, &len);
    cr_assert(pristine);
    size_t info_off, info_size, abbrev_off, abbrev_size, rnglists_off, rnglists_size;
    cr_assert(find_section(pristine, len, ".debug_info", &info_off, &info_size), "no .debug_info in %s", lib);
    cr_assert(find_section(pristine, len, ".debug_abbrev", &abbrev_off, &abbrev_size));
    cr_assert(find_section(pristine, len, ".debug_rnglists", &rnglists_off, &rnglists_size));
    char *tmp = make_temp_dir();
    char *bad = path_join2(tmp, "libtypes-corrupt.so");
    char *copy = malloc(len);
    uint64_t seed = 0x9E3779B97F4A7C15ull;

    /* 1. The whole .debug_info overwritten with garbage. */
    memcpy(copy, pristine, len);
    for (size_t i = 0; i < info_size; i++)
        copy[info_off + i] = (char)(next_random(&seed) >> 56);
    cr_assert(write_whole_file(bad, copy, len));
    extract_expect_failure(".debug_info overwritten with garbage", bad, false);

    /* 2. The first unit's length runs past the end of the section. */
    memcpy(copy, pristine, len);
    uint32_t huge = 0x7ffffff0u;
    memcpy(copy + info_off, &huge, sizeof huge);
    cr_assert(write_whole_file(bad, copy, len));
    extract_expect_failure("unit length past the end of .debug_info", bad, false);

    /* 3. The first unit's abbreviation offset points outside .debug_abbrev
          (DWARF 5 header: length 4, version 2, unit type 1, address size 1,
          abbrev offset 4). */
    memcpy(copy, pristine, len);
    uint32_t far = 0x7fffff00u;
    memcpy(copy + info_off + 8, &far, sizeof far);
    cr_assert(write_whole_file(bad, copy, len));
    extract_expect_failure("abbrev offset outside .debug_abbrev", bad, false);

    /* 4. .debug_abbrev overwritten with garbage. */
    memcpy(copy, pristine, len);
    for (size_t i = 0; i < abbrev_size; i++)
        copy[abbrev_off + i] = (char)(next_random(&seed) >> 56);
    cr_assert(write_whole_file(bad, copy, len));
    extract_expect_failure(".debug_abbrev overwritten with garbage", bad, false);

    /* 5. An unknown DWARF version in the first unit. */
    memcpy(copy, pristine, len);
    uint16_t version = 99;
    memcpy(copy + info_off + 4, &version, sizeof version);
    cr_assert(write_whole_file(bad, copy, len));
    extract_expect_failure("DWARF version 99", bad, false);

    /* 6. A .debug_rnglists header with an impossible address size (header:
          length 4, version 2, address size 1). Found by the byte-flip fuzz:
          libdwarf 20210528 frees twice on it. */
    memcpy(copy, pristine, len);
    copy[rnglists_off + 6] = (char)0x86;
    cr_assert(write_whole_file(bad, copy, len));
    extract_expect_failure(".debug_rnglists address size 0x86", bad, false);

    remove_tree(tmp);
    free(copy);
    free(bad);
    free(tmp);
    free(pristine);
    free(lib);
}

Test(bad_input, not_a_shared_object)
{
    static const char *const kinds[][2] = {
        { "prog/prog", "a PIE executable" },
        { "prog/prog-nopie", "a non-PIE executable" },
        { "prog/prog.o", "a relocatable object" },
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char *path = fixture_path(kinds[i][0]);
        tool_run r;
        run_abiguard(&r, "extract", path, (char *)NULL);
        assert_one_line_failure(kinds[i][1], path, &r, true);
        if (r.exited && r.exit_status == 0) {
            corpus_view v;
            corpus_view_parse(&v, r.out, r.out_len);
            const char *elf_type = json_string_value(json_object_get(corpus_field(&v, "elf"), "elf_type"));
            const char *expected = strstr(kinds[i][0], ".o") ? "rel" : strstr(kinds[i][0], "nopie") ? "exec" : NULL;
            if (expected)
                cr_assert(elf_type && strcmp(elf_type, expected) == 0, "%s: elf_type expected %s, got %s",
                          kinds[i][1], expected, elf_type ? elf_type : "null");
            corpus_view_free(&v);
        }
        tool_run_free(&r);
        free(path);
    }
}

/* Writes a copy of libtypes.so with its ELF header edited by `edit`. */
static char *edited_copy(const char *tmp, const char *name, void (*edit)(unsigned char *header))
{
    char *lib = fixture_path(LIBTYPES);
    size_t len;
    char *bytes = read_whole_file(lib, &len);
    cr_assert(bytes && len > sizeof(Elf64_Ehdr));
    edit((unsigned char *)bytes);
    char *path = path_join2(tmp, name);
    cr_assert(write_whole_file(path, bytes, len));
    free(bytes);
    free(lib);
    return path;
}

static void set_unknown_machine(unsigned char *h)
{
    Elf64_Half machine = 0xBEEF; /* no such EM_* */
    memcpy(h + offsetof(Elf64_Ehdr, e_machine), &machine, sizeof machine);
}

static void set_class32(unsigned char *h)
{
    h[EI_CLASS] = ELFCLASS32;
}

static void set_big_endian(unsigned char *h)
{
    h[EI_DATA] = ELFDATA2MSB;
}

/* An architecture abiguard does not know: an error, or a warning that
   says so and goes on. */
Test(bad_input, unknown_machine, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *tmp = make_temp_dir();
    char *path = edited_copy(tmp, "libtypes-em-beef.so", set_unknown_machine);
    extract_expect_failure("unknown e_machine 0xBEEF", path, true);
    remove_tree(tmp);
    free(path);
    free(tmp);
}

/* A 64-bit file whose ident says ELFCLASS32: read as 32-bit, its header
   is inconsistent (e_ehsize, e_shentsize), so it is a corrupt file. */
Test(bad_input, class_byte_contradicts_file, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *tmp = make_temp_dir();
    char *path = edited_copy(tmp, "libtypes-class32.so", set_class32);
    extract_expect_failure("ELFCLASS32 ident on a 64-bit file", path, false);
    remove_tree(tmp);
    free(path);
    free(tmp);
}

Test(bad_input, data_byte_contradicts_file, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *tmp = make_temp_dir();
    char *path = edited_copy(tmp, "libtypes-msb.so", set_big_endian);
    extract_expect_failure("ELFDATA2MSB ident on a little-endian file", path, false);
    remove_tree(tmp);
    free(path);
    free(tmp);
}

/* Flips one byte at ~300 pseudo-random offsets of libtypes.so, one at a
   time, and runs extract on each copy: it may succeed or fail, but it must
   exit 0 or 1, print at most one error line and nothing that is not an
   abiguard line, and never crash or hang. */
Test(bad_input, byte_flip_fuzz, .timeout = 1800 * SANITIZER_SLOWDOWN)
{
    char *lib = fixture_path(LIBTYPES);
    size_t len;
    char *bytes = read_whole_file(lib, &len);
    cr_assert(bytes);
    char *tmp = make_temp_dir();
    char *mutant = path_join2(tmp, "libtypes-flipped.so");
    char *corpus_out = path_join2(tmp, "out.json");
    uint64_t seed = 0xC0FFEE1234567ull;
    problem_list p = { 0 };
    size_t ok = 0, failed = 0;
    const size_t runs = 300;
    for (size_t i = 0; i < runs; i++) {
        /* Half the offsets spread evenly, half at random: both the headers
           and the large DWARF sections get hit. */
        size_t offset = (i % 2 == 0) ? (i / 2) * (len / (runs / 2)) + (size_t)(next_random(&seed) % 64)
                                     : (size_t)(next_random(&seed) % len);
        if (offset >= len)
            offset = len - 1;
        unsigned char flip = (unsigned char)(1 + next_random(&seed) % 255);
        bytes[offset] ^= (char)flip;
        cr_assert(write_whole_file(mutant, bytes, len));
        bytes[offset] ^= (char)flip;

        const char *argv[] = { abiguard_binary(), "extract", mutant, "-o", corpus_out, NULL };
        tool_run r;
        cr_assert(tool_run_argv(argv, 10.0, &r));
        if (r.timed_out) {
            problem_add(&p, "offset %zu ^ 0x%02x: hung (> 10 s)", offset, flip);
        } else if (r.signaled) {
            problem_add(&p, "offset %zu ^ 0x%02x: %s; stderr: %.300s", offset, flip, tool_run_outcome(&r), r.err);
        } else if (r.exit_status != 0 && r.exit_status != 1) {
            problem_add(&p, "offset %zu ^ 0x%02x: %s; stderr: %.300s", offset, flip, tool_run_outcome(&r), r.err);
        } else {
            size_t error_lines = 0, other_lines = 0;
            for (const char *line = r.err; line && *line;) {
                if (strncmp(line, "abiguard: error: ", 17) == 0)
                    error_lines++;
                else if (strncmp(line, "abiguard: warning: ", 19) != 0)
                    other_lines++;
                const char *nl = strchr(line, '\n');
                line = nl ? nl + 1 : NULL;
            }
            if (error_lines > 1 || other_lines > 0)
                problem_add(&p, "offset %zu ^ 0x%02x: %zu error lines, %zu foreign lines on stderr: %.300s", offset,
                            flip, error_lines, other_lines, r.err);
            if (r.exit_status == 1 && error_lines != 1)
                problem_add(&p, "offset %zu ^ 0x%02x: exit 1 without an error line", offset, flip);
            if (r.exit_status == 0)
                ok++;
            else
                failed++;
        }
        tool_run_free(&r);
    }
    fprintf(stderr, "byte_flip_fuzz: %zu runs, %zu extracted, %zu refused cleanly\n", runs, ok, failed);
    problem_assert_none(&p, "byte-flip fuzz of libtypes.so");
    remove_tree(tmp);
    free(corpus_out);
    free(mutant);
    free(tmp);
    free(bytes);
    free(lib);
}
