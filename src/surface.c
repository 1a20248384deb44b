/*
 * surface.c — deciding which types are public (see surface.h for the
 * rules): collecting the installed headers, matching DWARF declaration
 * files to them by relative name, and inferring the surface from the
 * declaration files when no headers are known.
 */
#include "surface.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hash.h"

#define MAX_DIR_DEPTH 32

/* ------------------------------------------------------------------ */
/* Paths                                                               */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Length of the directory part ("src/lib/x.h" -> 7, "x.h" -> 0). */
static size_t dir_len(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? (size_t)(slash - path) : 0;
}

size_t ag_surface_common_suffix(const char *a, const char *b)
{
    size_t ia = strlen(a), ib = strlen(b), k = 0;
    for (;;) {
        /* the last component of a[0..ia) and b[0..ib) */
        size_t sa = ia, sb = ib;
        while (sa > 0 && a[sa - 1] != '/')
            sa--;
        while (sb > 0 && b[sb - 1] != '/')
            sb--;
        if (ia - sa != ib - sb || ia == sa || memcmp(a + sa, b + sb, ia - sa) != 0)
            return k;
        k++;
        if (sa == 0 || sb == 0)
            return k;
        ia = sa - 1;
        ib = sb - 1;
        while (ia > 0 && a[ia - 1] == '/')
            ia--;
        while (ib > 0 && b[ib - 1] == '/')
            ib--;
    }
}

static const char *extension(const char *path)
{
    const char *base = base_name(path), *dot = strrchr(base, '.');
    return dot && dot != base ? dot + 1 : "";
}

bool ag_surface_is_source_file(const char *path)
{
    static const char *const exts[] = { "c", "cc", "cp", "cpp", "cxx", "c++", "C", "m", "mm", "y", "l", NULL };
    const char *ext = extension(path);
    for (size_t i = 0; exts[i]; i++)
        if (strcmp(ext, exts[i]) == 0)
            return true;
    return false;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

bool ag_surface_has_private_name(const char *path)
{
    static const char *const private_dirs[] = { "private", "internal", "internals", "priv", "impl", NULL };
    /* directory components */
    for (const char *p = path; *p;) {
        const char *slash = strchr(p, '/');
        if (!slash)
            break;
        size_t n = (size_t)(slash - p);
        for (size_t i = 0; private_dirs[i]; i++)
            if (n == strlen(private_dirs[i]) && strncasecmp(p, private_dirs[i], n) == 0)
                return true;
        p = slash + 1;
    }
    /* the file's stem, lower case: *priv*, *internal*, *_int, *-int, *_impl, *-impl, *_p */
    const char *base = base_name(path);
    char stem[256];
    size_t n = 0;
    for (; base[n] && n < sizeof stem - 1; n++)
        stem[n] = (char)tolower((unsigned char)base[n]);
    stem[n] = '\0';
    char *dot = strrchr(stem, '.');
    if (dot && dot != stem) {
        *dot = '\0';
        n = (size_t)(dot - stem);
    }
    if (strstr(stem, "priv") || strstr(stem, "internal"))
        return true;
    static const char *const suffixes[] = { "_int", "-int", "_impl", "-impl", "_p", NULL };
    for (size_t i = 0; suffixes[i]; i++)
        if (ends_with(stem, n, suffixes[i]))
            return true;
    return false;
}

/* Installed elsewhere, by the system or the compiler: never evidence of
   where this library's prototypes live. */
static bool is_system_path(const char *path)
{
    return path[0] == '<' || strncmp(path, "/usr/include/", 13) == 0 ||
           strncmp(path, "/usr/lib/", 9) == 0 || strncmp(path, "/usr/local/include/", 19) == 0 ||
           strncmp(path, "/usr/share/", 11) == 0;
}

const char *ag_visibility_reason(ag_visibility v)
{
    switch (v) {
    case AG_VIS_PUBLIC: return "public";
    case AG_VIS_NOT_IN_HEADERS: return "not in the public headers";
    case AG_VIS_SOURCE_FILE: return "in .c files";
    case AG_VIS_PRIVATE_NAME: return "in private headers";
    case AG_VIS_OUTSIDE_PROTOTYPES: return "outside the prototypes' directories";
    case AG_VIS_BESIDE_SOURCES: return "in headers beside the sources that no prototype uses";
    default: return "?";
    }
}

static const char *const visibility_ids[AG_VIS__COUNT] = {
    [AG_VIS_PUBLIC] = "public",
    [AG_VIS_NOT_IN_HEADERS] = "not-in-headers",
    [AG_VIS_SOURCE_FILE] = "source-file",
    [AG_VIS_PRIVATE_NAME] = "private-name",
    [AG_VIS_OUTSIDE_PROTOTYPES] = "outside-prototypes",
    [AG_VIS_BESIDE_SOURCES] = "beside-sources",
};

const char *ag_visibility_id(ag_visibility v)
{
    return (unsigned)v < AG_VIS__COUNT ? visibility_ids[v] : "?";
}

int ag_visibility_from_id(const char *id)
{
    for (int v = 0; id && v < AG_VIS__COUNT; v++)
        if (strcmp(id, visibility_ids[v]) == 0)
            return v;
    return -1;
}

bool ag_surface_kind_has_definition(ag_type_kind k)
{
    return k == AG_T_STRUCT || k == AG_T_UNION || k == AG_T_ENUM || k == AG_T_TYPEDEF;
}

/* ------------------------------------------------------------------ */
/* A set of strings, by 64-bit hash (collisions do not matter here)     */

static uint64_t str_key(const char *s, size_t n)
{
    ag_hasher hs;
    ag_hash_init(&hs);
    ag_hash_u64(&hs, n);
    ag_hash_bytes(&hs, s, n);
    uint64_t k = ag_hash_final(&hs);
    return k == UINT64_MAX ? 0 : k;
}

static bool set_add(ag_u64map *m, const char *s, size_t n)
{
    return ag_u64map_put(m, str_key(s, n), 1);
}

static bool set_has(const ag_u64map *m, const char *s, size_t n)
{
    uint32_t v;
    return ag_u64map_get(m, str_key(s, n), &v);
}

/* ------------------------------------------------------------------ */
/* Inference                                                            */

typedef struct inference {
    const ag_corpus *c;
    ag_u64map signature_files; /* files declaring a type an exported signature draws on */
    ag_u64map prototype_dirs;  /* their directories (headers of this library only) */
    ag_u64map source_dirs;     /* directories holding the exported functions' sources */
    bool nomem;
} inference;

static void note_signature_file(inference *in, const char *file)
{
    if (!file)
        return;
    if (!set_add(&in->signature_files, file, strlen(file)))
        in->nomem = true;
    if (!ag_surface_is_source_file(file) && !is_system_path(file) && !ag_surface_has_private_name(file) &&
        !set_add(&in->prototype_dirs, file, dir_len(file)))
        in->nomem = true;
}

/* The first named type on each path from a signature slot: a typedef is
   named by the prototype, so its header is one the caller includes; a
   struct, union or enum passed by value must be complete there too, and a
   declaration-only one is declared there. A complete struct reached through
   a pointer says nothing: its definition may well be private. Function
   types are looked into (a callback's parameters are its signature too). */
static void walk_signature(inference *in, ag_type_ref t, bool through_pointer, int depth)
{
    const ag_corpus *c = in->c;
    for (int guard = 0; t < c->n_types && guard < 64 && depth < 16; guard++) {
        const ag_type *ty = &c->types[t];
        switch (ty->kind) {
        case AG_T_POINTER:
            through_pointer = true;
            t = ty->target;
            continue;
        case AG_T_CONST: case AG_T_VOLATILE: case AG_T_RESTRICT: case AG_T_ATOMIC: case AG_T_ARRAY:
            t = ty->target;
            continue;
        case AG_T_TYPEDEF:
            note_signature_file(in, ty->decl_file);
            return;
        case AG_T_STRUCT: case AG_T_UNION: case AG_T_ENUM:
            if (!through_pointer || ty->declaration_only)
                note_signature_file(in, ty->decl_file);
            return;
        case AG_T_FUNC:
            walk_signature(in, ty->target, false, depth + 1);
            for (size_t i = 0; i < ty->n_params; i++)
                walk_signature(in, ty->params[i].type, false, depth + 1);
            return;
        default:
            return;
        }
    }
}

static ag_visibility infer_one(const inference *in, const ag_type *t)
{
    const char *d = t->decl_file;
    if (!ag_surface_kind_has_definition(t->kind) || !d || d[0] == '<')
        return AG_VIS_PUBLIC;
    if (ag_surface_has_private_name(d))
        return AG_VIS_PRIVATE_NAME;
    if (set_has(&in->signature_files, d, strlen(d)))
        return AG_VIS_PUBLIC;
    if (ag_surface_is_source_file(d))
        return AG_VIS_SOURCE_FILE;
    if (in->prototype_dirs.count == 0)
        return AG_VIS_PUBLIC; /* no evidence where the public headers are */
    if (!set_has(&in->prototype_dirs, d, dir_len(d)))
        return AG_VIS_OUTSIDE_PROTOTYPES;
    if (set_has(&in->source_dirs, d, dir_len(d)))
        return AG_VIS_BESIDE_SOURCES;
    return AG_VIS_PUBLIC;
}

static ag_status infer(const ag_corpus *c, ag_visibility *vis, ag_error *err)
{
    inference in = { .c = c };
    bool ok = ag_u64map_init(&in.signature_files, 64) && ag_u64map_init(&in.prototype_dirs, 16) &&
              ag_u64map_init(&in.source_dirs, 16);
    for (size_t i = 0; ok && i < c->n_functions; i++) {
        const ag_function *f = &c->functions[i];
        walk_signature(&in, f->return_type, false, 0);
        for (size_t p = 0; p < f->n_params; p++)
            walk_signature(&in, f->params[p].type, false, 0);
        if (f->decl_file && ag_surface_is_source_file(f->decl_file) &&
            !set_add(&in.source_dirs, f->decl_file, dir_len(f->decl_file)))
            in.nomem = true;
    }
    for (size_t i = 0; ok && i < c->n_variables; i++)
        walk_signature(&in, c->variables[i].type, false, 0);
    ok = ok && !in.nomem;
    for (size_t i = 0; ok && i < c->n_types; i++)
        vis[i] = infer_one(&in, &c->types[i]);
    ag_u64map_free(&in.signature_files);
    ag_u64map_free(&in.prototype_dirs);
    ag_u64map_free(&in.source_dirs);
    return ok ? AG_OK : ag_fail(err, AG_ERR_NOMEM, "out of memory");
}

ag_status ag_surface_classify(const ag_corpus *c, ag_visibility *vis, ag_surface_summary *sum,
                              ag_error *err)
{
    ag_status st = AG_OK;
    if (c->surface.recorded) {
        for (size_t i = 0; i < c->n_types; i++)
            vis[i] = !ag_surface_kind_has_definition(c->types[i].kind) || c->types[i].is_public
                         ? AG_VIS_PUBLIC : AG_VIS_NOT_IN_HEADERS;
    } else {
        st = infer(c, vis, err);
    }
    if (st != AG_OK || !sum)
        return st;
    memset(sum, 0, sizeof *sum);
    sum->types_known = c->has_debug_info;
    sum->method = c->surface.recorded ? AG_SURFACE_HEADERS : AG_SURFACE_INFERRED;
    sum->n_public_headers = c->surface.n_public_headers;
    for (size_t i = 0; c->surface.recorded && i < c->n_functions; i++)
        sum->n_internal_exports += c->functions[i].is_internal;
    for (size_t i = 0; c->surface.recorded && i < c->n_variables; i++)
        sum->n_internal_exports += c->variables[i].is_internal;
    for (size_t i = 0; i < c->n_types; i++) {
        if (!ag_surface_kind_has_definition(c->types[i].kind))
            continue;
        sum->n_types++;
        if (vis[i] != AG_VIS_PUBLIC) {
            sum->n_private++;
            sum->by_reason[vis[i]]++;
        }
    }
    return AG_OK;
}

/* ------------------------------------------------------------------ */
/* Collecting the installed headers                                     */

typedef struct name_list {
    char **v;
    size_t n, cap;
} name_list;

static bool list_add(name_list *l, const char *s, size_t n)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        char **b = realloc(l->v, cap * sizeof *b);
        if (!b)
            return false;
        l->v = b;
        l->cap = cap;
    }
    char *d = strndup(s, n);
    if (!d)
        return false;
    l->v[l->n++] = d;
    return true;
}

static void list_free(name_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_sort_unique(name_list *l)
{
    if (l->n > 1)
        qsort(l->v, l->n, sizeof *l->v, cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (k > 0 && strcmp(l->v[k - 1], l->v[i]) == 0)
            free(l->v[i]);
        else
            l->v[k++] = l->v[i];
    }
    l->n = k;
}

typedef struct dir_id {
    dev_t dev;
    ino_t ino;
} dir_id;

/* Adds every regular file under abs (named rel/...) to out. Directories on
   the current path are remembered so a symlink loop ends. */
static ag_status walk_dir(const char *abs, const char *rel, dir_id *path_ids, int depth, name_list *out,
                          name_list *paths, ag_error *err)
{
    struct stat sb;
    if (stat(abs, &sb) != 0)
        return AG_OK; /* a dangling symlink inside: not a header */
    for (int i = 0; i < depth; i++)
        if (path_ids[i].dev == sb.st_dev && path_ids[i].ino == sb.st_ino)
            return AG_OK;
    if (depth >= MAX_DIR_DEPTH)
        return AG_OK;
    path_ids[depth] = (dir_id){ sb.st_dev, sb.st_ino };
    DIR *d = opendir(abs);
    if (!d)
        return ag_fail(err, AG_ERR_IO, "%s: cannot read the directory: %s", abs, strerror(errno));
    ag_status st = AG_OK;
    struct dirent *e;
    while (st == AG_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char child_abs[PATH_MAX], child_rel[PATH_MAX];
        int na = snprintf(child_abs, sizeof child_abs, "%s/%s", abs, e->d_name);
        int nr = rel[0] ? snprintf(child_rel, sizeof child_rel, "%s/%s", rel, e->d_name)
                        : snprintf(child_rel, sizeof child_rel, "%s", e->d_name);
        if (na < 0 || (size_t)na >= sizeof child_abs || nr < 0 || (size_t)nr >= sizeof child_rel)
            continue;
        struct stat cs;
        if (stat(child_abs, &cs) != 0)
            continue;
        if (S_ISDIR(cs.st_mode))
            st = walk_dir(child_abs, child_rel, path_ids, depth + 1, out, paths, err);
        else if (S_ISREG(cs.st_mode) &&
                 (!list_add(out, child_rel, strlen(child_rel)) || !list_add(paths, child_abs, strlen(child_abs))))
            st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    closedir(d);
    return st;
}

/* The name a --public-headers FILE is recorded by. */
static ag_status header_file_name(const char *file, char *const *dirs_real, size_t n_dirs, name_list *out,
                                  ag_error *err)
{
    struct stat sb;
    if (stat(file, &sb) != 0)
        return ag_fail(err, AG_ERR_IO, "%s: no such header file: %s", file, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return ag_fail(err, AG_ERR_IO, "%s: not a regular file", file);
    char *real = realpath(file, NULL);
    for (size_t i = 0; real && i < n_dirs; i++) {
        size_t n = strlen(dirs_real[i]);
        if (strncmp(real, dirs_real[i], n) == 0 && real[n] == '/') {
            bool added = list_add(out, real + n + 1, strlen(real + n + 1));
            free(real);
            return added ? AG_OK : ag_fail(err, AG_ERR_NOMEM, "out of memory");
        }
    }
    free(real);
    const char *name = file;
    if (name[0] == '/')
        name = base_name(name);
    while (name[0] == '.' && name[1] == '/')
        name += 2;
    return list_add(out, name, strlen(name)) ? AG_OK : ag_fail(err, AG_ERR_NOMEM, "out of memory");
}

void ag_header_set_free(ag_header_set *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n; i++)
        free(h->names[i]);
    free(h->names);
    for (size_t i = 0; i < h->n_dirs; i++)
        free(h->dirs[i]);
    free(h->dirs);
    for (size_t i = 0; i < h->n_paths; i++)
        free(h->paths[i]);
    free(h->paths);
    free(h);
}

ag_status ag_header_set_collect(const char *const *dirs, size_t n_dirs, const char *const *files,
                                size_t n_files, ag_header_set **out, ag_error *err)
{
    *out = NULL;
    ag_header_set *h = calloc(1, sizeof *h);
    char **dirs_real = calloc(n_dirs + 1, sizeof *dirs_real);
    name_list names = { 0 }, given = { 0 }, paths = { 0 };
    ag_status st = h && dirs_real ? AG_OK : ag_fail(err, AG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == AG_OK && i < n_dirs; i++) {
        struct stat sb;
        if (stat(dirs[i], &sb) != 0)
            st = ag_fail(err, AG_ERR_IO, "--headers-dir %s: no such directory", dirs[i]);
        else if (!S_ISDIR(sb.st_mode))
            st = ag_fail(err, AG_ERR_IO, "--headers-dir %s: not a directory", dirs[i]);
        else if (!(dirs_real[i] = realpath(dirs[i], NULL)) || !list_add(&given, dirs[i], strlen(dirs[i])))
            st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    if (n_files) {
        for (size_t i = 0; st == AG_OK && i < n_files; i++) {
            st = header_file_name(files[i], dirs_real, n_dirs, &names, err);
            if (st == AG_OK && !list_add(&paths, files[i], strlen(files[i])))
                st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
        }
    } else {
        dir_id path_ids[MAX_DIR_DEPTH + 1];
        for (size_t i = 0; st == AG_OK && i < n_dirs; i++)
            st = walk_dir(dirs_real[i], "", path_ids, 0, &names, &paths, err);
    }
    list_sort_unique(&names);
    if (st == AG_OK && names.n == 0) {
        st = ag_fail(err, AG_ERR_USAGE, "--headers-dir %s%s: no header files in it", n_dirs ? dirs[0] : "?",
                     n_dirs > 1 ? " ..." : "");
    }
    for (size_t i = 0; dirs_real && i < n_dirs; i++)
        free(dirs_real[i]);
    free(dirs_real);
    if (st != AG_OK) {
        list_free(&names);
        list_free(&given);
        list_free(&paths);
        ag_header_set_free(h);
        return st;
    }
    h->names = names.v;
    h->n = names.n;
    h->paths = paths.v;
    h->n_paths = paths.n;
    h->dirs = given.v;
    h->n_dirs = given.n;
    *out = h;
    return AG_OK;
}

/* ------------------------------------------------------------------ */
/* Recording and matching                                               */

ag_status ag_surface_set(ag_corpus *c, const ag_header_set *h, ag_error *err)
{
    ag_surface_clear(&c->surface);
    for (size_t i = 0; i < c->n_types; i++)
        c->types[i].is_public = false;
    for (size_t i = 0; i < c->n_functions; i++)
        c->functions[i].is_internal = false;
    for (size_t i = 0; i < c->n_variables; i++)
        c->variables[i].is_internal = false;
    c->surface.public_headers = calloc(h->n ? h->n : 1, sizeof *c->surface.public_headers);
    if (!c->surface.public_headers)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < h->n; i++) {
        if (!(c->surface.public_headers[i] = strdup(h->names[i]))) {
            ag_surface_clear(&c->surface);
            return ag_fail(err, AG_ERR_NOMEM, "out of memory");
        }
        c->surface.n_public_headers++;
    }
    c->surface.recorded = true;
    return AG_OK;
}

bool ag_surface_may_declare(const ag_corpus *c, const char *decl_file)
{
    if (!c->surface.recorded || !decl_file)
        return false;
    const char *base = base_name(decl_file);
    for (size_t i = 0; i < c->surface.n_public_headers; i++)
        if (strcmp(base_name(c->surface.public_headers[i]), base) == 0)
            return true;
    return false;
}

/* The distinct declaration files of a corpus, each with whether it is one
   of the public headers' copies. */
typedef struct decl_files {
    const char **files;
    bool *is_public;
    size_t n;
    ag_u64map index;  /* str_key(file) -> position */
} decl_files;

static bool decl_files_add(decl_files *df, const char *file)
{
    if (!file)
        return true;
    uint64_t k = str_key(file, strlen(file));
    uint32_t pos;
    if (ag_u64map_get(&df->index, k, &pos))
        return true;
    df->files[df->n] = file;
    return ag_u64map_put(&df->index, k, (uint32_t)df->n++);
}

static bool decl_file_public(const decl_files *df, const char *file)
{
    uint32_t pos;
    if (!file || file[0] == '<')
        return true;
    return ag_u64map_get(&df->index, str_key(file, strlen(file)), &pos) && df->is_public[pos];
}

/* For each header, the build files sharing the longest path suffix with it
   (at least the base name) are its copies. */
static void match_headers(const ag_corpus *c, decl_files *df)
{
    for (size_t j = 0; j < c->surface.n_public_headers; j++) {
        const char *hname = c->surface.public_headers[j];
        size_t best = 0;
        for (size_t i = 0; i < df->n; i++) {
            size_t k = ag_surface_common_suffix(df->files[i], hname);
            if (k > best)
                best = k;
        }
        for (size_t i = 0; best && i < df->n; i++)
            if (ag_surface_common_suffix(df->files[i], hname) == best)
                df->is_public[i] = true;
    }
}

typedef struct dir_count {
    const char *file;  /* a file of the directory */
    size_t len;        /* the directory's length in it */
    size_t count;
} dir_count;

static int cmp_dir_count(const void *a, const void *b)
{
    const dir_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    size_t n = x->len < y->len ? x->len : y->len;
    int d = memcmp(x->file, y->file, n);
    return d ? d : (int)x->len - (int)y->len;
}

/* "src/lib/ (40), include/ (3), ./ (2) and 4 more": where a corpus's types
   are declared, most first. */
static void describe_decl_dirs(const ag_corpus *c, char *buf, size_t len)
{
    buf[0] = '\0';
    dir_count *dirs = calloc(c->n_types + 1, sizeof *dirs);
    if (!dirs)
        return;
    size_t n = 0;
    for (size_t i = 0; i < c->n_types; i++) {
        const char *f = c->types[i].decl_file;
        if (!f || f[0] == '<' || !ag_surface_kind_has_definition(c->types[i].kind))
            continue;
        size_t dl = dir_len(f), k = 0;
        while (k < n && !(dirs[k].len == dl && memcmp(dirs[k].file, f, dl) == 0))
            k++;
        if (k == n)
            dirs[n++] = (dir_count){ f, dl, 0 };
        dirs[k].count++;
    }
    qsort(dirs, n, sizeof *dirs, cmp_dir_count);
    size_t used = 0;
    for (size_t k = 0; k < n && k < 6; k++) {
        int w = snprintf(buf + used, len - used, "%s%.*s%s (%zu)", k ? ", " : "", (int)dirs[k].len,
                         dirs[k].file, dirs[k].len ? "/" : "./", dirs[k].count);
        if (w < 0 || (size_t)w >= len - used)
            break;
        used += (size_t)w;
    }
    if (n > 6 && used < len)
        snprintf(buf + used, len - used, " and %zu more", n - 6);
    if (n == 0)
        snprintf(buf, len, "nowhere (no type has a declaration file)");
    free(dirs);
}

#define MAX_SCANNED_HEADER (8u << 20)

/* Every identifier the header files spell (prototypes behind macros
   included). False when out of memory. */
static bool header_identifiers(const ag_header_set *h, ag_u64map *ids)
{
    if (!ag_u64map_init(ids, 4096))
        return false;
    char *buf = malloc(MAX_SCANNED_HEADER);
    bool ok = buf != NULL;
    for (size_t i = 0; ok && h && i < h->n_paths; i++) {
        FILE *f = fopen(h->paths[i], "rb");
        if (!f)
            continue;
        size_t n = fread(buf, 1, MAX_SCANNED_HEADER, f);
        fclose(f);
        for (size_t k = 0; k < n && ok;) {
            /* Comments and literals name nothing ("Must be ares_free()'d"). */
            if (buf[k] == '/' && k + 1 < n && buf[k + 1] == '*') {
                char *end = memmem(buf + k + 2, n - k - 2, "*/", 2);
                k = end ? (size_t)(end - buf) + 2 : n;
                continue;
            }
            if (buf[k] == '/' && k + 1 < n && buf[k + 1] == '/') {
                while (k < n && buf[k] != '\n')
                    k++;
                continue;
            }
            if (buf[k] == '"' || buf[k] == '\'') {
                char quote = buf[k++];
                while (k < n && buf[k] != quote && buf[k] != '\n')
                    k += buf[k] == '\\' ? 2 : 1;
                k++;
                continue;
            }
            if (!(isalpha((unsigned char)buf[k]) || buf[k] == '_')) {
                k++;
                continue;
            }
            size_t start = k;
            while (k < n && (isalnum((unsigned char)buf[k]) || buf[k] == '_'))
                k++;
            ok = set_add(ids, buf + start, k - start);
        }
    }
    free(buf);
    return ok;
}

/* Whether the headers name an exported symbol: as it is, or as the stem a
   header pastes a number onto (pcre2's pcre2_compile_ ## 8, ICU's
   ucol_open ## _74). */
static bool headers_name(const ag_u64map *ids, const char *name)
{
    size_t n = strlen(name);
    if (set_has(ids, name, n))
        return true;
    size_t k = n;
    while (k > 0 && isdigit((unsigned char)name[k - 1]))
        k--;
    if (k == n || k == 0)
        return false;
    if (set_has(ids, name, k))
        return true;
    return k > 1 && name[k - 1] == '_' && set_has(ids, name, k - 1);
}

/* With the headers known, an exported function or variable that no header
   names is the library's own (declared in a header it does not install,
   for its tools or its other parts): not an interface of its callers.
   When the headers name no export at all they are not read that way
   (declarations generated beyond recognition): nothing is marked. */
static void mark_internal_exports(ag_corpus *c, const ag_u64map *ids, bool *any_named)
{
    size_t named = 0;
    for (size_t i = 0; i < c->n_exports; i++)
        named += headers_name(ids, c->exports[i].name);
    *any_named = named > 0;
    for (size_t i = 0; i < c->n_functions; i++)
        c->functions[i].is_internal = named > 0 && !headers_name(ids, c->functions[i].name);
    for (size_t i = 0; i < c->n_variables; i++)
        c->variables[i].is_internal = named > 0 && !headers_name(ids, c->variables[i].name);
}

ag_status ag_surface_mark(ag_corpus *c, const ag_header_set *h, ag_error *err)
{
    size_t cap = c->n_types + c->n_functions + c->n_variables + 1;
    decl_files df = { .files = calloc(cap, sizeof *df.files), .is_public = calloc(cap, sizeof *df.is_public) };
    bool ok = df.files && df.is_public && ag_u64map_init(&df.index, cap);
    for (size_t i = 0; ok && i < c->n_types; i++)
        if (ag_surface_kind_has_definition(c->types[i].kind))
            ok = decl_files_add(&df, c->types[i].decl_file);
    for (size_t i = 0; ok && i < c->n_functions; i++)
        ok = decl_files_add(&df, c->functions[i].decl_file);
    for (size_t i = 0; ok && i < c->n_variables; i++)
        ok = decl_files_add(&df, c->variables[i].decl_file);
    ag_status st = AG_OK;
    if (!ok) {
        st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    } else {
        match_headers(c, &df);
        bool any = false;
        for (size_t i = 0; i < df.n; i++)
            any = any || df.is_public[i];
        for (size_t i = 0; i < c->n_types; i++)
            c->types[i].is_public = ag_surface_kind_has_definition(c->types[i].kind) &&
                                    decl_file_public(&df, c->types[i].decl_file);
        ag_u64map ids = { 0 };
        bool named = false;
        if (header_identifiers(h, &ids))
            mark_internal_exports(c, &ids, &named);
        else
            st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
        ag_u64map_free(&ids);
        if (st == AG_OK && !any && c->has_debug_info && !named) {
            char from[512], given[512];
            describe_decl_dirs(c, from, sizeof from);
            size_t used = 0;
            given[0] = '\0';
            for (size_t i = 0; h && i < h->n_dirs && used < sizeof given; i++) {
                int w = snprintf(given + used, sizeof given - used, "%s%s", i ? ", " : "", h->dirs[i]);
                if (w < 0)
                    break;
                used += (size_t)w;
            }
            st = ag_fail(err, AG_ERR_USAGE,
                         "no type or function of %s is declared in the %zu header%s given%s%s; its types "
                         "are declared in %s",
                         c->elf.file_name ? c->elf.file_name : "the library", c->surface.n_public_headers,
                         c->surface.n_public_headers == 1 ? "" : "s", given[0] ? " under " : "", given, from);
        }
    }
    free(df.files);
    free(df.is_public);
    ag_u64map_free(&df.index);
    return st;
}

ag_status ag_surface_apply(ag_corpus *c, const ag_header_set *h, ag_error *err)
{
    ag_status st = ag_surface_set(c, h, err);
    if (st == AG_OK)
        st = ag_surface_mark(c, h, err);
    if (st == AG_OK)
        st = ag_corpus_finalize(c, err);
    return st;
}
