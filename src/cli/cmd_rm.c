/*
 * cmd_rm.c — `abiguard rm NAME@V`: removes one release from the store, with
 * its cached diffs and the content no other release shares (one
 * transaction).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "../store.h"

int cmd_rm(int argc, char **argv)
{
    const char *ref = NULL, *db = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] == '-' && arg[1] != '\0') {
            int r = cli_opt_value("rm", argc, argv, &i, "--db", NULL, &db);
            if (r < 0)
                return AG_EXIT_USAGE;
            if (r == 0)
                return cli_unknown_option("rm", arg);
            continue;
        }
        if (ref)
            return cli_usage_error("rm", "expected one NAME@VERSION, got also '%s'", arg);
        ref = arg;
    }
    if (!ref)
        return cli_usage_error("rm", "missing NAME@VERSION");
    char *name, *version;
    ag_error err = { .msg = "" };
    if (ag_store_parse_ref(ref, &name, &version, &err) != AG_OK)
        return cli_usage_error("rm", "%s", err.msg);
    const char *path;
    int rc = AG_EXIT_ERROR;
    ag_store *s = cli_store_open(db, CLI_STORE_EXISTING, &path);
    if (s) {
        if (ag_store_remove_release(s, name, version, &err) != AG_OK) {
            cli_error(path, "%s", err.msg);
        } else {
            printf("removed %s@%s from %s\n", name, version, path);
            rc = AG_EXIT_OK;
        }
        ag_store_close(s);
    }
    free(name);
    free(version);
    return rc;
}
