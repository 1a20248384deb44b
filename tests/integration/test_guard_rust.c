/*
 * test_guard_rust.c — the Rust guard (`abiguard stub --lang rust`) in a
 * -sys crate with bindgen-style declarations of libgeo, compiled with
 * Debian's /usr/bin/rustc (1.63: no offset_of!, no Cargo, no crates) and
 * the C stub as a static library: the matrix of guard_langs.h; the crate
 * with struct geo_shape's members swapped is refused at run time and fails
 * the generated #[test]; one with struct geo_point declared with f32 does
 * not compile. Fixtures: tests/fixtures/bindings/rust/.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard_langs.h"

#define RUSTC "/usr/bin/rustc"

static void copy_file(const char *from, const char *to)
{
    size_t len = 0;
    char *text = read_whole_file(from, &len);
    cr_assert(text, "cannot read %s", from);
    cr_assert(write_whole_file(to, text, len), "cannot write %s", to);
    free(text);
}

/* rustc main.rs with --cfg cfg (or none) [--test] -o out; returns the run. */
static void rustc(guard_env *e, const char *cfg, bool test, const char *out, tool_run *r)
{
    char *main_rs = guard_fmt("%s/main.rs", e->dir), *here = guard_fmt("native=%s", e->dir),
         *v1 = guard_fmt("native=%s", e->lib[GEO_V1]);
    const char *argv[24] = { RUSTC, "--edition", "2021", main_rs, "-L", here, "-l", "static=geo_guard",
                             "-L", v1, "-o", out };
    size_t n = 12;
    if (cfg) {
        argv[n++] = "--cfg";
        argv[n++] = cfg;
    }
    if (test)
        argv[n++] = "--test";
    argv[n] = NULL;
    cr_assert(tool_run_argv(argv, 300, r), "cannot start %s", RUSTC);
    free(main_rs);
    free(here);
    free(v1);
}

Test(guard_rust, sys_crate, .timeout = 900 * SANITIZER_SLOWDOWN)
{
    guard_env e;
    guard_env_setup(&e, "rust");
    const char *files[] = { "main.rs", "sys.rs" };
    for (size_t i = 0; i < 2; i++) {
        char *from = guard_fmt("%s/src/rust/%s", e.fx, files[i]), *to = guard_fmt("%s/%s", e.dir, files[i]);
        copy_file(from, to);
        free(from);
        free(to);
    }
    char *symbols = guard_fmt("@%s/src/rust/symbols.txt", e.fx), *rs = guard_fmt("%s/geo_guard.rs", e.dir),
         *c = guard_fmt("%s/geo_guard", e.dir);
    const char *args_rs[] = { "--lang", "rust", "--symbols", symbols, "-o", rs, NULL };
    guard_stub(&e, args_rs);
    const char *args_c[] = { "--symbols", symbols, "-o", c, NULL };
    guard_stub(&e, args_c);
    /* The C stub, as a -sys crate's build.rs would compile it. */
    char *c_src = guard_fmt("%s.c", c), *obj = guard_fmt("%s.o", c), *lib = guard_fmt("%s/libgeo_guard.a", e.dir);
    const char *cc[] = { "/usr/bin/gcc", "-std=c99", "-O2", "-fPIC", "-Wall", "-Wextra", "-Werror", "-c", c_src,
                         "-o", obj, NULL };
    guard_run_ok(cc, 120, "gcc geo_guard.c");
    const char *ar[] = { "/usr/bin/ar", "rcs", lib, obj, NULL };
    guard_run_ok(ar, 60, "ar");
    char *good = guard_fmt("%s/geo-rust", e.dir), *bad = guard_fmt("%s/geo-rust-swapped", e.dir),
         *bad_test = guard_fmt("%s/geo-rust-swapped-test", e.dir), *bad_size = guard_fmt("%s/geo-rust-f32", e.dir);
    tool_run r;
    rustc(&e, NULL, false, good, &r);
    cr_assert(r.exited && r.exit_status == 0, "rustc: %s\n%s", tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    rustc(&e, "bad", false, bad, &r);
    cr_assert(r.exited && r.exit_status == 0, "rustc --cfg bad: %s\n%s", tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    const char *prog[] = { good, NULL }, *bad_prog[] = { bad, NULL };
    guard_expect_matrix(&e, "rust", NULL, prog, bad_prog);
    /* The generated test fails for the swapped declaration. */
    rustc(&e, "bad", true, bad_test, &r);
    cr_assert(r.exited && r.exit_status == 0, "rustc --cfg bad --test: %s\n%s", tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    const char *test_prog[] = { bad_test, NULL };
    guard_run_with(&e, GEO_V1, NULL, NULL, test_prog, &r);
    cr_assert(r.exited && r.exit_status != 0 && strstr(r.out, "abiguard_layouts") &&
                  strstr(r.out, "struct geo_shape::kind is at offset 4 (4 bytes) in the binding's declaration, at offset 0"),
              "the generated #[test] did not fail on the swapped members: %s\n%s\n%s", tool_run_outcome(&r), r.out, r.err);
    tool_run_free(&r);
    /* A size the baseline does not have stops the build. */
    rustc(&e, "bad_size", false, bad_size, &r);
    cr_assert(r.exited && r.exit_status != 0 &&
                  strstr(r.err, "geo@1: sizeof(struct geo_point) is 16 in the release this binding was built against"),
              "a crate declaring struct geo_point with f32 compiled: %s\n%s", tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    free(good);
    free(bad);
    free(bad_test);
    free(bad_size);
    free(c_src);
    free(obj);
    free(lib);
    free(symbols);
    free(rs);
    free(c);
    guard_env_teardown(&e);
}
