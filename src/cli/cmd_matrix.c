/*
 * cmd_matrix.c — `abiguard matrix NAME`: for every (built-against,
 * running-with) pair of a library's releases, whether a binary built
 * against the first runs with the second: the verdict of diff(row ->
 * column), computed once and cached in the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_help.h"
#include "../store.h"

/* Short enough for a grid; BREAK in capitals so it stands out. */
static const char *cell_word(ag_verdict v)
{
    switch (v) {
    case AG_VERDICT_NONE:
    case AG_VERDICT_HARMLESS: return "ok";
    case AG_VERDICT_COMPATIBLE: return "ok+";
    case AG_VERDICT_RISKY: return "risky";
    case AG_VERDICT_API_BREAK: return "api";
    case AG_VERDICT_BREAKING: return "BREAK";
    case AG_VERDICT__COUNT: break;
    }
    return "?";
}

static void print_matrix(const char *name, const ag_store_matrix *m)
{
    const char *corner = "built \\ running";
    int w0 = (int)strlen(corner), wc = 5;
    for (size_t i = 0; i < m->n; i++) {
        int len = (int)strlen(m->versions[i]);
        if (len > w0) w0 = len;
        if (len > wc) wc = len;
    }
    printf("%s: can a binary built against ROW run with COLUMN?\n\n", name);
    /* The last column is not padded: no trailing blanks. */
    printf("%-*s", w0, corner);
    for (size_t j = 0; j < m->n; j++)
        printf("  %-*s", j + 1 < m->n ? wc : 0, m->versions[j]);
    printf("\n");
    for (size_t i = 0; i < m->n; i++) {
        printf("%-*s", w0, m->versions[i]);
        for (size_t j = 0; j < m->n; j++) {
            fputs("  ", stdout);
            if (i == j)
                printf("%-*s", j + 1 < m->n ? wc : 0, ".");
            else
                cli_print_verdict(cell_word(m->cells[i * m->n + j]), m->cells[i * m->n + j], j + 1 < m->n ? wc : 0);
        }
        printf("\n");
    }
    printf("\nlegend: ok     no ABI change, or only harmless ones\n"
           "        ok+    compatible: additions old binaries never see\n"
           "        risky  breaking for some uses (a binding that embeds, copies or allocates a type)\n"
           "        api    old binaries keep working; rebuilding against the new headers breaks\n"
           "        BREAK  a binary built against the row's release can misbehave\n"
           "        .      the same release\n"
           "details: abiguard diff %s@ROW %s@COLUMN\n", name, name);
}

int cmd_matrix(int argc, char **argv)
{
    const char *name = NULL, *db = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] == '-' && arg[1] != '\0') {
            int r = cli_opt_value("matrix", argc, argv, &i, "--db", NULL, &db);
            if (r < 0)
                return AG_EXIT_USAGE;
            if (r == 0)
                return cli_unknown_option("matrix", arg);
            continue;
        }
        if (name)
            return cli_usage_error("matrix", "expected one library NAME, got also '%s'", arg);
        name = arg;
    }
    if (!name)
        return cli_usage_error("matrix", "missing library NAME");
    const char *path;
    ag_store *s = cli_store_open(db, CLI_STORE_EXISTING, &path);
    if (!s)
        return AG_EXIT_ERROR;
    ag_error err = { .msg = "" };
    ag_store_matrix *m = NULL;
    ag_status st = ag_store_matrix_of(s, name, &m, &err);
    ag_store_close(s);
    if (st != AG_OK) {
        cli_error(path, "%s", err.msg);
        return AG_EXIT_ERROR;
    }
    print_matrix(name, m);
    ag_store_matrix_free(m);
    return AG_EXIT_OK;
}
