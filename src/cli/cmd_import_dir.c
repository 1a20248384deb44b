/*
 * cmd_import_dir.c — `abiguard import-dir DIR`: loads committed baselines,
 * every DIR/<library>/<version>.json, into the store (`make demo` uses it
 * on baselines/). Library and version come from the path.
 *
 * All of it is one transaction: after any error (a file that does not
 * parse, a conflicting release without --replace) the database is exactly
 * as before, and rerunning after the fix imports everything. Releases
 * already stored with identical content are skipped, so importing the same
 * directory twice is a no-op.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cli_args.h"
#include "../corpus_json.h"
#include "../progress.h"
#include "../store.h"

typedef struct baseline {
    char *library;
    char *version;
    char *path;
} baseline;

typedef struct baseline_list {
    baseline *v;
    size_t n, cap;
} baseline_list;

static void baselines_free(baseline_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].library);
        free(l->v[i].version);
        free(l->v[i].path);
    }
    free(l->v);
}

static int cmp_baseline(const void *pa, const void *pb)
{
    const baseline *a = pa, *b = pb;
    int d = strcmp(a->library, b->library);
    return d ? d : ag_version_compare(a->version, b->version);
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", a, b);
    return p;
}

static bool is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static bool push(baseline_list *l, const char *library, const char *file, const char *path)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        baseline *bigger = realloc(l->v, cap * sizeof *bigger);
        if (!bigger)
            return false;
        l->v = bigger;
        l->cap = cap;
    }
    baseline *b = &l->v[l->n];
    b->library = strdup(library);
    b->version = strndup(file, strlen(file) - strlen(".json"));
    b->path = strdup(path);
    if (!b->library || !b->version || !b->path) {
        free(b->library);
        free(b->version);
        free(b->path);
        return false;
    }
    l->n++;
    return true;
}

/* DIR/<library>/<version>.json; anything else is ignored (a README, a
   .gitkeep), hidden entries too. */
static int collect(const char *dir, baseline_list *l)
{
    DIR *d = opendir(dir);
    if (!d) {
        cli_error(dir, "cannot open directory: %m");
        return AG_EXIT_ERROR;
    }
    int rc = AG_EXIT_OK;
    struct dirent *e;
    while (rc == AG_EXIT_OK && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *libdir = join(dir, e->d_name);
        if (!libdir) {
            rc = AG_EXIT_ERROR;
            break;
        }
        DIR *ld = is_dir(libdir) ? opendir(libdir) : NULL;
        struct dirent *f;
        while (ld && rc == AG_EXIT_OK && (f = readdir(ld))) {
            size_t n = strlen(f->d_name);
            if (f->d_name[0] == '.' || n <= 5 || strcmp(f->d_name + n - 5, ".json") != 0)
                continue;
            char *path = join(libdir, f->d_name);
            if (!path || !push(l, e->d_name, f->d_name, path))
                rc = AG_EXIT_ERROR;
            free(path);
        }
        if (ld)
            closedir(ld);
        free(libdir);
    }
    closedir(d);
    if (rc != AG_EXIT_OK)
        cli_error(NULL, "out of memory");
    else if (l->n)
        qsort(l->v, l->n, sizeof *l->v, cmp_baseline);
    return rc;
}

/* Imports one baseline inside the open transaction; *what says what
   happened (printed only once everything is committed). */
static int import_one(ag_store *s, const baseline *b, bool replace, size_t counts[3], const char **what_out)
{
    ag_error err = { .msg = "" };
    ag_corpus *c = NULL;
    if (ag_corpus_read_file(b->path, &c, &err) != AG_OK) {
        cli_error(b->path, "%s (nothing was imported)", err.msg);
        return AG_EXIT_ERROR;
    }
    bool exists = false, same = false;
    ag_status st = ag_store_release_matches(s, b->library, b->version, c, &exists, &same, &err);
    const char *what = NULL;
    if (st == AG_OK && exists && same) {
        what = "unchanged";
        counts[2]++;
    } else if (st == AG_OK && exists && !replace) {
        st = ag_fail(&err, AG_ERR_USAGE, "%s@%s is already stored with different content (use --replace)",
                     b->library, b->version);
    } else if (st == AG_OK) {
        st = ag_store_add_release(s, b->library, b->version, NULL, NULL, c, replace, &err);
        what = exists ? "replaced" : "added";
        counts[exists ? 1 : 0]++;
    }
    ag_corpus_free(c);
    if (st != AG_OK) {
        cli_error(b->path, "%s (nothing was imported)", err.msg);
        return AG_EXIT_ERROR;
    }
    *what_out = what;
    return AG_EXIT_OK;
}

int cmd_import_dir(int argc, char **argv)
{
    const char *dir = NULL, *db = NULL;
    bool replace = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] == '-' && arg[1] != '\0') {
            if (strcmp(arg, "--replace") == 0) {
                replace = true;
                continue;
            }
            int r = cli_opt_value("import-dir", argc, argv, &i, "--db", NULL, &db);
            if (r < 0)
                return AG_EXIT_USAGE;
            if (r == 0)
                return cli_unknown_option("import-dir", arg);
            continue;
        }
        if (dir)
            return cli_usage_error("import-dir", "expected one DIR, got also '%s'", arg);
        dir = arg;
    }
    if (!dir)
        return cli_usage_error("import-dir", "missing DIR");
    if (!is_dir(dir)) {
        cli_error(dir, "not a directory");
        return AG_EXIT_ERROR;
    }
    baseline_list l = { 0 };
    int rc = collect(dir, &l);
    if (rc == AG_EXIT_OK && l.n == 0) {
        cli_error(dir, "no baselines (expected DIR/LIBRARY/VERSION.json)");
        rc = AG_EXIT_ERROR;
    }
    const char *path = NULL;
    ag_store *s = rc == AG_EXIT_OK ? cli_store_open(db, CLI_STORE_CREATE, &path) : NULL;
    if (rc == AG_EXIT_OK && !s)
        rc = AG_EXIT_ERROR;
    ag_error err = { .msg = "" };
    if (s && ag_store_begin(s, &err) != AG_OK) {
        cli_error(path, "%s", err.msg);
        rc = AG_EXIT_ERROR;
    }
    size_t counts[3] = { 0, 0, 0 }; /* added, replaced, unchanged */
    const char **what = calloc(l.n ? l.n : 1, sizeof *what);
    if (rc == AG_EXIT_OK && !what) {
        cli_error(NULL, "out of memory");
        rc = AG_EXIT_ERROR;
    }
    for (size_t i = 0; rc == AG_EXIT_OK && i < l.n; i++) {
        rc = import_one(s, &l.v[i], replace, counts, &what[i]);
        ag_progress("importing baselines", i + 1, l.n);
    }
    ag_progress_end();
    if (s && rc == AG_EXIT_OK) {
        if (ag_store_commit(s, &err) != AG_OK) {
            cli_error(path, "%s", err.msg);
            rc = AG_EXIT_ERROR;
        } else {
            for (size_t i = 0; i < l.n; i++)
                printf("%-9s %s@%s\n", what[i], l.v[i].library, l.v[i].version);
            printf("%zu added, %zu replaced, %zu unchanged in %s\n", counts[0], counts[1], counts[2], path);
        }
    } else if (s) {
        ag_store_rollback(s); /* the error above already said what failed */
    }
    free(what);
    ag_store_close(s);
    baselines_free(&l);
    return rc;
}
