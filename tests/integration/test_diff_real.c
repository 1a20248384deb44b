/*
 * test_diff_real.c — `abiguard diff` on real Debian libraries, with their
 * debug info from the -dbg packages (/usr/lib/debug/.build-id):
 *   - liblua5.3 against liblua5.4: runs, exits 4 or 12, and reports the
 *     SONAME change, functions removed (lua_newuserdata, lua_getuservalue,
 *     lua_setuservalue: macros over the new *uv / *iuservalue functions in
 *     5.4) and functions added (lua_newuserdatauv, lua_getiuservalue,
 *     lua_setiuservalue, lua_toclose, lua_resetthread). These facts were
 *     checked with `nm -D --defined-only` on Debian 12's packages; the test
 *     re-checks them with nm so a package update shows up as a clear message;
 *   - libgsl.so.27 against itself: verdict none, exit 0, no change.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool_run.h"

#define LIBDIR "/usr/lib/x86_64-linux-gnu"
#define LUA53 LIBDIR "/liblua5.3.so.0"
#define LUA54 LIBDIR "/liblua5.4.so.0"
#define GSL LIBDIR "/libgsl.so.27"

static void require_file(const char *path, const char *package)
{
    cr_assert(access(path, R_OK) == 0, "%s is missing (Debian package %s; `make deps`)", path, package);
}

/* True when `nm -D --defined-only LIB` lists NAME (with any version). */
static bool nm_defines(const char *lib, const char *name)
{
    const char *argv[] = { "/usr/bin/nm", "-D", "--defined-only", lib, NULL };
    tool_run r;
    cr_assert(tool_run_argv(argv, 60, &r), "cannot run nm");
    cr_assert(r.exited && r.exit_status == 0, "nm -D %s: %s", lib, tool_run_outcome(&r));
    bool found = false;
    size_t n = strlen(name);
    for (char *save = NULL, *line = strtok_r(r.out, "\n", &save); line && !found;
         line = strtok_r(NULL, "\n", &save)) {
        /* "0000000000012340 T name@@VERSION" */
        char *sym = strrchr(line, ' ');
        sym = sym ? sym + 1 : line;
        if (strncmp(sym, name, n) == 0 && (sym[n] == '@' || sym[n] == '\0'))
            found = true;
    }
    tool_run_free(&r);
    return found;
}

static json_t *diff_json(tool_run *r, const char *old_lib, const char *new_lib)
{
    cr_assert(run_abiguard(r, "diff", "--format", "json", old_lib, new_lib, (char *)NULL));
    cr_assert(r->exited, "abiguard diff %s %s: %s; stderr:\n%s", old_lib, new_lib, tool_run_outcome(r), r->err);
    json_error_t jerr;
    json_t *root = json_loadb(r->out, r->out_len, 0, &jerr);
    cr_assert(root, "abiguard diff %s %s: exit %d, stdout is not JSON (%s); stderr:\n%s", old_lib, new_lib,
              r->exit_status, jerr.text, r->err);
    return root;
}

static const char *str_field(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

/* The subject names the function: "lua_newuserdata", "lua_newuserdata()",
   "lua_newuserdata@LUA_5.3" — but not "lua_newuserdatauv". */
static bool subject_is_function(const char *subject, const char *fn)
{
    size_t n = strlen(fn);
    if (strncmp(subject, fn, n) != 0)
        return false;
    char next = subject[n];
    return next == '\0' || next == '(' || next == '@' || next == ' ';
}

static bool has_change(json_t *root, const char *id, const char *fn)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(root, "changes"), i, c) {
        if (strcmp(str_field(c, "id"), id) != 0 || json_is_true(json_object_get(c, "suppressed")))
            continue;
        if (!fn || subject_is_function(str_field(c, "subject"), fn))
            return true;
        /* Or the function is the one impacted interface of the change. */
        size_t j;
        json_t *imp;
        json_array_foreach(json_object_get(c, "impacted"), j, imp)
            if (strcmp(str_field(imp, "interface"), fn) == 0)
                return true;
    }
    return false;
}

static size_t count_changes(json_t *root, const char *id)
{
    size_t n = 0, i;
    json_t *c;
    json_array_foreach(json_object_get(root, "changes"), i, c)
        if (strcmp(str_field(c, "id"), id) == 0 && !json_is_true(json_object_get(c, "suppressed")))
            n++;
    return n;
}

Test(diff_real, lua53_against_lua54, .timeout = 600 * SANITIZER_SLOWDOWN)
{
    require_file(LUA53, "liblua5.3-0");
    require_file(LUA54, "liblua5.4-0");
    static const char *const removed[] = { "lua_newuserdata", "lua_getuservalue", "lua_setuservalue", NULL };
    static const char *const added[] = { "lua_newuserdatauv", "lua_getiuservalue", "lua_setiuservalue",
                                         "lua_toclose", "lua_resetthread", NULL };
    /* The facts the expectations rest on. */
    for (size_t i = 0; removed[i]; i++)
        cr_assert(nm_defines(LUA53, removed[i]) && !nm_defines(LUA54, removed[i]),
                  "premise: %s should be exported by 5.3 and not by 5.4 (nm -D)", removed[i]);
    for (size_t i = 0; added[i]; i++)
        cr_assert(!nm_defines(LUA53, added[i]) && nm_defines(LUA54, added[i]),
                  "premise: %s should be exported by 5.4 and not by 5.3 (nm -D)", added[i]);

    tool_run r;
    json_t *root = diff_json(&r, LUA53, LUA54);
    cr_expect(r.exit_status == 4 || r.exit_status == 12, "exit %d, expected 4 or 12; stderr:\n%s", r.exit_status,
              r.err);
    cr_expect(has_change(root, "soname-changed", NULL), "no soname-changed (liblua5.3.so.0 -> liblua5.4.so.0)");
    for (size_t i = 0; removed[i]; i++)
        cr_expect(has_change(root, "fn-removed", removed[i]), "no fn-removed for %s", removed[i]);
    for (size_t i = 0; added[i]; i++)
        cr_expect(has_change(root, "fn-added", added[i]), "no fn-added for %s", added[i]);
    /* Functions present in both must not be reported as removed or added. */
    static const char *const kept[] = { "lua_pushnil", "lua_settop", "luaL_newstate", NULL };
    for (size_t i = 0; kept[i]; i++) {
        cr_expect(!has_change(root, "fn-removed", kept[i]), "%s is in both releases but reported removed", kept[i]);
        cr_expect(!has_change(root, "fn-added", kept[i]), "%s is in both releases but reported added", kept[i]);
    }
    const char *verdict = str_field(root, "verdict");
    cr_expect_str_eq(verdict, "breaking", "verdict %s: a SONAME change and removed functions are breaking", verdict);
    cr_expect_eq(r.exit_status, 12, "exit %d: breaking sets bit 8", r.exit_status);
    cr_log_info("lua 5.3 -> 5.4: %zu changes (%zu fn-removed, %zu fn-added), verdict %s, exit %d",
                json_array_size(json_object_get(root, "changes")), count_changes(root, "fn-removed"),
                count_changes(root, "fn-added"), verdict, r.exit_status);
    json_decref(root);
    tool_run_free(&r);
}

Test(diff_real, gsl_against_itself_is_none, .timeout = 600 * SANITIZER_SLOWDOWN)
{
    require_file(GSL, "libgsl27");
    tool_run r;
    json_t *root = diff_json(&r, GSL, GSL);
    json_t *changes = json_object_get(root, "changes");
    char *first = json_array_size(changes) ? json_dumps(json_array_get(changes, 0), JSON_COMPACT) : NULL;
    cr_expect_eq(r.exit_status, 0, "exit %d, expected 0; stderr:\n%s", r.exit_status, r.err);
    cr_expect_str_eq(str_field(root, "verdict"), "none");
    cr_expect_eq(json_array_size(changes), 0, "%zu changes, expected none; first: %s", json_array_size(changes),
                 first ? first : "");
    free(first);
    json_decref(root);
    tool_run_free(&r);
}
