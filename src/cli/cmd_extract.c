/*
 * cmd_extract.c — `abiguard extract`: reads a shared object (and its debug
 * info) into a corpus and writes it as JSON to stdout or, atomically, to a
 * file: a killed run never leaves a half-written baseline behind. Given an
 * artifact (cli_artifact.h), its one binary, ARTIFACT:NAME, or with -o DIR
 * every binary, one corpus file each.
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
#include "cli_artifact.h"
#include "../atomic_file.h"
#include "../corpus_json.h"
#include "../extract.h"

typedef struct extract_args {
    const char *path;
    const char *output;
    cli_debug_opts debug;
    cli_surface_opts surface;
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
                r = cli_surface_option("extract", argc, argv, &i, &a->surface);
            if (r == 0)
                r = cli_opt_value("extract", argc, argv, &i, "--output", "-o", &a->output);
            if (r < 0)
                return AG_EXIT_USAGE;
            if (r == 0)
                return cli_unknown_option("extract", arg);
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

static ag_status write_corpus(FILE *f, const void *corpus, ag_error *err)
{
    return ag_corpus_write_file(corpus, f, err);
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

static int write_one(const char *label, const ag_corpus *c, const char *output)
{
    ag_error err = { .msg = "" };
    warn_about_input(label, c);
    ag_status st = output ? ag_write_file_atomically(output, write_corpus, c, &err)
                          : ag_corpus_write_file(c, stdout, &err);
    if (st != AG_OK) {
        cli_error(output ? output : "<stdout>", "%s", err.msg);
        return AG_EXIT_ERROR;
    }
    return AG_EXIT_OK;
}

static bool is_directory(const char *path)
{
    struct stat sb;
    return path && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* An artifact: its only shared object (or ARTIFACT:NAME) like a .so, or
   every one of them into the directory -o names, one corpus per binary
   named after its inner path ("usr/lib/libz.so.1" -> usr_lib_libz.so.1.json);
   a binary that cannot be read is reported and the others still written. */
static int extract_artifact(const extract_args *a, const char *path, const char *member,
                            const ag_header_set *headers)
{
    ag_error err = { .msg = "" };
    if (member || !is_directory(a->output)) {
        ag_corpus *c = NULL;
        ag_status st = cli_load_artifact_binary(path, member, &a->debug, headers, &c, &err);
        if (st != AG_OK) {
            /* Several binaries and none named: -o DIR takes them all. */
            cli_error(a->path, "%s%s", err.msg, st == AG_ERR_USAGE ? ", or give -o DIR for one corpus per binary" : "");
            return AG_EXIT_ERROR;
        }
        int rc = write_one(a->path, c, a->output);
        ag_corpus_free(c);
        return rc;
    }
    cli_release r = { 0 };
    if (cli_load_artifact_release(path, &a->debug, headers, true, &r, &err) != AG_OK) {
        cli_error(a->path, "%s", err.msg);
        return AG_EXIT_ERROR;
    }
    int rc = AG_EXIT_OK;
    if (r.n == 0 && r.n_failed == 0) {
        cli_error(a->path, "no ELF shared object in this %s", r.kind);
        rc = AG_EXIT_ERROR;
    }
    for (size_t i = 0; rc == AG_EXIT_OK && i < r.n; i++) {
        char *name = NULL, *label = NULL;
        if (asprintf(&name, "%s/%s.json", a->output, r.inner_paths[i]) < 0 ||
            asprintf(&label, "%s:%s", a->path, r.inner_paths[i]) < 0) {
            cli_error(NULL, "out of memory");
            rc = AG_EXIT_ERROR;
        } else {
            for (char *p = name + strlen(a->output) + 1; *p; p++)
                if (*p == '/')
                    *p = '_';
            rc = write_one(label, r.corpora[i], name);
        }
        free(name);
        free(label);
    }
    if (rc == AG_EXIT_OK && r.n_failed)
        rc = AG_EXIT_ERROR; /* the others are written; each failure was reported */
    cli_release_free(&r);
    return rc;
}

int cmd_extract(int argc, char **argv)
{
    extract_args a = { .debug.dirs = calloc((size_t)argc + 1, sizeof(const char *)) };
    if (!a.debug.dirs || !cli_surface_opts_init(&a.surface, argc)) {
        cli_error(NULL, "out of memory");
        free(a.debug.dirs);
        cli_surface_opts_free(&a.surface);
        return AG_EXIT_ERROR;
    }
    int rc = parse_extract_args(argc, argv, &a);
    ag_error err = { .msg = "" };
    ag_header_set *headers = NULL;
    if (rc == AG_EXIT_OK && cli_surface_headers(&a.surface, &headers, &err) != AG_OK) {
        cli_error(NULL, "%s", err.msg);
        rc = AG_EXIT_ERROR;
    }
    cli_surface_opts_free(&a.surface);
    if (rc != AG_EXIT_OK) {
        free(a.debug.dirs);
        return rc;
    }
    char *artifact = NULL, *member = NULL;
    if (cli_artifact_arg(a.path, &artifact, &member)) {
        rc = extract_artifact(&a, artifact, member, headers);
        free(artifact);
        free(member);
        ag_header_set_free(headers);
        free(a.debug.dirs);
        return rc;
    }
    ag_corpus *c = NULL;
    ag_debug_search search = cli_debug_search(&a.debug);
    ag_status st = ag_extract_with_headers(a.path, &search, headers, &c, &err);
    ag_header_set_free(headers);
    if (st != AG_OK) {
        cli_error(a.path, "%s", err.msg);
        rc = AG_EXIT_ERROR;
    } else {
        warn_about_input(a.path, c);
        st = a.output ? ag_write_file_atomically(a.output, write_corpus, c, &err) : ag_corpus_write_file(c, stdout, &err);
        if (st != AG_OK) {
            cli_error(a.output ? a.output : "<stdout>", "%s", err.msg);
            rc = AG_EXIT_ERROR;
        }
    }
    ag_corpus_free(c);
    free(a.debug.dirs);
    return rc;
}
