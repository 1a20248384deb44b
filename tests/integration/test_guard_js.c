/*
 * test_guard_js.c — the JavaScript guards on Node.js: a koffi binding of
 * libgeo with `abiguard stub --lang js` (koffi from npm, pinned, installed
 * under build/guard-js by the Makefile), and an N-API addon built against
 * Node's headers with the C stub called from its module init (a refusal is
 * the exception require() throws). Both go through the matrix of
 * guard_langs.h; the addon built with a wrong header does not compile under
 * -DABIGUARD_GEO_WITH_HEADERS. Fixtures: tests/fixtures/bindings/js/.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard_langs.h"

#define NODE "/usr/bin/node"
#define NODE_INCLUDE "/usr/include/node"

Test(guard_js, koffi_binding, .timeout = 300 * SANITIZER_SLOWDOWN)
{
    guard_env e;
    guard_env_setup(&e, "js");
    char *symbols = guard_fmt("@%s/src/go/symbols.txt", e.fx), *out = guard_fmt("%s/geo_guard.js", e.dir);
    const char *args[] = { "--lang", "js", "--symbols", symbols, "-o", out, NULL };
    guard_stub(&e, args);
    char *node_path = guard_fmt("NODE_PATH=%s/../guard-js/node_modules:%s", fixtures_dir(), e.dir);
    char *src = guard_fmt("%s/src/js/geo_koffi.js", e.fx);
    const char *env[] = { node_path, NULL };
    const char *prog[] = { NODE, src, NULL }, *bad[] = { NODE, src, "bad", NULL };
    guard_expect_matrix(&e, "koffi", env, prog, bad);
    free(symbols);
    free(out);
    free(node_path);
    free(src);
    guard_env_teardown(&e);
}

/* verifyLayouts compares a declaration spelled as the baseline has it as
   one string; anything else goes member by member, and must still be
   refused for what it is: an enum constant off by one or given as a name
   the baseline lacks, a packed struct, a member renamed and resized; while
   a subset of the enumerators, a constant given as a string, a member
   renamed only and a struct declared right are accepted. */
Test(guard_js, layout_declarations, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    guard_env e;
    guard_env_setup(&e, "js");
    char *symbols = guard_fmt("@%s/src/go/symbols.txt", e.fx), *out = guard_fmt("%s/geo_guard.js", e.dir);
    const char *args[] = { "--lang", "js", "--symbols", symbols, "-o", out, NULL };
    guard_stub(&e, args);
    char *node_path = guard_fmt("NODE_PATH=%s/../guard-js/node_modules:%s", fixtures_dir(), e.dir);
    const char *env[] = { node_path, NULL };
    static const char script[] =
        "const koffi = require('koffi'), g = require('geo_guard');\n"
        "const P = koffi.struct('geo_point', { x: 'double', y: 'double' });\n"
        "const check = (what, decl) => {\n"
        "  try { console.log(`${what}: ${g.verifyLayouts(decl, koffi).outcome}`); }\n"
        "  catch (e) { console.log(`${what}: ${e.name}: ${e.message}`); }\n"
        "};\n"
        "check('right', { 'struct geo_point': P, 'struct geo_rect': koffi.struct('geo_rect', { min: P, max: P }) });\n"
        "check('subset', { 'enum geo_kind': { GEO_POLYGON: 1 } });\n"
        "check('string', { 'enum geo_kind': { GEO_POLYLINE: '0' } });\n"
        "check('off', { 'enum geo_kind': { GEO_POLYLINE: 0, GEO_POLYGON: 2 } });\n"
        "check('unknown', { 'enum geo_kind': { GEO_POLYLINE: 0, GEO_CIRCLE: 2 } });\n"
        "check('packed', { 'struct geo_point': koffi.pack('geo_point_packed', { x: 'double', y: 'float' }) });\n"
        "check('renamed', { 'struct geo_point': koffi.struct('geo_point_xz', { x: 'double', z: 'double' }) });\n"
        "check('resized', { 'struct geo_point': koffi.struct('geo_point_xf', { x: 'double', z: 'float' }) });\n"
        "check('twice', { 'struct geo_point': P, 'enum geo_kind': { GEO_POLYLINE: 0 } });\n";
    const char *prog[] = { NODE, "-e", script, NULL };
    tool_run r;
    guard_run_with(&e, GEO_V1, NULL, env, prog, &r);
    cr_assert(r.exited && r.exit_status == 0, "%s\n%s", tool_run_outcome(&r), r.err);
    const char *needles[] = {
        "right: verified\n",
        "subset: verified\n",
        "string: verified\n",
        "off: AbiGuardError: the binding's declarations do not match geo@1: enum geo_kind: GEO_POLYGON is 2 in the "
        "binding, 1 in geo@1;",
        "unknown: AbiGuardError: the binding's declarations do not match geo@1: enum geo_kind: GEO_CIRCLE is not an "
        "enumerator of it in geo@1;",
        "packed: AbiGuardError: the binding's declarations do not match geo@1: struct geo_point is 12 bytes in the "
        "binding's declaration, 16 in geo@1; struct geo_point is aligned to 1 bytes in the binding's declaration, 8 "
        "in geo@1; struct geo_point::y is at offset 8 (4 bytes) in the binding's declaration, at offset 8 (8 bytes) "
        "in geo@1;",
        "renamed: verified\n", /* (the same layout under another name) */
        "resized: AbiGuardError: the binding's declarations do not match geo@1: struct geo_point::y (the binding's z) "
        "is at offset 8 (4 bytes) in the binding's declaration, at offset 8 (8 bytes) in geo@1;",
        "twice: verified\n",
        NULL,
    };
    for (const char *const *n = needles; *n; n++)
        cr_expect(strstr(r.out, *n), "missing \"%s\" in:\n%s", *n, r.out);
    tool_run_free(&r);
    free(symbols);
    free(out);
    free(node_path);
    guard_env_teardown(&e);
}

Test(guard_js, napi_addon, .timeout = 300 * SANITIZER_SLOWDOWN)
{
    guard_env e;
    guard_env_setup(&e, "js");
    char *symbols = guard_fmt("@%s/src/go/symbols.txt", e.fx), *stub = guard_fmt("%s/geo_guard", e.dir);
    const char *args[] = { "--symbols", symbols, "-o", stub, NULL };
    guard_stub(&e, args);
    char *addon = guard_fmt("%s/geo_napi.node", e.dir), *src = guard_fmt("%s/src/js/geo_napi.c", e.fx),
         *stub_c = guard_fmt("%s.c", stub), *inc_here = guard_fmt("-I%s", e.dir),
         *inc_geo = guard_fmt("-I%s", e.include[GEO_V1]), *libdir = guard_fmt("-L%s", e.lib[GEO_V1]);
    const char *cc[] = { "/usr/bin/gcc", "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
                         "-DABIGUARD_GEO_WITH_HEADERS", "-I" NODE_INCLUDE, inc_here, inc_geo, "-o", addon, src,
                         stub_c, libdir, "-lgeo", NULL };
    guard_run_ok(cc, 120, "gcc geo_napi.c");
    char *user = guard_fmt("%s/src/js/napi_user.js", e.fx);
    const char *prog[] = { NODE, user, addon, NULL };
    guard_expect_matrix(&e, "napi", NULL, prog, NULL);
    /* Built with a header whose struct geo_shape is wrong, the addon does
       not compile: the stub's assertions are geo@1's layouts. */
    char *wrong = guard_fmt("-I%s/wrong/include", e.fx), *bad = guard_fmt("%s/geo_napi_wrong.node", e.dir);
    const char *cc_bad[] = { "/usr/bin/gcc", "-std=c11", "-O2", "-shared", "-fPIC", "-DABIGUARD_GEO_WITH_HEADERS",
                             "-I" NODE_INCLUDE, inc_here, wrong, "-o", bad, src, stub_c, libdir, "-lgeo", NULL };
    tool_run r;
    cr_assert(tool_run_argv(cc_bad, 120, &r));
    cr_assert(r.exited && r.exit_status != 0 && strstr(r.err, "offsetof(struct geo_shape, kind) is 0"),
              "the addon compiled with a wrong header: %s\n%s", tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    free(wrong);
    free(bad);
    free(user);
    free(addon);
    free(src);
    free(stub_c);
    free(inc_here);
    free(inc_geo);
    free(libdir);
    free(symbols);
    free(stub);
    guard_env_teardown(&e);
}
