/*
 * cli_args.c — option parsing helpers shared by the subcommands (see
 * cli_args.h). Printing is limited to usage errors, as for every CLI file.
 */
#include "cli_args.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_opt_value(const char *cmd, int argc, char **argv, int *i,
                  const char *long_opt, const char *short_opt, const char **value)
{
    const char *arg = argv[*i];
    size_t n = strlen(long_opt);
    if (strncmp(arg, long_opt, n) == 0 && arg[n] == '=') {
        *value = arg + n + 1;
        return 1;
    }
    bool separate = strcmp(arg, long_opt) == 0 || (short_opt && strcmp(arg, short_opt) == 0);
    if (!separate)
        return 0;
    if (*i + 1 >= argc) {
        cli_usage_error(cmd, "%s needs a value", arg);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

int cli_debug_option(const char *cmd, int argc, char **argv, int *i, cli_debug_opts *opts)
{
    if (strcmp(argv[*i], "--no-system-debug") == 0) {
        opts->no_system = true;
        return 1;
    }
    const char *dir;
    int r = cli_opt_value(cmd, argc, argv, i, "--debug-dir", NULL, &dir);
    if (r == 1)
        opts->dirs[opts->n_dirs++] = dir;
    return r;
}

ag_debug_search cli_debug_search(const cli_debug_opts *opts)
{
    ag_debug_search s = { .dirs = opts->dirs, .n_dirs = opts->n_dirs,
                          .no_system_dirs = opts->no_system };
    return s;
}

ag_status cli_is_elf(const char *path, bool *is_elf, ag_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ag_fail(err, AG_ERR_IO, "cannot open: %s", strerror(errno));
    unsigned char magic[4] = { 0 };
    size_t got = fread(magic, 1, sizeof magic, f);
    int read_errno = ferror(f) ? errno : 0;
    fclose(f);
    if (read_errno)
        return ag_fail(err, AG_ERR_IO, "cannot read: %s", strerror(read_errno));
    *is_elf = got == 4 && memcmp(magic, "\x7f" "ELF", 4) == 0;
    return AG_OK;
}
