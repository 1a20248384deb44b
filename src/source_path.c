/*
 * source_path.c — spelling declaration files relative to the library's
 * source tree (or its separate build tree), so that a corpus does not
 * depend on where the library was built. See source_path.h for the rules.
 */
#include "source_path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Lexical paths                                                       */

char *ag_path_normalize(const char *path)
{
    size_t len = strlen(path);
    char *out = malloc(len + 2);
    if (!out)
        return NULL;
    bool absolute = path[0] == '/';
    size_t w = 0;
    if (absolute)
        out[w++] = '/';
    size_t base = w;  /* components start here */
    size_t floor = w; /* a relative path's leading ".."s end here: never popped */
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        const char *q = p;
        while (*q && *q != '/')
            q++;
        size_t n = (size_t)(q - p);
        if (n == 0 || (n == 1 && p[0] == '.')) {
            p = q;
            continue;
        }
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            if (w > floor) {
                size_t i = w;
                while (i > floor && out[i - 1] != '/')
                    i--;
                /* i is the start of the last component: drop it and its '/' */
                w = i > base ? i - 1 : base;
                if (w < floor)
                    w = floor;
            } else if (!absolute) {
                if (w > base)
                    out[w++] = '/';
                out[w++] = '.';
                out[w++] = '.';
                floor = w;
            }
            p = q;
            continue;
        }
        if (w > base)
            out[w++] = '/';
        memcpy(out + w, p, n);
        w += n;
        p = q;
    }
    if (w == 0)
        out[w++] = '.';
    out[w] = '\0';
    return out;
}

char *ag_path_join(const char *dir, const char *path)
{
    if (!dir || !*dir || path[0] == '/')
        return ag_path_normalize(path);
    size_t nd = strlen(dir), np = strlen(path);
    char *joined = malloc(nd + np + 2);
    if (!joined)
        return NULL;
    memcpy(joined, dir, nd);
    joined[nd] = '/';
    memcpy(joined + nd + 1, path, np + 1);
    char *clean = ag_path_normalize(joined);
    free(joined);
    return clean;
}

char *ag_path_of_line_file(const char *comp_dir, const char *name, int dwarf_version)
{
    if (!comp_dir || !*comp_dir || comp_dir[0] == '/' || name[0] == '/')
        return ag_path_join(comp_dir, name);
    char *whole = ag_path_normalize(name), *c = ag_path_normalize(comp_dir);
    if (!whole || !c) {
        free(whole);
        free(c);
        return NULL;
    }
    size_t n = strlen(c);
    if (dwarf_version >= 5 && strcmp(c, ".") != 0 && strncmp(whole, c, n) == 0 && whole[n] == '/' &&
        strncmp(whole + n + 1, c, n) == 0 && whole[2 * n + 1] == '/')
        memmove(whole, whole + n + 1, strlen(whole + n + 1) + 1);
    free(c);
    return whole;
}

static bool climbs_out(const char *path)
{
    return path[0] == '.' && path[1] == '.' && (path[2] == '/' || path[2] == '\0');
}

bool ag_path_under(const char *path, const char *root, const char **rest)
{
    if (strcmp(root, "/") == 0) {
        if (path[0] != '/' || path[1] == '\0')
            return false;
        *rest = path + 1;
        return true;
    }
    if (strcmp(root, ".") == 0) {
        if (path[0] == '/' || climbs_out(path) || strcmp(path, ".") == 0)
            return false;
        *rest = path;
        return true;
    }
    size_t n = strlen(root);
    if (strncmp(path, root, n) != 0 || path[n] != '/' || path[n + 1] == '\0')
        return false;
    *rest = path + n + 1;
    return true;
}

/* The directory of a normalised file path, in place: "a/b.c" -> "a",
   "b.c" -> ".", "/b.c" -> "/". */
static void to_dir(char *path)
{
    char *slash = strrchr(path, '/');
    if (!slash)
        strcpy(path, ".");
    else if (slash == path)
        path[1] = '\0';
    else
        *slash = '\0';
}

/* Shortens the normalised directory acc to the directory it shares with
   the normalised directory b. False when they share none (one absolute,
   the other relative). */
static bool shrink_to_common(char *acc, const char *b)
{
    bool absolute = acc[0] == '/';
    if (absolute != (b[0] == '/'))
        return false;
    if (!absolute && (strcmp(acc, ".") == 0 || strcmp(b, ".") == 0 || climbs_out(acc) != climbs_out(b))) {
        strcpy(acc, ".");
        return true;
    }
    size_t i = absolute ? 1 : 0, keep = i;
    for (;;) {
        size_t ea = i, eb = i;
        while (acc[ea] && acc[ea] != '/')
            ea++;
        while (b[eb] && b[eb] != '/')
            eb++;
        if (ea == i || ea != eb || memcmp(acc + i, b + i, ea - i) != 0)
            break;
        keep = ea;
        if (!acc[ea] || !b[eb])
            break;
        i = ea + 1;
    }
    if (keep == 0)
        strcpy(acc, ".");
    else
        acc[keep] = '\0';
    return true;
}

/* Installed by the system or the compiler: never evidence of where the
   library's own sources are. */
static bool is_system_path(const char *path)
{
    static const char *const dirs[] = { "/usr/include/", "/usr/local/include/", "/usr/lib/",
                                        "/usr/lib64/", "/usr/share/", "/usr/libexec/", NULL };
    for (size_t i = 0; dirs[i]; i++)
        if (strncmp(path, dirs[i], strlen(dirs[i])) == 0)
            return true;
    return path[0] == '<';
}

/* ------------------------------------------------------------------ */
/* Units                                                               */

bool ag_source_units_add(ag_source_units *u, const char *comp_dir, const char *name)
{
    if (!name || !*name || name[0] == '<')
        return true;
    if (u->n == u->cap) {
        size_t cap = u->cap ? u->cap * 2 : 64;
        char **cd = realloc(u->comp_dirs, cap * sizeof *cd);
        if (!cd)
            return false;
        u->comp_dirs = cd;
        char **src = realloc(u->sources, cap * sizeof *src);
        if (!src)
            return false;
        u->sources = src;
        u->cap = cap;
    }
    char *cd = NULL;
    if (comp_dir && *comp_dir && !(cd = ag_path_normalize(comp_dir)))
        return false;
    char *src = ag_path_join(cd, name);
    if (!src) {
        free(cd);
        return false;
    }
    u->comp_dirs[u->n] = cd;
    u->sources[u->n++] = src;
    return true;
}

void ag_source_units_free(ag_source_units *u)
{
    for (size_t i = 0; i < u->n; i++) {
        free(u->comp_dirs[i]);
        free(u->sources[i]);
    }
    free(u->comp_dirs);
    free(u->sources);
    memset(u, 0, sizeof *u);
}

/* ------------------------------------------------------------------ */
/* Roots                                                               */

void ag_source_roots_free(ag_source_roots *r)
{
    free(r->source);
    free(r->build);
    r->source = r->build = NULL;
}

/* Folds the directory of file into *acc (NULL: the first). *ok becomes
   false when the two share no directory. False when out of memory. */
static bool fold_dir(char **acc, const char *file, bool *ok)
{
    char *d = strdup(file);
    if (!d)
        return false;
    to_dir(d);
    if (!*acc) {
        *acc = d;
        return true;
    }
    if (!shrink_to_common(*acc, d))
        *ok = false;
    free(d);
    return true;
}

static bool under(const char *path, const char *root)
{
    const char *rest;
    return root && ag_path_under(path, root, &rest);
}

/* The directory common to every unit's comp_dir, or NULL (none, or only
   "/"). False when out of memory. */
static bool common_comp_dir(const ag_source_units *u, char **out)
{
    char *b = NULL;
    bool ok = true;
    for (size_t i = 0; i < u->n && ok; i++) {
        const char *cd = u->comp_dirs[i];
        if (!cd)
            continue;
        if (!b) {
            if (!(b = strdup(cd)))
                return false;
        } else if (!shrink_to_common(b, cd)) {
            ok = false;
        }
    }
    if (b && (!ok || strcmp(b, "/") == 0)) {
        free(b);
        b = NULL;
    }
    *out = b;
    return true;
}

bool ag_source_roots_infer(const ag_source_units *u, const char *const *exports, size_t n_exports,
                           const char *source_root, ag_source_roots *out)
{
    out->source = out->build = NULL;
    char *b = NULL;
    if (!common_comp_dir(u, &b))
        return false;
    size_t inside = 0, outside = 0;
    for (size_t i = 0; i < u->n; i++) {
        if (under(u->sources[i], b))
            inside++;
        else
            outside++;
    }
    bool separate = b && outside > inside;
    if (!separate) {
        free(b);
        b = NULL;
    }
    out->build = b;
    if (source_root) {
        out->source = ag_path_normalize(source_root);
        return out->source != NULL;
    }
    char *s = NULL;
    bool ok = true;
    for (size_t i = 0; i < u->n; i++) {
        if (is_system_path(u->sources[i]) || under(u->sources[i], b))
            continue;
        if (!fold_dir(&s, u->sources[i], &ok)) {
            free(s);
            return false;
        }
    }
    /* The headers declaring the exports belong to the library too. */
    for (size_t i = 0; ok && s && i < n_exports; i++) {
        const char *e = exports[i];
        if (!e || is_system_path(e) || under(e, b) || under(e, s))
            continue;
        char *wider = strdup(s);
        if (!wider) {
            free(s);
            return false;
        }
        bool shared = true;
        if (!fold_dir(&wider, e, &shared)) {
            free(wider);
            free(s);
            return false;
        }
        if (shared && strcmp(wider, "/") != 0) {
            free(s);
            s = wider;
        } else {
            free(wider);
        }
    }
    if (s && (!ok || strcmp(s, "/") == 0)) {
        free(s);
        s = NULL;
    }
    out->source = s;
    return true;
}

char *ag_source_path_spell(const ag_source_roots *r, const char *file)
{
    const char *in_build = NULL, *in_source = NULL, *spelled = file;
    if (r->build)
        ag_path_under(file, r->build, &in_build);
    if (r->source)
        ag_path_under(file, r->source, &in_source);
    if (in_build && in_source)
        spelled = strlen(in_build) < strlen(in_source) ? in_build : in_source;
    else if (in_build)
        spelled = in_build;
    else if (in_source)
        spelled = in_source;
    return strdup(spelled);
}

/* ------------------------------------------------------------------ */
/* A corpus                                                            */

static bool respell(const ag_source_roots *r, char **file)
{
    if (!*file)
        return true;
    char *s = ag_source_path_spell(r, *file);
    if (!s)
        return false;
    free(*file);
    *file = s;
    return true;
}

/* A generated header outside the comp_dirs' common directory but nearer to
   it than to the sources (B/include/ares_build.h while every unit compiled
   in B/src/lib): the build tree reaches up to their common directory, so
   it is spelled "include/ares_build.h", not by its whole path. */
static bool widen_build_root(ag_source_roots *r, const char *file)
{
    if (!r->build || !file || file[0] != '/' || is_system_path(file) || under(file, r->build))
        return true;
    char *near_build = strdup(r->build), *near_source = r->source ? strdup(r->build) : NULL;
    if (!near_build || (r->source && !near_source)) {
        free(near_build);
        free(near_source);
        return false;
    }
    bool ok = true;
    if (!fold_dir(&near_build, file, &ok)) {
        free(near_build);
        free(near_source);
        return false;
    }
    bool shared = true;
    if (near_source) {
        char *root_as_file = malloc(strlen(r->source) + 3);
        if (!root_as_file) {
            free(near_build);
            free(near_source);
            return false;
        }
        sprintf(root_as_file, "%s/x", r->source); /* fold_dir takes a file */
        bool folded = fold_dir(&near_source, root_as_file, &shared);
        free(root_as_file);
        if (!folded) {
            free(near_build);
            free(near_source);
            return false;
        }
    }
    size_t source_depth = near_source && shared ? strlen(near_source) : 0;
    if (ok && strcmp(near_build, "/") != 0 && strlen(near_build) > source_depth) {
        free(r->build);
        r->build = near_build;
    } else {
        free(near_build);
    }
    free(near_source);
    return true;
}

static size_t count_under(const ag_corpus *c, const ag_source_units *u, const char *root)
{
    size_t n = 0;
    for (size_t i = 0; i < u->n; i++)
        n += under(u->sources[i], root);
    for (size_t i = 0; i < c->n_types; i++)
        n += c->types[i].decl_file && under(c->types[i].decl_file, root);
    for (size_t i = 0; i < c->n_functions; i++)
        n += c->functions[i].decl_file && under(c->functions[i].decl_file, root);
    return n;
}

/* The declaration file of the first named type t reaches through
   pointers, qualifiers and arrays: where the API names a parameter's type
   (a typedef in the prototypes' header), or NULL. */
static const char *named_type_file(const ag_corpus *c, ag_type_ref t)
{
    for (int depth = 0; depth < 64 && t < c->n_types; depth++) {
        const ag_type *ty = &c->types[t];
        switch (ty->kind) {
        case AG_T_POINTER: case AG_T_CONST: case AG_T_VOLATILE: case AG_T_RESTRICT: case AG_T_ATOMIC:
        case AG_T_ARRAY:
            t = ty->target;
            continue;
        case AG_T_TYPEDEF: case AG_T_STRUCT: case AG_T_UNION: case AG_T_ENUM:
            return ty->decl_file;
        default:
            return NULL;
        }
    }
    return NULL;
}

/* Where the exports are declared: their own declaration files and those of
   the types their signatures name. */
static const char **export_files(const ag_corpus *c, size_t *n_out)
{
    size_t n = c->n_variables * 2;
    for (size_t i = 0; i < c->n_functions; i++)
        n += 2 + c->functions[i].n_params;
    const char **files = malloc((n ? n : 1) * sizeof *files);
    if (!files)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < c->n_functions; i++) {
        const ag_function *f = &c->functions[i];
        files[k++] = f->decl_file;
        files[k++] = named_type_file(c, f->return_type);
        for (size_t j = 0; j < f->n_params; j++)
            files[k++] = named_type_file(c, f->params[j].type);
    }
    for (size_t i = 0; i < c->n_variables; i++) {
        files[k++] = c->variables[i].decl_file;
        files[k++] = named_type_file(c, c->variables[i].type);
    }
    *n_out = k;
    return files;
}

ag_status ag_source_paths_respell(ag_corpus *c, const ag_source_units *u, const char *source_root,
                                  ag_error *err)
{
    size_t n = 0;
    const char **exports = export_files(c, &n);
    if (!exports)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    ag_source_roots roots;
    bool ok = ag_source_roots_infer(u, exports, n, source_root, &roots);
    if (ok && source_root && count_under(c, u, roots.source) == 0 && (u->n || c->n_types)) {
        ag_source_roots inferred;
        ok = ag_source_roots_infer(u, exports, n, NULL, &inferred);
        ag_status st = AG_OK;
        if (ok)
            st = ag_fail(err, AG_ERR_USAGE,
                         "--source-root %s: no source file of the debug info is under it (%s%s)", source_root,
                         inferred.source ? "the sources are under " : "no source directory is recorded",
                         inferred.source ? inferred.source : "");
        ag_source_roots_free(&inferred);
        if (ok) {
            ag_source_roots_free(&roots);
            free(exports);
            return st;
        }
    }
    free(exports);
    for (size_t i = 0; ok && i < c->n_types; i++)
        ok = widen_build_root(&roots, c->types[i].decl_file);
    for (size_t i = 0; ok && i < c->n_functions; i++)
        ok = widen_build_root(&roots, c->functions[i].decl_file);
    for (size_t i = 0; ok && i < c->n_variables; i++)
        ok = widen_build_root(&roots, c->variables[i].decl_file);
    for (size_t i = 0; ok && i < c->n_types; i++)
        ok = respell(&roots, &c->types[i].decl_file);
    for (size_t i = 0; ok && i < c->n_functions; i++)
        ok = respell(&roots, &c->functions[i].decl_file);
    for (size_t i = 0; ok && i < c->n_variables; i++)
        ok = respell(&roots, &c->variables[i].decl_file);
    ag_source_roots_free(&roots);
    return ok ? AG_OK : ag_fail(err, AG_ERR_NOMEM, "out of memory");
}
