/*
 * cmd_extract.c — `abiguard extract`: reads a shared object (and its debug
 * info) into a corpus and writes it as JSON to stdout or, atomically, to a
 * file: a killed run never leaves a half-written baseline behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_args.h"
#include "../corpus_json.h"
#include "../extract.h"

typedef struct extract_args {
    const char *path;
    const char *output;
    cli_debug_opts debug;
} extract_args;

static int parse_extract_args(int argc, char **argv, extract_args *a)
{
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            if (strcmp(arg, "--") == 0) {
                options_done = true;
                continue;
            }
            int r = cli_debug_option("extract", argc, argv, &i, &a->debug);
            if (r == 0)
                r = cli_opt_value("extract", argc, argv, &i, "--output", "-o", &a->output);
            if (r < 0)
                return AG_EXIT_USAGE;
            if (r == 0)
                return cli_usage_error("extract", "unknown option '%s'", arg);
            continue;
        }
        if (a->path)
            return cli_usage_error("extract", "expected one LIB.so, got also '%s'", arg);
        a->path = arg;
    }
    if (!a->path)
        return cli_usage_error("extract", "missing LIB.so");
    if (a->output && strcmp(a->output, "-") == 0)
        a->output = NULL; /* "-o -" is stdout, as usual */
    return AG_EXIT_OK;
}

/* Makes the rename itself durable; a failure here loses nothing written. */
static void sync_directory_of(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
}

/* Writes the corpus to tmp (already created), flushed to disk. */
static ag_status write_synced(const ag_corpus *c, int fd, ag_error *err)
{
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return ag_fail(err, AG_ERR_IO, "cannot write: %s", strerror(errno));
    }
    ag_status st = ag_corpus_write_file(c, f, err);
    if (st == AG_OK && fsync(fileno(f)) != 0)
        st = ag_fail(err, AG_ERR_IO, "cannot write: %s", strerror(errno));
    if (fclose(f) != 0 && st == AG_OK)
        st = ag_fail(err, AG_ERR_IO, "cannot write: %s", strerror(errno));
    return st;
}

/* FILE.tmp.<pid> in FILE's directory, then rename over FILE: readers see
   the old corpus or the new one, never a mix. */
static ag_status write_atomically(const ag_corpus *c, const char *path, ag_error *err)
{
    size_t len = strlen(path) + 32;
    char *tmp = malloc(len);
    if (!tmp)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
    ag_status st = AG_OK;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0)
        st = ag_fail(err, AG_ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
    else
        st = write_synced(c, fd, err);
    if (st == AG_OK && rename(tmp, path) != 0)
        st = ag_fail(err, AG_ERR_IO, "cannot replace: %s", strerror(errno));
    if (st != AG_OK && fd >= 0)
        unlink(tmp);
    if (st == AG_OK)
        sync_directory_of(path);
    free(tmp);
    return st;
}

static void warn_about_input(const char *path, const ag_corpus *c)
{
    const char *type = c->elf.elf_type ? c->elf.elf_type : "other";
    if (strcmp(type, "exec") == 0)
        cli_warning(path, "is an executable, not a shared object; extracting what it exports");
    else if (strcmp(type, "rel") == 0)
        cli_warning(path, "is a relocatable object, not a shared object; extracting what it exports");
    else if (strcmp(type, "dyn") != 0)
        cli_warning(path, "is not a shared object (ELF type %s); extracting what it exports", type);
    if (!c->has_debug_info)
        cli_warning(path, "no debug info found; types are unknown (use --debug-dir)");
}

int cmd_extract(int argc, char **argv)
{
    extract_args a = { .debug.dirs = calloc((size_t)argc + 1, sizeof(const char *)) };
    if (!a.debug.dirs) {
        cli_error(NULL, "out of memory");
        return AG_EXIT_ERROR;
    }
    int rc = parse_extract_args(argc, argv, &a);
    if (rc != AG_EXIT_OK) {
        free(a.debug.dirs);
        return rc;
    }
    ag_error err = { .msg = "" };
    ag_corpus *c = NULL;
    ag_debug_search search = cli_debug_search(&a.debug);
    ag_status st = ag_extract(a.path, &search, &c, &err);
    if (st != AG_OK) {
        cli_error(a.path, "%s", err.msg);
        rc = AG_EXIT_ERROR;
    } else {
        warn_about_input(a.path, c);
        st = a.output ? write_atomically(c, a.output, &err) : ag_corpus_write_file(c, stdout, &err);
        if (st != AG_OK) {
            cli_error(a.output ? a.output : "<stdout>", "%s", err.msg);
            rc = AG_EXIT_ERROR;
        }
    }
    ag_corpus_free(c);
    free(a.debug.dirs);
    return rc;
}
