/*
 * cmd_add.c — `abiguard add`: extract a shared object and record it in the
 * store as NAME@VERSION in one step; an artifact (.deb, wheel, jar, ...) is
 * recorded with every shared object in it, ARTIFACT:NAME with that one.
 * `abiguard import` (cmd_import.c) is the
 * same with a corpus JSON as input, so the command body lives here and is
 * shared, as is opening the store with the CLI's error shape.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_artifact.h"
#include "../corpus_json.h"
#include "../extract.h"
#include "../store.h"

ag_store *cli_store_open(const char *db_option, int mode, const char **path)
{
    const char *p = ag_store_default_path(db_option);
    if (path)
        *path = p;
    ag_store *s = NULL;
    ag_error err = { .msg = "" };
    ag_status st = mode == CLI_STORE_READONLY  ? ag_store_open_readonly(p, &s, &err)
                   : mode == CLI_STORE_EXISTING ? ag_store_open_existing(p, &s, &err)
                                                : ag_store_open(p, &s, &err);
    if (st != AG_OK) {
        cli_error(p, "%s", err.msg);
        return NULL;
    }
    return s;
}

typedef struct add_args {
    const char *input;
    const char *library;
    const char *version;
    const char *date;
    const char *notes;
    const char *db;
    bool replace;
    cli_debug_opts debug;
    cli_surface_opts surface;
} add_args;

static int parse_add_args(const char *cmd, bool from_elf, int argc, char **argv, add_args *a)
{
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            if (strcmp(arg, "--") == 0) {
                options_done = true;
                continue;
            }
            if (strcmp(arg, "--replace") == 0) {
                a->replace = true;
                continue;
            }
            int r = from_elf ? cli_debug_option(cmd, argc, argv, &i, &a->debug) : 0;
            if (r == 0) r = cli_surface_option(cmd, argc, argv, &i, &a->surface);
            if (r == 0) r = cli_opt_value(cmd, argc, argv, &i, "--library", NULL, &a->library);
            if (r == 0) r = cli_opt_value(cmd, argc, argv, &i, "--version", NULL, &a->version);
            if (r == 0) r = cli_opt_value(cmd, argc, argv, &i, "--date", NULL, &a->date);
            if (r == 0) r = cli_opt_value(cmd, argc, argv, &i, "--notes", NULL, &a->notes);
            if (r == 0) r = cli_opt_value(cmd, argc, argv, &i, "--db", NULL, &a->db);
            if (r < 0)
                return AG_EXIT_USAGE;
            if (r == 0)
                return cli_unknown_option(cmd, arg);
            continue;
        }
        if (a->input)
            return cli_usage_error(cmd, "expected one %s, got also '%s'", from_elf ? "LIB.so" : "FILE.json", arg);
        a->input = arg;
    }
    if (!a->input)
        return cli_usage_error(cmd, "missing %s", from_elf ? "LIB.so" : "FILE.json");
    if (!a->library)
        return cli_usage_error(cmd, "missing --library NAME");
    if (!a->version)
        return cli_usage_error(cmd, "missing --version V");
    if (!*a->library || !*a->version)
        return cli_usage_error(cmd, "--library and --version must not be empty");
    if (strchr(a->version, '@'))
        return cli_usage_error(cmd, "--version must not contain '@' (NAME@VERSION would be ambiguous)");
    if (a->date && *a->date == '\0')
        a->date = NULL;
    return AG_EXIT_OK;
}

static void warn_about_input(const char *path, const ag_corpus *c)
{
    const char *type = c->elf.elf_type ? c->elf.elf_type : "other";
    if (strcmp(type, "dyn") != 0)
        cli_warning(path, "is not a shared object (ELF type %s); storing what it exports", type);
    if (!c->has_debug_info)
        cli_warning(path, "no debug info found; types are unknown (use --debug-dir)");
}

int cli_store_release_command(const char *cmd, int argc, char **argv, int from_elf)
{
    add_args a = { .debug.dirs = calloc((size_t)argc + 1, sizeof(const char *)) };
    if (!a.debug.dirs || !cli_surface_opts_init(&a.surface, argc)) {
        cli_error(NULL, "out of memory");
        free(a.debug.dirs);
        cli_surface_opts_free(&a.surface);
        return AG_EXIT_ERROR;
    }
    int rc = parse_add_args(cmd, from_elf, argc, argv, &a);
    if (rc != AG_EXIT_OK) {
        free(a.debug.dirs);
        cli_surface_opts_free(&a.surface);
        return rc;
    }
    ag_error err = { .msg = "" };
    ag_corpus *c = NULL;
    ag_header_set *headers = NULL;
    ag_status st = cli_surface_headers(&a.surface, &headers, &err);
    /* Read the input before touching the database: bad input never opens
       (let alone creates) it. */
    char *artifact = NULL, *member = NULL;
    cli_release rel = { 0 };
    bool whole = false;
    if (st == AG_OK && from_elf && cli_artifact_arg(a.input, &artifact, &member) && !member) {
        /* A whole artifact: every shared object in it. */
        whole = true;
        st = cli_load_artifact_release(artifact, &a.debug, headers, false, &rel, &err);
        if (st == AG_OK && rel.n == 0)
            st = ag_fail(&err, AG_ERR_NOTFOUND, "no ELF shared object in this %s", rel.kind);
    } else if (st == AG_OK && artifact) {
        /* One binary of an artifact: ARTIFACT:NAME. */
        st = cli_load_artifact_binary(artifact, member, &a.debug, headers, &c, &err);
    } else if (st == AG_OK && from_elf) {
        ag_debug_search search = cli_debug_search(&a.debug);
        st = ag_extract_with_headers(a.input, &search, headers, &c, &err);
    } else if (st == AG_OK) {
        st = ag_corpus_read_file(a.input, &c, &err);
        if (st == AG_OK && headers)
            st = ag_surface_apply(c, headers, &err);
    }
    free(artifact);
    free(member);
    ag_header_set_free(headers);
    cli_surface_opts_free(&a.surface);
    if (st != AG_OK) {
        cli_error(a.input, "%s", err.msg);
        ag_corpus_free(c);
        cli_release_free(&rel);
        free(a.debug.dirs);
        return AG_EXIT_ERROR;
    }
    for (size_t i = 0; i < rel.n; i++) {
        char label[4096];
        snprintf(label, sizeof label, "%s:%s", a.input, rel.inner_paths[i]);
        warn_about_input(label, rel.corpora[i]);
    }
    if (from_elf && !whole)
        warn_about_input(a.input, c);
    const char *path;
    ag_store *s = cli_store_open(a.db, CLI_STORE_CREATE, &path);
    rc = AG_EXIT_ERROR;
    if (s) {
        /* Only for the message: "added" or "replaced". */
        bool existed = false;
        ag_store_release *rels = NULL;
        size_t n_rels = 0;
        if (a.replace && ag_store_list_releases(s, a.library, &rels, &n_rels, &err) == AG_OK) {
            for (size_t i = 0; i < n_rels; i++)
                existed = existed || strcmp(rels[i].version, a.version) == 0;
            ag_store_releases_free(rels, n_rels);
        }
        st = whole ? ag_store_add_release_binaries(s, a.library, a.version, a.date, a.notes,
                                                   (const ag_corpus *const *)rel.corpora,
                                                   (const char *const *)rel.inner_paths, rel.n, a.replace, &err)
                   : ag_store_add_release(s, a.library, a.version, a.date, a.notes, c, a.replace, &err);
        if (st != AG_OK) {
            cli_error(path, "%s", err.msg);
        } else if (whole) {
            printf("%s %s@%s (%zu binaries of %s) in %s\n", existed ? "replaced" : "added", a.library, a.version,
                   rel.n, a.input, path);
            for (size_t i = 0; i < rel.n; i++) {
                const ag_corpus *b = rel.corpora[i];
                printf("  %s (%s: %zu exports, %zu functions, %zu types)\n", rel.inner_paths[i],
                       b->elf.soname ? b->elf.soname : b->elf.file_name ? b->elf.file_name : "?", b->n_exports,
                       b->n_functions, b->n_types);
            }
            rc = AG_EXIT_OK;
        } else {
            printf("%s %s@%s (%s: %zu exports, %zu functions, %zu types) in %s\n",
                   existed ? "replaced" : "added", a.library, a.version,
                   c->elf.soname ? c->elf.soname : c->elf.file_name ? c->elf.file_name : "?",
                   c->n_exports, c->n_functions, c->n_types, path);
            rc = AG_EXIT_OK;
        }
        ag_store_close(s);
    }
    ag_corpus_free(c);
    cli_release_free(&rel);
    free(a.debug.dirs);
    return rc;
}

int cmd_add(int argc, char **argv)
{
    return cli_store_release_command("add", argc, argv, 1);
}
