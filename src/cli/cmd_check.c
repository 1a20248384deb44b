/*
 * cmd_check.c — `abiguard check BINDING --library LIB`: does this library
 * release still match what the binding was built for? The binding's own
 * artifact says what that was (its imports, its DT_NEEDED, and the library
 * declarations in its DWARF; binding.h); --built-against names the
 * baseline when its DWARF does not. Reports, in the formats of `diff` and
 * with its exit codes (0 no change or only harmless ones, 4 changed, 12
 * changed and failing), only the changes the binding can feel.
 *
 * A binding that is an artifact (a wheel, jar, npm package, .deb) is every
 * shared object in it, and a library that is a release of several binaries
 * (an artifact, or NAME@V stored from one) offers each binding the binary
 * its DT_NEEDED names: one section per binding, one verdict (the worst).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_artifact.h"
#include "../atomic_file.h"
#include "../binding.h"
#include "../corpus_json.h"
#include "../diff.h"
#include "../elf_reader.h"
#include "../extract.h"
#include "../release_diff.h"
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

/* ------------------------------------------------------------------ */
/* Bindings and libraries of several binaries                          */

/* The library binary a binding at path uses: the one its DT_NEEDED names,
   else the only one; NULL when it needs none of several. */
static const ag_release_binary *library_for(const char *path, const cli_side *lib)
{
    if (lib->n == 1)
        return &lib->bins[0];
    ag_corpus *c = ag_corpus_new();
    const ag_corpus **bins = calloc(lib->n ? lib->n : 1, sizeof *bins);
    ag_error ignored;
    long hit = -1;
    if (c && bins && ag_elf_read(path, c, &ignored) == AG_OK) {
        for (size_t i = 0; i < lib->n; i++)
            bins[i] = lib->bins[i].corpus;
        hit = ag_binding_library_binary(bins, lib->n, c->elf.needed, c->elf.n_needed);
    }
    free(bins);
    ag_corpus_free(c);
    return hit >= 0 ? &lib->bins[hit] : NULL;
}

/* A library (or baseline) of several binaries: a whole artifact, or NAME@V
   stored from one. */
static bool library_is_release(const check_args *a)
{
    return cli_whole_artifact(a->library) || cli_stored_binaries(a->report.db, a->library) > 1 ||
           (a->built_against &&
            (cli_whole_artifact(a->built_against) || cli_stored_binaries(a->report.db, a->built_against) > 1));
}

/* Each binding (the shared objects of an artifact, or the one binding)
   checked against the library binary it needs; one section each. */
static int check_release(const check_args *a, const ag_suppression *rules, size_t n_rules)
{
    ag_error err = { .msg = "" };
    ag_header_set *headers = NULL;
    cli_side lib = { 0 }, base = { 0 };
    ag_artifact *art = NULL;
    int rc = AG_EXIT_ERROR;
    const char *failed = a->library;
    ag_status st = cli_surface_headers(&a->report.surface, &headers, &err);
    if (st == AG_OK)
        st = cli_side_load(a->report.db, a->library, &a->debug, headers, &lib, &err);
    if (st == AG_OK && a->built_against &&
        (st = cli_side_load(a->report.db, a->built_against, &a->debug, headers, &base, &err)) != AG_OK)
        failed = a->built_against;
    bool binding_artifact = st == AG_OK && cli_whole_artifact(a->binding);
    if (binding_artifact && (st = ag_artifact_open(a->binding, AG_ARTIFACT_SHARED_OBJECTS, NULL, &art, &err)) != AG_OK)
        failed = a->binding;
    size_t n_bind = binding_artifact ? ag_artifact_n_shared_objects(art) : 1;
    ag_binding_check **checks = calloc(n_bind ? n_bind : 1, sizeof *checks);
    ag_release_binary *sides = calloc(2 * (n_bind ? n_bind : 1), sizeof *sides);
    ag_release_diff d = { .pairs = calloc(n_bind ? n_bind : 1, sizeof *d.pairs), .verdict = AG_VERDICT_NONE };
    if (st == AG_OK && (!checks || !sides || !d.pairs))
        st = ag_fail(&err, AG_ERR_NOMEM, "out of memory");
    ag_diff_options opts = { .suppressions = rules, .n_suppressions = n_rules };
    ag_debug_search search = cli_debug_search(&a->debug);
    for (size_t i = 0; st == AG_OK && i < n_bind; i++) {
        const ag_artifact_file *f = binding_artifact ? ag_artifact_shared_object(art, i) : NULL;
        const char *path = f ? f->disk_path : a->binding, *name = f ? f->inner_path : a->binding;
        const ag_release_binary *use = library_for(path, &lib);
        if (!use) {
            cli_warning(a->binding, "%s needs none of %s's binaries: not checked", name, a->library);
            continue;
        }
        /* The baseline of several binaries: the one the binding needs too. */
        const ag_release_binary *was = a->built_against ? library_for(path, &base) : NULL;
        if (a->built_against && !was)
            cli_warning(a->built_against, "%s needs none of its binaries: checked without the baseline", name);
        if ((st = ag_binding_check_run(path, &search, use->corpus, was ? was->corpus : NULL, &opts, &checks[i],
                                       &err)) != AG_OK) {
            ag_fail_prefix(&err, st, name);
            failed = a->binding;
            break;
        }
        if (checks[i]->n_imports == 0) {
            cli_warning(a->binding, "%s imports no symbol from %s: not checked", name,
                        use->corpus->elf.soname ? use->corpus->elf.soname : a->library);
            continue;
        }
        ag_release_binary *o = &sides[2 * i], *n = &sides[2 * i + 1];
        *o = (ag_release_binary){ .corpus = checks[i]->built_for, .inner_path = name, .label = name };
        *n = *use;
        ag_release_pair *p = &d.pairs[d.n_pairs++];
        *p = (ag_release_pair){ .status = AG_PAIR_DIFFED, .old_b = o, .new_b = n, .paired_by = "DT_NEEDED",
                                .diff = checks[i]->diff, .verdict = ag_diff_overall(checks[i]->diff), .name = name };
        if (p->verdict > d.verdict)
            d.verdict = p->verdict;
        d.n_diffed++;
    }
    if (st == AG_OK && d.n_pairs == 0)
        st = ag_fail(&err, AG_ERR_NOTFOUND, "no binary of %s uses %s", a->binding, a->library), failed = a->binding;
    if (st != AG_OK) {
        cli_error(failed, "%s", err.msg);
    } else {
        char old_label[512];
        snprintf(old_label, sizeof old_label, "%s (built for %s)", a->binding,
                 a->built_against ? a->built_against : "its imports");
        ag_report_context ctx = {
            .old_label = old_label, .new_label = a->library,
            .fail_on = a->report.fail_on, .show_suppressed = a->report.show_suppressed,
            .show_private = a->report.show_private,
        };
        st = cli_write_release_report(&d, &ctx, a->report.format, a->report.output, &err);
        rc = ag_release_diff_exit_status(&d, a->report.fail_on);
        if (st != AG_OK) {
            cli_error(a->report.output ? a->report.output : "<stdout>", "%s", err.msg);
            rc = AG_EXIT_ERROR;
        }
    }
    for (size_t i = 0; checks && i < n_bind; i++)
        ag_binding_check_free(checks[i]);
    free(checks);
    free(sides);
    free(d.pairs);
    ag_artifact_free(art);
    cli_side_free(&base);
    cli_side_free(&lib);
    ag_header_set_free(headers);
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
    if (cli_whole_artifact(a->binding) || library_is_release(a)) {
        int rc = check_release(a, rules, n_rules);
        ag_suppressions_free(rules, n_rules);
        return rc;
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
