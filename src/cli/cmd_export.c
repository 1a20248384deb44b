/*
 * cmd_export.c — `abiguard export NAME@V [-o FILE]`: writes a stored release
 * as corpus JSON, byte-identical to what `extract` wrote, to stdout or
 * atomically to FILE (the way committed baselines under
 * baselines/<library>/<version>.json are made; missing parent directories
 * are created).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_args.h"
#include "../atomic_file.h"
#include "../store.h"

/* mkdir -p of path's directory (nothing to do for a bare file name). */
static ag_status make_parent_dirs(const char *path, ag_error *err)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return AG_OK;
    char *dir = strndup(path, (size_t)(slash - path));
    if (!dir)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    ag_status st = AG_OK;
    for (char *p = dir + 1; st == AG_OK; p++) {
        bool end = *p == '\0';
        if (*p != '/' && !end)
            continue;
        *p = '\0';
        if (mkdir(dir, 0777) != 0 && errno != EEXIST)
            st = ag_fail(err, AG_ERR_IO, "cannot create directory %s: %s", dir, strerror(errno));
        if (end)
            break;
        *p = '/';
    }
    free(dir);
    return st;
}

static ag_status write_text(FILE *f, const void *text, ag_error *err)
{
    if (fputs(text, f) == EOF)
        return ag_fail(err, AG_ERR_IO, "cannot write: %s", strerror(errno));
    return AG_OK;
}

/* Creates FILE's missing parent directories (baselines/<lib>/), then
   replaces FILE atomically: readers see the old baseline or the new one. */
static ag_status write_atomically(const char *text, const char *path, ag_error *err)
{
    ag_status st = make_parent_dirs(path, err);
    return st == AG_OK ? ag_write_file_atomically(path, write_text, text, err) : st;
}

int cmd_export(int argc, char **argv)
{
    const char *ref = NULL, *db = NULL, *output = NULL;
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            if (strcmp(arg, "--") == 0) {
                options_done = true;
                continue;
            }
            int r = cli_opt_value("export", argc, argv, &i, "--db", NULL, &db);
            if (r == 0)
                r = cli_opt_value("export", argc, argv, &i, "--output", "-o", &output);
            if (r < 0)
                return AG_EXIT_USAGE;
            if (r == 0)
                return cli_unknown_option("export", arg);
            continue;
        }
        if (ref)
            return cli_usage_error("export", "expected one NAME@VERSION, got also '%s'", arg);
        ref = arg;
    }
    if (!ref)
        return cli_usage_error("export", "missing NAME@VERSION");
    if (output && strcmp(output, "-") == 0)
        output = NULL;
    char *name, *version;
    ag_error err = { .msg = "" };
    if (ag_store_parse_ref(ref, &name, &version, &err) != AG_OK)
        return cli_usage_error("export", "%s", err.msg);
    const char *path;
    int rc = AG_EXIT_ERROR;
    char *json = NULL;
    ag_store *s = cli_store_open(db, CLI_STORE_READONLY, &path);
    if (s) {
        if (ag_store_export_json(s, name, version, &json, &err) != AG_OK)
            cli_error(path, "%s", err.msg);
        ag_store_close(s);
    }
    if (json) {
        if (output) {
            if (write_atomically(json, output, &err) == AG_OK)
                rc = AG_EXIT_OK;
            else
                cli_error(output, "%s", err.msg);
        } else {
            size_t n = strlen(json);
            if (fwrite(json, 1, n, stdout) == n && fflush(stdout) == 0)
                rc = AG_EXIT_OK;
            else
                cli_error("<stdout>", "cannot write: %s", strerror(errno));
        }
    }
    free(json);
    free(name);
    free(version);
    return rc;
}
