/*
 * test_reader_hardening.c — inputs that once crashed, hung or exhausted the
 * readers (issue 11), each run through the built abiguard:
 *   - DWARF written by hand to break one thing (tests/fixtures/dwarf/mini.S):
 *     libdwarf failing inside a call that had no error argument, a DIE whose
 *     DW_AT_sibling points at itself, a line table whose file names a
 *     directory past the end of the list (also run under valgrind);
 *   - debug files found by debuglink, build-id or .gnu_debugaltlink that are
 *     FIFOs (an open() that would wait forever);
 *   - compressed debug sections that claim or really inflate to far more
 *     than their size (SHF_COMPRESSED and GNU .zdebug), and real ones that
 *     inflate more than libdwarf's 16 times (a fixture, Debian's libmvec);
 * Each must end with one error line (or a clean success where the input is
 * only partly unusable), never a signal, a hang or a stray line on stdout.
 */
#include <criterion/criterion.h>
#include <gelf.h>
#include <jansson.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool_run.h"

#define DEADLINE 60.0

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static bool run_tool(tool_run *r, const char *const argv[])
{
    return tool_run_argv(argv, DEADLINE, r);
}

/* Exit 1, exactly one "abiguard: error: PATH: ..." line containing
   `needle`, nothing on stdout. */
static void assert_clear_error(const tool_run *r, const char *what, const char *path, const char *needle)
{
    cr_assert(!r->timed_out, "%s: hung (killed after %.0f s)", what, DEADLINE);
    cr_assert(!r->signaled, "%s: %s; stdout: %.300s; stderr:\n%s", what, tool_run_outcome(r), r->out, r->err);
    cr_assert(r->exited && r->exit_status == 1, "%s: expected exit 1, got %s; stderr:\n%s", what,
              tool_run_outcome(r), r->err);
    char prefix[4096];
    snprintf(prefix, sizeof prefix, "abiguard: error: %s: ", path);
    cr_assert(count_lines(r->err) == 1 && strncmp(r->err, prefix, strlen(prefix)) == 0,
              "%s: expected one line starting '%s', got:\n%s", what, prefix, r->err);
    cr_assert(strstr(r->err, needle), "%s: the error should say '%s', got:\n%s", what, needle, r->err);
    cr_assert_eq(r->out_len, 0, "%s: nothing on stdout expected, got: %.300s", what, r->out);
}

static void extract_fails(const char *what, const char *lib, const char *needle)
{
    const char *argv[] = { abiguard_binary(), "extract", lib, "--no-system-debug", NULL };
    tool_run r;
    cr_assert(run_tool(&r, argv));
    assert_clear_error(&r, what, lib, needle);
    tool_run_free(&r);
}

/* Runs extract, asserts a clean exit 0, returns stdout (malloc'd). */
static char *extract_ok(const char *what, const char *const argv[])
{
    tool_run r;
    cr_assert(run_tool(&r, argv));
    cr_assert(!r.timed_out, "%s: hung (killed after %.0f s)", what, DEADLINE);
    cr_assert(r.exited && r.exit_status == 0, "%s: %s; stderr:\n%s", what, tool_run_outcome(&r), r.err);
    char *out = strdup(r.out);
    tool_run_free(&r);
    return out;
}

static bool run_shell_ok(const char *cmd)
{
    const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
    tool_run r;
    bool ok = tool_run_argv(argv, DEADLINE, &r) && r.exited && r.exit_status == 0;
    if (!ok)
        fprintf(stderr, "failed: %s: %s\n%s", cmd, tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    return ok;
}

static char *copy_fixture(const char *rel, const char *dir, const char *name)
{
    char *src = fixture_path(rel);
    size_t len;
    char *bytes = read_whole_file(src, &len);
    cr_assert(bytes, "cannot read %s", src);
    char *dst = path_join2(dir, name);
    cr_assert(write_whole_file(dst, bytes, len));
    free(bytes);
    free(src);
    return dst;
}

/* File offset and size of a section, found with libelf. */
static bool section_range(const char *bytes, size_t len, const char *name, size_t *off, size_t *size)
{
    elf_version(EV_CURRENT);
    Elf *e = elf_memory((char *)bytes, len);
    size_t shstrndx;
    bool found = false;
    if (e && elf_getshdrstrndx(e, &shstrndx) == 0) {
        for (Elf_Scn *s = elf_nextscn(e, NULL); s && !found; s = elf_nextscn(e, s)) {
            GElf_Shdr sh;
            const char *n = gelf_getshdr(s, &sh) ? elf_strptr(e, shstrndx, sh.sh_name) : NULL;
            if (n && strcmp(n, name) == 0) {
                *off = sh.sh_offset;
                *size = sh.sh_size;
                found = *off + *size <= len;
            }
        }
    }
    if (e)
        elf_end(e);
    return found;
}

static void put_u64(char *p, uint64_t v, bool big_endian)
{
    for (int i = 0; i < 8; i++)
        p[big_endian ? 7 - i : i] = (char)(v >> (8 * i));
}

/* ------------------------------------------------------------------ */
/* Hand-written DWARF                                                  */

Test(reader_hardening, the_unbroken_mini_library_extracts)
{
    /* The base the variants break: it must read cleanly, or the failures
       below would prove nothing. */
    char *lib = fixture_path("dwarf/mini-ok.so");
    const char *argv[] = { abiguard_binary(), "extract", lib, "--no-system-debug", NULL };
    char *out = extract_ok("mini-ok.so", argv);
    cr_assert(strstr(out, "\"name\": \"f\"") && strstr(out, "\"decl_file\": \"mini.h\""),
              "f and its declaration file expected in:\n%s", out);
    free(out);
    free(lib);
}

Test(reader_hardening, libdwarf_error_without_an_error_argument_is_reported)
{
    /* libdwarf 20210528 printed "Now abort() in libdwarf" on stdout and
       aborted (dwarf_hasattr was called without an error argument). */
    char *lib = fixture_path("dwarf/mini-bad-param-block.so");
    extract_fails("a location block past the end of the unit", lib, "corrupt DWARF");
    free(lib);
}

Test(reader_hardening, sibling_pointing_at_itself_is_reported, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    /* The unit scan followed DW_AT_sibling back to the same DIE forever. */
    char *lib = fixture_path("dwarf/mini-self-sibling.so");
    extract_fails("DW_AT_sibling pointing at its own DIE", lib, "which is not after it");
    free(lib);
}

Test(reader_hardening, line_table_directory_past_the_end_is_reported)
{
    /* dwarf_srcfiles() read the pointer after its directory array and then
       the string it pointed to (valgrind: invalid read of size 8). */
    char *lib = fixture_path("dwarf/mini-line-dir-oob.so");
    extract_fails("a file naming directory 1 of 1", lib, "file 1 names directory 1, but there are 1");
    free(lib);
}

Test(reader_hardening, line_table_reproducer_is_clean_under_valgrind, .timeout = 300 * SANITIZER_SLOWDOWN)
{
    const char *sanitized = getenv("ABIGUARD_SANITIZED");
    if (sanitized && *sanitized) {
        /* ASan and valgrind do not mix: check-asan runs the test above. */
        cr_skip_test("abiguard is built with sanitizers");
    }
    cr_assert(access("/usr/bin/valgrind", X_OK) == 0, "valgrind is missing (Makefile DEB_PACKAGES)");
    char *lib = fixture_path("dwarf/mini-line-dir-oob.so");
    const char *argv[] = { "/usr/bin/valgrind", "-q", "--error-exitcode=99", abiguard_binary(), "extract", lib,
                           "--no-system-debug", NULL };
    tool_run r;
    cr_assert(tool_run_argv(argv, 240.0, &r));
    cr_assert(r.exited && r.exit_status == 1, "valgrind abiguard extract: %s (99: valgrind found errors); stderr:\n%s",
              tool_run_outcome(&r), r.err);
    cr_assert(count_lines(r.err) == 1 && strstr(r.err, "names directory"),
              "only abiguard's error line expected, got:\n%s", r.err);
    tool_run_free(&r);
    free(lib);
}

/* ------------------------------------------------------------------ */
/* FIFOs where debug files are looked for                              */

Test(reader_hardening, debuglink_naming_a_fifo_does_not_block, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *tmp = make_temp_dir();
    char *lib = copy_fixture("types/stripped/libtypes.so", tmp, "libtypes.so");
    char *fifo = path_join2(tmp, "libtypes.so.debug"); /* the name .gnu_debuglink gives */
    cr_assert(mkfifo(fifo, 0600) == 0);
    const char *argv[] = { abiguard_binary(), "extract", lib, "--no-system-debug", NULL };
    char *out = extract_ok("debuglink to a FIFO", argv);
    cr_assert(strstr(out, "\"debug_info\": false"), "a FIFO is no debug file; got:\n%.400s", out);
    free(out);
    remove_tree(tmp);
    free(fifo);
    free(lib);
    free(tmp);
}

Test(reader_hardening, build_id_path_naming_a_fifo_does_not_block, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *tmp = make_temp_dir();
    char *lib = copy_fixture("types/debugdir/lib/libtypes.so", tmp, "libtypes.so");
    /* The same place the real debug file has under debugdir/debug. */
    char *real_dir = fixture_path("types/debugdir/debug/.build-id");
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "set -e; cd '%s'; d=$(ls); f=$(ls $d); mkdir -p '%s/debug/.build-id/'$d; mkfifo '%s/debug/.build-id/'$d/$f",
             real_dir, tmp, tmp);
    cr_assert(run_shell_ok(cmd));
    char *debug_dir = path_join2(tmp, "debug");
    const char *argv[] = { abiguard_binary(), "extract", lib, "--no-system-debug", "--debug-dir", debug_dir, NULL };
    char *out = extract_ok("build-id path that is a FIFO", argv);
    cr_assert(strstr(out, "\"debug_info\": false"), "a FIFO is no debug file; got:\n%.400s", out);
    free(out);
    remove_tree(tmp);
    free(debug_dir);
    free(real_dir);
    free(lib);
    free(tmp);
}

Test(reader_hardening, dwz_alternate_naming_a_fifo_does_not_block, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *tmp = make_temp_dir();
    char *lib = copy_fixture("types/libtypes.so", tmp, "libtypes.so");
    /* .gnu_debugaltlink: a file name, NUL, the alternate file's build-id. */
    char *link = path_join2(tmp, "altlink.bin");
    static const char content[] = "alt.debug\0" "0123456789abcdefghij";
    cr_assert(write_whole_file(link, content, sizeof content - 1));
    char *fifo = path_join2(tmp, "alt.debug");
    cr_assert(mkfifo(fifo, 0600) == 0);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "objcopy --add-section .gnu_debugaltlink='%s' '%s'", link, lib);
    cr_assert(run_shell_ok(cmd));
    const char *argv[] = { abiguard_binary(), "extract", lib, "--no-system-debug", NULL };
    char *out = extract_ok("dwz alternate that is a FIFO", argv);
    cr_assert(strstr(out, "\"debug_info\": true"), "the file's own DWARF is still read; got:\n%.400s", out);
    free(out);
    remove_tree(tmp);
    free(fifo);
    free(link);
    free(lib);
    free(tmp);
}

/* ------------------------------------------------------------------ */
/* Decompression bombs                                                 */

/* libtypes.so with its debug sections compressed in `style` ("zlib" or
   "zlib-gnu"), in tmp; malloc'd path. */
static char *compressed_copy(const char *tmp, const char *style, const char *name)
{
    char *src = fixture_path("types/libtypes.so");
    char *dst = path_join2(tmp, name);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "objcopy --compress-debug-sections=%s '%s' '%s'", style, src, dst);
    cr_assert(run_shell_ok(cmd));
    free(src);
    return dst;
}

Test(reader_hardening, compressed_debug_sections_still_read, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *tmp = make_temp_dir();
    const char *styles[] = { "zlib", "zlib-gnu" };
    char *plain_lib = fixture_path("types/libtypes.so");
    const char *plain_argv[] = { abiguard_binary(), "extract", plain_lib, "--no-system-debug", NULL };
    char *plain = extract_ok("libtypes.so", plain_argv);
    const char *plain_types = strstr(plain, "\"types\"");
    for (size_t i = 0; i < 2; i++) {
        char *lib = compressed_copy(tmp, styles[i], "libtypes.so");
        const char *argv[] = { abiguard_binary(), "extract", lib, "--no-system-debug", NULL };
        char *out = extract_ok(styles[i], argv);
        const char *types = strstr(out, "\"types\"");
        cr_assert(types && plain_types && strcmp(types, plain_types) == 0,
                  "%s-compressed debug sections must give the same types as uncompressed ones", styles[i]);
        free(out);
        free(lib);
    }
    free(plain);
    free(plain_lib);
    remove_tree(tmp);
    free(tmp);
}

Test(reader_hardening, compressed_section_claiming_a_huge_size_is_refused, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *tmp = make_temp_dir();
    const struct { const char *style, *section; bool gnu; } cases[] = {
        { "zlib", ".debug_info", false },
        { "zlib-gnu", ".zdebug_info", true },
    };
    for (size_t i = 0; i < 2; i++) {
        char *lib = compressed_copy(tmp, cases[i].style, "bomb.so");
        size_t len, off, size;
        char *bytes = read_whole_file(lib, &len);
        cr_assert(bytes && section_range(bytes, len, cases[i].section, &off, &size), "no %s", cases[i].section);
        /* SHF_COMPRESSED: Elf64_Chdr { type 4, reserved 4, size 8, align 8 };
           .zdebug: "ZLIB" then the size, 8 bytes big-endian. */
        put_u64(bytes + off + (cases[i].gnu ? 4 : 8), (uint64_t)1 << 40, cases[i].gnu);
        cr_assert(write_whole_file(lib, bytes, len));
        extract_fails(cases[i].section, lib, "decompression bomb");
        free(bytes);
        free(lib);
    }
    remove_tree(tmp);
    free(tmp);
}

Test(reader_hardening, section_that_really_inflates_a_thousandfold_is_refused, .timeout = 300 * SANITIZER_SLOWDOWN)
{
    /* 32 MiB of zeros deflate to about 32 KiB: far beyond any real debug
       section's ratio (Debian's worst is 83). As .debug_rnglists it was
       inflated whole by the side-table check before anything looked at it;
       as a section nobody reads, it is refused all the same. */
    const char *sections[] = { ".debug_rnglists", ".debug_zeros" };
    for (size_t i = 0; i < 2; i++) {
        char *tmp = make_temp_dir();
        char *lib = fixture_path("types/libtypes.so");
        char *bomb = path_join2(tmp, "bomb.so");
        char cmd[8192];
        snprintf(cmd, sizeof cmd,
                 "set -e; cd '%s'; head -c 33554432 /dev/zero > zeros; "
                 "objcopy --%s-section %s=zeros '%s' big.so; "
                 "objcopy --compress-debug-sections=zlib big.so bomb.so; rm zeros big.so",
                 tmp, i == 0 ? "update" : "add", sections[i], lib);
        cr_assert(run_shell_ok(cmd));
        extract_fails(sections[i], bomb, "decompression bomb");
        remove_tree(tmp);
        free(bomb);
        free(lib);
        free(tmp);
    }
}

Test(reader_hardening, sections_inflating_too_much_together_are_refused, .timeout = 300 * SANITIZER_SLOWDOWN)
{
    /* 32 sections of 1 MiB of zeros, about 1 KiB each compressed: each is
       within its own limit (256 times plus 1 MiB), but all of them are
       inflated for libdwarf, so together they are held to the limit of the
       whole file (about 17 MiB for these 60 KiB). */
    char *tmp = make_temp_dir();
    char *lib = fixture_path("types/libtypes.so");
    char *bomb = path_join2(tmp, "bomb.so");
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "set -e; cd '%s'; head -c 1048576 /dev/zero > zeros; args=; "
             "for i in $(seq 1 32); do args=\"$args --add-section .debug_zeros$i=zeros\"; done; "
             "objcopy $args '%s' big.so; objcopy --compress-debug-sections=zlib big.so bomb.so; rm zeros big.so",
             tmp, lib);
    cr_assert(run_shell_ok(cmd));
    extract_fails("32 sections of 1 MiB of zeros", bomb, "in all");
    remove_tree(tmp);
    free(bomb);
    free(lib);
    free(tmp);
}

/* ------------------------------------------------------------------ */
/* Sections that really inflate more than libdwarf believes            */

/* The largest inflated / compressed size among the file's compressed
   sections (SHF_COMPRESSED or GNU .zdebug_*); 0 when none is. */
static double max_inflation(const char *path)
{
    size_t len;
    char *bytes = read_whole_file(path, &len);
    cr_assert(bytes, "cannot read %s", path);
    elf_version(EV_CURRENT);
    Elf *e = elf_memory(bytes, len);
    size_t shstrndx;
    double worst = 0;
    if (e && elf_getshdrstrndx(e, &shstrndx) == 0) {
        for (Elf_Scn *s = elf_nextscn(e, NULL); s; s = elf_nextscn(e, s)) {
            GElf_Shdr sh;
            const char *n = gelf_getshdr(s, &sh) ? elf_strptr(e, shstrndx, sh.sh_name) : NULL;
            if (!n || sh.sh_offset + sh.sh_size > len || sh.sh_size < 24)
                continue;
            const unsigned char *p = (const unsigned char *)bytes + sh.sh_offset;
            uint64_t size = 0, header = 0;
            if (strncmp(n, ".zdebug", 7) == 0 && memcmp(p, "ZLIB", 4) == 0) {
                for (int i = 0; i < 8; i++)
                    size = size << 8 | p[4 + i];
                header = 12;
            } else if (sh.sh_flags & SHF_COMPRESSED) {
                GElf_Chdr ch;
                if (!gelf_getchdr(s, &ch))
                    continue;
                size = ch.ch_size;
                header = gelf_getclass(e) == ELFCLASS64 ? sizeof(Elf64_Chdr) : sizeof(Elf32_Chdr);
            } else {
                continue;
            }
            double ratio = (double)size / (double)(sh.sh_size - header);
            if (ratio > worst)
                worst = ratio;
        }
    }
    if (e)
        elf_end(e);
    free(bytes);
    return worst;
}

/* libdwarf 20210528 refuses to inflate a section to more than 16 times its
   compressed size ("DW_DLE_ZLIB_UNCOMPRESS_ERROR: Surely an invalid
   uncompress length"); libunits.so's .debug_abbrev inflates about 29 times.
   Before abiguard inflated the sections itself, the SHF_COMPRESSED copy
   failed with that error and the .zdebug copy read as having no debug info. */
Test(reader_hardening, sections_inflating_more_than_16_times_are_read, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *plain_lib = fixture_path("units/libunits.so");
    const char *plain_argv[] = { abiguard_binary(), "extract", plain_lib, "--no-system-debug", NULL };
    char *plain = extract_ok("libunits.so", plain_argv);
    const char *plain_functions = strstr(plain, "\"functions\"");
    cr_assert(plain_functions && strstr(plain, "\"unit_area_32\""), "libunits.so: no functions read:\n%.2000s", plain);
    const char *variants[] = { "units/libunits-zlib.so", "units/libunits-zlib-gnu.so" };
    for (size_t i = 0; i < 2; i++) {
        char *lib = fixture_path(variants[i]);
        double ratio = max_inflation(lib);
        cr_assert(ratio > 16, "%s: the fixture must have a section inflating more than 16 times (%.1f)",
                  variants[i], ratio);
        const char *argv[] = { abiguard_binary(), "extract", lib, "--no-system-debug", NULL };
        char *out = extract_ok(variants[i], argv);
        cr_assert(strstr(out, "\"debug_info\": true"), "%s: debug info not read:\n%.2000s", variants[i], out);
        const char *functions = strstr(out, "\"functions\"");
        cr_assert(functions && strcmp(functions, plain_functions) == 0,
                  "%s (worst section inflates %.0f times) must read as the uncompressed library does", variants[i],
                  ratio);
        free(out);
        free(lib);
    }
    free(plain);
    free(plain_lib);
}

/* The real case: Debian 12's libmvec.so.1 with its debug file from
   libc6-dbg (in DEB_PACKAGES, so on every machine `make test` prepared),
   whose .debug_abbrev inflates 84 times and .debug_info 34 times. It must
   read, and read exactly as the same debug file with its sections
   decompressed by elfutils' eu-elfcompress (binutils' objcopy refuses
   too: ".debug_info is too large"). */
#define LIBMVEC "/usr/lib/x86_64-linux-gnu/libmvec.so.1"

Test(reader_hardening, debian_libmvec_with_its_compressed_debug_file, .timeout = 300 * SANITIZER_SLOWDOWN)
{
    if (access(LIBMVEC, R_OK) != 0)
        cr_skip_test(LIBMVEC " is not installed (not an amd64 Debian machine)");
    const char *argv[] = { abiguard_binary(), "extract", LIBMVEC, "--no-debuginfod", NULL };
    char *out = extract_ok("libmvec.so.1", argv);
    json_error_t jerr;
    json_t *root = json_loads(out, 0, &jerr);
    cr_assert(root, "libmvec.so.1: %s", jerr.text);
    const char *build_id = json_string_value(json_object_get(json_object_get(root, "elf"), "build_id"));
    cr_assert(build_id && strlen(build_id) > 2, "no build-id in:\n%.2000s", out);
    char debug[512];
    snprintf(debug, sizeof debug, "/usr/lib/debug/.build-id/%.2s/%s.debug", build_id, build_id + 2);
    if (access(debug, R_OK) != 0)
        cr_skip_test("libc6-dbg is not installed (no %s)", debug);
    double ratio = max_inflation(debug);
    if (ratio <= 16)
        cr_skip_test("%s: no section inflates more than 16 times any more (%.1f): "
                     "units/libunits-zlib.so still tests it", debug, ratio);
    cr_assert(json_is_true(json_object_get(root, "debug_info")), "libmvec.so.1: debug info not read");
    cr_assert(json_array_size(json_object_get(root, "functions")) > 0, "libmvec.so.1: no functions read");

    char *tmp = make_temp_dir();
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "set -e; mkdir -p '%s/.build-id/%.2s'; "
             "eu-elfcompress --type=none -o '%s/.build-id/%.2s/%s.debug' '%s'",
             tmp, build_id, tmp, build_id, build_id + 2, debug);
    cr_assert(run_shell_ok(cmd));
    const char *plain_argv[] = { abiguard_binary(), "extract", LIBMVEC, "--no-system-debug", "--no-debuginfod",
                                 "--debug-dir", tmp, NULL };
    char *plain = extract_ok("libmvec.so.1 with decompressed debug sections", plain_argv);
    const char *a = strstr(out, "\"dwarf_version\""), *b = strstr(plain, "\"dwarf_version\"");
    cr_assert(a && b && strcmp(a, b) == 0,
              "libmvec.so.1 (worst section inflates %.0f times) must read as with its sections decompressed", ratio);
    free(plain);
    remove_tree(tmp);
    free(tmp);
    json_decref(root);
    free(out);
}

/* ------------------------------------------------------------------ */
/* Duplicate names, pipes, split DWARF, extended section counts        */


/* The corpus of a fixture library, as a jansson tree. */
static json_t *fixture_corpus(const char *rel)
{
    char *lib = fixture_path(rel);
    const char *argv[] = { abiguard_binary(), "extract", lib, "--no-system-debug", NULL };
    char *out = extract_ok(rel, argv);
    json_error_t jerr;
    json_t *root = json_loads(out, 0, &jerr);
    cr_assert(root, "%s: %s", rel, jerr.text);
    free(out);
    free(lib);
    return root;
}

/* show, diff FILE FILE and import must all refuse the file, naming `needle`. */
static void readers_refuse(const char *dir, json_t *root, const char *needle)
{
    char *path = path_join2(dir, "dup.json");
    char *db = path_join2(dir, "store.db");
    cr_assert_eq(json_dump_file(root, path, JSON_INDENT(1) | JSON_SORT_KEYS), 0);
    const char *const commands[][9] = {
        { abiguard_binary(), "show", path, NULL },
        { abiguard_binary(), "diff", path, path, NULL },
        { abiguard_binary(), "import", path, "--library", "dup", "--version", "1", "--db", db },
    };
    for (size_t i = 0; i < 3; i++) {
        const char *argv[10] = { 0 };
        memcpy(argv, commands[i], sizeof commands[i]);
        tool_run r;
        cr_assert(run_tool(&r, argv));
        assert_clear_error(&r, commands[i][1], path, needle);
        tool_run_free(&r);
    }
    free(db);
    free(path);
}

Test(reader_hardening, duplicate_functions_are_refused, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    /* diff X.json X.json reported breaking changes between a file and itself. */
    char *dir = make_temp_dir();
    json_t *root = fixture_corpus("types/libtypes.so");
    json_t *functions = json_object_get(root, "functions");
    cr_assert(json_array_size(functions) > 1);
    json_t *first = json_array_get(functions, 0);
    const char *name = json_string_value(json_object_get(first, "name"));
    char needle[256];
    snprintf(needle, sizeof needle, "two functions are named %s", name);
    json_array_append_new(functions, json_deep_copy(first));
    readers_refuse(dir, root, needle);
    json_decref(root);
    remove_tree(dir);
    free(dir);
}

Test(reader_hardening, duplicate_members_are_refused, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *dir = make_temp_dir();
    json_t *root = fixture_corpus("types/libtypes.so");
    json_t *types = json_object_get(root, "types");
    json_t *members = NULL;
    const char *type_name = NULL;
    for (size_t i = 0; i < json_array_size(types) && !members; i++) {
        json_t *t = json_array_get(types, i);
        json_t *m = json_object_get(t, "members");
        if (json_array_size(m) >= 2 && json_is_string(json_object_get(json_array_get(m, 0), "name")) &&
            json_is_string(json_object_get(json_array_get(m, 1), "name")) &&
            strcmp(json_string_value(json_object_get(t, "kind")), "struct") == 0) {
            members = m;
            type_name = json_string_value(json_object_get(t, "name"));
        }
    }
    cr_assert(members && type_name, "a named struct with two named members expected in libtypes");
    const char *first = json_string_value(json_object_get(json_array_get(members, 0), "name"));
    char needle[512];
    snprintf(needle, sizeof needle, "struct %s has two members named %s", type_name, first);
    json_object_set_new(json_array_get(members, 1), "name", json_string(first));
    readers_refuse(dir, root, needle);
    json_decref(root);
    remove_tree(dir);
    free(dir);
}

Test(reader_hardening, show_reads_a_corpus_from_a_pipe, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    /* The ELF-or-JSON check read the first bytes of the pipe, and the JSON
       reader then got the rest. */
    char *dir = make_temp_dir();
    char *lib = fixture_path("dwarf/mini-ok.so");
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' extract '%s' --no-system-debug | '%s' show /dev/stdin", abiguard_binary(), lib,
             abiguard_binary());
    const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
    tool_run r;
    cr_assert(run_tool(&r, argv));
    cr_assert(r.exited && r.exit_status == 0, "show /dev/stdin: %s\n%s", tool_run_outcome(&r), r.err);
    cr_assert(strstr(r.out, "mini-ok.so"), "the summary of the corpus expected, got:\n%s", r.out);
    tool_run_free(&r);
    /* An ELF file cannot come that way (it is mapped): say so. */
    snprintf(cmd, sizeof cmd, "'%s' show /dev/stdin < '%s'", abiguard_binary(), lib);
    cr_assert(run_tool(&r, argv));
    cr_assert(r.exited && r.exit_status == 0, "show /dev/stdin < regular file: %s\n%s", tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    snprintf(cmd, sizeof cmd, "cat '%s' | '%s' show /dev/stdin", lib, abiguard_binary());
    cr_assert(run_tool(&r, argv));
    assert_clear_error(&r, "show /dev/stdin from a pipe of ELF", "/dev/stdin", "give its path");
    tool_run_free(&r);
    remove_tree(dir);
    free(lib);
    free(dir);
}

Test(reader_hardening, split_dwarf_says_the_dwo_files_were_not_read, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    /* It claimed embedded debug info with no functions at all. */
    char *dir = make_temp_dir();
    char *src = path_join2(dir, "s.c");
    const char *code = "struct s { int a; long b; };\nint f(struct s *p) { return p->a; }\n";
    cr_assert(write_whole_file(src, code, strlen(code)));
    const char *versions[] = { "-gdwarf-5", "-gdwarf-4" };
    for (size_t i = 0; i < 2; i++) {
        char cmd[8192];
        snprintf(cmd, sizeof cmd, "cd '%s' && cc -g %s -O2 -gsplit-dwarf -shared -fPIC -o libs.so s.c", dir,
                 versions[i]);
        cr_assert(run_shell_ok(cmd));
        char *lib = path_join2(dir, "libs.so");
        extract_fails(versions[i], lib, "split into .dwo files (-gsplit-dwarf, e.g. libs.so-s.dwo)");
        free(lib);
    }
    remove_tree(dir);
    free(src);
    free(dir);
}

Test(reader_hardening, absurd_extended_section_count_is_named)
{
    /* e_shnum 0 and section 0's sh_size 2^31 - 1: libelf saw no sections at
       all, and the message guessed "stripped with sstrip?". */
    char *dir = make_temp_dir();
    char *lib = copy_fixture("dwarf/mini-ok.so", dir, "ext.so");
    size_t len;
    char *bytes = read_whole_file(lib, &len);
    cr_assert(bytes && len > 64);
    uint64_t shoff;
    memcpy(&shoff, bytes + 0x28, 8);
    cr_assert(shoff + 64 <= len);
    memset(bytes + 0x3c, 0, 2);
    put_u64(bytes + shoff + 32, 0x7fffffff, false);
    cr_assert(write_whole_file(lib, bytes, len));
    extract_fails("extended section count 2^31 - 1", lib, "claims 2147483647 sections (extended numbering)");
    remove_tree(dir);
    free(bytes);
    free(lib);
    free(dir);
}
