/*
 * cmd_diff.c — `abiguard diff OLD NEW`: loads both sides (a corpus JSON, a
 * shared object extracted on the fly, NAME@VERSION from the store, or an
 * artifact: two whole artifacts, or stored releases of several binaries
 * (NAME@V:SONAME names one), are diffed binary by binary, release_diff.h),
 * diffs them, writes the report in the format asked for, and exits with
 * abidiff's bit mask (0 no change or only harmless ones, 4 changed, 12
 * changed and failing), so CI scripts written for abidiff keep working.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_artifact.h"
#include "../atomic_file.h"
#include "../corpus_json.h"
#include "../diff.h"
#include "../extract.h"
#include "../report.h"
#include "../diff_json.h"
#include "../release_diff_json.h"
#include "../store.h"
#include "../store_diff.h"
#include "../suppress.h"

typedef struct diff_args {
    const char *old_arg, *new_arg;
    cli_report_opts report;
    cli_debug_opts debug;
} diff_args;


static int option(int argc, char **argv, int *i, diff_args *a)
{
    int r = cli_debug_option("diff", argc, argv, i, &a->debug);
    return r != 0 ? r : cli_report_option("diff", argc, argv, i, &a->report);
}

static int parse_diff_args(int argc, char **argv, diff_args *a)
{
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            if (strcmp(arg, "--") == 0) {
                options_done = true;
                continue;
            }
            int r = option(argc, argv, &i, a);
            if (r < 0)
                return AG_EXIT_USAGE;
            if (r == 0)
                return cli_unknown_option("diff", arg);
            continue;
        }
        if (a->old_arg && a->new_arg)
            return cli_usage_error("diff", "expected OLD and NEW, got also '%s'", arg);
        *(a->old_arg ? &a->new_arg : &a->old_arg) = arg;
    }
    if (!a->new_arg)
        return cli_usage_error("diff", "missing %s", a->old_arg ? "NEW" : "OLD and NEW");
    if (a->report.output && strcmp(a->report.output, "-") == 0)
        a->report.output = NULL;
    return AG_EXIT_OK;
}

static ag_status load_both(const diff_args *a, const ag_header_set *headers, ag_corpus **o, ag_corpus **n,
                           const char **failed, ag_error *err)
{
    *failed = a->old_arg;
    ag_status st = cli_load_release(a->report.db, a->old_arg, &a->debug, headers, o, err);
    if (st != AG_OK)
        return st;
    *failed = a->new_arg;
    st = cli_load_release(a->report.db, a->new_arg, &a->debug, headers, n, err);
    if (st != AG_OK)
        return st;
    if (!(*o)->has_debug_info)
        cli_warning(a->old_arg, "no debug info; only symbols and ELF properties are compared");
    if (!(*n)->has_debug_info)
        cli_warning(a->new_arg, "no debug info; only symbols and ELF properties are compared");
    return AG_OK;
}

typedef struct report_job {
    const ag_diff *d;
    const ag_report_context *ctx;
    ag_report_format format;
} report_job;

static ag_status write_report_to(FILE *f, const void *arg, ag_error *err)
{
    const report_job *job = arg;
    return ag_report_write(job->d, job->ctx, job->format, f, err);
}

/* Replaces FILE atomically, so a failed run never leaves half a report
   where CI expects a whole one. */
static ag_status write_report_file(const ag_diff *d, const ag_report_context *ctx,
                                   const diff_args *a, ag_error *err)
{
    report_job job = { d, ctx, a->report.format };
    return ag_write_file_atomically(a->report.output, write_report_to, &job, err);
}

/* The source URL patterns of the sides that are stored releases (NAME@V),
   {version} filled in: a JSON report's locations link to them, as the
   service's do (ag_store_ref_source_url). s: the open store, or NULL to
   open it read-only here. Each NULL for a file or a release without one. */
static void stored_source_urls(const diff_args *a, ag_store *s, char **old_url, char **new_url)
{
    *old_url = *new_url = NULL;
    bool o = ag_store_looks_like_ref(a->old_arg), n = ag_store_looks_like_ref(a->new_arg);
    if (!o && !n)
        return;
    ag_store *mine = NULL;
    ag_error ignored = { .msg = "" };
    if (!s && ag_store_open_readonly(ag_store_default_path(a->report.db), &mine, &ignored) == AG_OK)
        s = mine;
    if (s && o)
        ag_store_ref_source_url(s, a->old_arg, old_url, &ignored);
    if (s && n)
        ag_store_ref_source_url(s, a->new_arg, new_url, &ignored);
    ag_store_close(mine);
}

/* Both sides come from the store and nothing changes what the engine
   computes: the report can be served from, and saved to, the diff cache. */
static bool store_cacheable(const diff_args *a)
{
    return ag_store_looks_like_ref(a->old_arg) && ag_store_looks_like_ref(a->new_arg) &&
           a->report.surface.n_dirs == 0 && a->report.surface.n_files == 0;
}

/* Both sides from the store: the store answers with the report (from its
   diff cache, or computed and cached), rendered here in any format but
   JUnit, which lists the old release's interfaces and so needs the corpus.
   release: both are releases and one has several binaries, whose report
   (abiguard-release-diff/1) has a section a binary. Returns false when
   this path does not apply. */
static bool report_from_store(const diff_args *a, bool release, const ag_suppression *rules, size_t n_rules,
                              int *rc)
{
    if (!store_cacheable(a) || a->report.format == AG_FMT_JUNIT)
        return false;
    ag_error err = { .msg = "" };
    const char *db = ag_store_default_path(a->report.db);
    ag_store *s = NULL;
    char *json = NULL;
    ag_diff *d = NULL;
    ag_release_diff *rd = NULL;
    ag_status st = ag_store_open_existing(db, &s, &err);
    if (st == AG_OK)
        st = ag_store_diff_json(s, a->old_arg, a->new_arg, &json, &err);
    if (st == AG_OK)
        st = release ? ag_release_diff_from_json(json, strlen(json), &rd, &err)
                     : ag_diff_from_json(json, strlen(json), &d, &err);
    if (st != AG_OK) {
        cli_error(db, "%s", err.msg);
        *rc = AG_EXIT_ERROR;
    } else {
        if (n_rules && d)
            ag_diff_apply_suppressions(d, rules, n_rules);
        if (n_rules && rd)
            ag_release_diff_apply_suppressions(rd, rules, n_rules);
        char *old_url = NULL, *new_url = NULL;
        stored_source_urls(a, s, &old_url, &new_url);
        ag_report_context ctx = {
            .old_label = a->old_arg, .new_label = a->new_arg,
            .fail_on = a->report.fail_on, .show_suppressed = a->report.show_suppressed,
            .show_private = a->report.show_private, .color = cli_report_color(&a->report),
            .old_source_url = old_url, .new_source_url = new_url,
        };
        if (rd)
            st = cli_write_release_report(rd, &ctx, a->report.format, a->report.output, &err);
        else
            st = a->report.output ? write_report_file(d, &ctx, a, &err)
                                  : ag_report_write(d, &ctx, a->report.format, stdout, &err);
        free(old_url);
        free(new_url);
        *rc = rd ? ag_release_diff_exit_status(rd, a->report.fail_on) : ag_diff_exit_status(d, a->report.fail_on);
        if (st != AG_OK) {
            cli_error(a->report.output ? a->report.output : "<stdout>", "%s", err.msg);
            *rc = AG_EXIT_ERROR;
        }
    }
    ag_diff_free(d);
    ag_release_diff_free(rd);
    free(json);
    ag_store_close(s);
    return true;
}

/* Diffs the loaded corpora and reports; returns the exit status. */
static int diff_and_report(const diff_args *a, const ag_corpus *o, const ag_corpus *n,
                           const ag_suppression *rules, size_t n_rules)
{
    ag_diff_options opts = { .suppressions = rules, .n_suppressions = n_rules };
    ag_error err = { .msg = "" };
    ag_diff *d = NULL;
    if (ag_diff_corpora(o, n, &opts, &d, &err) != AG_OK) {
        cli_error(NULL, "cannot diff %s and %s: %s", a->old_arg, a->new_arg, err.msg);
        return AG_EXIT_ERROR;
    }
    char *old_url = NULL, *new_url = NULL;
    stored_source_urls(a, NULL, &old_url, &new_url);
    ag_report_context ctx = {
        .old_label = a->old_arg, .new_label = a->new_arg, .old_c = o, .new_c = n,
        .fail_on = a->report.fail_on, .show_suppressed = a->report.show_suppressed,
        .show_private = a->report.show_private, .color = cli_report_color(&a->report),
        .old_source_url = old_url, .new_source_url = new_url,
    };
    ag_status st = a->report.output ? write_report_file(d, &ctx, a, &err)
                             : ag_report_write(d, &ctx, a->report.format, stdout, &err);
    free(old_url);
    free(new_url);
    int rc = ag_diff_exit_status(d, a->report.fail_on);
    if (st != AG_OK) {
        cli_error(a->report.output ? a->report.output : "<stdout>", "%s", err.msg);
        rc = AG_EXIT_ERROR;
    }
    ag_diff_free(d);
    return rc;
}

/* Both sides are releases of several binaries (whole artifacts, or stored
   releases added from one): every binary paired, diffed, reported. */
static int diff_releases(const diff_args *a, const ag_suppression *rules, size_t n_rules)
{
    ag_error err = { .msg = "" };
    ag_header_set *headers = NULL;
    cli_side o = { 0 }, n = { 0 };
    ag_release_diff *d = NULL;
    int rc = AG_EXIT_ERROR;
    const char *failed = NULL;
    ag_status st = cli_surface_headers(&a->report.surface, &headers, &err);
    if (st == AG_OK && (st = cli_side_load(a->report.db, a->old_arg, &a->debug, headers, &o, &err)) != AG_OK)
        failed = a->old_arg;
    if (st == AG_OK && (st = cli_side_load(a->report.db, a->new_arg, &a->debug, headers, &n, &err)) != AG_OK)
        failed = a->new_arg;
    ag_diff_options opts = { .suppressions = rules, .n_suppressions = n_rules };
    if (st == AG_OK && o.n == 0 && n.n == 0) {
        st = ag_fail(&err, AG_ERR_NOTFOUND, "no ELF shared object in either artifact");
        failed = NULL;
    }
    if (st == AG_OK)
        st = ag_release_diff_build(o.bins, o.n, n.bins, n.n, &opts, &d, &err);
    if (st != AG_OK) {
        cli_error(failed, "%s", err.msg);
    } else {
        for (size_t i = 0; i < o.n; i++)
            if (!o.bins[i].corpus->has_debug_info)
                cli_warning(a->old_arg, "%s: no debug info; only symbols and ELF properties are compared",
                            o.bins[i].inner_path);
        for (size_t i = 0; i < n.n; i++)
            if (!n.bins[i].corpus->has_debug_info)
                cli_warning(a->new_arg, "%s: no debug info; only symbols and ELF properties are compared",
                            n.bins[i].inner_path);
        char *old_url = NULL, *new_url = NULL;
        stored_source_urls(a, NULL, &old_url, &new_url);
        ag_report_context ctx = {
            .old_label = a->old_arg, .new_label = a->new_arg,
            .fail_on = a->report.fail_on, .show_suppressed = a->report.show_suppressed,
            .show_private = a->report.show_private,
            .old_source_url = old_url, .new_source_url = new_url,
        };
        st = cli_write_release_report(d, &ctx, a->report.format, a->report.output, &err);
        free(old_url);
        free(new_url);
        rc = ag_release_diff_exit_status(d, a->report.fail_on);
        if (st != AG_OK) {
            cli_error(a->report.output ? a->report.output : "<stdout>", "%s", err.msg);
            rc = AG_EXIT_ERROR;
        }
    }
    ag_release_diff_free(d);
    cli_side_free(&o);
    cli_side_free(&n);
    ag_header_set_free(headers);
    return rc;
}

/* A release diff when both sides are releases and at least one has several
   binaries: whole artifacts, stored releases added from one. */
static bool is_release_diff(const diff_args *a)
{
    bool old_art = cli_whole_artifact(a->old_arg), new_art = cli_whole_artifact(a->new_arg);
    if (old_art && new_art)
        return true;
    size_t no = old_art ? 2 : cli_stored_binaries(a->report.db, a->old_arg);
    size_t nn = new_art ? 2 : cli_stored_binaries(a->report.db, a->new_arg);
    /* A side that is neither (a loose .so, a corpus) makes it a plain diff. */
    if ((!old_art && no == 0) || (!new_art && nn == 0))
        return false;
    return no > 1 || nn > 1;
}

static int run_diff(const diff_args *a)
{
    ag_error err = { .msg = "" };
    ag_suppression *rules = NULL;
    size_t n_rules = 0;
    if (a->report.suppressions && ag_suppressions_read(a->report.suppressions, &rules, &n_rules, &err) != AG_OK) {
        cli_error(a->report.suppressions, "%s", err.msg);
        return AG_EXIT_ERROR;
    }
    ag_corpus *o = NULL, *n = NULL;
    const char *failed = NULL;
    int rc;
    bool release = is_release_diff(a);
    if (report_from_store(a, release, rules, n_rules, &rc)) {
        ag_suppressions_free(rules, n_rules);
        return rc;
    }
    if (release) {
        rc = diff_releases(a, rules, n_rules);
        ag_suppressions_free(rules, n_rules);
        return rc;
    }
    ag_header_set *headers = NULL;
    if (cli_surface_headers(&a->report.surface, &headers, &err) != AG_OK) {
        cli_error(NULL, "%s", err.msg);
        rc = AG_EXIT_ERROR;
    } else if (load_both(a, headers, &o, &n, &failed, &err) != AG_OK) {
        cli_error(failed, "%s", err.msg);
        rc = AG_EXIT_ERROR;
    } else {
        rc = diff_and_report(a, o, n, rules, n_rules);
    }
    ag_header_set_free(headers);
    ag_corpus_free(o);
    ag_corpus_free(n);
    ag_suppressions_free(rules, n_rules);
    return rc;
}

int cmd_diff(int argc, char **argv)
{
    diff_args a = {
        .report.format = AG_FMT_TEXT,
        .report.fail_on = AG_VERDICT_BREAKING,
        .debug.dirs = calloc((size_t)argc + 1, sizeof(const char *)),
    };
    int rc = AG_EXIT_ERROR;
    if (!cli_surface_opts_init(&a.report.surface, argc) || !a.debug.dirs)
        cli_error(NULL, "out of memory");
    else if ((rc = parse_diff_args(argc, argv, &a)) == AG_EXIT_OK)
        rc = run_diff(&a);
    cli_surface_opts_free(&a.report.surface);
    free(a.debug.dirs);
    return rc;
}
