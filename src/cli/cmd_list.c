/*
 * cmd_list.c — `abiguard list [NAME | NAME@V[:SONAME]]`: what the store
 * holds. Without NAME, one line per library; with NAME, one line per release
 * in version order; with NAME@V, one line per binary of that release (all
 * the shared objects of the artifact it was added from), or the one named.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "../store.h"

static int width_of(const char *s, int current)
{
    int n = s ? (int)strlen(s) : 1;
    return n > current ? n : current;
}

static void list_libraries(const ag_store_library *v, size_t n, const char *path)
{
    if (n == 0) {
        printf("no libraries in %s\n", path);
        return;
    }
    int wn = width_of("LIBRARY", 0), wv = width_of("LATEST", 0);
    for (size_t i = 0; i < n; i++) {
        wn = width_of(v[i].name, wn);
        wv = width_of(v[i].latest_version, wv);
    }
    printf("%-*s  %8s  %-*s  %s\n", wn, "LIBRARY", "RELEASES", wv, "LATEST", "SONAME");
    for (size_t i = 0; i < n; i++)
        printf("%-*s  %8zu  %-*s  %s\n", wn, v[i].name, v[i].n_releases, wv, v[i].latest_version,
               v[i].latest_soname ? v[i].latest_soname : "-");
}

static void list_binaries(const ag_store_binary *v, size_t n)
{
    int ws = width_of("SONAME", 0), wp = width_of("PATH", 0);
    for (size_t i = 0; i < n; i++) {
        ws = width_of(v[i].soname, ws);
        wp = width_of(v[i].inner_path ? v[i].inner_path : v[i].file_name, wp);
    }
    printf("%-*s  %-*s  %-40s  %7s  %9s  %9s  %5s\n", ws, "SONAME", wp, "PATH", "BUILD-ID", "EXPORTS", "FUNCTIONS",
           "VARIABLES", "TYPES");
    for (size_t i = 0; i < n; i++) {
        const ag_store_binary *b = &v[i];
        char functions[32] = "-", variables[32] = "-", types[32] = "-";
        if (b->has_debug_info) {
            snprintf(functions, sizeof functions, "%zu", b->n_functions);
            snprintf(variables, sizeof variables, "%zu", b->n_variables);
            snprintf(types, sizeof types, "%zu", b->n_types);
        }
        printf("%-*s  %-*s  %-40s  %7zu  %9s  %9s  %5s\n", ws, b->soname ? b->soname : "-", wp,
               b->inner_path ? b->inner_path : b->file_name, b->build_id ? b->build_id : "-", b->n_exports, functions,
               variables, types);
    }
}

/* A release's SONAME column: its first binary's, and how many more it has. */
static void soname_cell(const ag_store_release *r, char *buf, size_t size)
{
    if (r->n_binaries > 1)
        snprintf(buf, size, "%s (+%zu)", r->soname ? r->soname : r->file_name ? r->file_name : "-",
                 r->n_binaries - 1);
    else
        snprintf(buf, size, "%s", r->soname ? r->soname : "-");
}

static void list_releases(const ag_store_release *v, size_t n)
{
    int wv = width_of("VERSION", 0), ws = width_of("SONAME", 0);
    char cell[512];
    for (size_t i = 0; i < n; i++) {
        wv = width_of(v[i].version, wv);
        soname_cell(&v[i], cell, sizeof cell);
        ws = width_of(cell, ws);
    }
    printf("%-*s  %-10s  %-*s  %7s  %9s  %5s  %-5s  %-20s  %s\n", wv, "VERSION", "DATE", ws, "SONAME",
           "EXPORTS", "FUNCTIONS", "TYPES", "DEBUG", "ADDED", "NOTES");
    for (size_t i = 0; i < n; i++) {
        const ag_store_release *r = &v[i];
        char functions[32] = "-", types[32] = "-";
        if (r->has_debug_info) {
            snprintf(functions, sizeof functions, "%zu", r->n_functions);
            snprintf(types, sizeof types, "%zu", r->n_types);
        }
        soname_cell(r, cell, sizeof cell);
        printf("%-*s  %-10s  %-*s  %7zu  %9s  %5s  %-5s  %-20s  %s\n", wv, r->version,
               r->date ? r->date : "-", ws, cell, r->n_exports, functions,
               types, r->has_debug_info ? "yes" : "no", r->created, r->notes ? r->notes : "");
    }
    bool several = false;
    for (size_t i = 0; i < n; i++)
        several = several || v[i].n_binaries > 1;
    if (several)
        printf("(+N): more binaries in the release; list them with 'abiguard list %s@VERSION'\n", v[0].library);
}

int cmd_list(int argc, char **argv)
{
    const char *name = NULL, *db = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] == '-' && arg[1] != '\0') {
            int r = cli_opt_value("list", argc, argv, &i, "--db", NULL, &db);
            if (r < 0)
                return AG_EXIT_USAGE;
            if (r == 0)
                return cli_unknown_option("list", arg);
            continue;
        }
        if (name)
            return cli_usage_error("list", "expected at most one library NAME, got also '%s'", arg);
        name = arg;
    }
    const char *path;
    ag_store *s = cli_store_open(db, CLI_STORE_READONLY, &path);
    if (!s)
        return AG_EXIT_ERROR;
    ag_error err = { .msg = "" };
    ag_status st;
    char *lib = NULL, *version = NULL;
    if (name && strchr(name, '@')) {
        st = ag_store_parse_ref(name, &lib, &version, &err);
        ag_store_binary *v = NULL;
        size_t n = 0;
        if (st == AG_OK)
            st = ag_store_list_binaries(s, lib, version, &v, &n, &err);
        if (st == AG_OK)
            list_binaries(v, n);
        ag_store_binaries_free(v, n);
        free(lib);
        free(version);
    } else if (name) {
        ag_store_release *v;
        size_t n;
        st = ag_store_list_releases(s, name, &v, &n, &err);
        if (st == AG_OK) {
            list_releases(v, n);
            ag_store_releases_free(v, n);
        }
    } else {
        ag_store_library *v;
        size_t n;
        st = ag_store_list_libraries(s, &v, &n, &err);
        if (st == AG_OK) {
            list_libraries(v, n, path);
            ag_store_libraries_free(v, n);
        }
    }
    ag_store_close(s);
    if (st != AG_OK) {
        cli_error(path, "%s", err.msg);
        return AG_EXIT_ERROR;
    }
    return AG_EXIT_OK;
}
