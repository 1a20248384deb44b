/*
 * test_json_scan.c — the pull scanner (json_scan.c) on its own, checked
 * against jansson, which it must agree with on what is JSON; and the two
 * corpus readers of corpus_json.c (the fast one built on the scanner, the
 * jansson tree one that explains failures) on damaged corpora: they must
 * accept the same documents and build the same corpus.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "corpus_json.h"
#include "json_scan.h"

/* corpus_json.c's two readers, exported for this test only. */
ag_status ag_corpus_from_json_fast(const char *text, size_t len, ag_corpus **out, ag_error *err);
ag_status ag_corpus_from_json_tree(const char *text, size_t len, ag_corpus **out, ag_error *err);

/* ------------------------------------------------------------------ */
/* Scanner                                                             */

static bool scan_string(const char *json, char *out, size_t cap)
{
    js_scanner s;
    js_str v;
    js_init(&s, json, strlen(json));
    bool ok = js_string(&s, &v) && js_finish(&s);
    if (ok) {
        cr_assert_lt(v.len, cap);
        memcpy(out, v.ptr, v.len);
        out[v.len] = '\0';
    }
    js_release(&s);
    return ok;
}

Test(json_scan, strings_decode_escapes_and_utf8)
{
    char buf[64];
    cr_assert(scan_string("\"plain\"", buf, sizeof buf));
    cr_expect_str_eq(buf, "plain");
    cr_assert(scan_string("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", buf, sizeof buf));
    cr_expect_str_eq(buf, "a\"b\\c/d\b\f\n\r\t");
    cr_assert(scan_string("\"\\u0041\\u00e9\\u00E9\\u20ac\\ud83d\\ude00\"", buf, sizeof buf));
    cr_expect_str_eq(buf, "A\xc3\xa9\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    cr_assert(scan_string("\"caf\xc3\xa9 \xf0\x9f\x98\x80\x7f\"", buf, sizeof buf));
    cr_expect_str_eq(buf, "caf\xc3\xa9 \xf0\x9f\x98\x80\x7f");
}

Test(json_scan, strings_rejected_like_jansson)
{
    char buf[64];
    const char *bad[] = {
        "\"\\u0000\"",         /* NUL */
        "\"\\ud83d\"",         /* lone high surrogate */
        "\"\\ude00\"",         /* lone low surrogate */
        "\"\\ud83d\\u0041\"",  /* high surrogate + non-surrogate */
        "\"\\x\"",             /* unknown escape */
        "\"\\u12\"",           /* short \u */
        "\"tab\there\"",       /* control character */
        "\"\xc0\xaf\"",        /* overlong */
        "\"\xed\xa0\x80\"",    /* UTF-8 encoded surrogate */
        "\"\xf5\x80\x80\x80\"",/* beyond U+10FFFF */
        "\"\xc3\"",            /* truncated sequence */
        "\"\x80\"",            /* stray continuation byte */
        "\"unterminated",
        "\"esc at end\\",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_not(scan_string(bad[i], buf, sizeof buf), "accepted %s", bad[i]);
}

static bool scan_int(const char *json, int64_t *v)
{
    js_scanner s;
    js_init(&s, json, strlen(json));
    bool ok = js_int64(&s, v) && js_finish(&s);
    js_release(&s);
    return ok;
}

Test(json_scan, integers)
{
    int64_t v;
    cr_assert(scan_int("0", &v));
    cr_expect_eq(v, 0);
    cr_assert(scan_int("-0", &v));
    cr_expect_eq(v, 0);
    cr_assert(scan_int("9223372036854775807", &v));
    cr_expect_eq(v, INT64_MAX);
    cr_assert(scan_int("-9223372036854775808", &v));
    cr_expect_eq(v, INT64_MIN);
    const char *bad[] = { "9223372036854775808", "-9223372036854775809", "99999999999999999999",
                          "01", "-", "1.0", "1e3", "1.", ".5", "+1", "1x" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_not(scan_int(bad[i], &v), "accepted %s", bad[i]);
}

Test(json_scan, keys_unknown_and_duplicate)
{
    static const char *const names[] = { "a", "bb", "c" };
    const char *json = "{\"bb\": 1, \"a\": 2, \"bb\": 3}";
    js_scanner s;
    js_init(&s, json, strlen(json));
    uint32_t seen = 0;
    size_t count = 0;
    js_str key;
    int64_t v;
    cr_assert(js_object_begin(&s));
    cr_assert(js_object_next(&s, &count, &key));
    cr_expect_eq(js_key_lookup(&s, key, names, 3, &seen), 1);
    cr_assert(js_int64(&s, &v));
    cr_assert(js_object_next(&s, &count, &key));
    cr_expect_eq(js_key_lookup(&s, key, names, 3, &seen), 0);
    cr_assert(js_int64(&s, &v));
    cr_assert(js_object_next(&s, &count, &key));
    cr_expect_eq(js_key_lookup(&s, key, names, 3, &seen), -1);
    cr_expect_str_eq(js_error(&s), "duplicate object key");
    js_release(&s);

    js_init(&s, "{\"b\": 1}", 8);
    seen = 0;
    count = 0;
    cr_assert(js_object_begin(&s) && js_object_next(&s, &count, &key));
    cr_expect_eq(js_key_lookup(&s, key, names, 3, &seen), -1);
    cr_expect_str_eq(js_error(&s), "unknown key");
    js_release(&s);
}

Test(json_scan, error_location_is_line_and_character_column)
{
    const char *json = "{\n \"\xc3\xa9\": ]\n}";
    js_scanner s;
    js_init(&s, json, strlen(json));
    cr_assert_not(js_skip(&s));
    int line, column;
    js_error_location(&s, &line, &column);
    cr_expect_eq(line, 2);
    cr_expect_eq(column, 6); /* " é": ]  — the ']' is the 6th character */
    js_release(&s);
}

/* The scanner accepts a document (top-level object or array, as
   json_loadb requires) exactly when jansson does. */
static void expect_same_as_jansson(const char *text, size_t len)
{
    json_error_t jerr;
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    /* Duplicate keys are the scanner's caller's business: take them out of
       the comparison by asking jansson without the flag too. */
    json_t *j_dups = j ? NULL : json_loadb(text, len, 0, &jerr);
    js_scanner s;
    js_init(&s, text, len);
    js_type t = js_peek(&s);
    bool ok = (t == JS_OBJECT || t == JS_ARRAY) && js_skip(&s) && js_finish(&s);
    cr_expect_eq(ok, j != NULL || j_dups != NULL, "scanner %s, jansson %s: %.*s", ok ? "accepts" : "rejects",
                 j || j_dups ? "accepts" : "rejects", (int)(len > 200 ? 200 : len), text);
    js_release(&s);
    json_decref(j);
    json_decref(j_dups);
}

Test(json_scan, agrees_with_jansson_on_small_documents)
{
    const char *docs[] = {
        "{}", "[]", " [ ] ", "{\"a\":[1,-2,3.5e-3,true,false,null,{\"b\":\"c\"}]}", "[1,]", "[,1]",
        "{\"a\" 1}", "{\"a\":1,}", "{1:2}", "[1 2]", "[tru]", "[truex]", "[nul]", "[1e999]",
        "[-1e999]", "[1e-999]", "[0.0]", "[-0]", "[00]", "[\"\\u0000\"]", "{} x", "{}{}", "",
        "   ", "1", "\"s\"", "[\"a\"]\n", "[\x01]", "\xef\xbb\xbf[]", "[1]\x00", "[\"\xe2\x82\xac\"]",
        "[\"\xe2\x82\"]", "{\"\\u00e9\":1}", "[9223372036854775807]", "[9223372036854775808]",
        "[-9223372036854775808]", "[1.5E+10]", "[1.5e]", "[1.e5]", "[.5]", "[-]", "[\"\\/\"]",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        expect_same_as_jansson(docs[i], strlen(docs[i]));
    /* nesting: jansson's limit is 2048 values deep */
    for (int depth = 2046; depth <= 2050; depth++) {
        char *deep = malloc(2 * (size_t)depth + 2);
        memset(deep, '[', depth);
        deep[depth] = '1';
        memset(deep + depth + 1, ']', depth);
        expect_same_as_jansson(deep, 2 * (size_t)depth + 1);
        memmove(deep + depth, deep + depth + 1, depth);  /* no scalar inside */
        expect_same_as_jansson(deep, 2 * (size_t)depth);
        free(deep);
    }
}

/* ------------------------------------------------------------------ */
/* The two corpus readers                                              */

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    cr_assert_not_null(d);
    return d;
}

/* A small corpus with every kind of field: struct with members, enum with
   a huge unsigned value, array with an unknown bound, function type. */
static char *sample_json(void)
{
    ag_corpus *c = ag_corpus_new();
    c->elf.file_name = xstrdup("libs.so.1");
    c->elf.soname = xstrdup("libs.so.1");
    c->elf.elf_type = xstrdup("dyn");
    c->elf.machine = xstrdup("x86_64");
    c->elf.byte_order = xstrdup("little");
    c->elf.elf_class = 64;
    c->elf.needed = calloc(1, sizeof(char *));
    c->elf.needed[0] = xstrdup("libc.so.6");
    c->elf.n_needed = 1;
    c->has_debug_info = true;
    c->debug_source = xstrdup("embedded");
    c->dwarf_version = 5;
    c->exports = calloc(1, sizeof *c->exports);
    c->exports[0] = (ag_symbol){ .name = xstrdup("s_run"), .version = xstrdup("S_1"), .is_default = true,
                                 .type = AG_SYM_FUNC, .size = 12 };
    c->n_exports = 1;
    c->imports = calloc(1, sizeof *c->imports);
    c->imports[0] = (ag_symbol){ .name = xstrdup("free"), .version = xstrdup("GLIBC_2.2.5"),
                                 .version_file = xstrdup("libc.so.6"), .type = AG_SYM_FUNC };
    c->n_imports = 1;
    c->skipped = calloc(1, sizeof *c->skipped);
    c->skipped[0] = (ag_skip_count){ xstrdup("DW_TAG_x"), 3 };
    c->n_skipped = 1;

    ag_type_ref t_void = ag_corpus_void_type(c);
    ag_type_ref t_int = ag_corpus_add_type(c, AG_T_BASE);
    c->types[t_int].name = xstrdup("int");
    c->types[t_int].byte_size = 4;
    c->types[t_int].encoding = AG_ENC_SIGNED;
    ag_type_ref t_arr = ag_corpus_add_type(c, AG_T_ARRAY);
    c->types[t_arr].target = t_int;
    c->types[t_arr].dims = calloc(1, sizeof(uint64_t));
    c->types[t_arr].dims[0] = AG_DIM_UNKNOWN;
    c->types[t_arr].n_dims = 1;
    ag_type_ref t_enum = ag_corpus_add_type(c, AG_T_ENUM);
    c->types[t_enum].name = xstrdup("mode");
    c->types[t_enum].byte_size = 8;
    c->types[t_enum].enumerators = calloc(2, sizeof(ag_enumerator));
    c->types[t_enum].enumerators[0] = (ag_enumerator){ xstrdup("NEG"), -1, false };
    c->types[t_enum].enumerators[1] = (ag_enumerator){ xstrdup("HUGE"), (int64_t)UINT64_MAX, true };
    c->types[t_enum].n_enumerators = 2;
    ag_type_ref t_fn = ag_corpus_add_type(c, AG_T_FUNC);
    c->types[t_fn].target = t_void;
    c->types[t_fn].prototyped = true;
    c->types[t_fn].params = calloc(1, sizeof(ag_param));
    c->types[t_fn].params[0] = (ag_param){ NULL, t_int };
    c->types[t_fn].n_params = 1;
    ag_type_ref t_pfn = ag_corpus_add_type(c, AG_T_POINTER);
    c->types[t_pfn].target = t_fn;
    c->types[t_pfn].byte_size = 8;
    ag_type_ref t_s = ag_corpus_add_type(c, AG_T_STRUCT);
    c->types[t_s].name = xstrdup("s");
    c->types[t_s].byte_size = 16;
    c->types[t_s].decl_file = xstrdup("s.h");
    c->types[t_s].decl_line = 3;
    c->types[t_s].members = calloc(4, sizeof(ag_member));
    c->types[t_s].members[0] = (ag_member){ xstrdup("m"), t_enum, 0, 0, 0 };
    c->types[t_s].members[1] = (ag_member){ xstrdup("f"), t_int, 64, 3, 0 };
    c->types[t_s].members[2] = (ag_member){ NULL, t_pfn, 128, 0, 8 };
    c->types[t_s].members[3] = (ag_member){ xstrdup("tail"), t_arr, 192, 0, 0 };
    c->types[t_s].n_members = 4;
    ag_type_ref t_ps = ag_corpus_add_type(c, AG_T_POINTER);
    c->types[t_ps].target = t_s;
    c->types[t_ps].byte_size = 8;

    c->functions = calloc(1, sizeof *c->functions);
    c->functions[0] = (ag_function){ .name = xstrdup("s_run"), .return_type = t_int, .prototyped = true,
                                     .decl_file = xstrdup("s.h"), .decl_line = 9, .calling_convention = 1 };
    c->functions[0].params = calloc(1, sizeof(ag_param));
    c->functions[0].params[0] = (ag_param){ xstrdup("self"), t_ps };
    c->functions[0].n_params = 1;
    c->n_functions = 1;
    c->variables = calloc(1, sizeof *c->variables);
    c->variables[0] = (ag_variable){ xstrdup("s_mode"), t_enum, NULL, 0, false };
    c->n_variables = 1;
    /* The recorded public surface: s.h is public, and so is an enum no
       signature reaches (kept as a root). */
    c->surface.recorded = true;
    c->surface.public_headers = calloc(2, sizeof(char *));
    c->surface.public_headers[0] = xstrdup("s.h");
    c->surface.public_headers[1] = xstrdup("sub/t.h");
    c->surface.n_public_headers = 2;
    c->types[t_s].is_public = true;
    ag_type_ref t_flags = ag_corpus_add_type(c, AG_T_ENUM);
    c->types[t_flags].name = xstrdup("s_flags");
    c->types[t_flags].byte_size = 4;
    c->types[t_flags].decl_file = xstrdup("s.h");
    c->types[t_flags].is_public = true;
    c->types[t_flags].enumerators = calloc(1, sizeof(ag_enumerator));
    c->types[t_flags].enumerators[0] = (ag_enumerator){ xstrdup("S_FLAG"), 4, false };
    c->types[t_flags].n_enumerators = 1;

    ag_error err = { "" };
    cr_assert_eq(ag_corpus_finalize(c, &err), AG_OK, "%s", err.msg);
    char *text = ag_corpus_to_json(c, &err);
    cr_assert_not_null(text, "%s", err.msg);
    ag_corpus_free(c);
    return text;
}

/* Both readers accept text or both reject it; when they accept, they build
   the same corpus (as far as the lossless writer can tell), and the public
   entry point answers exactly as the tree reader, message included. */
static void expect_readers_agree(const char *text, size_t len, int *accepted)
{
    ag_corpus *a = NULL, *b = NULL, *c = NULL;
    ag_error ea = { "" }, eb = { "" }, ec = { "" };
    ag_status sa = ag_corpus_from_json_fast(text, len, &a, &ea);
    ag_status sb = ag_corpus_from_json_tree(text, len, &b, &eb);
    ag_status sc = ag_corpus_from_json(text, len, &c, &ec);
    cr_expect_eq(sa == AG_OK, sb == AG_OK, "fast: %s / tree: %s", ea.msg, eb.msg);
    cr_expect_eq(sc, sb);
    cr_expect_str_eq(ec.msg, eb.msg);
    if (sa == AG_OK && sb == AG_OK) {
        char *ja = ag_corpus_to_json(a, &ea), *jb = ag_corpus_to_json(b, &eb);
        cr_expect_str_eq(ja, jb);
        free(ja);
        free(jb);
        ++*accepted;
    }
    ag_corpus_free(a);
    ag_corpus_free(b);
    ag_corpus_free(c);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* A deep copy of j whose objects list their keys in reverse order. */
static json_t *reverse_keys(json_t *j)
{
    if (json_is_array(j)) {
        json_t *a = json_array();
        for (size_t i = 0; i < json_array_size(j); i++)
            json_array_append_new(a, reverse_keys(json_array_get(j, i)));
        return a;
    }
    if (!json_is_object(j))
        return json_incref(j);
    const char *keys[64];
    size_t n = 0;
    const char *key;
    json_t *val;
    json_object_foreach(j, key, val) {
        cr_assert_lt(n, 64);
        keys[n++] = key;
    }
    json_t *o = json_object();
    while (n > 0) {
        n--;
        json_object_set_new(o, keys[n], reverse_keys(json_object_get(j, keys[n])));
    }
    return o;
}

Test(corpus_readers, agree_on_the_sample_and_reordered_keys)
{
    char *text = sample_json();
    int accepted = 0;
    expect_readers_agree(text, strlen(text), &accepted);
    cr_expect_eq(accepted, 1);
    /* the same document with every object's keys in reverse order */
    json_t *root = json_loads(text, 0, NULL);
    cr_assert_not_null(root);
    json_t *rev = reverse_keys(root);
    json_decref(root);
    char *reversed = json_dumps(rev, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(rev);
    cr_assert_not_null(strstr(reversed, "{\"variables\":"), "%.80s", reversed);
    cr_assert_not_null(reversed);
    expect_readers_agree(reversed, strlen(reversed), &accepted);
    cr_expect_eq(accepted, 2);
    free(reversed);
    free(text);
}

Test(corpus_readers, agree_on_damaged_corpora)
{
    char *text = sample_json();
    size_t n = strlen(text);
    char *t = malloc(2 * n + 1);
    static const char interesting[] = "\"\\{}[],:0-1.eE un\n\x80\xc3";
    int accepted = 0;
    for (int i = 0; i < 150; i++) /* truncations */
        expect_readers_agree(text, rnd() % n, &accepted);
    for (int i = 0; i < 600; i++) { /* one byte replaced */
        memcpy(t, text, n);
        t[rnd() % n] = (rnd() & 1) ? interesting[rnd() % (sizeof interesting - 1)] : (char)rnd();
        expect_readers_agree(t, n, &accepted);
    }
    for (int i = 0; i < 300; i++) { /* a line duplicated, deleted, or swapped with the next */
        size_t lines[1024], nl = 0;
        lines[nl++] = 0;
        for (size_t k = 0; k < n && nl < 1024; k++)
            if (text[k] == '\n')
                lines[nl++] = k + 1;
        size_t l = rnd() % (nl - 2), a = lines[l], b = lines[l + 1], c = lines[l + 2], m;
        memcpy(t, text, a);
        m = a;
        if (i % 3 == 0) {
            memcpy(t + m, text + a, b - a);
            m += b - a;
            memcpy(t + m, text + a, n - a);
            m += n - a;
        } else if (i % 3 == 1) {
            memcpy(t + m, text + b, n - b);
            m += n - b;
        } else {
            memcpy(t + m, text + b, c - b);
            m += c - b;
            memcpy(t + m, text + a, b - a);
            m += b - a;
            memcpy(t + m, text + c, n - c);
            m += n - c;
        }
        expect_readers_agree(t, m, &accepted);
    }
    cr_expect_gt(accepted, 0, "some damage (a swap of two keys, say) keeps the corpus valid");
    free(t);
    free(text);
}
