/*
 * cmd_fingerprint.c — `abiguard fingerprint show NAME@V` prints the
 * per-symbol fingerprints (fingerprint.h) of what a binding uses;
 * `abiguard fingerprint match NAME --fingerprints FILE` tells which stored
 * releases of NAME have every one of them unchanged, as modversions does for
 * a kernel module and a kernel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "../fingerprint.h"
#include "../guard.h"
#include "../store.h"

typedef struct fp_args {
    const char *sub;
    const char *target;
    const char *symbols_from;
    const char *symbols;
    const char *fingerprints;
    const char *db;
} fp_args;

static int parse_fp_args(int argc, char **argv, fp_args *a)
{
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            if (strcmp(arg, "--") == 0) {
                options_done = true;
                continue;
            }
            int r = cli_opt_value("fingerprint", argc, argv, &i, "--symbols-from", NULL, &a->symbols_from);
            if (r == 0)
                r = cli_opt_value("fingerprint", argc, argv, &i, "--symbols", NULL, &a->symbols);
            if (r == 0)
                r = cli_opt_value("fingerprint", argc, argv, &i, "--fingerprints", NULL, &a->fingerprints);
            if (r == 0)
                r = cli_opt_value("fingerprint", argc, argv, &i, "--db", NULL, &a->db);
            if (r < 0)
                return AG_EXIT_USAGE;
            if (r == 0)
                return cli_unknown_option("fingerprint", arg);
            continue;
        }
        if (!a->sub)
            a->sub = arg;
        else if (!a->target)
            a->target = arg;
        else
            return cli_usage_error("fingerprint", "unexpected argument '%s'", arg);
    }
    if (!a->sub)
        return cli_usage_error("fingerprint", "missing 'show' or 'match'");
    if (strcmp(a->sub, "show") == 0) {
        if (!a->target)
            return cli_usage_error("fingerprint", "show: missing NAME@VERSION");
        if (a->fingerprints)
            return cli_usage_error("fingerprint", "show does not take --fingerprints");
    } else if (strcmp(a->sub, "match") == 0) {
        if (!a->target)
            return cli_usage_error("fingerprint", "match: missing NAME");
        if (!a->fingerprints)
            return cli_usage_error("fingerprint", "match: missing --fingerprints FILE");
        if (a->symbols_from || a->symbols)
            return cli_usage_error("fingerprint", "match does not take --symbols-from or --symbols");
    } else {
        return cli_usage_error("fingerprint", "unknown subcommand '%s' (show, match)", a->sub);
    }
    return AG_EXIT_OK;
}

static int run_show(const fp_args *a)
{
    ag_error err = { .msg = "" };
    char *lib = NULL, *ver = NULL;
    if (ag_store_parse_ref(a->target, &lib, &ver, &err) != AG_OK)
        return cli_usage_error("fingerprint", "%s", err.msg);
    cli_used used;
    ag_guard_plan *plan = NULL;
    ag_store *s = NULL;
    const char *db_path = NULL;
    int rc = AG_EXIT_ERROR;
    if (a->symbols && a->symbols_from) {
        free(lib);
        free(ver);
        return cli_usage_error("fingerprint", "give --symbols or --symbols-from, not both");
    }
    if (cli_load_used(a->symbols_from, a->symbols, &used, &err) != AG_OK) {
        cli_error(used.label, "%s", err.msg);
    } else if ((s = cli_store_open(a->db, CLI_STORE_READONLY, &db_path))) {
        ag_guard_used view = { used.binding, (const char *const *)used.names, used.n_names, used.exact };
        ag_status st = ag_guard_plan_symbols(s, lib, ver, &view, &plan, &err);
        if (st != AG_OK) {
            cli_error(st == AG_ERR_USAGE && used.label ? used.label : db_path, "%s", err.msg);
        } else {
            char *text = ag_guard_fingerprint_text(plan);
            if (!text) {
                cli_error(NULL, "out of memory");
            } else {
                fputs(text, stdout);
                free(text);
                rc = AG_EXIT_OK;
            }
        }
    }
    ag_guard_plan_free(plan);
    ag_store_close(s);
    cli_used_free(&used);
    free(lib);
    free(ver);
    return rc;
}

static bool exports_version(const ag_corpus *c, const char *name, const char *version)
{
    for (size_t i = 0; i < c->n_exports; i++)
        if (strcmp(c->exports[i].name, name) == 0 &&
            (!version || (c->exports[i].version && strcmp(c->exports[i].version, version) == 0)))
            return true;
    return false;
}

/* One release against the list: prints its line; returns 1 when every
   fingerprint matches, 0 when not, -1 on error (printed). */
static int match_release(ag_store *s, const ag_store_release *r, const ag_fingerprint_entry *e, size_t n)
{
    ag_error err = { .msg = "" };
    ag_corpus *c = NULL;
    if (ag_store_load(s, r->library, r->version, &c, &err) != AG_OK) {
        cli_error(NULL, "%s@%s: %s", r->library, r->version, err.msg);
        return -1;
    }
    size_t matched = 0;
    char differs[2048] = "", missing[2048] = "";
    for (size_t i = 0; i < n; i++) {
        uint64_t v = 0;
        bool found = false;
        if (ag_fingerprint_symbol(c, e[i].name, &v, &found, &err) != AG_OK) {
            ag_corpus_free(c);
            cli_error(NULL, "%s", err.msg);
            return -1;
        }
        found = found && exports_version(c, e[i].name, e[i].version);
        char *list = !found ? missing : v != e[i].value ? differs : NULL;
        if (!list) {
            matched++;
            continue;
        }
        size_t len = strlen(list);
        snprintf(list + len, sizeof differs - len, "%s%s%s%s", len ? ", " : "", e[i].name,
                 e[i].version ? "@" : "", e[i].version ? e[i].version : "");
    }
    ag_corpus_free(c);
    printf("%-12s %-40s %s", r->version, r->build_id ? r->build_id : "-",
           matched == n ? "match" : "no match");
    printf(" (%zu of %zu)", matched, n);
    if (*differs)
        printf("; changed: %s", differs);
    if (*missing)
        printf("; missing: %s", missing);
    printf("\n");
    return matched == n;
}

static int run_match(const fp_args *a)
{
    ag_error err = { .msg = "" };
    FILE *in = strcmp(a->fingerprints, "-") == 0 ? stdin : fopen(a->fingerprints, "r");
    if (!in) {
        cli_error(a->fingerprints, "cannot open: %m");
        return AG_EXIT_ERROR;
    }
    char *text = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *g = realloc(text, cap);
            if (!g) {
                free(text);
                if (in != stdin)
                    fclose(in);
                cli_error(NULL, "out of memory");
                return AG_EXIT_ERROR;
            }
            text = g;
        }
        size_t got = fread(text + len, 1, 4096, in);
        len += got;
        if (got == 0)
            break;
    }
    text[len] = '\0';
    if (in != stdin)
        fclose(in);
    ag_fingerprint_entry *e = NULL;
    size_t n = 0;
    if (ag_fingerprint_parse(text, &e, &n, &err) != AG_OK) {
        free(text);
        cli_error(a->fingerprints, "%s", err.msg);
        return AG_EXIT_ERROR;
    }
    free(text);
    if (n == 0) {
        cli_error(a->fingerprints, "no fingerprint in the file");
        return AG_EXIT_ERROR;
    }
    const char *db_path = NULL;
    ag_store *s = cli_store_open(a->db, CLI_STORE_READONLY, &db_path);
    int rc = AG_EXIT_ERROR;
    ag_store_release *rels = NULL;
    size_t n_rels = 0;
    if (s && ag_store_list_releases(s, a->target, &rels, &n_rels, &err) != AG_OK) {
        cli_error(db_path, "%s", err.msg);
    } else if (s) {
        size_t matches = 0;
        rc = AG_EXIT_OK;
        for (size_t i = 0; i < n_rels && rc == AG_EXIT_OK; i++) {
            int m = match_release(s, &rels[i], e, n);
            if (m < 0)
                rc = AG_EXIT_ERROR;
            else
                matches += (size_t)m;
        }
        if (rc == AG_EXIT_OK && matches == 0)
            rc = AG_EXIT_ABI_CHANGED;
    }
    ag_store_releases_free(rels, n_rels);
    ag_store_close(s);
    ag_fingerprint_entries_free(e, n);
    return rc;
}

int cmd_fingerprint(int argc, char **argv)
{
    fp_args a = { 0 };
    int rc = parse_fp_args(argc, argv, &a);
    if (rc != AG_EXIT_OK)
        return rc;
    return strcmp(a.sub, "show") == 0 ? run_show(&a) : run_match(&a);
}
