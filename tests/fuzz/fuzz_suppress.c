/*
 * fuzz_suppress.c — the suppressions file parser (`diff --suppressions`),
 * and matching what it parsed against a few changes of every shape
 * (symbol, type member, ELF property, with and without impacts). Errors
 * must name their line in one line of text. Seeds: tests/fuzz/suppress/.
 */
#include "fuzz_common.h"

#include "suppress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    ag_suppression *rules = NULL;
    size_t n = 0;
    ag_error err = { "" };
    if (ag_suppressions_parse(text, &rules, &n, &err) != AG_OK) {
        fuzz_check_message("suppressions", err.msg);
        free(text);
        return 0;
    }
    ag_impact impact = { .interface = "ctx_new", .path = "ctx_new() return -> struct ctx" };
    ag_change changes[] = {
        { .kind = AG_CK_FN_REMOVED, .verdict = AG_VERDICT_BREAKING, .subject = "ctx_free@@V_1.0()" },
        { .kind = AG_CK_MEMBER_OFFSET_CHANGED, .verdict = AG_VERDICT_BREAKING, .subject = "struct ctx::p",
          .decl_file = "include/ctx.h", .decl_line = 3, .impacts = &impact, .n_impacts = 1 },
        { .kind = AG_CK_SONAME_CHANGED, .verdict = AG_VERDICT_BREAKING, .subject = "SONAME" },
        { .kind = AG_CK_ENUMERATOR_ADDED_AT_END, .verdict = AG_VERDICT_COMPATIBLE, .subject = "enum e::E_LAST" },
    };
    ag_diff d = { .changes = changes, .n_changes = sizeof changes / sizeof changes[0] };
    ag_diff_apply_suppressions(&d, rules, n);
    char buf[64];
    for (size_t i = 0; i < d.n_changes; i++)
        ag_change_subject_symbol(&d.changes[i], buf, sizeof buf);
    ag_suppressions_free(rules, n);
    free(text);
    return 0;
}
