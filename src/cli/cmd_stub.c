/*
 * cmd_stub.c — `abiguard stub NAME@V`: writes the load-time ABI check a
 * binding ships (guard.h): a C file pair, or a module in the binding's own
 * language (Python, Java, Go, Rust, JavaScript). What the binding uses comes
 * from --symbols-from (a binary's imports, or the names a Python module or
 * C declarations mention) or --symbols, else every function and variable
 * the baseline exports; which builds are known compatible or incompatible
 * comes from the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "../atomic_file.h"
#include "../binding_source.h"
#include "../corpus_json.h"
#include "../extract.h"
#include "../guard.h"
#include "../store.h"

typedef struct stub_args {
    const char *ref;
    const char *symbols_from;
    const char *symbols;
    const char *db;
    const char *name;
    const char *package;
    const char *output;
    const char *lang;
    ag_guard_policy policy;
} stub_args;

typedef struct lang_info {
    const char *name;
    const char *suffix; /* appended to -o unless already there; NULL: the C pair */
    ag_status (*write)(const ag_guard_plan *, const ag_guard_stub_options *, FILE *, ag_error *);
} lang_info;

static const lang_info LANGS[] = {
    { "c", NULL, ag_guard_write_c },
    { "python", ".py", ag_guard_write_python },
    { "go", ".go", ag_guard_write_go },
    { "rust", ".rs", ag_guard_write_rust },
    { "js", ".js", ag_guard_write_js },
    { "java", ".java", ag_guard_write_java },
};

static const lang_info *find_lang(const char *name)
{
    for (size_t i = 0; i < sizeof LANGS / sizeof LANGS[0]; i++)
        if (strcmp(LANGS[i].name, name) == 0)
            return &LANGS[i];
    return NULL;
}

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
                int p = ag_guard_policy_from_name(policy);
                if (p < 0 || p == AG_POLICY_OFF)
                    return cli_usage_error("stub", "--policy takes default, strict or warn, not '%s'", policy);
                a->policy = (ag_guard_policy)p;
                continue;
            }
            if (r == 0)
                r = cli_opt_value("stub", argc, argv, &i, "--symbols-from", NULL, &a->symbols_from);
            if (r == 0)
                r = cli_opt_value("stub", argc, argv, &i, "--symbols", NULL, &a->symbols);
            if (r == 0)
                r = cli_opt_value("stub", argc, argv, &i, "--lang", NULL, &a->lang);
            if (r == 0)
                r = cli_opt_value("stub", argc, argv, &i, "--db", NULL, &a->db);
            if (r == 0)
                r = cli_opt_value("stub", argc, argv, &i, "--name", NULL, &a->name);
            if (r == 0)
                r = cli_opt_value("stub", argc, argv, &i, "--package", NULL, &a->package);
            if (r == 0)
                r = cli_opt_value("stub", argc, argv, &i, "--output", "-o", &a->output);
            if (r < 0)
                return AG_EXIT_USAGE;
            if (r == 0)
                return cli_unknown_option("stub", arg);
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
    if (!find_lang(a->lang)) {
        char list[128] = "";
        for (size_t i = 0; i < sizeof LANGS / sizeof LANGS[0]; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", LANGS[i].name);
        return cli_usage_error("stub", "--lang takes %s, not '%s'", list, a->lang);
    }
    if (a->symbols && a->symbols_from)
        return cli_usage_error("stub", "give --symbols or --symbols-from, not both");
    if (a->name) {
        char *id = ag_guard_ident(a->name);
        bool same = id && strcmp(id, a->name) == 0;
        free(id);
        if (!same)
            return cli_usage_error("stub", "--name must be a C identifier, not '%s'", a->name);
    }
    if (a->package && strspn(a->package, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") !=
                          strlen(a->package))
        return cli_usage_error("stub", "--package must be a package name, not '%s'", a->package);
    return AG_EXIT_OK;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
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

/* Whether path holds a corpus JSON: its first non-blank byte is '{'. */
static bool looks_like_json(const char *path)
{
    FILE *f = fopen(path, "rb");
    int ch = EOF;
    if (f) {
        while ((ch = fgetc(f)) == ' ' || ch == '\n' || ch == '\t' || ch == '\r')
            ;
        fclose(f);
    }
    return ch == '{';
}

ag_status cli_load_used(const char *symbols_from, const char *symbols, cli_used *u, ag_error *err)
{
    memset(u, 0, sizeof *u);
    if (symbols) {
        u->exact = 1;
        u->label = symbols[0] == '@' ? symbols + 1 : "--symbols";
        if (symbols[0] == '@')
            return ag_source_names_read(symbols + 1, AG_SOURCE_LIST, &u->names, &u->n_names, err);
        return ag_source_names(symbols, strlen(symbols), AG_SOURCE_LIST, &u->names, &u->n_names, err);
    }
    if (!symbols_from)
        return AG_OK;
    u->label = symbols_from;
    bool is_elf = false;
    ag_status st = cli_is_elf(symbols_from, &is_elf, err);
    if (st != AG_OK)
        return st;
    if (is_elf || looks_like_json(symbols_from))
        return cli_load_binding(symbols_from, &u->binding, err);
    return ag_source_names_read(symbols_from, ends_with(symbols_from, ".py") ? AG_SOURCE_PYTHON : AG_SOURCE_C,
                                &u->names, &u->n_names, err);
}

void cli_used_free(cli_used *u)
{
    ag_corpus_free(u->binding);
    ag_source_names_free(u->names, u->n_names);
    memset(u, 0, sizeof *u);
}

typedef struct stub_job {
    const ag_guard_plan *plan;
    const ag_guard_stub_options *opts;
    ag_status (*write)(const ag_guard_plan *, const ag_guard_stub_options *, FILE *, ag_error *);
} stub_job;

static ag_status write_job(FILE *f, const void *arg, ag_error *err)
{
    const stub_job *j = arg;
    return j->write(j->plan, j->opts, f, err);
}

static int write_one(const char *path, const ag_guard_plan *plan, const ag_guard_stub_options *opts,
                     ag_status (*write)(const ag_guard_plan *, const ag_guard_stub_options *, FILE *, ag_error *))
{
    ag_error err = { .msg = "" };
    stub_job j = { plan, opts, write };
    if (ag_write_file_atomically(path, write_job, &j, &err) != AG_OK) {
        cli_error(path, "%s", err.msg);
        return AG_EXIT_ERROR;
    }
    return AG_EXIT_OK;
}

static int write_stub(const stub_args *a, const ag_guard_plan *plan, const char *ident)
{
    const lang_info *lang = find_lang(a->lang);
    ag_guard_stub_options opts = { .ident = ident, .policy = a->policy, .package = a->package };
    size_t n = strlen(a->output);
    char *base = malloc(n + 8), *h_path = malloc(n + 8);
    int rc = AG_EXIT_ERROR;
    if (!base || !h_path) {
        cli_error(NULL, "out of memory");
        goto out;
    }
    strcpy(base, a->output);
    char class_name[256] = "";
    if (lang->suffix) {
        if (!ends_with(base, lang->suffix))
            strcat(base, lang->suffix);
        if (lang->write == ag_guard_write_java) {
            /* The public class must be named as its file. */
            const char *slash = strrchr(base, '/');
            const char *b = slash ? slash + 1 : base;
            size_t len = strlen(b) - strlen(".java");
            snprintf(class_name, sizeof class_name, "%.*s", (int)len, b);
            char *id = ag_guard_ident(class_name);
            bool ok = id && strcmp(id, class_name) == 0 && len > 0 && len < sizeof class_name;
            free(id);
            if (!ok) {
                cli_error(base, "a Java class must be named as its file: give -o DIR/ClassName.java");
                goto out;
            }
            opts.class_name = class_name;
        }
        if (write_one(base, plan, &opts, lang->write) != AG_EXIT_OK)
            goto out;
        printf("wrote %s", base);
    } else {
        if (ends_with(base, ".c") || ends_with(base, ".h"))
            base[n - 2] = '\0';
        sprintf(h_path, "%s.h", base);
        const char *slash = strrchr(h_path, '/');
        opts.header_base = slash ? slash + 1 : h_path;
        if (write_one(h_path, plan, &opts, ag_guard_write_h) != AG_EXIT_OK)
            goto out;
        strcat(base, ".c");
        if (write_one(base, plan, &opts, ag_guard_write_c) != AG_EXIT_OK)
            goto out;
        printf("wrote %s and %s", base, h_path);
    }
    printf(": %s@%s, %zu required symbol%s, %zu layout%s, known compatible:", plan->library, plan->baseline,
           plan->n_symbols, plan->n_symbols == 1 ? "" : "s", plan->n_layouts, plan->n_layouts == 1 ? "" : "s");
    for (size_t i = 0; i < plan->n_releases; i++)
        if (plan->releases[i].compatible)
            printf(" %s", plan->releases[i].version);
    printf(", known incompatible:");
    size_t bad = 0;
    for (size_t i = 0; i < plan->n_releases; i++)
        if (!plan->releases[i].compatible)
            printf(" %s", plan->releases[i].version), bad++;
    printf("%s; policy %s\n", bad ? "" : " none", ag_guard_policy_name(a->policy));
    rc = AG_EXIT_OK;
out:
    free(base);
    free(h_path);
    return rc;
}

int cmd_stub(int argc, char **argv)
{
    stub_args a = { .lang = "c", .policy = AG_POLICY_DEFAULT };
    int rc = parse_stub_args(argc, argv, &a);
    if (rc != AG_EXIT_OK)
        return rc;
    ag_error err = { .msg = "" };
    char *lib = NULL, *ver = NULL;
    if (ag_store_parse_ref(a.ref, &lib, &ver, &err) != AG_OK)
        return cli_usage_error("stub", "%s", err.msg);
    cli_used used;
    ag_guard_plan *plan = NULL;
    ag_store *s = NULL;
    char *ident = NULL;
    const char *db_path = NULL;
    rc = AG_EXIT_ERROR;
    if (cli_load_used(a.symbols_from, a.symbols, &used, &err) != AG_OK) {
        cli_error(used.label, "%s", err.msg);
        goto out;
    }
    if (!(s = cli_store_open(a.db, CLI_STORE_READONLY, &db_path)))
        goto out;
    ag_guard_used view = { used.binding, (const char *const *)used.names, used.n_names, used.exact };
    ag_status st = ag_guard_plan_build(s, lib, ver, &view, &plan, &err);
    if (st != AG_OK) {
        cli_error(st == AG_ERR_USAGE && used.label ? used.label : db_path, "%s", err.msg);
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
    cli_used_free(&used);
    free(lib);
    free(ver);
    return rc;
}
