/*
 * test_reports.c — the diff report writers (report_*.c) on a diff built by
 * hand: the text summary line and layout, the JSON schema read back with
 * jansson, the Markdown comment's verdict words, JUnit XML that is well
 * formed and fails exactly the impacted interfaces, and SARIF 2.1.0 with
 * rule ids and declaration lines.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "corpus.h"
#include "diff.h"
#include "report.h"
#include "suppress.h"

/* ------------------------------------------------------------------ */
/* A diff and an old corpus built by hand                              */

static char *xstrdup(const char *s)
{
    char *d = s ? strdup(s) : NULL;
    cr_assert(!s || d);
    return d;
}

static ag_change *add_change(ag_diff *d, ag_change_kind kind, ag_verdict v, const char *subject,
                             const char *detail)
{
    d->changes = realloc(d->changes, (d->n_changes + 1) * sizeof *d->changes);
    cr_assert_not_null(d->changes);
    ag_change *c = &d->changes[d->n_changes++];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->verdict = v;
    c->subject = xstrdup(subject);
    c->detail = xstrdup(detail);
    return c;
}

static void add_impact(ag_change *c, const char *interface, const char *path)
{
    c->impacts = realloc(c->impacts, (c->n_impacts + 1) * sizeof *c->impacts);
    cr_assert_not_null(c->impacts);
    c->impacts[c->n_impacts].interface = xstrdup(interface);
    c->impacts[c->n_impacts].path = xstrdup(path);
    c->n_impacts++;
}

static void add_fn_impact(ag_change *c, const char *fn, const char *rest)
{
    char path[256];
    snprintf(path, sizeof path, "%s() %s", fn, rest);
    add_impact(c, fn, path);
}

/* 4 breaking (one an upcall, one without impacts, one removal), 1
   api-break, 1 risky reaching 12 interfaces, 1 compatible, 1 harmless and
   1 suppressed compatible change; sorted as the diff sorts them. */
static ag_diff *sample_diff(void)
{
    ag_diff *d = calloc(1, sizeof *d);
    cr_assert_not_null(d);
    ag_change *c = add_change(d, AG_CK_MEMBER_OFFSET_CHANGED, AG_VERDICT_BREAKING, "struct ctx::p",
                              "member 'p' moved from offset 8 to 16");
    c->old_value = xstrdup("8");
    c->new_value = xstrdup("16");
    c->decl_file = xstrdup("include/ctx.h");
    c->decl_line = 12;
    add_fn_impact(c, "ctx_init", "param 1 -> struct ctx -> member p");
    add_fn_impact(c, "ctx_get", "return -> struct ctx -> member p");
    c = add_change(d, AG_CK_CALLBACK_SIGNATURE_CHANGED, AG_VERDICT_BREAKING, "ctx_cb",
                   "callback gained a parameter");
    c->upcall = true;
    c->decl_file = xstrdup("include/ctx.h");
    c->decl_line = 30;
    add_fn_impact(c, "ctx_set_cb", "param 2 -> ctx_cb");
    add_change(d, AG_CK_FN_REMOVED, AG_VERDICT_BREAKING, "old_fn()", NULL);
    c = add_change(d, AG_CK_SONAME_CHANGED, AG_VERDICT_BREAKING, "SONAME", NULL);
    c->old_value = xstrdup("libctx.so.1");
    c->new_value = xstrdup("libctx.so.2");
    c = add_change(d, AG_CK_MEMBER_RENAMED, AG_VERDICT_API_BREAK, "struct opts::flags",
                   "member 'flags' renamed to 'mode_flags'");
    add_fn_impact(c, "ctx_init", "param 2 -> struct opts -> member flags");
    c = add_change(d, AG_CK_TYPE_SIZE_CHANGED, AG_VERDICT_RISKY, "struct big", "size 64 -> 72 bytes");
    for (int i = 0; i < 12; i++) {
        char fn[16];
        snprintf(fn, sizeof fn, "f%02d", i);
        add_fn_impact(c, fn, "param 1 -> struct holder -> member big -> struct big");
    }
    add_fn_impact(c, "g_direct", "param 1 -> struct big");
    add_change(d, AG_CK_FN_ADDED, AG_VERDICT_COMPATIBLE, "new_fn()", NULL);
    c = add_change(d, AG_CK_ENUMERATOR_ADDED_AT_END, AG_VERDICT_COMPATIBLE, "enum mode::MODE_C",
                   "enumerator MODE_C = 3 added");
    c->suppressed = true;
    add_fn_impact(c, "ctx_set_mode", "param 2 -> enum mode");
    c = add_change(d, AG_CK_FN_PARAM_RENAMED, AG_VERDICT_HARMLESS, "ctx_get()",
                   "parameter 1 renamed from 'c' to 'ctx'");
    add_fn_impact(c, "ctx_get", "param 1");
    d->functions_removed = 1;
    d->functions_added = 1;
    d->functions_changed = 3;
    ag_diff_apply_suppressions(d, NULL, 0); /* recount, keeping the mark */
    return d;
}

static void add_export(ag_corpus *c, const char *name, ag_sym_type type)
{
    c->exports = realloc(c->exports, (c->n_exports + 1) * sizeof *c->exports);
    cr_assert_not_null(c->exports);
    ag_symbol *s = &c->exports[c->n_exports++];
    memset(s, 0, sizeof *s);
    s->name = xstrdup(name);
    s->type = type;
    s->is_default = true;
}

static const char *const sample_functions[] = {
    "ctx_get", "ctx_init", "ctx_set_cb", "ctx_set_mode", "old_fn",
};

static ag_corpus *sample_old_corpus(void)
{
    ag_corpus *c = ag_corpus_new();
    cr_assert_not_null(c);
    for (size_t i = 0; i < sizeof sample_functions / sizeof sample_functions[0]; i++)
        add_export(c, sample_functions[i], AG_SYM_FUNC);
    for (int i = 0; i < 12; i++) {
        char fn[16];
        snprintf(fn, sizeof fn, "f%02d", i);
        add_export(c, fn, AG_SYM_FUNC);
    }
    add_export(c, "global_ctx", AG_SYM_OBJECT);
    add_export(c, "_init", AG_SYM_NOTYPE); /* not an interface */
    return c;
}

/* Runs one writer into a string (free it). */
static char *render(const ag_diff *d, const ag_report_context *ctx, ag_report_format fmt)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    ag_error err = { .msg = "" };
    ag_status st = ag_report_write(d, ctx, fmt, f, &err);
    fclose(f);
    cr_assert_eq(st, AG_OK, "%s: %s", ag_report_format_name(fmt), err.msg);
    return buf;
}

static ag_report_context sample_ctx(const ag_corpus *old_c)
{
    ag_report_context ctx = {
        .old_label = "v1.json", .new_label = "v2.json", .old_c = old_c,
        .fail_on = AG_VERDICT_BREAKING,
    };
    return ctx;
}

/* ------------------------------------------------------------------ */
/* Formats by name                                                     */

Test(reports, format_names)
{
    cr_expect_eq(ag_report_format_from_name("text"), AG_FMT_TEXT);
    cr_expect_eq(ag_report_format_from_name("json"), AG_FMT_JSON);
    cr_expect_eq(ag_report_format_from_name("markdown"), AG_FMT_MARKDOWN);
    cr_expect_eq(ag_report_format_from_name("junit"), AG_FMT_JUNIT);
    cr_expect_eq(ag_report_format_from_name("sarif"), AG_FMT_SARIF);
    cr_expect_eq(ag_report_format_from_name("xml"), -1);
    cr_expect_eq(ag_report_format_from_name(NULL), -1);
}

Test(reports, unknown_format_is_usage_error)
{
    ag_diff d = { 0 };
    ag_error err = { .msg = "" };
    cr_expect_eq(ag_report_write(&d, NULL, (ag_report_format)42, stdout, &err), AG_ERR_USAGE);
}

/* ------------------------------------------------------------------ */
/* Text                                                                */

Test(reports, text_summary_and_groups)
{
    ag_diff *d = sample_diff();
    ag_report_context ctx = sample_ctx(NULL);
    char *out = render(d, &ctx, AG_FMT_TEXT);
    const char *first = "ABI diff v1.json -> v2.json: verdict BREAKING \u2014 4 breaking, 1 api-break, "
                        "1 risky, 1 compatible, 1 harmless (1 suppressed)\n";
    cr_assert_eq(strncmp(out, first, strlen(first)), 0, "got:\n%s", out);
    cr_expect_not_null(strstr(out, "functions: 1 removed, 1 added, 3 changed\n"));
    cr_expect_not_null(strstr(out, "variables: 0 removed, 0 added, 0 changed\n"));
    cr_expect_not_null(strstr(out, "[breaking] struct-member-offset-changed  struct ctx::p\n"
                                   "  why: "));
    cr_expect_not_null(strstr(out, "  detail: member 'p' moved from offset 8 to 16\n"
                                   "  old: 8  new: 16\n"
                                   "  impacted interfaces (2):\n"
                                   "    ctx_init() param 1 -> struct ctx -> member p\n"));
    cr_expect_not_null(strstr(out, "[breaking] callback-signature-changed  ctx_cb  [upcall surface]\n"));
    /* at most 10 paths, then a count; but a direct path is never hidden */
    cr_expect_not_null(strstr(out, "    f09() param 1 -> struct holder -> member big -> struct big\n"
                                   "    g_direct() param 1 -> struct big\n    ... and 2 more\n"), "got:\n%s", out);
    cr_expect_null(strstr(out, "f10()"));
    /* most severe group first */
    char *breaking = strstr(out, "== breaking (4) ==");
    char *api = strstr(out, "== api-break (1) ==");
    char *harmless = strstr(out, "== harmless (1) ==");
    cr_assert(breaking && api && harmless);
    cr_expect(breaking < api && api < harmless);
    /* the suppressed change is counted, not listed */
    cr_expect_null(strstr(out, "MODE_C"));
    cr_expect_not_null(strstr(out, "1 suppressed change not listed\n"));
    free(out);
    ag_diff_free(d);
}

Test(reports, text_shows_suppressed_on_request)
{
    ag_diff *d = sample_diff();
    ag_report_context ctx = sample_ctx(NULL);
    ctx.show_suppressed = true;
    char *out = render(d, &ctx, AG_FMT_TEXT);
    cr_expect_not_null(strstr(out, "== suppressed (1) =="));
    cr_expect_not_null(strstr(out, "[compatible, suppressed] enum-value-added-at-end  enum mode::MODE_C\n"));
    free(out);
    ag_diff_free(d);
}

Test(reports, text_no_change)
{
    ag_diff d = { 0 };
    ag_report_context ctx = { .old_label = "a.json", .new_label = "b.json" };
    char *out = render(&d, &ctx, AG_FMT_TEXT);
    cr_expect_str_eq(out, "ABI diff a.json -> b.json: no ABI change\n"
                          "functions: 0 removed, 0 added, 0 changed\n"
                          "variables: 0 removed, 0 added, 0 changed\n"
                          "public surface: types unknown (no debug info)\n");
    free(out);
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

static json_t *parse_json(const char *text)
{
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    cr_assert_not_null(root, "invalid JSON: %s (line %d)", jerr.text, jerr.line);
    return root;
}

static json_int_t jint(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    cr_assert(json_is_integer(v), "%s is not an integer", key);
    return json_integer_value(v);
}

static const char *jstr(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    cr_assert(json_is_string(v), "%s is not a string", key);
    return json_string_value(v);
}

Test(reports, json_schema)
{
    ag_diff *d = sample_diff();
    ag_report_context ctx = sample_ctx(NULL);
    char *out = render(d, &ctx, AG_FMT_JSON);
    json_t *root = parse_json(out);
    cr_expect_str_eq(jstr(root, "format"), "abiguard-diff/1");
    cr_expect_str_eq(jstr(root, "old"), "v1.json");
    cr_expect_str_eq(jstr(root, "new"), "v2.json");
    cr_expect_str_eq(jstr(root, "verdict"), "breaking");
    json_t *counts = json_object_get(root, "counts");
    cr_expect_eq(jint(counts, "breaking"), 4);
    cr_expect_eq(jint(counts, "api-break"), 1);
    cr_expect_eq(jint(counts, "risky"), 1);
    cr_expect_eq(jint(counts, "compatible"), 1);
    cr_expect_eq(jint(counts, "harmless"), 1);
    cr_expect_eq(jint(root, "suppressed"), 1);
    cr_expect_eq(jint(json_object_get(root, "interfaces"), "functions_changed"), 3);

    json_t *changes = json_object_get(root, "changes");
    cr_assert_eq(json_array_size(changes), d->n_changes, "every change, suppressed included");
    json_t *first = json_array_get(changes, 0);
    cr_expect_str_eq(jstr(first, "id"), "struct-member-offset-changed");
    cr_expect_str_eq(jstr(first, "verdict"), "breaking");
    cr_expect_str_eq(jstr(first, "area"), "types");
    cr_expect_str_eq(jstr(first, "subject"), "struct ctx::p");
    cr_expect_str_eq(jstr(first, "old"), "8");
    cr_expect_str_eq(jstr(first, "new"), "16");
    cr_expect_gt(strlen(jstr(first, "why")), 10);
    cr_expect(json_is_false(json_object_get(first, "upcall")));
    json_t *loc = json_object_get(first, "location");
    cr_expect_str_eq(jstr(loc, "file"), "include/ctx.h");
    cr_expect_eq(jint(loc, "line"), 12);
    json_t *impacted = json_object_get(first, "impacted");
    cr_assert_eq(json_array_size(impacted), 2);
    cr_expect_str_eq(jstr(json_array_get(impacted, 0), "interface"), "ctx_init");
    cr_expect_str_eq(jstr(json_array_get(impacted, 0), "path"), "ctx_init() param 1 -> struct ctx -> member p");

    json_t *cb = json_array_get(changes, 1);
    cr_expect_str_eq(jstr(cb, "id"), "callback-signature-changed");
    cr_expect(json_is_true(json_object_get(cb, "upcall")));
    json_t *removed = json_array_get(changes, 2);
    cr_expect(json_is_null(json_object_get(removed, "location")));
    cr_expect(json_is_null(json_object_get(removed, "detail")));
    cr_expect_eq(json_array_size(json_object_get(removed, "impacted")), 0);
    json_t *suppressed = json_array_get(changes, 7);
    cr_expect_str_eq(jstr(suppressed, "id"), "enum-value-added-at-end");
    cr_expect(json_is_true(json_object_get(suppressed, "suppressed")));
    json_decref(root);
    free(out);
    ag_diff_free(d);
}

Test(reports, json_is_deterministic_and_sorted)
{
    ag_diff *d = sample_diff();
    ag_report_context ctx = sample_ctx(NULL);
    char *a = render(d, &ctx, AG_FMT_JSON);
    char *b = render(d, &ctx, AG_FMT_JSON);
    cr_expect_str_eq(a, b);
    /* keys sorted: "changes" comes before "counts", "format" before "interfaces" */
    cr_expect_lt(strstr(a, "\"changes\""), strstr(a, "\"counts\""));
    cr_expect_eq(a[strlen(a) - 1], '\n');
    free(a);
    free(b);
    ag_diff_free(d);
}

Test(reports, json_survives_invalid_utf8)
{
    ag_diff d = { 0 };
    ag_change *c = add_change(&d, AG_CK_FN_REMOVED, AG_VERDICT_BREAKING, "bad\xff" "name()", NULL);
    (void)c;
    ag_diff_apply_suppressions(&d, NULL, 0);
    ag_report_context ctx = { 0 };
    char *out = render(&d, &ctx, AG_FMT_JSON);
    json_t *root = parse_json(out);
    json_t *ch = json_array_get(json_object_get(root, "changes"), 0);
    cr_expect_str_eq(jstr(ch, "subject"), "bad?name()");
    json_decref(root);
    free(out);
    free(d.changes[0].subject);
    free(d.changes);
}

/* ------------------------------------------------------------------ */
/* Markdown                                                            */

Test(reports, markdown_comment)
{
    ag_diff *d = sample_diff();
    ag_report_context ctx = sample_ctx(NULL);
    char *out = render(d, &ctx, AG_FMT_MARKDOWN);
    cr_expect_eq(strncmp(out, "## \U0001F7E5 ABI check: breaking\n", strlen("## \U0001F7E5 ABI check: breaking\n")), 0,
                 "got:\n%s", out);
    /* every verdict word is there next to its icon */
    cr_expect_not_null(strstr(out, "| \U0001F7E5 breaking | 4 |"));
    cr_expect_not_null(strstr(out, "| \U0001F7E7 api-break | 1 |"));
    cr_expect_not_null(strstr(out, "| \U0001F7E8 risky | 1 |"));
    cr_expect_not_null(strstr(out, "| \U0001F7E9 compatible | 1 |"));
    cr_expect_not_null(strstr(out, "| \u2B1C harmless | 1 |"));
    cr_expect_not_null(strstr(out, "| suppressed | 1 |"));
    cr_expect_not_null(strstr(out, "### \U0001F7E5 breaking (4)"));
    cr_expect_not_null(strstr(out, "| kind | subject | detail | impacted interfaces |"));
    cr_expect_not_null(strstr(out, "| `struct-member-offset-changed` | `struct ctx::p` | member 'p' moved from offset 8 to 16 | `ctx_init`, `ctx_get` |"));
    cr_expect_not_null(strstr(out, "`ctx_cb` *(upcall surface)*"));
    cr_expect_not_null(strstr(out, "<details><summary>13 interfaces</summary>"));
    cr_expect_not_null(strstr(out, "`libctx.so.1` \u2192 `libctx.so.2`"));
    cr_expect_null(strstr(out, "MODE\\_C"));
    cr_expect_not_null(strstr(out, "_1 suppressed change not listed._"));
    cr_expect_not_null(strstr(out, "abiguard"));
    cr_expect_not_null(strstr(out, "fails on breaking"));
    free(out);
    ag_diff_free(d);
}

Test(reports, markdown_escapes_table_cells)
{
    ag_diff d = { 0 };
    add_change(&d, AG_CK_FN_PARAM_RENAMED, AG_VERDICT_HARMLESS, "f|g()", "a | b <script> *x*");
    ag_diff_apply_suppressions(&d, NULL, 0);
    ag_report_context ctx = { 0 };
    char *out = render(&d, &ctx, AG_FMT_MARKDOWN);
    cr_expect_not_null(strstr(out, "`f\\|g()`"));
    cr_expect_not_null(strstr(out, "a \\| b &lt;script&gt; \\*x\\*"));
    cr_expect_not_null(strstr(out, "## \u2B1C ABI check: harmless"));
    free(out);
    free(d.changes[0].subject);
    free(d.changes[0].detail);
    free(d.changes);
}

Test(reports, markdown_no_change)
{
    ag_diff d = { 0 };
    ag_report_context ctx = { 0 };
    char *out = render(&d, &ctx, AG_FMT_MARKDOWN);
    cr_expect_not_null(strstr(out, "ABI check: no ABI change"));
    free(out);
}

/* ------------------------------------------------------------------ */
/* JUnit                                                               */

/* Test case name -> whether it failed, read from the XML we wrote. */
static int junit_case(const char *xml, const char *name)
{
    char needle[128];
    snprintf(needle, sizeof needle, "name=\"%s\"", name);
    const char *at = strstr(xml, needle);
    if (!at)
        return -1;
    const char *tag_end = strchr(at, '>');
    cr_assert_not_null(tag_end);
    if (tag_end[-1] == '/')
        return 0;
    const char *close = strstr(tag_end, "</testcase>");
    cr_assert_not_null(close);
    const char *failure = strstr(tag_end, "<failure");
    return failure && failure < close;
}

static void expect_well_formed(const char *xml)
{
    if (system("command -v xmllint >/dev/null 2>&1") != 0)
        return; /* libxml2-utils not installed: skip this check */
    char path[] = "/tmp/ag-junit-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, xml, strlen(xml)), (ssize_t)strlen(xml));
    close(fd);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "xmllint --noout %s", path);
    int rc = system(cmd);
    unlink(path);
    cr_expect_eq(rc, 0, "xmllint rejects the JUnit report:\n%s", xml);
}

Test(reports, junit_fails_exactly_the_impacted_interfaces)
{
    ag_diff *d = sample_diff();
    ag_corpus *old_c = sample_old_corpus();
    ag_report_context ctx = sample_ctx(old_c);
    char *xml = render(d, &ctx, AG_FMT_JUNIT);
    expect_well_formed(xml);
    cr_expect_eq(junit_case(xml, "ctx_init"), 1, "offset change reaches it");
    cr_expect_eq(junit_case(xml, "ctx_get"), 1);
    cr_expect_eq(junit_case(xml, "ctx_set_cb"), 1, "callback change");
    cr_expect_eq(junit_case(xml, "old_fn"), 1, "removed");
    cr_expect_eq(junit_case(xml, "abi:symbols-and-elf"), 1, "SONAME");
    cr_expect_eq(junit_case(xml, "ctx_set_mode"), 0, "only a suppressed change");
    cr_expect_eq(junit_case(xml, "f00"), 0, "risky is below fail-on breaking");
    cr_expect_eq(junit_case(xml, "global_ctx"), 0);
    cr_expect_eq(junit_case(xml, "_init"), -1, "NOTYPE symbols are not interfaces");
    cr_expect_eq(junit_case(xml, "new_fn"), -1, "not an interface of the old release");
    /* 17 functions + 1 variable + the symbols-and-elf case; 5 fail */
    cr_expect_not_null(strstr(xml, "<testsuites name=\"abiguard\" tests=\"19\" failures=\"5\""));
    cr_expect_not_null(strstr(xml, "classname=\"v1.json\""));
    cr_expect_not_null(strstr(xml, "message=\"breaking struct-member-offset-changed: struct ctx::p\""));
    cr_expect_not_null(strstr(xml, "message=\"breaking fn-removed: old_fn()\""));
    free(xml);
    ag_corpus_free(old_c);
    ag_diff_free(d);
}

Test(reports, junit_fail_on_risky)
{
    ag_diff *d = sample_diff();
    ag_corpus *old_c = sample_old_corpus();
    ag_report_context ctx = sample_ctx(old_c);
    ctx.fail_on = AG_VERDICT_RISKY;
    char *xml = render(d, &ctx, AG_FMT_JUNIT);
    cr_expect_eq(junit_case(xml, "f00"), 1);
    cr_expect_eq(junit_case(xml, "f11"), 1);
    cr_expect_eq(junit_case(xml, "global_ctx"), 0);
    cr_expect_not_null(strstr(xml, "tests=\"19\" failures=\"17\""));
    free(xml);
    ag_corpus_free(old_c);
    ag_diff_free(d);
}

Test(reports, junit_escapes_everything)
{
    ag_diff d = { 0 };
    ag_change *c = add_change(&d, AG_CK_MEMBER_TYPE_CHANGED, AG_VERDICT_BREAKING,
                              "struct a<b>::\"c\"", "x & y < z\x01");
    add_impact(c, "f&g", "f&g() -> 'a'");
    ag_diff_apply_suppressions(&d, NULL, 0);
    ag_report_context ctx = { .old_label = "lib<1>.so", .new_label = "lib\"2\".so" };
    char *xml = render(&d, &ctx, AG_FMT_JUNIT);
    expect_well_formed(xml);
    cr_expect_not_null(strstr(xml, "name=\"f&amp;g\""));
    cr_expect_not_null(strstr(xml, "struct a&lt;b&gt;::&quot;c&quot;"));
    cr_expect_not_null(strstr(xml, "x &amp; y &lt; z?"));
    cr_expect_eq(junit_case(xml, "f&amp;g"), 1);
    free(xml);
    free(c->subject);
    free(c->detail);
    free(c->impacts[0].interface);
    free(c->impacts[0].path);
    free(c->impacts);
    free(d.changes);
}

/* ------------------------------------------------------------------ */
/* SARIF                                                               */

Test(reports, sarif_2_1_0)
{
    ag_diff *d = sample_diff();
    ag_report_context ctx = sample_ctx(NULL);
    char *out = render(d, &ctx, AG_FMT_SARIF);
    json_t *root = parse_json(out);
    cr_expect_str_eq(jstr(root, "version"), "2.1.0");
    cr_expect_str_eq(jstr(root, "$schema"), "https://json.schemastore.org/sarif-2.1.0.json");
    json_t *runs = json_object_get(root, "runs");
    cr_assert_eq(json_array_size(runs), 1);
    json_t *run = json_array_get(runs, 0);
    json_t *driver = json_object_get(json_object_get(run, "tool"), "driver");
    cr_expect_str_eq(jstr(driver, "name"), "abiguard");
    json_t *rules = json_object_get(driver, "rules");
    cr_expect_eq(json_array_size(rules), 8, "one rule per kind used by a result");
    json_t *results = json_object_get(run, "results");
    cr_assert_eq(json_array_size(results), d->n_changes - 1, "suppressed change left out");

    json_t *r0 = json_array_get(results, 0);
    cr_expect_str_eq(jstr(r0, "ruleId"), "struct-member-offset-changed");
    cr_expect_str_eq(jstr(r0, "level"), "error");
    cr_expect_str_eq(jstr(json_object_get(r0, "message"), "text"),
                     "struct ctx::p: member 'p' moved from offset 8 to 16");
    json_t *phys = json_object_get(json_array_get(json_object_get(r0, "locations"), 0), "physicalLocation");
    cr_expect_str_eq(jstr(json_object_get(phys, "artifactLocation"), "uri"), "include/ctx.h");
    cr_expect_eq(jint(json_object_get(phys, "region"), "startLine"), 12);
    /* the rule the result points at describes its kind */
    json_t *rule = json_array_get(rules, (size_t)jint(r0, "ruleIndex"));
    cr_expect_str_eq(jstr(rule, "id"), "struct-member-offset-changed");
    cr_expect_gt(strlen(jstr(json_object_get(rule, "shortDescription"), "text")), 10);

    cr_expect_str_eq(jstr(json_array_get(results, 4), "level"), "error", "api-break");
    cr_expect_str_eq(jstr(json_array_get(results, 5), "level"), "warning", "risky");
    cr_expect_str_eq(jstr(json_array_get(results, 6), "level"), "note", "compatible");
    cr_expect_null(json_object_get(json_array_get(results, 2), "locations"), "no declaration known");
    json_decref(root);
    free(out);
    ag_diff_free(d);
}

Test(reports, sarif_suppressed_on_request_and_uris)
{
    ag_diff *d = sample_diff();
    free(d->changes[0].decl_file);
    d->changes[0].decl_file = xstrdup("/usr/include/my ctx.h");
    ag_report_context ctx = sample_ctx(NULL);
    ctx.show_suppressed = true;
    char *out = render(d, &ctx, AG_FMT_SARIF);
    json_t *root = parse_json(out);
    json_t *results = json_object_get(json_array_get(json_object_get(root, "runs"), 0), "results");
    cr_assert_eq(json_array_size(results), d->n_changes);
    json_t *r0 = json_array_get(results, 0);
    json_t *phys = json_object_get(json_array_get(json_object_get(r0, "locations"), 0), "physicalLocation");
    cr_expect_str_eq(jstr(json_object_get(phys, "artifactLocation"), "uri"), "file:///usr/include/my%20ctx.h");
    json_t *sup = json_array_get(results, 7);
    cr_expect_str_eq(jstr(sup, "ruleId"), "enum-value-added-at-end");
    cr_expect_eq(json_array_size(json_object_get(sup, "suppressions")), 1);
    json_decref(root);
    free(out);
    ag_diff_free(d);
}
