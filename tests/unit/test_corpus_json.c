/*
 * test_corpus_json.c — the corpus's JSON form (corpus_json.c) and the layout
 * report (show.c), on corpora built by hand through the corpus.h API:
 * byte-identical round trips, one precise AG_ERR_FORMAT per kind of damage,
 * and pahole-style holes and padding with the right numbers.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "corpus.h"
#include "corpus_json.h"
#include "show.h"

/* ------------------------------------------------------------------ */
/* Building corpora by hand                                            */

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    cr_assert_not_null(d);
    return d;
}

static ag_type_ref add(ag_corpus *c, ag_type_kind kind, const char *name, uint64_t size)
{
    ag_type_ref r = ag_corpus_add_type(c, kind);
    cr_assert_neq(r, AG_NO_TYPE);
    c->types[r].name = name ? xstrdup(name) : NULL;
    c->types[r].byte_size = size;
    return r;
}

static ag_type_ref add_base(ag_corpus *c, const char *name, uint64_t size, ag_encoding enc)
{
    ag_type_ref r = add(c, AG_T_BASE, name, size);
    c->types[r].encoding = enc;
    return r;
}

static ag_type_ref add_derived(ag_corpus *c, ag_type_kind kind, ag_type_ref target, uint64_t size)
{
    ag_type_ref r = add(c, kind, NULL, size);
    c->types[r].target = target;
    return r;
}

static void set_members(ag_corpus *c, ag_type_ref t, size_t n, const ag_member *m)
{
    ag_type *ty = &c->types[t];
    ty->members = calloc(n, sizeof *ty->members);
    cr_assert_not_null(ty->members);
    ty->n_members = n;
    for (size_t i = 0; i < n; i++) {
        ty->members[i] = m[i];
        ty->members[i].name = m[i].name ? xstrdup(m[i].name) : NULL;
    }
}

static void set_params(ag_param **out, size_t *n_out, size_t n, const ag_param *p)
{
    *out = calloc(n, sizeof **out);
    cr_assert_not_null(*out);
    *n_out = n;
    for (size_t i = 0; i < n; i++) {
        (*out)[i].type = p[i].type;
        (*out)[i].name = p[i].name ? xstrdup(p[i].name) : NULL;
    }
}

static void add_enumerator(ag_type *t, const char *name, int64_t value, bool is_unsigned)
{
    ag_enumerator *bigger = realloc(t->enumerators, (t->n_enumerators + 1) * sizeof *bigger);
    cr_assert_not_null(bigger);
    t->enumerators = bigger;
    t->enumerators[t->n_enumerators++] = (ag_enumerator){ xstrdup(name), value, is_unsigned };
}

static void fill_elf(ag_corpus *c)
{
    ag_elf_info *e = &c->elf;
    e->file_name = xstrdup("libsample.so.1");
    e->soname = xstrdup("libsample.so.1");
    e->elf_type = xstrdup("dyn");
    e->machine = xstrdup("x86_64");
    e->elf_class = 64;
    e->byte_order = xstrdup("little");
    e->build_id = xstrdup("0123456789abcdef0123456789abcdef01234567");
    memset(e->sha256, 'a', 64);
    e->sha256[64] = '\0';
    e->needed = calloc(1, sizeof *e->needed);
    e->needed[0] = xstrdup("libc.so.6");
    e->n_needed = 1;
    e->version_defs = calloc(1, sizeof *e->version_defs);
    e->version_defs[0] = xstrdup("SAMPLE_1.0");
    e->n_version_defs = 1;
    e->relro = e->bind_now = e->stack_protector = true;
}

static void fill_symbols(ag_corpus *c)
{
    c->exports = calloc(2, sizeof *c->exports);
    c->n_exports = 2;
    /* Given out of order on purpose: finalize sorts them. */
    c->exports[0] = (ag_symbol){ .name = xstrdup("sample_version"), .version = xstrdup("SAMPLE_1.0"),
                                 .is_default = true, .type = AG_SYM_OBJECT, .size = 4,
                                 .value = 0xdeadbeef };
    c->exports[1] = (ag_symbol){ .name = xstrdup("sample_process"), .version = xstrdup("SAMPLE_1.0"),
                                 .is_default = true, .type = AG_SYM_FUNC, .size = 120,
                                 .value = 0xdeadbeef };
    c->imports = calloc(2, sizeof *c->imports);
    c->n_imports = 2;
    c->imports[0] = (ag_symbol){ .name = xstrdup("malloc"), .version = xstrdup("GLIBC_2.2.5"),
                                 .version_file = xstrdup("libc.so.6"), .type = AG_SYM_FUNC };
    c->imports[1] = (ag_symbol){ .name = xstrdup("__gmon_start__"), .binding = AG_BIND_WEAK };
}

/* enum mode { NEG = -1, ZERO = 0, BIG = 0xFFFFFFFF, HUGE = 0xFFFFFFFFFFFFFFFF } */
static ag_type_ref add_enum(ag_corpus *c, ag_type_ref underlying)
{
    ag_type_ref e = add(c, AG_T_ENUM, "mode", 8);
    c->types[e].target = underlying;
    add_enumerator(&c->types[e], "NEG", -1, false);
    add_enumerator(&c->types[e], "ZERO", 0, false);
    add_enumerator(&c->types[e], "BIG", 0xFFFFFFFF, true);
    add_enumerator(&c->types[e], "HUGE", (int64_t)UINT64_MAX, true);
    return e;
}

/* struct node { int value; struct node *next; } — recursive through a pointer. */
static ag_type_ref add_node(ag_corpus *c, ag_type_ref t_int)
{
    ag_type_ref node = add(c, AG_T_STRUCT, "node", 16);
    ag_type_ref ptr = add_derived(c, AG_T_POINTER, node, 8);
    set_members(c, node, 2, (ag_member[]){ { "value", t_int, 0, 0, 0 }, { "next", ptr, 64, 0, 0 } });
    return node;
}

/*
 * struct sample {
 *     char a;                          0
 *     unsigned int flags:3;            4 (bit 32)
 *     union { int x; char y; };        8   anonymous member
 *     int grid[2][3];                  12
 *     volatile char *const p;          40
 *     int (*cb)(void *, int);          48
 *     int tail[];                      56  flexible array
 * };                                   size 56
 */
static ag_type_ref add_sample(ag_corpus *c, ag_type_ref t_void, ag_type_ref t_int,
                              ag_type_ref t_char, ag_type_ref t_uint)
{
    ag_type_ref u = add(c, AG_T_UNION, NULL, 4);
    set_members(c, u, 2, (ag_member[]){ { "x", t_int, 0, 0, 0 }, { "y", t_char, 0, 0, 0 } });
    ag_type_ref grid = add_derived(c, AG_T_ARRAY, t_int, 24);
    c->types[grid].dims = calloc(2, sizeof(uint64_t));
    c->types[grid].dims[0] = 2;
    c->types[grid].dims[1] = 3;
    c->types[grid].n_dims = 2;
    ag_type_ref tail = add_derived(c, AG_T_ARRAY, t_int, 0);
    c->types[tail].dims = calloc(1, sizeof(uint64_t));
    c->types[tail].dims[0] = AG_DIM_UNKNOWN;
    c->types[tail].n_dims = 1;
    ag_type_ref vchar = add_derived(c, AG_T_VOLATILE, t_char, 0);
    ag_type_ref pvchar = add_derived(c, AG_T_POINTER, vchar, 8);
    ag_type_ref cpvchar = add_derived(c, AG_T_CONST, pvchar, 0);
    ag_type_ref pvoid = add_derived(c, AG_T_POINTER, t_void, 8);
    ag_type_ref fn = add_derived(c, AG_T_FUNC, t_int, 0);
    c->types[fn].prototyped = true;
    set_params(&c->types[fn].params, &c->types[fn].n_params, 2,
               (ag_param[]){ { NULL, pvoid }, { NULL, t_int } });
    ag_type_ref pfn = add_derived(c, AG_T_POINTER, fn, 8);
    ag_type_ref s = add(c, AG_T_STRUCT, "sample", 56);
    c->types[s].decl_file = xstrdup("sample.h");
    c->types[s].decl_line = 12;
    set_members(c, s, 7, (ag_member[]){
        { "a", t_char, 0, 0, 0 },      { "flags", t_uint, 32, 3, 0 }, { NULL, u, 64, 0, 0 },
        { "grid", grid, 96, 0, 0 },    { "p", cpvchar, 320, 0, 0 },  { "cb", pfn, 384, 0, 8 },
        { "tail", tail, 448, 0, 0 } });
    return s;
}

/* A corpus touching every part of the model; finalized unless told not to. */
static ag_corpus *build_sample(bool with_debug_info)
{
    ag_corpus *c = ag_corpus_new();
    cr_assert_not_null(c);
    fill_elf(c);
    fill_symbols(c);
    c->skipped = calloc(1, sizeof *c->skipped);
    c->skipped[0] = (ag_skip_count){ xstrdup("DW_TAG_ptr_to_member_type"), 2 };
    c->n_skipped = 1;
    if (with_debug_info) {
        c->has_debug_info = true;
        c->debug_source = xstrdup("embedded");
        c->dwarf_version = 5;
        ag_type_ref t_void = ag_corpus_void_type(c);
        ag_type_ref t_int = add_base(c, "int", 4, AG_ENC_SIGNED);
        ag_type_ref t_char = add_base(c, "char", 1, AG_ENC_SIGNED_CHAR);
        ag_type_ref t_uint = add_base(c, "unsigned int", 4, AG_ENC_UNSIGNED);
        ag_type_ref t_ulong = add_base(c, "long unsigned int", 8, AG_ENC_UNSIGNED);
        ag_type_ref sample = add_sample(c, t_void, t_int, t_char, t_uint);
        ag_type_ref sample_t = add(c, AG_T_TYPEDEF, "sample_t", 0);
        c->types[sample_t].target = sample;
        ag_type_ref p_sample_t = add_derived(c, AG_T_POINTER, sample_t, 8);
        ag_type_ref mode = add_enum(c, t_ulong);
        ag_type_ref p_node = add_derived(c, AG_T_POINTER, add_node(c, t_int), 8);
        ag_type_ref c_int = add_derived(c, AG_T_CONST, t_int, 0);
        add_base(c, "unused", 2, AG_ENC_UNSIGNED); /* reached by nothing: dropped */

        c->functions = calloc(1, sizeof *c->functions);
        c->n_functions = 1;
        ag_function *f = &c->functions[0];
        f->name = xstrdup("sample_process");
        f->return_type = t_int;
        f->prototyped = true;
        f->decl_file = xstrdup("sample.h");
        f->decl_line = 40;
        set_params(&f->params, &f->n_params, 3,
                   (ag_param[]){ { "self", p_sample_t }, { "mode", mode }, { "list", p_node } });
        c->variables = calloc(1, sizeof *c->variables);
        c->n_variables = 1;
        c->variables[0] = (ag_variable){ xstrdup("sample_version"), c_int, NULL, 0, false };
    }
    ag_error err = { "" };
    cr_assert_eq(ag_corpus_finalize(c, &err), AG_OK, "finalize: %s", err.msg);
    return c;
}

static char *to_json(const ag_corpus *c)
{
    ag_error err = { "" };
    char *text = ag_corpus_to_json(c, &err);
    cr_assert_not_null(text, "to_json: %s", err.msg);
    return text;
}

/* Expects reading `text` to fail with AG_ERR_FORMAT and a message
   containing `expected`. */
static void expect_format_error(const char *text, const char *expected)
{
    ag_error err = { "" };
    ag_corpus *c = (ag_corpus *)0x1;
    ag_status st = ag_corpus_from_json(text, strlen(text), &c, &err);
    cr_expect_eq(st, AG_ERR_FORMAT, "status %d, message: %s", st, err.msg);
    cr_expect_null(c);
    cr_expect(strstr(err.msg, expected) != NULL, "message \"%s\" lacks \"%s\"", err.msg, expected);
}

/* The sample's JSON, parsed, for tests that damage one field. */
static json_t *sample_tree(void)
{
    ag_corpus *c = build_sample(true);
    char *text = to_json(c);
    ag_corpus_free(c);
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    free(text);
    cr_assert_not_null(root);
    return root;
}

static void expect_tree_error(json_t *root, const char *expected)
{
    char *text = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(1));
    json_decref(root);
    cr_assert_not_null(text);
    expect_format_error(text, expected);
    free(text);
}

/* Index of the named type in the tree's "types" array. */
static size_t type_index(json_t *root, const char *kind, const char *name)
{
    json_t *types = json_object_get(root, "types");
    for (size_t i = 0; i < json_array_size(types); i++) {
        json_t *t = json_array_get(types, i);
        const char *n = json_string_value(json_object_get(t, "name"));
        if (strcmp(json_string_value(json_object_get(t, "kind")), kind) == 0 && n && strcmp(n, name) == 0)
            return i;
    }
    cr_assert_fail("no %s %s in the sample", kind, name);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Round trips                                                         */

Test(corpus_json, round_trip_is_byte_identical)
{
    ag_corpus *c = build_sample(true);
    char *first = to_json(c);
    ag_error err = { "" };
    ag_corpus *back = NULL;
    cr_assert_eq(ag_corpus_from_json(first, strlen(first), &back, &err), AG_OK, "%s", err.msg);
    char *second = to_json(back);
    cr_expect_str_eq(second, first);
    cr_expect_eq(back->n_types, c->n_types);
    cr_expect_eq(back->n_functions, 1);
    cr_expect_eq(back->n_variables, 1);
    cr_expect_eq(back->n_exports, 2);
    cr_expect_str_eq(back->exports[0].name, "sample_process"); /* sorted by finalize */
    cr_expect_eq(back->exports[0].value, 0);                    /* never serialized */
    free(second);
    free(first);
    ag_corpus_free(back);
    ag_corpus_free(c);
}

Test(corpus_json, output_is_deterministic_and_has_no_addresses)
{
    ag_corpus *a = build_sample(true), *b = build_sample(true);
    char *ta = to_json(a), *tb = to_json(b);
    cr_expect_str_eq(ta, tb);
    size_t len = strlen(ta);
    cr_expect(len > 0 && ta[len - 1] == '\n', "output ends with a newline");
    cr_expect_null(strstr(ta, "3735928559"), "st_value (0xdeadbeef) must not be written");
    cr_expect_not_null(strstr(ta, "\"format\": \"abiguard-corpus/1\""));
    cr_expect_null(strstr(ta, "\"unused\""), "unreachable types are not written");
    free(ta);
    free(tb);
    ag_corpus_free(a);
    ag_corpus_free(b);
}

Test(corpus_json, enumerator_values_keep_sign_and_width)
{
    ag_corpus *c = build_sample(true);
    char *text = to_json(c);
    cr_expect_not_null(strstr(text, "\"value\": \"18446744073709551615\""));
    cr_expect_not_null(strstr(text, "\"value\": 4294967295"));
    cr_expect_not_null(strstr(text, "\"value\": -1"));
    ag_error err = { "" };
    ag_corpus *back = NULL;
    cr_assert_eq(ag_corpus_from_json(text, strlen(text), &back, &err), AG_OK, "%s", err.msg);
    ag_type_ref e = ag_corpus_find_type(back, "enum mode");
    cr_assert_neq(e, AG_NO_TYPE);
    const ag_type *t = &back->types[e];
    cr_assert_eq(t->n_enumerators, 4);
    cr_expect_eq(t->enumerators[0].value, -1);
    cr_expect_not(t->enumerators[0].value_unsigned);
    cr_expect_eq((uint64_t)t->enumerators[2].value, 0xFFFFFFFFu);
    cr_expect(t->enumerators[2].value_unsigned);
    cr_expect_eq((uint64_t)t->enumerators[3].value, UINT64_MAX);
    cr_expect(t->enumerators[3].value_unsigned);
    free(text);
    ag_corpus_free(back);
    ag_corpus_free(c);
}

Test(corpus_json, arrays_bitfields_and_anonymous_members_survive)
{
    ag_corpus *c = build_sample(true);
    char *text = to_json(c);
    ag_error err = { "" };
    ag_corpus *back = NULL;
    cr_assert_eq(ag_corpus_from_json(text, strlen(text), &back, &err), AG_OK, "%s", err.msg);
    ag_type_ref s = ag_corpus_find_type(back, "struct sample");
    cr_assert_neq(s, AG_NO_TYPE);
    const ag_type *t = &back->types[s];
    cr_assert_eq(t->n_members, 7);
    cr_expect_eq(t->members[1].bit_size, 3);
    cr_expect_null(t->members[2].name);
    cr_expect_eq(t->members[5].alignment, 8);
    const ag_type *grid = &back->types[t->members[3].type];
    cr_assert_eq(grid->n_dims, 2);
    cr_expect_eq(grid->dims[0], 2);
    cr_expect_eq(grid->dims[1], 3);
    const ag_type *tail = &back->types[t->members[6].type];
    cr_assert_eq(tail->n_dims, 1);
    cr_expect_eq(tail->dims[0], AG_DIM_UNKNOWN);
    char spelled[256];
    ag_type_spell(back, t->members[5].type, spelled, sizeof spelled);
    cr_expect_str_eq(spelled, "int (*)(void *, int)");
    free(text);
    ag_corpus_free(back);
    ag_corpus_free(c);
}

Test(corpus_json, without_debug_info_functions_and_types_are_null)
{
    ag_corpus *c = build_sample(false);
    char *first = to_json(c);
    cr_expect_not_null(strstr(first, "\"functions\": null"));
    cr_expect_not_null(strstr(first, "\"variables\": null"));
    cr_expect_not_null(strstr(first, "\"types\": null"));
    cr_expect_not_null(strstr(first, "\"debug_info\": false"));
    ag_error err = { "" };
    ag_corpus *back = NULL;
    cr_assert_eq(ag_corpus_from_json(first, strlen(first), &back, &err), AG_OK, "%s", err.msg);
    cr_expect_not(back->has_debug_info);
    char *second = to_json(back);
    cr_expect_str_eq(second, first);
    free(first);
    free(second);
    ag_corpus_free(back);
    ag_corpus_free(c);
}

Test(corpus_json, write_file_and_read_file)
{
    ag_corpus *c = build_sample(true);
    char path[] = "/tmp/ag-corpus-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    ag_error err = { "" };
    cr_assert_eq(ag_corpus_write_file(c, f, &err), AG_OK, "%s", err.msg);
    fclose(f);
    ag_corpus *back = NULL;
    cr_assert_eq(ag_corpus_read_file(path, &back, &err), AG_OK, "%s", err.msg);
    char *a = to_json(c), *b = to_json(back);
    cr_expect_str_eq(a, b);
    free(a);
    free(b);
    ag_corpus_free(back);
    ag_corpus_free(c);
    unlink(path);
}

Test(corpus_json, read_file_reports_io_errors_without_the_name)
{
    ag_error err = { "" };
    ag_corpus *c = NULL;
    cr_expect_eq(ag_corpus_read_file("/nonexistent/corpus.json", &c, &err), AG_ERR_IO);
    cr_expect_null(c);
    cr_expect_null(strstr(err.msg, "/nonexistent"), "message: %s", err.msg);
    cr_expect_not_null(strstr(err.msg, "No such file"), "message: %s", err.msg);
}

/* ------------------------------------------------------------------ */
/* Malformed input                                                     */

Test(corpus_json, invalid_json_reports_line_and_column)
{
    expect_format_error("{\n \"format\": \"abiguard-corpus/1\",\n \"elf\": ]\n}", "line 3 column");
}

Test(corpus_json, truncated_file)
{
    ag_corpus *c = build_sample(true);
    char *text = to_json(c);
    text[strlen(text) / 2] = '\0';
    expect_format_error(text, "line ");
    free(text);
    ag_corpus_free(c);
}

Test(corpus_json, top_level_must_be_an_object)
{
    expect_format_error("[1, 2]", "expected a JSON object at the top level");
}

Test(corpus_json, wrong_format_tag)
{
    json_t *root = sample_tree();
    json_object_set_new(root, "format", json_string("abiguard-corpus/2"));
    expect_tree_error(root, "format: expected \"abiguard-corpus/1\", got \"abiguard-corpus/2\"");
}

Test(corpus_json, missing_types)
{
    json_t *root = sample_tree();
    json_object_del(root, "types");
    expect_tree_error(root, "types: missing");
}

Test(corpus_json, types_null_although_debug_info)
{
    json_t *root = sample_tree();
    json_object_set_new(root, "types", json_null());
    expect_tree_error(root, "types: null although debug_info is true");
}

Test(corpus_json, member_with_unknown_type_id)
{
    json_t *root = sample_tree();
    size_t i = type_index(root, "struct", "sample");
    json_t *members = json_object_get(json_array_get(json_object_get(root, "types"), i), "members");
    json_object_set_new(json_array_get(members, 3), "type", json_string("0123456789abcdef"));
    char expected[128];
    snprintf(expected, sizeof expected, "types[%zu].members[3].type: unknown type id 0123456789abcdef", i);
    expect_tree_error(root, expected);
}

/* Replaces every occurrence of `from` by `to` (same length) in s. */
static void replace_all(char *s, const char *from, const char *to)
{
    size_t n = strlen(from);
    for (char *p = strstr(s, from); p; p = strstr(p + n, from))
        memcpy(p, to, n);
}

Test(corpus_json, tampered_id_does_not_match_content)
{
    json_t *root = sample_tree();
    size_t i = type_index(root, "struct", "node");
    json_t *node = json_array_get(json_object_get(root, "types"), i);
    char real_id[17];
    snprintf(real_id, sizeof real_id, "%s", json_string_value(json_object_get(node, "id")));
    char *text = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(1));
    json_decref(root);
    /* Consistently renamed, so every reference still resolves: only the
       recomputed id can tell. */
    replace_all(text, real_id, "00000000deadbeef");
    char expected[160];
    snprintf(expected, sizeof expected,
             "types[%zu]: id 00000000deadbeef does not match its content (%s)", i, real_id);
    expect_format_error(text, expected);
    free(text);
}

Test(corpus_json, duplicate_type_id)
{
    json_t *root = sample_tree();
    json_t *types = json_object_get(root, "types");
    size_t n = json_array_size(types);
    json_array_append_new(types, json_deep_copy(json_array_get(types, 0)));
    char expected[128];
    snprintf(expected, sizeof expected, "types[%zu]: duplicate type id", n);
    expect_tree_error(root, expected);
}

Test(corpus_json, wrong_field_types)
{
    json_t *root = sample_tree();
    json_object_set_new(json_object_get(root, "elf"), "class", json_string("64"));
    expect_tree_error(root, "elf.class: expected an unsigned integer, got a string");

    root = sample_tree();
    json_object_set_new(json_array_get(json_object_get(root, "exports"), 0), "default", json_integer(1));
    expect_tree_error(root, "exports[0].default: expected a boolean, got an integer");

    root = sample_tree();
    json_object_set_new(json_array_get(json_object_get(root, "functions"), 0), "params", json_object());
    expect_tree_error(root, "functions[0].params: expected an array, got an object");

    root = sample_tree();
    json_object_set_new(json_array_get(json_object_get(root, "imports"), 1), "binding", json_string("strong"));
    expect_tree_error(root, "imports[1].binding: unknown value \"strong\"");

    root = sample_tree();
    json_object_set_new(json_array_get(json_object_get(root, "types"), 0), "kind", json_string("structure"));
    expect_tree_error(root, "types[0].kind: unknown value \"structure\"");

    root = sample_tree();
    json_object_set_new(json_object_get(root, "skipped"), "DW_TAG_x", json_integer(-3));
    expect_tree_error(root, "skipped.DW_TAG_x: must not be negative");
}

Test(corpus_json, unknown_fields_are_rejected)
{
    json_t *root = sample_tree();
    json_object_set_new(json_object_get(root, "elf"), "colour", json_true());
    expect_tree_error(root, "elf.colour: unknown field");
}

Test(corpus_json, negative_unsigned_enumerator)
{
    json_t *root = sample_tree();
    size_t i = type_index(root, "enum", "mode");
    json_t *e = json_object_get(json_array_get(json_object_get(root, "types"), i), "enumerators");
    json_t *big = json_array_get(e, 0); /* BIG, by name order? find it */
    for (size_t k = 0; k < json_array_size(e); k++)
        if (strcmp(json_string_value(json_object_get(json_array_get(e, k), "name")), "BIG") == 0)
            big = json_array_get(e, k);
    json_object_set_new(big, "value", json_integer(-2));
    expect_tree_error(root, "value: negative value for an unsigned enumerator");
}

/* ------------------------------------------------------------------ */
/* show: layouts                                                       */

static char *show_type_text(const ag_corpus *c, const char *name, ag_status expect)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cr_assert_not_null(out);
    ag_error err = { "" };
    ag_status st = ag_show_type(c, name, out, &err);
    fclose(out);
    cr_expect_eq(st, expect, "show %s: %s", name, err.msg);
    return buf;
}

/* A corpus with struct pad { char a; int b; char c; } and
   struct bits { unsigned a:3; unsigned b:2; int c; char d; }, both reached
   by `void use(struct pad *, struct bits *)`. */
static ag_corpus *build_layouts(void)
{
    ag_corpus *c = ag_corpus_new();
    fill_elf(c);
    c->has_debug_info = true;
    ag_type_ref t_void = ag_corpus_void_type(c);
    ag_type_ref t_char = add_base(c, "char", 1, AG_ENC_SIGNED_CHAR);
    ag_type_ref t_int = add_base(c, "int", 4, AG_ENC_SIGNED);
    ag_type_ref t_uint = add_base(c, "unsigned int", 4, AG_ENC_UNSIGNED);
    ag_type_ref pad = add(c, AG_T_STRUCT, "pad", 12);
    set_members(c, pad, 3, (ag_member[]){
        { "a", t_char, 0, 0, 0 }, { "b", t_int, 32, 0, 0 }, { "c", t_char, 64, 0, 0 } });
    ag_type_ref bits = add(c, AG_T_STRUCT, "bits", 12);
    set_members(c, bits, 4, (ag_member[]){
        { "a", t_uint, 0, 3, 0 }, { "b", t_uint, 3, 2, 0 }, { "c", t_int, 32, 0, 0 },
        { "d", t_char, 64, 0, 0 } });
    c->functions = calloc(1, sizeof *c->functions);
    c->n_functions = 1;
    c->functions[0].name = xstrdup("use");
    c->functions[0].return_type = t_void;
    c->functions[0].prototyped = true;
    set_params(&c->functions[0].params, &c->functions[0].n_params, 2, (ag_param[]){
        { "p", add_derived(c, AG_T_POINTER, pad, 8) }, { "b", add_derived(c, AG_T_POINTER, bits, 8) } });
    ag_error err = { "" };
    cr_assert_eq(ag_corpus_finalize(c, &err), AG_OK, "%s", err.msg);
    return c;
}

static void expect_contains(const char *text, const char *what)
{
    cr_expect(strstr(text, what) != NULL, "output lacks \"%s\":\n%s", what, text);
}

Test(show, struct_holes_and_padding)
{
    ag_corpus *c = build_layouts();
    char *text = show_type_text(c, "struct pad", AG_OK);
    expect_contains(text, "struct pad {\n");
    expect_contains(text, "/* XXX 3 bytes hole, try to pack */");
    expect_contains(text, "/* size: 12, cachelines: 1, members: 3 */");
    expect_contains(text, "/* sum members: 6, holes: 1, sum holes: 3 */");
    expect_contains(text, "/* padding: 3 */");
    /* The hole is reported between a and b, not elsewhere. */
    char *hole = strstr(text, "XXX 3 bytes hole");
    char *b = strstr(text, "\tint b;");
    cr_assert_not_null(b);
    cr_expect(hole && hole < b && strstr(text, "\tchar a;") < hole);
    free(text);
    ag_corpus_free(c);
}

Test(show, bitfields_and_bit_holes)
{
    ag_corpus *c = build_layouts();
    char *text = show_type_text(c, "bits", AG_OK);
    expect_contains(text, "unsigned int a:3;");
    expect_contains(text, "0:3/2"); /* b: byte 0, bit 3, 2 bits wide */
    expect_contains(text, "/* XXX 3 bits hole, try to pack */");
    expect_contains(text, "/* XXX 3 bytes hole, try to pack */");
    expect_contains(text, "/* bit holes: 1, sum bit holes: 3 bits */");
    expect_contains(text, "/* padding: 3 */");
    free(text);
    ag_corpus_free(c);
}

Test(show, sample_layouts_enums_and_typedefs)
{
    ag_corpus *c = build_sample(true);
    char *text = show_type_text(c, "sample_t", AG_OK);
    expect_contains(text, "typedef struct sample sample_t;");
    expect_contains(text, "int (*cb)(void *, int);");
    expect_contains(text, "int grid[2][3];");
    expect_contains(text, "int tail[];");
    expect_contains(text, "/* size: 56, cachelines: 1, members: 7 */");
    free(text);
    text = show_type_text(c, "enum mode", AG_OK);
    expect_contains(text, "NEG = -1,");
    expect_contains(text, "HUGE = 18446744073709551615,");
    free(text);
    text = show_type_text(c, "struct missing", AG_ERR_NOTFOUND);
    free(text);
    ag_corpus_free(c);
}

Test(show, function_with_reached_types_once)
{
    ag_corpus *c = build_sample(true);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    ag_error err = { "" };
    cr_assert_eq(ag_show_function(c, "sample_process", out, &err), AG_OK, "%s", err.msg);
    fclose(out);
    expect_contains(buf, "int sample_process(sample_t *self, enum mode mode, struct node *list);");
    expect_contains(buf, "struct sample {");
    expect_contains(buf, "enum mode {");
    char *node = strstr(buf, "struct node {");
    cr_expect_not_null(node);
    cr_expect_null(node ? strstr(node + 1, "struct node {") : NULL, "struct node shown once");
    free(buf);
    ag_corpus_free(c);
}

Test(show, summary_without_debug_info)
{
    ag_corpus *c = build_sample(false);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    ag_error err = { "" };
    cr_assert_eq(ag_show_summary(c, out, &err), AG_OK, "%s", err.msg);
    fclose(out);
    expect_contains(buf, "debug info:   none (types unknown)");
    expect_contains(buf, "exports:      2 (func 1, object 1)");
    expect_contains(buf, "sample_process@@SAMPLE_1.0");
    free(buf);
    ag_corpus_free(c);
}
