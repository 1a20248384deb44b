/*
 * cmd_history.c — `abiguard history NAME`: a library's timeline, the way ABI
 * trackers show it: each release in version order with its SONAME and the
 * verdict of its diff against the release before (cached in the store).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_help.h"
#include "../store.h"

static int width_of(const char *s, int current)
{
    int n = s ? (int)strlen(s) : 1;
    return n > current ? n : current;
}

static void print_history(const char *name, const ag_store_history_row *rows, size_t n)
{
    int wv = width_of("VERSION", 0), ws = width_of("SONAME", 0);
    for (size_t i = 0; i < n; i++) {
        wv = width_of(rows[i].release.version, wv);
        ws = width_of(rows[i].release.soname, ws);
    }
    printf("%s: %zu release%s, oldest first; verdicts against the previous release\n\n", name, n,
           n == 1 ? "" : "s");
    printf("%-*s  %-10s  %-*s  %-10s  %8s  %9s  %5s  %10s  %s\n", wv, "VERSION", "DATE", ws, "SONAME",
           "VERDICT", "BREAKING", "API-BREAK", "RISKY", "COMPATIBLE", "FUNCTIONS");
    for (size_t i = 0; i < n; i++) {
        const ag_store_history_row *r = &rows[i];
        printf("%-*s  %-10s  %-*s  ", wv, r->release.version, r->release.date ? r->release.date : "-", ws,
               r->release.soname ? r->release.soname : "-");
        if (!r->has_previous) {
            char fns[32] = "-";
            if (r->release.has_debug_info)
                snprintf(fns, sizeof fns, "%zu", r->release.n_functions);
            printf("%-10s  %8s  %9s  %5s  %10s  %s\n", "(first)", "-", "-", "-", "-", fns);
            continue;
        }
        const ag_store_diff_summary *d = &r->vs_previous;
        cli_print_verdict(ag_verdict_name(d->verdict), d->verdict, 10);
        printf("  %8zu  %9zu  %5zu  %10zu  +%zu -%zu ~%zu\n",
               d->counts[AG_VERDICT_BREAKING], d->counts[AG_VERDICT_API_BREAK], d->counts[AG_VERDICT_RISKY],
               d->counts[AG_VERDICT_COMPATIBLE], d->functions_added, d->functions_removed,
               d->functions_changed);
    }
}

int cmd_history(int argc, char **argv)
{
    const char *name = NULL, *db = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] == '-' && arg[1] != '\0') {
            int r = cli_opt_value("history", argc, argv, &i, "--db", NULL, &db);
            if (r < 0)
                return AG_EXIT_USAGE;
            if (r == 0)
                return cli_unknown_option("history", arg);
            continue;
        }
        if (name)
            return cli_usage_error("history", "expected one library NAME, got also '%s'", arg);
        name = arg;
    }
    if (!name)
        return cli_usage_error("history", "missing library NAME");
    const char *path;
    ag_store *s = cli_store_open(db, CLI_STORE_EXISTING, &path);
    if (!s)
        return AG_EXIT_ERROR;
    ag_error err = { .msg = "" };
    ag_store_history_row *rows = NULL;
    size_t n = 0;
    ag_status st = ag_store_history(s, name, &rows, &n, &err);
    ag_store_close(s);
    if (st != AG_OK) {
        cli_error(path, "%s", err.msg);
        return AG_EXIT_ERROR;
    }
    print_history(name, rows, n);
    ag_store_history_free(rows, n);
    return AG_EXIT_OK;
}
