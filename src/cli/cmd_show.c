/*
 * cmd_show.c — `abiguard show`: a readable view of a corpus JSON, of a
 * shared object (extracted on the fly) or of a stored release (NAME@V): the
 * summary, one type's layout (--type), or one function with the types it
 * reaches (--function).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "../corpus_json.h"
#include "../extract.h"
#include "../show.h"
#include "../store.h"

typedef struct show_args {
    const char *path;
    const char *type_name;
    const char *function_name;
    const char *db;
    cli_debug_opts debug;
} show_args;

/* Returns AG_EXIT_OK, or AG_EXIT_USAGE after printing why. */
static int parse_show_args(int argc, char **argv, show_args *a)
{
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            if (strcmp(arg, "--") == 0) {
                options_done = true;
                continue;
            }
            int r = cli_debug_option("show", argc, argv, &i, &a->debug);
            if (r == 0)
                r = cli_opt_value("show", argc, argv, &i, "--type", NULL, &a->type_name);
            if (r == 0)
                r = cli_opt_value("show", argc, argv, &i, "--function", NULL, &a->function_name);
            if (r == 0)
                r = cli_opt_value("show", argc, argv, &i, "--db", NULL, &a->db);
            if (r < 0)
                return AG_EXIT_USAGE;
            if (r == 0)
                return cli_unknown_option("show", arg);
            continue;
        }
        if (a->path)
            return cli_usage_error("show", "expected one FILE.json or LIB.so, got also '%s'", arg);
        a->path = arg;
    }
    if (!a->path)
        return cli_usage_error("show", "missing FILE.json or LIB.so");
    if (a->type_name && a->function_name)
        return cli_usage_error("show", "--type and --function cannot be combined");
    return AG_EXIT_OK;
}

/* NAME@V (not an existing file) comes from the store; a shared object is
   extracted; anything else is read as corpus JSON. */
static ag_status load_corpus(const show_args *a, ag_corpus **c, ag_error *err)
{
    if (ag_store_looks_like_ref(a->path))
        return ag_store_load_ref(a->db, a->path, c, err);
    bool is_elf = false;
    ag_status st = cli_is_elf(a->path, &is_elf, err);
    if (st != AG_OK)
        return st;
    if (!is_elf)
        return cli_read_corpus(a->path, c, err);
    ag_debug_search search = cli_debug_search(&a->debug);
    return ag_extract(a->path, &search, c, err);
}

static ag_status show(const show_args *a, const ag_corpus *c, ag_error *err)
{
    if (a->type_name)
        return ag_show_type(c, a->type_name, stdout, err);
    if (a->function_name)
        return ag_show_function(c, a->function_name, stdout, err);
    return ag_show_summary(c, stdout, err);
}

int cmd_show(int argc, char **argv)
{
    show_args a = { .debug.dirs = calloc((size_t)argc + 1, sizeof(const char *)) };
    if (!a.debug.dirs) {
        cli_error(NULL, "out of memory");
        return AG_EXIT_ERROR;
    }
    int rc = parse_show_args(argc, argv, &a);
    if (rc != AG_EXIT_OK) {
        free(a.debug.dirs);
        return rc;
    }
    ag_error err = { .msg = "" };
    ag_corpus *c = NULL;
    ag_status st = load_corpus(&a, &c, &err);
    if (st == AG_OK)
        st = show(&a, c, &err);
    if (st != AG_OK) {
        cli_error(a.path, "%s", err.msg);
        rc = AG_EXIT_ERROR;
    }
    ag_corpus_free(c);
    free(a.debug.dirs);
    return rc;
}
