/*
 * test_audit_cli.c — `abiguard audit` on artifacts built for real
 * (tests/fixtures/audit/make_artifacts.py: a wheel from python3 -m build
 * repaired like auditwheel, one broken variant per defect, jars with a JNI
 * library, an npm package with a Node-API addon) and on a real Debian
 * package: each broken one is reported with its exact reason and symbols,
 * each good one passes, and where the real loader can confirm the verdict
 * on this machine (Debian's python3 and node), it is asked.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_run.h"
#include "tool_run.h"

static char *audit_fixture(const char *name)
{
    char *p = NULL;
    cr_assert(asprintf(&p, "%s/audit/%s", fixtures_dir(), name) > 0);
    return p;
}

#define WHEEL_TAG "-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"

/* Runs audit --format json [extra target]; asserts the exit status. */
static json_t *audit_json(const char *path, const char *target, int want_exit)
{
    tool_run r;
    if (target)
        cr_assert(run_abiguard(&r, "audit", path, "--format", "json", "--target", target, (char *)NULL));
    else
        cr_assert(run_abiguard(&r, "audit", path, "--format", "json", (char *)NULL));
    cr_assert(r.exited && r.exit_status == want_exit, "audit %s: %s (want exit %d)\n%s\n%.2000s", path,
              tool_run_outcome(&r), want_exit, r.err, r.out);
    json_error_t je;
    json_t *j = json_loadb(r.out, r.out_len, 0, &je);
    cr_assert(j, "not JSON: %s", je.text);
    tool_run_free(&r);
    return j;
}

/* The finding `check` of the binary whose path ends with `suffix`, on the first target. */
static json_t *finding(json_t *audit, const char *suffix, const char *check)
{
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(audit, "binaries"), i, b) {
        const char *p = json_string_value(json_object_get(b, "path"));
        if (strlen(p) < strlen(suffix) || strcmp(p + strlen(p) - strlen(suffix), suffix) != 0)
            continue;
        json_t *fs = json_object_get(json_array_get(json_object_get(b, "results"), 0), "findings"), *f;
        size_t k;
        json_array_foreach(fs, k, f)
            if (strcmp(json_string_value(json_object_get(f, "check")), check) == 0)
                return f;
    }
    return NULL;
}

static bool has_symbol(json_t *f, const char *prefix)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(f, "symbols"), i, s)
        if (strncmp(json_string_value(s), prefix, strlen(prefix)) == 0)
            return true;
    return false;
}

/* Unpacks a zip or tar archive with Python's own modules (not abiguard). */
static char *unpack(const char *archive, const char *module)
{
    char *dir = make_temp_dir();
    const char *argv[] = { "/usr/bin/python3", "-m", module, "-e", archive, dir, NULL };
    tool_run r;
    cr_assert(tool_run_argv(argv, 60, &r) && r.exited && r.exit_status == 0, "unpack %s: %s", archive, r.err);
    tool_run_free(&r);
    return dir;
}

static void python_import(const char *dir, const char *code, tool_run *r)
{
    char *env = NULL;
    cr_assert(asprintf(&env, "PYTHONPATH=%s", dir) > 0);
    const char *argv[] = { "/usr/bin/env", env, "/usr/bin/python3", "-c", code, NULL };
    cr_assert(tool_run_argv(argv, 60, r));
    free(env);
}

Test(audit_cli, good_wheel_loads_and_python_imports_it)
{
    char *whl = audit_fixture("demo" WHEEL_TAG);
    json_t *j = audit_json(whl, NULL, 0);
    cr_expect(json_is_true(json_object_get(j, "loads")));
    cr_expect_str_eq(json_string_value(json_object_get(j, "kind")), "wheel");
    json_t *t = json_array_get(json_object_get(j, "targets"), 0);
    cr_expect_str_eq(json_string_value(json_object_get(t, "name")), "manylinux_2_17_x86_64", "the wheel's own tag");
    cr_expect_eq(json_array_size(json_object_get(j, "binaries")), 2, "the extension and the grafted libdep");
    json_decref(j);

    char *dir = unpack(whl, "zipfile");
    tool_run r;
    python_import(dir, "import demo; print(demo.answer())", &r);
    cr_expect(r.exited && r.exit_status == 0 && strcmp(r.out, "42\n") == 0, "python3: %s %s", r.out, r.err);
    tool_run_free(&r);
    remove_tree(dir);
    free(dir);
    free(whl);
}

Test(audit_cli, missing_dependency_fails_and_the_loader_agrees)
{
    char *whl = audit_fixture("demo_missingdep" WHEEL_TAG);
    json_t *j = audit_json(whl, NULL, 12);
    json_t *f = finding(j, "_core.cpython-311-x86_64-linux-gnu.so", "dependency-missing");
    cr_assert(f, "no dependency-missing finding");
    cr_expect_str_eq(json_string_value(json_object_get(f, "severity")), "error");
    cr_expect(has_symbol(f, "libdep-"), "the missing library is named");
    json_decref(j);

    char *dir = unpack(whl, "zipfile");
    tool_run r;
    python_import(dir, "import demo", &r);
    cr_expect(r.exited && r.exit_status != 0, "python3 imported a wheel whose dependency is missing");
    cr_expect(strstr(r.err, "libdep-") && strstr(r.err, "cannot open shared object file"), "%s", r.err);
    tool_run_free(&r);
    remove_tree(dir);
    free(dir);
    free(whl);
}

Test(audit_cli, too_new_glibc_names_the_symbols)
{
    char *whl = audit_fixture("demo_newglibc" WHEEL_TAG);
    json_t *j = audit_json(whl, NULL, 12);
    json_t *f = finding(j, ".so", "libc-floor");
    cr_assert(f);
    cr_expect(strstr(json_string_value(json_object_get(f, "message")),
                     "needs GLIBC_2.34, newer than the glibc 2.17 of manylinux_2_17_x86_64"), "%s",
              json_string_value(json_object_get(f, "message")));
    cr_expect(has_symbol(f, "dlopen@GLIBC_2.34"));
    json_decref(j);
    /* The same binary on a target with glibc 2.34 loads. */
    j = audit_json(whl, "manylinux_2_34_x86_64", 0);
    json_decref(j);
    free(whl);
}

Test(audit_cli, executable_stack_warns_and_fails_where_glibc_refuses)
{
    char *whl = audit_fixture("demo_execstack" WHEEL_TAG);
    json_t *j = audit_json(whl, NULL, 4);
    json_t *f = finding(j, "_core.cpython-311-x86_64-linux-gnu.so", "exec-stack");
    cr_assert(f);
    cr_expect_str_eq(json_string_value(json_object_get(f, "severity")), "warning");
    json_decref(j);
    j = audit_json(whl, "debian:13", 12);
    cr_expect_str_eq(json_string_value(json_object_get(finding(j, ".so", "exec-stack"), "severity")), "error");
    json_decref(j);
    free(whl);
}

Test(audit_cli, abi3_wheel_outside_the_stable_abi)
{
    char *whl = audit_fixture("demo_abi3-1.0-cp311-abi3-manylinux_2_17_x86_64.whl");
    json_t *j = audit_json(whl, NULL, 12);
    json_t *f = finding(j, "_core.abi3.so", "abi3-violation");
    cr_assert(f);
    json_t *syms = json_object_get(f, "symbols");
    cr_expect_eq(json_array_size(syms), 1);
    cr_expect_str_eq(json_string_value(json_array_get(syms, 0)), "PyUnicode_AsUTF8");
    json_decref(j);
    /* The good extension is not abi3: nothing to say about the Stable ABI. */
    char *good = audit_fixture("demo" WHEEL_TAG);
    j = audit_json(good, NULL, 0);
    cr_expect_null(finding(j, ".so", "abi3-violation"));
    json_decref(j);
    free(good);
    free(whl);
}

Test(audit_cli, module_without_pyinit_and_python_agrees)
{
    char *whl = audit_fixture("demo_nopyinit" WHEEL_TAG);
    json_t *j = audit_json(whl, NULL, 12);
    json_t *f = finding(j, "_other.cpython-311-x86_64-linux-gnu.so", "pyinit-missing");
    cr_assert(f);
    cr_expect(strstr(json_string_value(json_object_get(f, "message")), "exports no PyInit__other()"));
    json_decref(j);
    char *dir = unpack(whl, "zipfile"), *pkg = path_join2(dir, "demo");
    tool_run r;
    python_import(pkg, "import _other", &r); /* the file alone: demo/__init__ would fail first */
    free(pkg);
    cr_expect(r.exited && r.exit_status != 0);
    cr_expect(strstr(r.err, "dynamic module does not define module export function"), "%s", r.err);
    tool_run_free(&r);
    remove_tree(dir);
    free(dir);
    free(whl);
}

Test(audit_cli, jars_with_jni_libraries)
{
    char *good = audit_fixture("jnidemo.jar"), *arch = audit_fixture("jnidemo-wrongarch.jar"),
         *none = audit_fixture("jnidemo-noentry.jar");
    json_t *j = audit_json(good, NULL, 0);
    cr_expect_str_eq(json_string_value(json_object_get(j, "kind")), "jar");
    json_decref(j);
    j = audit_json(arch, NULL, 12);
    json_t *f = finding(j, "linux-aarch64/libjnidemo.so", "arch-mismatch");
    cr_assert(f);
    cr_expect(strstr(json_string_value(json_object_get(f, "message")), "x86_64 binary, but its path says aarch64"));
    json_decref(j);
    j = audit_json(none, NULL, 12);
    cr_expect(finding(j, "libjnidemo.so", "jni-no-entry"));
    json_decref(j);
    free(good);
    free(arch);
    free(none);
}

Test(audit_cli, npm_addon_node_api_level_and_node_loads_it)
{
    char *tgz = audit_fixture("demo-addon-1.0.0.tgz");
    json_t *j = audit_json(tgz, NULL, 0);
    cr_expect_str_eq(json_string_value(json_object_get(j, "kind")), "npm");
    json_t *b = json_array_get(json_object_get(j, "binaries"), 0);
    cr_expect_str_eq(json_string_value(json_object_get(b, "path")), "package/prebuilds/linux-x64/demo.node");
    cr_expect_eq(json_integer_value(json_object_get(b, "napi_version")), 4);
    json_t *f = finding(j, "demo.node", "napi-version");
    cr_expect(f && has_symbol(f, "napi_create_threadsafe_function"));
    json_decref(j);

    char *dir = unpack(tgz, "tarfile");
    char *code = NULL;
    cr_assert(asprintf(&code, "console.log(require('%s/package').answer())", dir) > 0);
    const char *argv[] = { "/usr/bin/node", "-e", code, NULL };
    tool_run r;
    cr_assert(tool_run_argv(argv, 60, &r));
    cr_expect(r.exited && r.exit_status == 0 && strcmp(r.out, "42\n") == 0, "node: %s %s", r.out, r.err);
    tool_run_free(&r);
    free(code);
    remove_tree(dir);
    free(dir);
    free(tgz);
}

Test(audit_cli, real_debian_package_against_targets)
{
    char *deb = NULL;
    cr_assert(asprintf(&deb, "%s/artifacts/debs/liblua5.3-0.deb", fixtures_dir()) > 0);
    json_t *j = audit_json(deb, "debian:12", 0);
    json_t *f = finding(j, "liblua5.3.so.0.0.0", "dependency-external");
    cr_expect(f == NULL || strcmp(json_string_value(json_object_get(f, "severity")), "note") == 0);
    json_decref(j);
    j = audit_json(deb, "rhel:7", 12);
    f = finding(j, "liblua5.3.so.0.0.0", "libc-floor");
    cr_assert(f);
    cr_expect(has_symbol(f, "dlopen@GLIBC_2.34"));
    json_decref(j);
    j = audit_json(deb, "alpine:3.19", 12);
    cr_expect(finding(j, "liblua5.3.so.0.0.0", "libc-flavor"));
    json_decref(j);
    free(deb);
}

Test(audit_cli, every_format_and_bad_input)
{
    char *whl = audit_fixture("demo_missingdep" WHEEL_TAG);
    struct { const char *format, *needle; } f[] = {
        { "text", "FAILS" }, { "markdown", "| `demo/_core.cpython-311-x86_64-linux-gnu.so` | ❌ fails |" },
        { "junit", "<testsuite name=\"load on manylinux_2_17_x86_64\" tests=\"1\" failures=\"1\"" },
        { "sarif", "\"ruleId\": \"dependency-missing\"" },
    };
    for (size_t i = 0; i < 4; i++) {
        tool_run r;
        cr_assert(run_abiguard(&r, "audit", whl, "--format", f[i].format, (char *)NULL));
        cr_expect(r.exited && r.exit_status == 12, "%s: %s", f[i].format, r.err);
        cr_expect(strstr(r.out, f[i].needle), "%s lacks '%s':\n%s", f[i].format, f[i].needle, r.out);
        tool_run_free(&r);
    }
    tool_run r;
    cr_assert(run_abiguard(&r, "audit", whl, "--target", "solaris:10", (char *)NULL));
    cr_expect(r.exited && r.exit_status == 2, "%s", tool_run_outcome(&r));
    cr_expect(strstr(r.err, "unknown target 'solaris:10'") && count_lines(r.err) == 1, "%s", r.err);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "audit", "/nonexistent.whl", (char *)NULL));
    cr_expect(r.exited && r.exit_status == 1 && strstr(r.err, "/nonexistent.whl: cannot open"), "%s", r.err);
    tool_run_free(&r);
    free(whl);
}

/* ------------------------------------------------------------------ */
/* Bundled-library drift: a store holding the bundled libdep's own     */
/* build (1.0) and another release of it (2.0, dep_answer takes a      */
/* parameter there) as the system copy.                                */

static char *libdep_store(void)
{
    char *dir = make_temp_dir(), *db = path_join2(dir, "store.db");
    static const char *const versions[] = { "1.0", "2.0" };
    for (size_t i = 0; i < 2; i++) {
        char *lib = NULL;
        cr_assert(asprintf(&lib, "%s/audit/libs/%s/libdep.so.1", fixtures_dir(), versions[i]) > 0);
        tool_run r;
        cr_assert(run_abiguard(&r, "add", lib, "--library", "libdep", "--version", versions[i], "--db", db,
                               (char *)NULL));
        cr_assert(r.exited && r.exit_status == 0, "add %s: %s", lib, r.err);
        tool_run_free(&r);
        free(lib);
    }
    free(dir);
    return db;
}

/* libdep 1.0 and 2.0 each stored as the second binary of a release of two
   (tests/fixtures/audit/audit.mk: audit-releases/libdep-V.tar). */
static char *libdep_release_store(void)
{
    char *dir = make_temp_dir(), *db = path_join2(dir, "store.db");
    static const char *const versions[] = { "1.0", "2.0" };
    for (size_t i = 0; i < 2; i++) {
        char *tar = NULL;
        cr_assert(asprintf(&tar, "%s/audit-releases/libdep-%s.tar", fixtures_dir(), versions[i]) > 0);
        tool_run r;
        cr_assert(run_abiguard(&r, "add", tar, "--library", "libdep", "--version", versions[i], "--db", db,
                               "--no-system-debug", "--no-debuginfod", (char *)NULL));
        cr_assert(r.exited && r.exit_status == 0 && strstr(r.out, "2 binaries"), "add %s: %s%s", tar, r.out, r.err);
        tool_run_free(&r);
        free(tar);
    }
    free(dir);
    return db;
}

static void store_free(char *db)
{
    char *dir = strdup(db);
    *strrchr(dir, '/') = '\0';
    remove_tree(dir);
    free(dir);
    free(db);
}

/* audit --format json with the store; asserts the exit status. */
static json_t *audit_with(const char *whl, const char *opt, const char *where, int want_exit)
{
    tool_run r;
    cr_assert(run_abiguard(&r, "audit", whl, "--format", "json", opt, where, (char *)NULL));
    cr_assert(r.exited && r.exit_status == want_exit, "audit %s %s %s: %s (want %d)\n%s\n%.3000s", whl, opt,
              where, tool_run_outcome(&r), want_exit, r.err, r.out);
    json_error_t je;
    json_t *j = json_loadb(r.out, r.out_len, 0, &je);
    cr_assert(j, "not JSON: %s", je.text);
    tool_run_free(&r);
    return j;
}

static const char *jstr_at(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "(null)";
}

static json_t *only_bundled(json_t *j)
{
    json_t *b = json_object_get(j, "bundled");
    cr_assert_eq(json_array_size(b), 1, "one bundled library (libdep), got %zu", json_array_size(b));
    return json_array_get(b, 0);
}

/* The first check's verdict and whether its changes name the added parameter. */
static void expect_check(json_t *checks, const char *verdict, bool param_added)
{
    json_t *c = json_array_get(checks, 0);
    cr_assert(c, "no check");
    cr_expect_str_eq(jstr_at(c, "binary"), "demo/_core.cpython-311-x86_64-linux-gnu.so");
    cr_expect_str_eq(jstr_at(c, "verdict"), verdict);
    cr_expect_str_eq(jstr_at(c, "view"), "dwarf", "the extension's own DWARF declares dep_answer");
    const char *first = json_string_value(json_array_get(json_object_get(c, "changes"), 0));
    if (param_added)
        cr_expect(first && strstr(first, "fn-param-added dep_answer()"), "changes: %s", first ? first : "none");
    else
        cr_expect_eq(json_array_size(json_object_get(c, "changes")), 0);
}

/* Python with the system copy loaded first (RTLD_GLOBAL), the wheel's
   extension imported and called under LD_DEBUG=bindings: prints whether
   the bundled copy got mapped; r->err has the loader's bindings. */
static void python_with_system_copy(const char *dir, const char *system_copy, tool_run *r)
{
    char *env = NULL, *code = NULL;
    cr_assert(asprintf(&env, "PYTHONPATH=%s", dir) > 0);
    cr_assert(asprintf(&code,
                       "import ctypes\n"
                       "ctypes.CDLL('%s', mode=ctypes.RTLD_GLOBAL)\n"
                       "import demo._core\n"
                       "demo._core.answer()\n"
                       "print('bundled copy mapped:', 'demo.libs/' in open('/proc/self/maps').read())\n",
                       system_copy) > 0);
    const char *argv[] = { "/usr/bin/env", env, "LD_DEBUG=bindings", "/usr/bin/python3", "-c", code, NULL };
    cr_assert(tool_run_argv(argv, 60, r));
    cr_assert(r->exited && r->exit_status == 0, "python3: %s %s", r->out, r->err);
    free(env);
    free(code);
}

static char *system_copy_path(void)
{
    char *p = NULL;
    cr_assert(asprintf(&p, "%s/audit/libs/2.0/libdep.so.1", fixtures_dir()) > 0);
    return p;
}

static bool bound_to(const char *ld_debug, const char *lib, const char *symbol)
{
    char *needle = NULL;
    cr_assert(asprintf(&needle, " to %s [0]: normal symbol `%s'", lib, symbol) > 0);
    bool yes = strstr(ld_debug, needle) != NULL;
    free(needle);
    return yes;
}

Test(audit_bundled, grafted_copy_is_identified_without_a_store)
{
    char *whl = audit_fixture("demo" WHEEL_TAG);
    json_t *j = audit_json(whl, NULL, 0);
    json_t *b = only_bundled(j);
    cr_expect_str_eq(jstr_at(b, "original_soname"), "libdep.so.1", "auditwheel's hash undone");
    cr_expect(strncmp(jstr_at(b, "soname"), "libdep-", 7) == 0 && json_is_true(json_object_get(b, "renamed")));
    cr_expect_eq(strlen(jstr_at(b, "build_id")), 40);
    cr_expect_str_eq(json_string_value(json_array_get(json_object_get(b, "users"), 0)),
                     "demo/_core.cpython-311-x86_64-linux-gnu.so");
    cr_expect(json_is_null(json_object_get(b, "release")) && json_is_null(json_object_get(b, "system_copy")));
    cr_expect_null(finding(j, "_core.cpython-311-x86_64-linux-gnu.so", "bundled-interposition"));
    json_decref(j);
    free(whl);
}

Test(audit_bundled, renamed_copy_loads_beside_the_system_one_but_its_symbols_interpose, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *db = libdep_store(), *whl = audit_fixture("demo" WHEEL_TAG);
    json_t *j = audit_with(whl, "--db", db, 4);
    json_t *b = only_bundled(j);
    cr_expect_str_eq(jstr_at(b, "release"), "libdep@1.0", "matched by build-id");
    expect_check(json_object_get(b, "checks"), "none", false);
    json_t *sys = json_object_get(b, "system_copy");
    cr_expect_str_eq(jstr_at(sys, "release"), "libdep@2.0");
    cr_expect(json_is_true(json_object_get(sys, "coexist")));
    cr_expect_str_eq(json_string_value(json_array_get(json_object_get(sys, "common_symbols"), 0)), "dep_answer");
    cr_expect_str_eq(jstr_at(sys, "copies_differ"), "breaking");
    expect_check(json_object_get(sys, "checks"), "breaking", true);
    json_t *f = finding(j, "_core.cpython-311-x86_64-linux-gnu.so", "bundled-interposition");
    cr_assert(f, "no bundled-interposition finding");
    cr_expect_str_eq(jstr_at(f, "severity"), "warning");
    cr_expect(has_symbol(f, "dep_answer"));
    cr_expect_null(finding(j, "_core.cpython-311-x86_64-linux-gnu.so", "bundled-drift"));
    cr_expect(json_is_true(json_object_get(j, "loads")));
    json_decref(j);

    /* The loader agrees: both copies are mapped, dep_answer binds to the system copy. */
    char *dir = unpack(whl, "zipfile"), *sys_copy = system_copy_path();
    tool_run r;
    python_with_system_copy(dir, sys_copy, &r);
    cr_expect(strstr(r.out, "bundled copy mapped: True"), "%s", r.out);
    cr_expect(bound_to(r.err, sys_copy, "dep_answer"), "dep_answer not bound to %s", sys_copy);
    tool_run_free(&r);
    remove_tree(dir);
    free(dir);
    free(sys_copy);
    free(whl);
    store_free(db);
}

Test(audit_bundled, unrenamed_copy_is_shadowed_by_the_system_one, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *db = libdep_store(), *whl = audit_fixture("demo_unhashed" WHEEL_TAG);
    json_t *j = audit_with(whl, "--db", db, 4);
    json_t *b = only_bundled(j);
    cr_expect_str_eq(jstr_at(b, "soname"), "libdep.so.1");
    cr_expect(json_is_false(json_object_get(b, "renamed")));
    cr_expect_str_eq(jstr_at(b, "release"), "libdep@1.0");
    json_t *sys = json_object_get(b, "system_copy");
    cr_expect(json_is_false(json_object_get(sys, "coexist")), "same SONAME: not both");
    expect_check(json_object_get(sys, "checks"), "breaking", true);
    json_t *f = finding(j, "_core.cpython-311-x86_64-linux-gnu.so", "bundled-shadowed");
    cr_assert(f, "no bundled-shadowed finding");
    cr_expect(strstr(jstr_at(f, "message"), "never loads the bundled one"), "%s", jstr_at(f, "message"));
    cr_expect(has_symbol(f, "fn-param-added dep_answer()"));
    json_decref(j);

    /* The loader agrees: the bundled copy is never mapped. */
    char *dir = unpack(whl, "zipfile"), *sys_copy = system_copy_path();
    tool_run r;
    python_with_system_copy(dir, sys_copy, &r);
    cr_expect(strstr(r.out, "bundled copy mapped: False"), "%s", r.out);
    cr_expect(bound_to(r.err, sys_copy, "dep_answer"));
    tool_run_free(&r);
    remove_tree(dir);
    free(dir);
    free(sys_copy);
    free(whl);
    store_free(db);
}

Test(audit_bundled, copy_other_than_the_build_headers_is_drift_in_every_format, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *db = libdep_store(), *whl = audit_fixture("demo_drift" WHEEL_TAG);
    json_t *j = audit_with(whl, "--db", db, 12);
    json_t *b = only_bundled(j);
    cr_expect_str_eq(jstr_at(b, "release"), "libdep@2.0", "the bundled copy is 2.0's build");
    expect_check(json_object_get(b, "checks"), "breaking", true);
    cr_expect_str_eq(jstr_at(json_object_get(b, "system_copy"), "release"), "libdep@1.0");
    json_t *f = finding(j, "_core.cpython-311-x86_64-linux-gnu.so", "bundled-drift");
    cr_assert(f, "no bundled-drift finding");
    cr_expect_str_eq(jstr_at(f, "severity"), "error");
    cr_expect(has_symbol(f, "fn-param-added dep_answer()"));
    json_decref(j);
    struct { const char *format, *needle; } fm[] = {
        { "text", "  this build: libdep@2.0\n    demo/_core.cpython-311-x86_64-linux-gnu.so: breaking (dwarf view)\n"
                  "      fn-param-added dep_answer(): parameter 1 'base' (int) added\n" },
        { "markdown", "- `demo/_core.cpython-311-x86_64-linux-gnu.so` against libdep@2.0: **breaking** (dwarf view)" },
        { "junit", "<testsuite name=\"bundled libraries\" tests=\"2\" failures=\"1\"" },
        { "sarif", "\"ruleId\": \"bundled-drift\"" },
    };
    for (size_t i = 0; i < 4; i++) {
        tool_run r;
        cr_assert(run_abiguard(&r, "audit", whl, "--format", fm[i].format, "--db", db, (char *)NULL));
        cr_expect(r.exited && r.exit_status == 12, "%s: %s", fm[i].format, r.err);
        cr_expect(strstr(r.out, fm[i].needle), "%s lacks '%s':\n%s", fm[i].format, fm[i].needle, r.out);
        tool_run_free(&r);
    }
    free(whl);
    store_free(db);
}

Test(audit_bundled, a_service_is_a_catalog_too, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *db = libdep_store(), *whl = audit_fixture("demo" WHEEL_TAG);
    server s;
    server_start_opts(&s, &(server_opts){ .db = db });
    json_t *j = audit_with(whl, "--server", s.base, 4);
    json_t *b = only_bundled(j);
    cr_expect_str_eq(jstr_at(b, "release"), "libdep@1.0");
    cr_expect_str_eq(jstr_at(json_object_get(b, "system_copy"), "release"), "libdep@2.0");
    expect_check(json_object_get(json_object_get(b, "system_copy"), "checks"), "breaking", true);
    cr_expect_str_eq(jstr_at(j, "catalog"), s.base);
    json_decref(j);
    server_stop(&s);

    tool_run r;
    cr_assert(run_abiguard(&r, "audit", whl, "--db", db, "--server", "http://127.0.0.1:1", (char *)NULL));
    cr_expect(r.exited && r.exit_status == 2 && strstr(r.err, "not both"), "%s", r.err);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "audit", whl, "--db", "/nonexistent/store.db", (char *)NULL));
    cr_expect(r.exited && r.exit_status == 1 && count_lines(r.err) == 1 && strstr(r.err, "/nonexistent/store.db"),
              "%s", r.err);
    tool_run_free(&r);
    free(whl);
    store_free(db);
}

/* ------------------------------------------------------------------ */
/* Audit results in the service: audit --push, POST/GET /api/v1/audits. */

/* `audit WHL --format json` as text (the body --push sends). */
static char *audit_report_text(const char *whl)
{
    tool_run r;
    cr_assert(run_abiguard(&r, "audit", whl, "--format", "json", (char *)NULL));
    cr_assert(r.exited, "%s", tool_run_outcome(&r));
    char *text = strdup(r.out);
    tool_run_free(&r);
    return text;
}

Test(audit_service, push_stores_the_result_and_the_api_gives_it_back, .timeout = 120)
{
    char *whl = audit_fixture("demo_missingdep" WHEEL_TAG);
    server s;
    server_start(&s, false, NULL);
    char *token_file = path_join2(s.dir, "token");
    cr_assert(write_whole_file(token_file, TOKEN "\n", strlen(TOKEN) + 1));
    tool_run r;
    cr_assert(run_abiguard(&r, "audit", whl, "--push", s.base, "--token-file", token_file, (char *)NULL));
    cr_expect(r.exited && r.exit_status == 12, "the audit's own status is kept: %s %s", tool_run_outcome(&r), r.err);
    cr_expect(strstr(r.out, "verdict: FAILS"), "the report still goes to stdout");
    cr_expect(strstr(r.err, "pushed the audit to ") && strstr(r.err, " as audit 1 "), "%s", r.err);
    tool_run_free(&r);

    resp list = srv_get(&s, "/api/v1/audits");
    cr_assert_eq(list.status, 200);
    json_t *l = srv_parse(&list), *row = json_array_get(l, 0);
    cr_assert_eq(json_array_size(l), 1);
    cr_expect_eq(json_integer_value(json_object_get(row, "id")), 1);
    cr_expect_str_eq(jstr_at(row, "artifact"), "demo_missingdep" WHEEL_TAG, "the file name, not the CI path");
    cr_expect_str_eq(jstr_at(row, "kind"), "wheel");
    cr_expect(json_is_false(json_object_get(row, "loads")));
    cr_expect_eq(json_integer_value(json_object_get(row, "failing")), 1);
    cr_expect_eq(json_integer_value(json_object_get(row, "binaries")), 1);
    cr_expect_str_eq(json_string_value(json_array_get(json_object_get(row, "targets"), 0)), "manylinux_2_17_x86_64");
    json_decref(l);
    resp_free(&list);

    resp one = srv_get(&s, "/api/v1/audits/1");
    cr_assert_eq(one.status, 200);
    json_t *o = srv_parse(&one), *report = json_object_get(o, "report");
    cr_expect_str_eq(jstr_at(report, "format"), "abiguard-audit/1");
    json_t *f = finding(report, "_core.cpython-311-x86_64-linux-gnu.so", "dependency-missing");
    cr_expect(f && has_symbol(f, "libdep-"), "the stored report keeps the findings and their symbols");
    json_decref(o);
    resp_free(&one);
    resp missing = srv_get(&s, "/api/v1/audits/2");
    srv_expect_error(&missing, 404, "no audit 2");
    resp_free(&missing);

    /* Without a token nothing is stored; a wrong one is refused. */
    cr_assert(run_abiguard(&r, "audit", whl, "--push", s.base, (char *)NULL));
    cr_expect(r.exited && r.exit_status == 2 && strstr(r.err, "no token"), "%s", r.err);
    tool_run_free(&r);
    char *bad = path_join2(s.dir, "bad-token");
    cr_assert(write_whole_file(bad, "nope\n", 5));
    cr_assert(run_abiguard(&r, "audit", whl, "--push", s.base, "--token-file", bad, (char *)NULL));
    cr_expect(r.exited && r.exit_status == 1 && strstr(r.err, "HTTP 403") && count_lines(r.err) == 1, "%s", r.err);
    tool_run_free(&r);
    server_stop(&s);
    free(bad);
    free(token_file);
    free(whl);
}

Test(audit_service, the_endpoint_checks_what_it_stores, .timeout = 120)
{
    const char *const extra[] = { "--max-body", "200000", NULL };
    server s;
    server_start(&s, false, extra);
    char *whl = audit_fixture("demo" WHEEL_TAG), *good = audit_report_text(whl);
    resp ok = srv_post(&s, "/api/v1/audits", good, strlen(good), TOKEN);
    cr_expect_eq(ok.status, 201, "%s", ok.body);
    resp_free(&ok);
    resp anon = srv_post(&s, "/api/v1/audits", good, strlen(good), NULL);
    srv_expect_error(&anon, 401, "Bearer token");
    resp_free(&anon);

    struct { const char *body, *why; long status; } bad[] = {
        { "{\"format\": \"abiguard-audit/1\"", "malformed JSON", 400 },
        { "[1, 2]", "must be an object", 422 },
        { "{\"format\": \"abiguard-corpus/1\"}", "\"format\" must be \"abiguard-audit/1\"", 422 },
        { "{\"format\": \"abiguard-audit/1\", \"artifact\": \"a.whl\", \"kind\": \"wheel\", \"targets\": [], "
          "\"binaries\": []}", "\"targets\" must be a list of 1 to 64 targets", 422 },
        { "{\"format\": \"abiguard-audit/1\", \"artifact\": \"a.whl\", \"kind\": \"wheel\", \"loads\": true, "
          "\"targets\": [{\"name\": \"linux\"}], \"binaries\": [{\"path\": \"x.so\", \"results\": [{\"target\": "
          "\"linux\", \"loads\": true, \"findings\": [{\"check\": \"libc-floor\", \"severity\": \"error\", "
          "\"message\": \"m\"}]}]}]}", "\"loads\" must be false exactly when a finding is an error", 422 },
        { "{\"format\": \"abiguard-audit/1\", \"artifact\": \"a.whl\", \"kind\": \"wheel\", \"loads\": true, "
          "\"targets\": [{\"name\": \"linux\"}], \"binaries\": [{\"path\": \"x.so\", \"results\": [{\"target\": "
          "\"linux\", \"loads\": true, \"findings\": [{\"check\": \"x\", \"severity\": \"fatal\", "
          "\"message\": \"m\"}]}]}]}", "severity 'fatal' is not error, warning or note", 422 },
        { "{\"format\": \"abiguard-audit/1\", \"artifact\": \"a\\u0001.whl\", \"kind\": \"wheel\"}",
          "control characters", 422 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        resp r = srv_post(&s, "/api/v1/audits", bad[i].body, strlen(bad[i].body), TOKEN);
        srv_expect_error(&r, bad[i].status, bad[i].why);
        resp_free(&r);
    }
    /* Over --max-body: 413, before anything is parsed. */
    size_t big = 300000;
    char *huge = malloc(big + 1);
    memset(huge, ' ', big);
    huge[big] = '\0';
    huge[0] = '{';
    huge[big - 1] = '}';
    resp r = srv_post(&s, "/api/v1/audits", huge, big, TOKEN);
    srv_expect_error(&r, 413, "--max-body");
    resp_free(&r);
    free(huge);

    resp list = srv_get(&s, "/api/v1/audits");
    json_t *l = srv_parse(&list);
    cr_expect_eq(json_array_size(l), 1, "only the valid audit was stored");
    json_decref(l);
    resp_free(&list);
    resp lim = srv_get(&s, "/api/v1/audits?limit=0");
    srv_expect_error(&lim, 400, "limit");
    resp_free(&lim);
    server_stop(&s);
    free(good);
    free(whl);
}

/* A stored release of several binaries (a package with libdep.so.1 second)
   is matched binary by binary: the bundled libdep is the release's
   libdep.so.1 (by build-id), the system copy 2.0's, each checked, from a
   store and from a service. */
Test(audit_bundled, a_release_of_several_binaries_is_matched_by_the_binary, .timeout = 180 * SANITIZER_SLOWDOWN)
{
    char *db = libdep_release_store(), *whl = audit_fixture("demo" WHEEL_TAG);
    server s;
    server_start_opts(&s, &(server_opts){ .db = db });
    for (int k = 0; k < 2; k++) {
        json_t *j = k == 0 ? audit_with(whl, "--db", db, 4) : audit_with(whl, "--server", s.base, 4);
        json_t *b = only_bundled(j);
        cr_expect_str_eq(jstr_at(b, "release"), "libdep@1.0:libdep.so.1", "%s", k ? "service" : "store");
        expect_check(json_object_get(b, "checks"), "none", false);
        json_t *sys = json_object_get(b, "system_copy");
        cr_expect_str_eq(jstr_at(sys, "release"), "libdep@2.0:libdep.so.1");
        cr_expect_str_eq(jstr_at(sys, "copies_differ"), "breaking");
        expect_check(json_object_get(sys, "checks"), "breaking", true);
        cr_expect(finding(j, "_core.cpython-311-x86_64-linux-gnu.so", "bundled-interposition"));
        json_decref(j);
    }
    cr_expect_eq(server_stop(&s), 0);
    free(whl);
    store_free(db);
}
