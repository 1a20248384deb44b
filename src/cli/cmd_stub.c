/*
 * cmd_stub.c — `abiguard stub NAME@V`: writes the load-time ABI check a
 * binding ships (guard.h): a C file pair, or a Python module for ctypes and
 * cffi bindings. What the binding uses comes from --symbols-from (its
 * imports), else every function and variable the baseline exports; which
 * builds are known compatible or incompatible comes from the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "../atomic_file.h"
#include "../corpus_json.h"
#include "../extract.h"
#include "../guard.h"
#include "../store.h"

typedef struct stub_args {
    const char *ref;
    const char *symbols_from;
    const char *db;
    const char *name;
    const char *output;
    const char *lang;
    ag_guard_policy policy;
} stub_args;

static int parse_stub_args(int argc, char **argv, stub_args *a)
{
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            if (strcmp(arg, "--") == 0) {
                options_done = true;
                continue;
            }
            const char *policy = NULL;
            int r = cli_opt_value("stub", argc, argv, &i, "--policy", NULL, &policy);
            if (r == 1) {
                if (strcmp(policy, "fail") == 0)
                    a->policy = AG_POLICY_FAIL;
                else if (strcmp(policy, "warn") == 0)
                    a->policy = AG_POLICY_WARN;
                else
                    return cli_usage_error("stub", "--policy takes fail or warn, not '%s'", policy);
                continue;
            }
            if (r == 0)
                r = cli_opt_value("stub", argc, argv, &i, "--symbols-from", NULL, &a->symbols_from);
            if (r == 0)
                r = cli_opt_value("stub", argc, argv, &i, "--lang", NULL, &a->lang);
            if (r == 0)
                r = cli_opt_value("stub", argc, argv, &i, "--db", NULL, &a->db);
            if (r == 0)
                r = cli_opt_value("stub", argc, argv, &i, "--name", NULL, &a->name);
            if (r == 0)
                r = cli_opt_value("stub", argc, argv, &i, "--output", "-o", &a->output);
            if (r < 0)
                return AG_EXIT_USAGE;
            if (r == 0)
                return cli_usage_error("stub", "unknown option '%s'", arg);
            continue;
        }
        if (a->ref)
            return cli_usage_error("stub", "expected one NAME@VERSION, got also '%s'", arg);
        a->ref = arg;
    }
    if (!a->ref)
        return cli_usage_error("stub", "missing NAME@VERSION");
    if (!a->output)
        return cli_usage_error("stub", "missing -o FILE");
    if (strcmp(a->lang, "c") != 0 && strcmp(a->lang, "python") != 0)
        return cli_usage_error("stub", "--lang takes c or python, not '%s'", a->lang);
    if (a->name) {
        char *id = ag_guard_ident(a->name);
        bool same = id && strcmp(id, a->name) == 0;
        free(id);
        if (!same)
            return cli_usage_error("stub", "--name must be a C identifier, not '%s'", a->name);
    }
    return AG_EXIT_OK;
}

/* The binding's corpus (only its imports matter): a shared object, or a
   corpus JSON extracted from one. */
ag_status cli_load_binding(const char *path, ag_corpus **c, ag_error *err)
{
    bool is_elf = false;
    ag_status st = cli_is_elf(path, &is_elf, err);
    if (st != AG_OK)
        return st;
    if (!is_elf)
        return ag_corpus_read_file(path, c, err);
    cli_debug_opts none = { .dirs = NULL, .n_dirs = 0, .no_system = true };
    ag_debug_search search = cli_debug_search(&none);
    return ag_extract(path, &search, c, err);
}

typedef struct stub_job {
    const ag_guard_plan *plan;
    const ag_guard_stub_options *opts;
    int which; /* 0 .c, 1 .h, 2 .py */
} stub_job;

static ag_status write_job(FILE *f, const void *arg, ag_error *err)
{
    const stub_job *j = arg;
    if (j->which == 0)
        return ag_guard_write_c(j->plan, j->opts, f, err);
    if (j->which == 1)
        return ag_guard_write_h(j->plan, j->opts, f, err);
    return ag_guard_write_python(j->plan, j->opts, f, err);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int write_stub(const stub_args *a, const ag_guard_plan *plan, const char *ident)
{
    ag_error err = { .msg = "" };
    ag_guard_stub_options opts = { .ident = ident, .policy = a->policy };
    size_t n = strlen(a->output);
    char *base = malloc(n + 4), *c_path = malloc(n + 4), *h_path = malloc(n + 4);
    int rc = AG_EXIT_ERROR;
    if (!base || !c_path || !h_path) {
        cli_error(NULL, "out of memory");
        goto out;
    }
    strcpy(base, a->output);
    if (strcmp(a->lang, "python") == 0) {
        if (!ends_with(base, ".py"))
            strcat(base, ".py");
        stub_job j = { plan, &opts, 2 };
        if (ag_write_file_atomically(base, write_job, &j, &err) != AG_OK) {
            cli_error(base, "%s", err.msg);
            goto out;
        }
        printf("wrote %s", base);
    } else {
        if (ends_with(base, ".c") || ends_with(base, ".h"))
            base[n - 2] = '\0';
        sprintf(c_path, "%s.c", base);
        sprintf(h_path, "%s.h", base);
        const char *slash = strrchr(h_path, '/');
        opts.header_base = slash ? slash + 1 : h_path;
        stub_job jh = { plan, &opts, 1 }, jc = { plan, &opts, 0 };
        if (ag_write_file_atomically(h_path, write_job, &jh, &err) != AG_OK) {
            cli_error(h_path, "%s", err.msg);
            goto out;
        }
        if (ag_write_file_atomically(c_path, write_job, &jc, &err) != AG_OK) {
            cli_error(c_path, "%s", err.msg);
            goto out;
        }
        printf("wrote %s and %s", c_path, h_path);
    }
    printf(": %s@%s, %zu required symbol%s, known compatible:", plan->library, plan->baseline,
           plan->n_symbols, plan->n_symbols == 1 ? "" : "s");
    for (size_t i = 0; i < plan->n_releases; i++)
        if (plan->releases[i].compatible)
            printf(" %s", plan->releases[i].version);
    printf(", known incompatible:");
    size_t bad = 0;
    for (size_t i = 0; i < plan->n_releases; i++)
        if (!plan->releases[i].compatible)
            printf(" %s", plan->releases[i].version), bad++;
    printf("%s\n", bad ? "" : " none");
    rc = AG_EXIT_OK;
out:
    free(base);
    free(c_path);
    free(h_path);
    return rc;
}

int cmd_stub(int argc, char **argv)
{
    stub_args a = { .lang = "c", .policy = AG_POLICY_FAIL };
    int rc = parse_stub_args(argc, argv, &a);
    if (rc != AG_EXIT_OK)
        return rc;
    ag_error err = { .msg = "" };
    char *lib = NULL, *ver = NULL;
    if (ag_store_parse_ref(a.ref, &lib, &ver, &err) != AG_OK)
        return cli_usage_error("stub", "%s", err.msg);
    ag_corpus *binding = NULL;
    ag_guard_plan *plan = NULL;
    ag_store *s = NULL;
    char *ident = NULL;
    const char *db_path = NULL;
    rc = AG_EXIT_ERROR;
    if (a.symbols_from && cli_load_binding(a.symbols_from, &binding, &err) != AG_OK) {
        cli_error(a.symbols_from, "%s", err.msg);
        goto out;
    }
    if (!(s = cli_store_open(a.db, CLI_STORE_READONLY, &db_path)))
        goto out;
    ag_status st = ag_guard_plan_build(s, lib, ver, binding, a.symbols_from, &plan, &err);
    if (st != AG_OK) {
        cli_error(st == AG_ERR_USAGE && a.symbols_from ? a.symbols_from : db_path, "%s", err.msg);
        goto out;
    }
    ident = ag_guard_ident(a.name ? a.name : lib);
    if (!ident) {
        cli_error(NULL, "out of memory");
        goto out;
    }
    rc = write_stub(&a, plan, ident);
out:
    free(ident);
    ag_guard_plan_free(plan);
    ag_store_close(s);
    ag_corpus_free(binding);
    free(lib);
    free(ver);
    return rc;
}
