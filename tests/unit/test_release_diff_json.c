/*
 * test_release_diff_json.c — a release diff read back from its JSON report
 * (release_diff_json.c), as the store's cache answers `abiguard diff` of
 * stored releases of several binaries: a release of a diffed, a removed and
 * an added binary, built by hand, reported, read back and reported again
 * gives the same report in every format it can; suppressions applied to it
 * give the pairs and the release their verdicts again; and a report that
 * is not one is an error, not a crash.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff.h"
#include "release_diff.h"
#include "release_diff_json.h"
#include "suppress.h"

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    cr_assert_not_null(d);
    return d;
}

/* A diff of one breaking change reaching lib_open(). */
static ag_diff *one_change(void)
{
    ag_diff *d = calloc(1, sizeof *d);
    cr_assert_not_null(d);
    d->changes = calloc(1, sizeof *d->changes);
    cr_assert_not_null(d->changes);
    d->n_changes = 1;
    ag_change *c = &d->changes[0];
    c->kind = AG_CK_MEMBER_OFFSET_CHANGED;
    c->verdict = AG_VERDICT_BREAKING;
    c->subject = xstrdup("struct lib_ctx::fd");
    c->detail = xstrdup("member 'fd' moved from offset 4 to 8");
    c->impacts = calloc(1, sizeof *c->impacts);
    cr_assert_not_null(c->impacts);
    c->impacts[0].interface = xstrdup("lib_open");
    c->impacts[0].path = xstrdup("lib_open() return -> struct lib_ctx -> member fd");
    c->n_impacts = 1;
    d->functions_changed = 1;
    ag_diff_apply_suppressions(d, NULL, 0); /* count */
    return d;
}

static const ag_release_binary OLD_BINS[] = {
    { NULL, "usr/lib/liblib.so.1", "liblib.so.1" },
    { NULL, "usr/lib/libgone.so.2", "libgone.so.2" },
};
static const ag_release_binary NEW_BINS[] = {
    { NULL, "usr/lib/liblib.so.1", "liblib.so.1" },
    { NULL, "usr/lib/libnew.so.3", "libnew.so.3" },
};

static ag_release_diff *sample(void)
{
    ag_release_diff *d = calloc(1, sizeof *d);
    cr_assert_not_null(d);
    d->pairs = calloc(3, sizeof *d->pairs);
    cr_assert_not_null(d->pairs);
    d->pairs[0] = (ag_release_pair){ AG_PAIR_DIFFED, &OLD_BINS[0], &NEW_BINS[0], "soname", one_change(),
                                     AG_VERDICT_BREAKING, "liblib.so.1" };
    d->pairs[1] = (ag_release_pair){ AG_PAIR_REMOVED, &OLD_BINS[1], NULL, NULL, NULL, AG_VERDICT_BREAKING,
                                     "libgone.so.2" };
    d->pairs[2] = (ag_release_pair){ AG_PAIR_ADDED, NULL, &NEW_BINS[1], NULL, NULL, AG_VERDICT_COMPATIBLE,
                                     "libnew.so.3" };
    d->n_pairs = 3;
    d->n_diffed = d->n_removed = d->n_added = 1;
    d->verdict = AG_VERDICT_BREAKING;
    return d;
}

static const ag_report_context CTX = { .old_label = "lib@1", .new_label = "lib@2", .fail_on = AG_VERDICT_BREAKING };

static char *report(const ag_release_diff *d, ag_report_format fmt)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_not_null(f);
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_release_report_write(d, &CTX, fmt, f, &err), AG_OK, "%s", err.msg);
    cr_assert_eq(fclose(f), 0);
    return text;
}

static ag_release_diff *read_back(const char *json)
{
    ag_release_diff *d = NULL;
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_release_diff_from_json(json, strlen(json), &d, &err), AG_OK, "%s", err.msg);
    return d;
}

Test(release_diff_json, reads_back_to_the_same_report_in_every_format)
{
    ag_release_diff *d = sample();
    char *json = report(d, AG_FMT_JSON);
    ag_release_diff *back = read_back(json);
    cr_assert_eq(back->n_pairs, 3);
    cr_assert_eq(back->n_diffed + back->n_removed + back->n_added, 3);
    cr_assert_eq(back->verdict, AG_VERDICT_BREAKING);
    cr_assert_str_eq(back->pairs[0].old_b->label, "liblib.so.1");
    cr_assert_str_eq(back->pairs[0].paired_by, "soname");
    cr_assert_null(back->pairs[1].new_b);
    cr_assert_null(back->pairs[2].old_b);
    cr_assert_str_eq(back->pairs[2].new_b->inner_path, "usr/lib/libnew.so.3");
    const ag_report_format fmts[] = { AG_FMT_JSON, AG_FMT_TEXT, AG_FMT_MARKDOWN, AG_FMT_SARIF };
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        char *a = report(d, fmts[i]), *b = report(back, fmts[i]);
        cr_expect_str_eq(b, a, "format %zu differs once read back", i);
        free(a);
        free(b);
    }
    cr_assert_eq(ag_release_diff_exit_status(back, AG_VERDICT_BREAKING),
                 ag_release_diff_exit_status(d, AG_VERDICT_BREAKING));
    free(json);
    ag_release_diff_free(back);
    ag_release_diff_free(d);
}

Test(release_diff_json, suppressions_give_the_verdicts_again)
{
    ag_release_diff *d = sample();
    char *json = report(d, AG_FMT_JSON);
    ag_release_diff *back = read_back(json);
    ag_suppression *rules = NULL;
    size_t n = 0;
    ag_error err = { .msg = "" };
    char path[] = "/tmp/abiguard-rdj-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, "symbol=lib_open\n", 16), 16);
    close(fd);
    cr_assert_eq(ag_suppressions_read(path, &rules, &n, &err), AG_OK, "%s", err.msg);
    unlink(path);
    ag_release_diff_apply_suppressions(back, rules, n);
    cr_assert_eq(back->pairs[0].verdict, AG_VERDICT_NONE, "the suppressed change still counts");
    cr_assert_eq(back->verdict, AG_VERDICT_BREAKING, "the removed library no longer breaks the release");
    ag_suppressions_free(rules, n);
    free(json);
    ag_release_diff_free(back);
    ag_release_diff_free(d);
}

Test(release_diff_json, what_is_not_one_is_an_error)
{
    static const char *const bad[] = {
        "not json",
        "{\"format\": \"abiguard-diff/1\", \"changes\": []}",
        "{\"format\": \"abiguard-release-diff/1\", \"binaries\": [7]}",
        "{\"format\": \"abiguard-release-diff/1\", \"binaries\": [{\"name\": \"a\", \"status\": \"diffed\","
        " \"verdict\": \"none\", \"old_path\": \"a\", \"new_path\": \"a\"}]}",
        "{\"format\": \"abiguard-release-diff/1\", \"binaries\": [{\"name\": \"a\", \"status\": \"moved\","
        " \"verdict\": \"none\", \"old_path\": \"a\", \"new_path\": \"a\"}]}",
        "{\"format\": \"abiguard-release-diff/1\", \"binaries\": [{\"name\": \"a\", \"status\": \"removed\","
        " \"verdict\": \"breaking\"}]}",
        "{\"format\": \"abiguard-release-diff/1\", \"binaries\": [{\"name\": \"a\", \"status\": \"added\","
        " \"verdict\": \"worse\", \"new_path\": \"a\"}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ag_release_diff *d = (ag_release_diff *)1;
        ag_error err = { .msg = "" };
        cr_expect_neq(ag_release_diff_from_json(bad[i], strlen(bad[i]), &d, &err), AG_OK, "case %zu", i);
        cr_expect_null(d, "case %zu", i);
        cr_expect(err.msg[0], "case %zu: no message", i);
    }
}
