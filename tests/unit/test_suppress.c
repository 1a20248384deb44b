/*
 * test_suppress.c — suppression files (suppress.c): a good file with every
 * key, quotes and comments; one precise, line-numbered error per kind of
 * mistake; the matching rules (glob on interfaces, type prefix, kind,
 * source) and the recount after suppressing.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff.h"
#include "suppress.h"

/* ------------------------------------------------------------------ */
/* Parsing                                                             */

static const char good_file[] =
    "# accepted changes for libctx 2.0\n"
    "\n"
    "symbol=ctx_*\n"
    "   type=\"struct ctx\"   # quoted because of the space\n"
    "kind=struct-member-added-at-end\n"
    "source=*/internal/*.h\n"
    "symbol=lua_* kind=fn-removed\n"
    "type=\"struct \\\"odd\\\"\"\tsource=x.h\n";

Test(suppress, parses_every_key)
{
    ag_suppression *rules = NULL;
    size_t n = 0;
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_suppressions_parse(good_file, &rules, &n, &err), AG_OK, "%s", err.msg);
    cr_assert_eq(n, 6);
    cr_expect_str_eq(rules[0].symbol_glob, "ctx_*");
    cr_expect_eq(rules[0].line, 3);
    cr_expect_null(rules[0].type_name);
    cr_expect_str_eq(rules[1].type_name, "struct ctx");
    cr_expect_eq(rules[1].line, 4);
    cr_expect_str_eq(rules[2].kind_id, "struct-member-added-at-end");
    cr_expect_str_eq(rules[3].source_glob, "*/internal/*.h");
    cr_expect_str_eq(rules[4].symbol_glob, "lua_*");
    cr_expect_str_eq(rules[4].kind_id, "fn-removed");
    cr_expect_str_eq(rules[5].type_name, "struct \"odd\"");
    cr_expect_str_eq(rules[5].source_glob, "x.h");
    cr_expect_eq(rules[5].line, 8);
    ag_suppressions_free(rules, n);
}

Test(suppress, empty_and_comment_only_files)
{
    ag_suppression *rules = (ag_suppression *)1;
    size_t n = 99;
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_suppressions_parse("# nothing\n\n   \n", &rules, &n, &err), AG_OK);
    cr_expect_eq(n, 0);
    cr_expect_null(rules);
    cr_assert_eq(ag_suppressions_parse("", &rules, &n, &err), AG_OK);
    cr_expect_eq(n, 0);
}

/* Parses text and expects AG_ERR_FORMAT with exactly this message. */
static void expect_error(const char *text, const char *message)
{
    ag_suppression *rules = NULL;
    size_t n = 0;
    ag_error err = { .msg = "" };
    cr_expect_eq(ag_suppressions_parse(text, &rules, &n, &err), AG_ERR_FORMAT, "accepted: %s", text);
    cr_expect_str_eq(err.msg, message);
    cr_expect_null(rules);
}

Test(suppress, errors_name_the_line)
{
    expect_error("# c\n\nsybmol=ctx_*\n", "line 3: unknown key 'sybmol'");
    expect_error("symbol=a\n\n\n\nkind=fn-remove\n", "line 5: unknown change kind 'fn-remove'");
    expect_error("a=1\n", "line 1: unknown key 'a'");
    expect_error("\n\n\n\n\n\ntype=x\ntype=\"struct ctx\n", "line 8: unterminated quote");
    expect_error("symbol=a\n\n\n\n\n\ntype=\"struct ctx kind=fn-removed\n", "line 7: unterminated quote");
    expect_error("symbol\n", "line 1: expected key=value, got 'symbol'");
    expect_error("symbol=a symbol=b\n", "line 1: key 'symbol' given twice");
    expect_error("kind=\n", "line 1: empty value for 'kind'");
    expect_error("type=\"\"\n", "line 1: empty value for 'type'");
    expect_error("type=\"a\"b\n", "line 1: expected a space after the closing quote");
}

Test(suppress, reads_files)
{
    char path[] = "/tmp/ag-supp-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    const char *text = "symbol=ctx_*\r\n\r\nkind=fn-removed\r\n";
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    ag_suppression *rules = NULL;
    size_t n = 0;
    ag_error err = { .msg = "" };
    ag_status st = ag_suppressions_read(path, &rules, &n, &err);
    unlink(path);
    cr_assert_eq(st, AG_OK, "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_expect_str_eq(rules[0].symbol_glob, "ctx_*", "CRLF line ends are accepted");
    cr_expect_eq(rules[1].line, 3);
    ag_suppressions_free(rules, n);

    cr_expect_eq(ag_suppressions_read("/nonexistent/supp.txt", &rules, &n, &err), AG_ERR_IO);
    cr_expect_not_null(strstr(err.msg, "cannot open"));
}

/* ------------------------------------------------------------------ */
/* Matching                                                            */

static ag_change change(ag_change_kind kind, ag_verdict v, const char *subject)
{
    ag_change c = { .kind = kind, .verdict = v, .subject = (char *)subject };
    return c;
}

static ag_impact impacts[] = {
    { .interface = "ctx_init", .path = "ctx_init() param 1 -> struct ctx" },
    { .interface = "ctx_free", .path = "ctx_free() param 1 -> struct ctx" },
};

static bool matches(const char *rule_text, const ag_change *c)
{
    ag_suppression *rules = NULL;
    size_t n = 0;
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_suppressions_parse(rule_text, &rules, &n, &err), AG_OK, "%s", err.msg);
    cr_assert_eq(n, 1);
    bool hit = ag_suppression_matches(&rules[0], c);
    ag_suppressions_free(rules, n);
    return hit;
}

Test(suppress, symbol_glob_on_impacted_interfaces)
{
    ag_change c = change(AG_CK_MEMBER_OFFSET_CHANGED, AG_VERDICT_BREAKING, "struct ctx::p");
    c.impacts = impacts;
    c.n_impacts = 2;
    cr_expect(matches("symbol=ctx_*", &c));
    cr_expect(matches("symbol=ctx_free", &c), "any impacted interface");
    cr_expect(matches("symbol=ctx_[fi]*", &c));
    cr_expect_not(matches("symbol=lua_*", &c));
    cr_expect_not(matches("symbol=struct*", &c), "not the subject when there are impacts");
}

Test(suppress, symbol_glob_on_symbol_subjects)
{
    ag_change removed = change(AG_CK_FN_REMOVED, AG_VERDICT_BREAKING, "old_fn()");
    cr_expect(matches("symbol=old_fn", &removed), "\"()\" stripped");
    cr_expect(matches("symbol=old_*", &removed));
    ag_change var = change(AG_CK_VAR_SIZE_CHANGED, AG_VERDICT_BREAKING, "global_ctx");
    cr_expect(matches("symbol=global_ctx", &var));
    ag_change ver = change(AG_CK_SYMBOL_VERSION_REMOVED, AG_VERDICT_BREAKING, "luaL_addlstring@LUA_5.3");
    cr_expect(matches("symbol=luaL_*", &ver), "\"@VERSION\" stripped");
    ag_change soname = change(AG_CK_SONAME_CHANGED, AG_VERDICT_BREAKING, "SONAME");
    cr_expect_not(matches("symbol=*", &soname), "the SONAME is not a symbol");
    ag_change node = change(AG_CK_VERSION_NODE_REMOVED, AG_VERDICT_BREAKING, "LUA_5.3");
    cr_expect_not(matches("symbol=*", &node));
    ag_change type = change(AG_CK_TYPE_SIZE_CHANGED, AG_VERDICT_RISKY, "struct ctx");
    cr_expect_not(matches("symbol=*", &type), "a type change without impacts reaches no symbol");
}

Test(suppress, type_name_and_members)
{
    ag_change whole = change(AG_CK_TYPE_SIZE_CHANGED, AG_VERDICT_BREAKING, "struct ctx");
    ag_change member = change(AG_CK_MEMBER_OFFSET_CHANGED, AG_VERDICT_BREAKING, "struct ctx::p");
    ag_change other = change(AG_CK_TYPE_SIZE_CHANGED, AG_VERDICT_BREAKING, "struct ctx2");
    ag_change other_member = change(AG_CK_MEMBER_REMOVED, AG_VERDICT_BREAKING, "struct ctxt::a");
    cr_expect(matches("type=\"struct ctx\"", &whole));
    cr_expect(matches("type=\"struct ctx\"", &member), "prefix followed by ::");
    cr_expect_not(matches("type=\"struct ctx\"", &other));
    cr_expect_not(matches("type=\"struct ctx\"", &other_member));
    cr_expect_not(matches("type=ctx", &whole), "exact spelling, not a bare name");
    ag_change e = change(AG_CK_ENUMERATOR_ADDED_AT_END, AG_VERDICT_COMPATIBLE, "enum mode::MODE_C");
    cr_expect(matches("type=\"enum mode\"", &e));
}

Test(suppress, kind_source_and_all_fields)
{
    ag_change c = change(AG_CK_MEMBER_ADDED_AT_END, AG_VERDICT_RISKY, "struct ctx::extra");
    c.decl_file = "include/internal/ctx_impl.h";
    c.impacts = impacts;
    c.n_impacts = 2;
    cr_expect(matches("kind=struct-member-added-at-end", &c));
    cr_expect_not(matches("kind=struct-member-removed", &c));
    cr_expect(matches("source=*/internal/*", &c));
    cr_expect(matches("source=include/*.h", &c), "'*' crosses '/'");
    cr_expect_not(matches("source=src/*", &c));
    cr_expect(matches("symbol=ctx_init kind=struct-member-added-at-end source=*ctx_impl.h", &c));
    cr_expect_not(matches("symbol=ctx_init kind=struct-member-removed", &c), "every field must match");
    ag_change nofile = change(AG_CK_FN_REMOVED, AG_VERDICT_BREAKING, "f()");
    cr_expect_not(matches("source=*", &nofile), "no declaration file, no match");
}

Test(suppress, empty_rule_matches_nothing)
{
    ag_suppression rule = { 0 };
    ag_change c = change(AG_CK_FN_REMOVED, AG_VERDICT_BREAKING, "f()");
    cr_expect_not(ag_suppression_matches(&rule, &c));
}

/* ------------------------------------------------------------------ */
/* Applying to a diff                                                  */

Test(suppress, apply_marks_and_recounts)
{
    ag_change changes[] = {
        change(AG_CK_FN_REMOVED, AG_VERDICT_BREAKING, "lua_old()"),
        change(AG_CK_MEMBER_OFFSET_CHANGED, AG_VERDICT_BREAKING, "struct ctx::p"),
        change(AG_CK_FN_ADDED, AG_VERDICT_COMPATIBLE, "lua_new()"),
        change(AG_CK_FN_PARAM_RENAMED, AG_VERDICT_HARMLESS, "ctx_init()"),
    };
    changes[1].impacts = impacts;
    changes[1].n_impacts = 2;
    changes[3].suppressed = true; /* already suppressed: kept */
    ag_diff d = { .changes = changes, .n_changes = 4 };
    d.counts[AG_VERDICT_BREAKING] = 2;
    d.counts[AG_VERDICT_COMPATIBLE] = 1;
    d.counts[AG_VERDICT_HARMLESS] = 1;

    ag_suppression *rules = NULL;
    size_t n = 0;
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_suppressions_parse("symbol=lua_* kind=fn-removed\ntype=\"struct ctx\"\n",
                                       &rules, &n, &err), AG_OK, "%s", err.msg);
    ag_diff_apply_suppressions(&d, rules, n);
    cr_expect(changes[0].suppressed);
    cr_expect(changes[1].suppressed);
    cr_expect_not(changes[2].suppressed, "fn-added is not fn-removed");
    cr_expect(changes[3].suppressed);
    cr_expect_eq(d.counts[AG_VERDICT_BREAKING], 0);
    cr_expect_eq(d.counts[AG_VERDICT_COMPATIBLE], 1);
    cr_expect_eq(d.counts[AG_VERDICT_HARMLESS], 0);
    cr_expect_eq(d.n_suppressed, 3);
    cr_expect_eq(ag_diff_overall(&d), AG_VERDICT_COMPATIBLE);
    ag_suppressions_free(rules, n);
}
