/*
 * test_surface.c — the public surface (surface.c): matching DWARF
 * declaration files from a build tree to installed headers by relative
 * name, collecting the headers from directories, the error for headers
 * that declare nothing, the inference when no header is known, and the
 * recorded surface's way through finalize, both JSON readers and back.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "corpus.h"
#include "corpus_json.h"
#include "surface.h"

ag_status ag_corpus_from_json_fast(const char *text, size_t len, ag_corpus **out, ag_error *err);
ag_status ag_corpus_from_json_tree(const char *text, size_t len, ag_corpus **out, ag_error *err);

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    cr_assert_not_null(d);
    return d;
}

/* ------------------------------------------------------------------ */
/* Paths                                                               */

Test(surface_paths, common_suffix_counts_whole_components)
{
    cr_expect_eq(ag_surface_common_suffix("png.h", "libpng16/png.h"), 1);
    cr_expect_eq(ag_surface_common_suffix("/build/libpng-1.6/png.h", "libpng16/png.h"), 1);
    cr_expect_eq(ag_surface_common_suffix("lib/includes/nghttp2/nghttp2.h", "nghttp2/nghttp2.h"), 2);
    cr_expect_eq(ag_surface_common_suffix("src/pcre2.h", "pcre2.h"), 1);
    cr_expect_eq(ag_surface_common_suffix("src/xpng.h", "png.h"), 0, "a component, not a string suffix");
    cr_expect_eq(ag_surface_common_suffix("a/b/c.h", "a/b/c.h"), 3);
    cr_expect_eq(ag_surface_common_suffix("x/b/c.h", "y/b/c.h"), 2);
    cr_expect_eq(ag_surface_common_suffix("c.h", "d.h"), 0);
}

Test(surface_paths, source_files_and_private_names)
{
    cr_expect(ag_surface_is_source_file("src/lib/ares_init.c"));
    cr_expect(ag_surface_is_source_file("lapi.c"));
    cr_expect(ag_surface_is_source_file("x.cc"));
    cr_expect(!ag_surface_is_source_file("include/ares.h"));
    cr_expect(!ag_surface_is_source_file("src/x86/ffitarget.h"));
    const char *private_names[] = { "src/lib/ares_private.h", "pngpriv.h", "lib/nghttp2_int.h", "src/pcre2_internal.h",
                                    "x-int.h", "src/lib/x_impl.h", "include/internal/types.h", "priv/a.h",
                                    "qobject_p.h", NULL };
    for (size_t i = 0; private_names[i]; i++)
        cr_expect(ag_surface_has_private_name(private_names[i]), "%s should look private", private_names[i]);
    const char *public_names[] = { "png.h", "include/ares.h", "sodium/crypto_box.h", "lua.h", "lmdb.h",
                                   "src/pcre2.h", "nghttp2/nghttp2ver.h", "zlib/inttypes.h", NULL };
    for (size_t i = 0; public_names[i]; i++)
        cr_expect(!ag_surface_has_private_name(public_names[i]), "%s should not look private", public_names[i]);
}

/* ------------------------------------------------------------------ */
/* Corpora by hand                                                     */

static ag_type_ref add_type(ag_corpus *c, ag_type_kind kind, const char *name, const char *file)
{
    ag_type_ref r = ag_corpus_add_type(c, kind);
    cr_assert_neq(r, AG_NO_TYPE);
    c->types[r].name = name ? xstrdup(name) : NULL;
    c->types[r].decl_file = file ? xstrdup(file) : NULL;
    if (kind == AG_T_STRUCT)
        c->types[r].byte_size = 8;
    return r;
}

static ag_type_ref add_pointer(ag_corpus *c, ag_type_ref to)
{
    ag_type_ref r = ag_corpus_add_type(c, AG_T_POINTER);
    c->types[r].target = to;
    c->types[r].byte_size = 8;
    return r;
}

static void add_member(ag_corpus *c, ag_type_ref s, const char *name, ag_type_ref type)
{
    ag_type *t = &c->types[s];
    t->members = realloc(t->members, (t->n_members + 1) * sizeof *t->members);
    t->members[t->n_members++] = (ag_member){ xstrdup(name), type, t->n_members * 64, 0, 0 };
}

/* An exported function f(param) defined in file. */
static void add_function(ag_corpus *c, const char *name, const char *file, ag_type_ref param)
{
    c->functions = realloc(c->functions, (c->n_functions + 1) * sizeof *c->functions);
    ag_function *f = &c->functions[c->n_functions++];
    memset(f, 0, sizeof *f);
    f->name = xstrdup(name);
    f->return_type = ag_corpus_void_type(c);
    f->decl_file = xstrdup(file);
    f->prototyped = true;
    f->params = calloc(1, sizeof *f->params);
    f->params[0] = (ag_param){ xstrdup("p"), param };
    f->n_params = 1;
    c->exports = realloc(c->exports, (c->n_exports + 1) * sizeof *c->exports);
    c->exports[c->n_exports++] = (ag_symbol){ .name = xstrdup(name), .is_default = true, .type = AG_SYM_FUNC };
}

static ag_corpus *new_corpus(void)
{
    ag_corpus *c = ag_corpus_new();
    cr_assert_not_null(c);
    c->elf.file_name = xstrdup("libt.so.1");
    c->elf.soname = xstrdup("libt.so.1");
    c->elf.elf_type = xstrdup("dyn");
    c->elf.machine = xstrdup("x86_64");
    c->elf.byte_order = xstrdup("little");
    c->elf.elf_class = 64;
    c->has_debug_info = true;
    c->debug_source = xstrdup("embedded");
    c->dwarf_version = 5;
    return c;
}

static void finalize(ag_corpus *c)
{
    ag_error err = { "" };
    cr_assert_eq(ag_corpus_finalize(c, &err), AG_OK, "%s", err.msg);
}

static ag_visibility visibility_of(const ag_corpus *c, const char *spelled)
{
    ag_visibility *vis = calloc(c->n_types + 1, sizeof *vis);
    ag_error err = { "" };
    cr_assert_eq(ag_surface_classify(c, vis, NULL, &err), AG_OK, "%s", err.msg);
    ag_type_ref t = ag_corpus_find_type(c, spelled);
    cr_assert_neq(t, AG_NO_TYPE, "no type %s", spelled);
    ag_visibility v = vis[t];
    free(vis);
    return v;
}

/* ------------------------------------------------------------------ */
/* Inference                                                           */

/* The commonest C handle: typedef struct x x_t in the public header, the
   struct in a private one, the API in terms of x_t *. */
Test(surface_inferred, handle_behind_a_public_typedef)
{
    ag_corpus *c = new_corpus();
    ag_type_ref impl = add_type(c, AG_T_STRUCT, "ctx", "src/lib/ctx_core.h");
    ag_type_ref td = add_type(c, AG_T_TYPEDEF, "ctx_t", "include/ctx.h");
    c->types[td].target = impl;
    ag_type_ref pub = add_type(c, AG_T_STRUCT, "ctx_opts", "include/ctx.h");
    ag_type_ref helper = add_type(c, AG_T_STRUCT, "ctx_helper", "src/lib/util.h");
    ag_type_ref inc = add_type(c, AG_T_STRUCT, "ctx_state", "src/lib/ctx.c");
    add_member(c, impl, "opts", add_pointer(c, pub));
    add_member(c, impl, "h", add_pointer(c, helper));
    add_member(c, impl, "s", add_pointer(c, inc));
    add_function(c, "ctx_new", "src/lib/ctx.c", add_pointer(c, td));
    add_function(c, "ctx_set", "src/lib/ctx.c", add_pointer(c, pub));
    finalize(c);
    cr_expect_eq(visibility_of(c, "ctx_t"), AG_VIS_PUBLIC);
    cr_expect_eq(visibility_of(c, "struct ctx_opts"), AG_VIS_PUBLIC, "include/ holds a prototype's typedef");
    cr_expect_eq(visibility_of(c, "struct ctx"), AG_VIS_OUTSIDE_PROTOTYPES);
    cr_expect_eq(visibility_of(c, "struct ctx_helper"), AG_VIS_OUTSIDE_PROTOTYPES);
    cr_expect_eq(visibility_of(c, "struct ctx_state"), AG_VIS_SOURCE_FILE);
    ag_visibility *vis = calloc(c->n_types + 1, sizeof *vis);
    ag_surface_summary sum;
    ag_error err = { "" };
    cr_assert_eq(ag_surface_classify(c, vis, &sum, &err), AG_OK);
    cr_expect_eq(sum.method, AG_SURFACE_INFERRED);
    cr_expect_eq(sum.n_private, 3);
    cr_expect_eq(sum.by_reason[AG_VIS_SOURCE_FILE], 1);
    cr_expect_eq(sum.by_reason[AG_VIS_OUTSIDE_PROTOTYPES], 2);
    free(vis);
    ag_corpus_free(c);
}

/* lua's layout: the sources and every header in one directory. There only
   the headers an exported signature draws a type from are public. */
Test(surface_inferred, flat_source_directory)
{
    ag_corpus *c = new_corpus();
    ag_type_ref state = add_type(c, AG_T_STRUCT, "lua_State", "lstate.h");
    ag_type_ref td = add_type(c, AG_T_TYPEDEF, "lua_State", "lua.h");
    c->types[td].target = state;
    ag_type_ref debug = add_type(c, AG_T_STRUCT, "lua_Debug", "lua.h");
    ag_type_ref ci = add_type(c, AG_T_STRUCT, "CallInfo", "lstate.h");
    add_member(c, debug, "i_ci", add_pointer(c, ci));
    add_member(c, state, "ci", add_pointer(c, ci));
    ag_type_ref private_named = add_type(c, AG_T_STRUCT, "Zio", "lzio_priv.h");
    add_member(c, state, "z", add_pointer(c, private_named));
    add_function(c, "lua_getstack", "ldebug.c", add_pointer(c, debug));
    add_function(c, "lua_gettop", "lapi.c", add_pointer(c, td));
    finalize(c);
    cr_expect_eq(visibility_of(c, "lua_State"), AG_VIS_PUBLIC);
    cr_expect_eq(visibility_of(c, "struct lua_Debug"), AG_VIS_PUBLIC);
    cr_expect_eq(visibility_of(c, "struct lua_State"), AG_VIS_BESIDE_SOURCES);
    cr_expect_eq(visibility_of(c, "struct CallInfo"), AG_VIS_BESIDE_SOURCES);
    cr_expect_eq(visibility_of(c, "struct Zio"), AG_VIS_PRIVATE_NAME);
    ag_corpus_free(c);
}

/* An amalgamation (sqlite3.c) declares its public types in a .c file: the
   file a signature draws a type from is public whatever its name. And with
   no evidence at all where the headers are, nothing is made private but
   .c files. */
Test(surface_inferred, amalgamation_and_no_evidence)
{
    ag_corpus *c = new_corpus();
    ag_type_ref db = add_type(c, AG_T_STRUCT, "sqlite3", "sqlite3.c");
    ag_type_ref td = add_type(c, AG_T_TYPEDEF, "sqlite3", "sqlite3.c");
    c->types[td].target = db;
    ag_type_ref vfs = add_type(c, AG_T_STRUCT, "sqlite3_vfs", "sqlite3.c");
    add_member(c, db, "vfs", add_pointer(c, vfs));
    add_function(c, "sqlite3_open", "sqlite3.c", add_pointer(c, td));
    finalize(c);
    cr_expect_eq(visibility_of(c, "struct sqlite3_vfs"), AG_VIS_PUBLIC);
    cr_expect_eq(visibility_of(c, "struct sqlite3"), AG_VIS_PUBLIC);
    ag_corpus_free(c);

    c = new_corpus();
    ag_type_ref s = add_type(c, AG_T_STRUCT, "point", "include/geo.h");
    ag_type_ref in_c = add_type(c, AG_T_STRUCT, "engine", "src/geo.c");
    add_function(c, "geo_move", "src/geo.c", add_pointer(c, s));
    add_function(c, "geo_run", "src/geo.c", add_pointer(c, in_c));
    finalize(c);
    cr_expect_eq(visibility_of(c, "struct point"), AG_VIS_PUBLIC, "no evidence: a header is public");
    cr_expect_eq(visibility_of(c, "struct engine"), AG_VIS_SOURCE_FILE);
    ag_corpus_free(c);
}

/* ------------------------------------------------------------------ */
/* Headers                                                             */

static char *make_tree(void)
{
    char tmpl[] = "/tmp/abiguard-surface-XXXXXX";
    char *dir = mkdtemp(tmpl);
    cr_assert_not_null(dir);
    char path[512];
    snprintf(path, sizeof path, "%s/include/libpng16", dir);
    char inc[512];
    snprintf(inc, sizeof inc, "%s/include", dir);
    cr_assert_eq(mkdir(inc, 0755), 0);
    cr_assert_eq(mkdir(path, 0755), 0);
    const char *files[] = { "include/libpng16/png.h", "include/libpng16/pngconf.h", NULL };
    for (size_t i = 0; files[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f);
        fputs("PNG_EXPORT(1, png_structp, png_create_read_struct, (void));\n", f);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/include/png.h", dir);
    cr_assert_eq(symlink("libpng16/png.h", path), 0);
    return xstrdup(dir);
}

static void remove_tree(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static ag_header_set *collect(const char *dir)
{
    char inc[512];
    snprintf(inc, sizeof inc, "%s/include", dir);
    const char *dirs[] = { inc };
    ag_header_set *h = NULL;
    ag_error err = { "" };
    cr_assert_eq(ag_header_set_collect(dirs, 1, NULL, 0, &h, &err), AG_OK, "%s", err.msg);
    return h;
}

Test(surface_headers, collected_by_relative_name_symlinks_included)
{
    char *dir = make_tree();
    ag_header_set *h = collect(dir);
    cr_assert_eq(h->n, 3);
    cr_expect_str_eq(h->names[0], "libpng16/png.h");
    cr_expect_str_eq(h->names[1], "libpng16/pngconf.h");
    cr_expect_str_eq(h->names[2], "png.h");
    ag_header_set_free(h);

    /* --public-headers: only these, named relative to the directory they are under */
    char inc[512], file[600];
    snprintf(inc, sizeof inc, "%s/include", dir);
    snprintf(file, sizeof file, "%s/include/libpng16/pngconf.h", dir);
    const char *dirs[] = { inc }, *files[] = { file, "relative/dir/x.h" };
    ag_error err = { "" };
    cr_expect_eq(ag_header_set_collect(dirs, 1, files, 2, &h, &err), AG_ERR_IO, "a missing file is an error");
    cr_expect(strstr(err.msg, "relative/dir/x.h"), "%s", err.msg);
    cr_assert_eq(ag_header_set_collect(dirs, 1, files, 1, &h, &err), AG_OK, "%s", err.msg);
    cr_assert_eq(h->n, 1);
    cr_expect_str_eq(h->names[0], "libpng16/pngconf.h");
    ag_header_set_free(h);

    const char *missing[] = { "/nonexistent/include" };
    cr_expect_eq(ag_header_set_collect(missing, 1, NULL, 0, &h, &err), AG_ERR_IO);
    cr_expect(strstr(err.msg, "/nonexistent/include") && strstr(err.msg, "no such directory"), "%s", err.msg);
    char empty[600];
    snprintf(empty, sizeof empty, "%s/empty", dir);
    cr_assert_eq(mkdir(empty, 0755), 0);
    const char *none[] = { empty };
    cr_expect_eq(ag_header_set_collect(none, 1, NULL, 0, &h, &err), AG_ERR_USAGE);
    cr_expect(strstr(err.msg, "no header files"), "%s", err.msg);
    remove_tree(dir);
    free(dir);
}

/* Build-tree files match installed headers by relative name; of several
   build files with one header's base name, only those sharing the longest
   suffix with it are its copies. */
static ag_corpus *png_like_corpus(void)
{
    ag_corpus *c = new_corpus();
    ag_type_ref pub = add_type(c, AG_T_STRUCT, "png_color", "/work/build/libpng-1.6.58/png.h");
    ag_type_ref conf = add_type(c, AG_T_TYPEDEF, "png_uint_32", "pngconf.h");
    c->types[conf].target = add_type(c, AG_T_BASE, "unsigned int", NULL);
    ag_type_ref priv = add_type(c, AG_T_STRUCT, "png_struct_def", "pngstruct.h");
    ag_type_ref other_png = add_type(c, AG_T_STRUCT, "contrib_thing", "contrib/tools/libpng16/png.h");
    add_member(c, priv, "color", add_pointer(c, pub));
    add_member(c, priv, "conf", conf);
    add_member(c, priv, "thing", add_pointer(c, other_png));
    add_function(c, "png_create", "png.c", add_pointer(c, priv));
    return c;
}

static bool is_public(const ag_corpus *c, const char *spelled)
{
    ag_type_ref t = ag_corpus_find_type(c, spelled);
    cr_assert_neq(t, AG_NO_TYPE, "no %s", spelled);
    return c->types[t].is_public;
}

/* Build-tree files match installed headers by relative name (the build
   tree's png.h is the installed libpng16/png.h); of several build files
   with one header's base name, only those sharing the longest suffix with
   it are its copies. */
Test(surface_headers, build_files_match_installed_names)
{
    char *dir = make_tree();
    ag_header_set *h = collect(dir);
    ag_corpus *c = png_like_corpus();
    ag_error err = { "" };
    cr_assert_eq(ag_surface_apply(c, h, &err), AG_OK, "%s", err.msg);
    cr_expect(c->surface.recorded);
    cr_expect_eq(c->surface.n_public_headers, 3);
    cr_expect(is_public(c, "struct png_color"), "png.h, installed as png.h and libpng16/png.h");
    cr_expect(is_public(c, "png_uint_32"));
    cr_expect(!is_public(c, "struct png_struct_def"), "pngstruct.h is not installed");
    ag_corpus_free(c);
    ag_header_set_free(h);

    /* Only libpng16/png.h: of the two build files named png.h, the one
       under a libpng16/ directory is its copy. */
    char inc[512], png[600], conf[600];
    snprintf(inc, sizeof inc, "%s/include", dir);
    snprintf(png, sizeof png, "%s/include/libpng16/png.h", dir);
    snprintf(conf, sizeof conf, "%s/include/libpng16/pngconf.h", dir);
    const char *dirs[] = { inc }, *files[] = { png, conf };
    cr_assert_eq(ag_header_set_collect(dirs, 1, files, 2, &h, &err), AG_OK, "%s", err.msg);
    c = png_like_corpus();
    cr_assert_eq(ag_surface_apply(c, h, &err), AG_OK, "%s", err.msg);
    cr_expect(is_public(c, "struct contrib_thing"));
    cr_expect(!is_public(c, "struct png_color"), "a shorter suffix than another build file's");
    cr_expect(is_public(c, "png_uint_32"));
    ag_corpus_free(c);
    ag_header_set_free(h);
    remove_tree(dir);
    free(dir);
}

Test(surface_headers, headers_declaring_nothing_are_an_error)
{
    char *dir = make_tree();
    ag_header_set *h = collect(dir);
    ag_corpus *c = new_corpus();
    ag_type_ref s = add_type(c, AG_T_STRUCT, "geo_point", "include/geo.h");
    add_function(c, "geo_move", "src/geo.c", add_pointer(c, s));
    finalize(c);
    ag_error err = { "" };
    cr_expect_eq(ag_surface_apply(c, h, &err), AG_ERR_USAGE);
    cr_expect(strstr(err.msg, "no type or function of libt.so.1") && strstr(err.msg, "include/ (1)"),
              "the message names where the declarations come from: %s", err.msg);
    ag_corpus_free(c);

    /* No type there, but a header names an exported function: an API of
       opaque pointers. That is the library's header. */
    c = new_corpus();
    s = add_type(c, AG_T_STRUCT, "png_struct_def", "pngstruct.h");
    add_function(c, "png_create_read_struct", "png.c", add_pointer(c, s));
    finalize(c);
    cr_expect_eq(ag_surface_apply(c, h, &err), AG_OK, "%s", err.msg);
    ag_corpus_free(c);
    ag_header_set_free(h);
    remove_tree(dir);
    free(dir);
}

/* ------------------------------------------------------------------ */
/* Recorded: kept by finalize, through both JSON readers and back       */

Test(surface_recorded, public_types_survive_finalize_and_json)
{
    char *dir = make_tree();
    ag_header_set *h = collect(dir);
    ag_corpus *c = new_corpus();
    ag_type_ref s = add_type(c, AG_T_STRUCT, "png_color", "png.h");
    add_function(c, "png_set", "png.c", add_pointer(c, s));
    /* Reached by no signature: kept when public, dropped when private. */
    ag_type_ref e = add_type(c, AG_T_ENUM, "png_color_type", "png.h");
    c->types[e].byte_size = 4;
    c->types[e].enumerators = calloc(1, sizeof *c->types[e].enumerators);
    c->types[e].enumerators[0] = (ag_enumerator){ xstrdup("PNG_COLOR_TYPE_RGB"), 2, false };
    c->types[e].n_enumerators = 1;
    add_type(c, AG_T_STRUCT, "png_unused_private", "pngpriv.h");
    ag_error err = { "" };
    cr_assert_eq(ag_surface_set(c, h, &err), AG_OK, "%s", err.msg);
    cr_assert_eq(ag_surface_mark(c, h, &err), AG_OK, "%s", err.msg);
    finalize(c);
    cr_expect_neq(ag_corpus_find_type(c, "enum png_color_type"), AG_NO_TYPE, "a public type is kept");
    cr_expect_eq(ag_corpus_find_type(c, "struct png_unused_private"), AG_NO_TYPE, "a private one is not");

    char *text = ag_corpus_to_json(c, &err);
    cr_assert_not_null(text, "%s", err.msg);
    cr_expect(strstr(text, "\"surface\": {"), "%s", text);
    cr_expect(strstr(text, "\"public\": true"), "%s", text);
    ag_corpus *fast = NULL, *tree = NULL;
    cr_assert_eq(ag_corpus_from_json_fast(text, strlen(text), &fast, &err), AG_OK, "fast: %s", err.msg);
    cr_assert_eq(ag_corpus_from_json_tree(text, strlen(text), &tree, &err), AG_OK, "tree: %s", err.msg);
    char *a = ag_corpus_to_json(fast, &err), *b = ag_corpus_to_json(tree, &err);
    cr_expect_str_eq(a, text, "the fast reader round-trips byte for byte");
    cr_expect_str_eq(b, text, "the tree reader round-trips byte for byte");
    free(a);
    free(b);
    ag_corpus_free(fast);
    ag_corpus_free(tree);

    /* "public" without "surface" is refused by both readers. */
    char *damaged = xstrdup(text);
    char *surface = strstr(damaged, "\"surface\"");
    cr_assert_not_null(surface);
    memcpy(surface, "\"surfacf\"", 9);
    cr_expect_neq(ag_corpus_from_json_fast(damaged, strlen(damaged), &fast, &err), AG_OK);
    cr_expect_neq(ag_corpus_from_json_tree(damaged, strlen(damaged), &tree, &err), AG_OK);
    free(damaged);
    free(text);
    ag_corpus_free(c);
    ag_header_set_free(h);
    remove_tree(dir);
    free(dir);
}

Test(surface_recorded, json_errors_name_the_field)
{
    ag_corpus *c = new_corpus();
    ag_type_ref s = add_type(c, AG_T_STRUCT, "x", "x.h");
    add_function(c, "x_run", "x.c", add_pointer(c, s));
    finalize(c);
    ag_error err = { "" };
    char *text = ag_corpus_to_json(c, &err);
    cr_assert_not_null(text);
    /* A public flag in a corpus that records no surface. */
    char *with_public = calloc(strlen(text) + 64, 1);
    const char *decl = strstr(text, "\"decl_file\": \"x.h\"");
    cr_assert_not_null(decl);
    size_t at = (size_t)(decl - text);
    memcpy(with_public, text, at);
    strcat(with_public, "\"public\": true, ");
    strcat(with_public, decl);
    ag_corpus *back = NULL;
    cr_expect_eq(ag_corpus_from_json(with_public, strlen(with_public), &back, &err), AG_ERR_FORMAT);
    cr_expect(strstr(err.msg, ".public: only a corpus with a \"surface\""), "%s", err.msg);
    /* An unknown method. */
    char *with_surface = calloc(strlen(text) + 128, 1);
    const char *last = strrchr(text, '}');
    memcpy(with_surface, text, (size_t)(last - text));
    strcat(with_surface, ", \"surface\": {\"method\": \"guess\", \"public_headers\": []}}\n");
    cr_expect_eq(ag_corpus_from_json(with_surface, strlen(with_surface), &back, &err), AG_ERR_FORMAT);
    cr_expect(strstr(err.msg, "surface.method: unknown value \"guess\""), "%s", err.msg);
    free(with_surface);
    free(with_public);
    free(text);
    ag_corpus_free(c);
}

/* Exports no public header names are marked internal: a name in a comment
   does not count, a stem a macro pastes a number onto does. */
Test(surface_headers, exports_no_header_names_are_internal)
{
    char tmpl[] = "/tmp/abiguard-surface-XXXXXX";
    char *dir = mkdtemp(tmpl);
    cr_assert_not_null(dir);
    char inc[512], path[600];
    snprintf(inc, sizeof inc, "%s/include", dir);
    cr_assert_eq(mkdir(inc, 0755), 0);
    snprintf(path, sizeof path, "%s/lib.h", inc);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("#define PCRE2_SUFFIX(a) a ## 8\n"
          "#define pcre2_compile PCRE2_SUFFIX(pcre2_compile_)\n"
          "int ucol_open(void);   /* renamed to ucol_open_74 by a macro */\n"
          "struct lib_s { int a; };\n"
          "/* The result must be x_free()'d; \"x_print\" in a string names nothing. */\n"
          "const char *s = \"x_print\";\n"
          "int lib_run(struct lib_s *);\n", f);
    fclose(f);
    const char *dirs[] = { inc };
    ag_header_set *h = NULL;
    ag_error err = { "" };
    cr_assert_eq(ag_header_set_collect(dirs, 1, NULL, 0, &h, &err), AG_OK, "%s", err.msg);
    ag_corpus *c = new_corpus();
    ag_type_ref s = add_type(c, AG_T_STRUCT, "lib_s", "include/lib.h");
    const char *names[] = { "lib_run", "pcre2_compile_8", "ucol_open_74", "x_free", "x_print", "_lib_internal_8", NULL };
    for (size_t i = 0; names[i]; i++)
        add_function(c, names[i], "src/lib.c", add_pointer(c, s));
    finalize(c);
    cr_assert_eq(ag_surface_apply(c, h, &err), AG_OK, "%s", err.msg);
    const bool internal[] = { false, false, false, true, true, true };
    for (size_t i = 0; names[i]; i++) {
        const ag_function *fn = ag_corpus_find_function(c, names[i]);
        cr_assert_not_null(fn, "%s", names[i]);
        cr_expect_eq(fn->is_internal, internal[i], "%s: internal %d, expected %d", names[i], fn->is_internal,
                     internal[i]);
    }
    ag_corpus_free(c);
    ag_header_set_free(h);
    remove_tree(dir);
}
