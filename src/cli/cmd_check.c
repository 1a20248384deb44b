/*
 * cmd_check.c — `abiguard check BINDING --library LIB`: does this library
 * release still match what the binding was built for? The binding's own
 * artifact says what that was (its imports, its DT_NEEDED, and the library
 * declarations in its DWARF; binding.h); --built-against names the
 * baseline when its DWARF does not. Reports, in the formats of `diff` and
 * with its exit codes (0 no change or only harmless ones, 4 changed, 12
 * changed and failing), only the changes the binding can feel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "../atomic_file.h"
#include "../binding.h"
#include "../corpus_json.h"
#include "../diff.h"
#include "../extract.h"
#include "../report.h"
#include "../store.h"
#include "../suppress.h"

typedef struct check_args {
    const char *binding;
    const char *library;
    const char *built_against;
    cli_report_opts report;
    cli_debug_opts debug;
} check_args;


/* 1 consumed, 0 not ours, -1 usage error. */
static int option(int argc, char **argv, int *i, check_args *a)
{
    int r = cli_opt_value("check", argc, argv, i, "--library", "-l", &a->library);
    if (r == 0)
        r = cli_opt_value("check", argc, argv, i, "--built-against", NULL, &a->built_against);
    if (r == 0)
        r = cli_debug_option("check", argc, argv, i, &a->debug);
    return r != 0 ? r : cli_report_option("check", argc, argv, i, &a->report);
}

static int parse_check_args(int argc, char **argv, check_args *a)
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
                return cli_unknown_option("check", arg);
            continue;
        }
        if (a->binding)
            return cli_usage_error("check", "expected one BINDING, got also '%s'", arg);
        a->binding = arg;
    }
    if (!a->binding)
        return cli_usage_error("check", "missing BINDING");
    if (!a->library)
        return cli_usage_error("check", "missing --library LIB.so|NAME@V|FILE.json");
    if (a->report.output && strcmp(a->report.output, "-") == 0)
        a->report.output = NULL;
    return AG_EXIT_OK;
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

/* What the check could not see, said once on stderr. */
static void warn_about_view(const check_args *a, const ag_binding_check *r, const ag_corpus *lib)
{
    if (r->n_imports == 0)
        cli_warning(a->binding, "imports no symbol from %s: nothing to check",
                    lib->elf.soname ? lib->elf.soname : a->library);
    else if (r->source == AG_BINDING_FROM_SYMBOLS)
        cli_warning(a->binding, "no debug info and no --built-against: only the %zu imported "
                    "symbols and their versions are checked, not types", r->n_imports);
    else if (r->n_undescribed)
        cli_warning(a->binding, "%zu imported symbol%s with no declaration in the binding's DWARF%s: "
                    "only symbol and version checked", r->n_undescribed, r->n_undescribed == 1 ? "" : "s",
                    a->built_against ? " or the baseline" : " (give --built-against to check types)");
    if (r->n_old_version)
        cli_warning(a->binding, "%zu import%s bound to an older symbol version (.symver) than the library's "
                    "default: symbol and version checked; the library's corpus describes only the default "
                    "version's signature, so the signature is not compared",
                    r->n_old_version, r->n_old_version == 1 ? "" : "s");
    if (!lib->has_debug_info && r->source != AG_BINDING_FROM_SYMBOLS)
        cli_warning(a->library, "no debug info; only symbols and ELF properties are compared");
}

static int check_and_report(const check_args *a, const ag_corpus *lib, const ag_corpus *base,
                            const ag_suppression *rules, size_t n_rules)
{
    ag_diff_options opts = { .suppressions = rules, .n_suppressions = n_rules };
    ag_error err = { .msg = "" };
    ag_binding_check *r = NULL;
    ag_debug_search search = cli_debug_search(&a->debug);
    if (ag_binding_check_run(a->binding, &search, lib, base, &opts, &r, &err) != AG_OK) {
        cli_error(a->binding, "%s", err.msg);
        return AG_EXIT_ERROR;
    }
    warn_about_view(a, r, lib);
    char old_label[512];
    snprintf(old_label, sizeof old_label, "%s (built for %s)", a->binding,
             a->built_against ? a->built_against : r->needed ? r->needed : "its imports");
    ag_report_context ctx = {
        .old_label = old_label, .new_label = a->library, .old_c = r->built_for, .new_c = lib,
        .fail_on = a->report.fail_on, .show_suppressed = a->report.show_suppressed,
        .show_private = a->report.show_private, .color = cli_report_color(&a->report),
    };
    report_job job = { r->diff, &ctx, a->report.format };
    ag_status st = a->report.output ? ag_write_file_atomically(a->report.output, write_report_to, &job, &err)
                             : ag_report_write(r->diff, &ctx, a->report.format, stdout, &err);
    int rc = ag_diff_exit_status(r->diff, a->report.fail_on);
    if (st != AG_OK) {
        cli_error(a->report.output ? a->report.output : "<stdout>", "%s", err.msg);
        rc = AG_EXIT_ERROR;
    }
    ag_binding_check_free(r);
    return rc;
}

static int run_check(const check_args *a)
{
    ag_error err = { .msg = "" };
    ag_suppression *rules = NULL;
    size_t n_rules = 0;
    if (a->report.suppressions && ag_suppressions_read(a->report.suppressions, &rules, &n_rules, &err) != AG_OK) {
        cli_error(a->report.suppressions, "%s", err.msg);
        return AG_EXIT_ERROR;
    }
    ag_corpus *lib = NULL, *base = NULL;
    ag_header_set *headers = NULL;
    int rc = AG_EXIT_ERROR;
    if (cli_surface_headers(&a->report.surface, &headers, &err) != AG_OK)
        cli_error(NULL, "%s", err.msg);
    else if (cli_load_release(a->report.db, a->library, &a->debug, headers, &lib, &err) != AG_OK)
        cli_error(a->library, "%s", err.msg);
    else if (a->built_against &&
             cli_load_release(a->report.db, a->built_against, &a->debug, headers, &base, &err) != AG_OK)
        cli_error(a->built_against, "%s", err.msg);
    else
        rc = check_and_report(a, lib, base, rules, n_rules);
    ag_header_set_free(headers);
    ag_corpus_free(lib);
    ag_corpus_free(base);
    ag_suppressions_free(rules, n_rules);
    return rc;
}

int cmd_check(int argc, char **argv)
{
    check_args a = {
        .report.format = AG_FMT_TEXT,
        .report.fail_on = AG_VERDICT_BREAKING,
        .debug.dirs = calloc((size_t)argc + 1, sizeof(const char *)),
    };
    int rc = AG_EXIT_ERROR;
    if (!cli_surface_opts_init(&a.report.surface, argc) || !a.debug.dirs)
        cli_error(NULL, "out of memory");
    else if ((rc = parse_check_args(argc, argv, &a)) == AG_EXIT_OK)
        rc = run_check(&a);
    cli_surface_opts_free(&a.report.surface);
    free(a.debug.dirs);
    return rc;
}
