/*
 * test_elf_reader.c — ag_elf_read and ag_debug_locate on real files: the
 * system's libc and liblua (with their Debian debug packages), broken copies
 * of them (truncated, corrupted, random bytes flipped), and a tiny library
 * built, split and stripped here, so each way of finding debug info is
 * exercised on a file whose layout the test controls.
 */
#include <criterion/criterion.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "corpus.h"
#include "debug_locate.h"
#include "elf_reader.h"

#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"
#define LIBLUA "/usr/lib/x86_64-linux-gnu/liblua5.3.so.0"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static ag_corpus *read_ok(const char *path)
{
    ag_corpus *c = ag_corpus_new();
    ag_error err = {{0}};
    cr_assert_not_null(c);
    ag_status st = ag_elf_read(path, c, &err);
    cr_assert_eq(st, AG_OK, "%s: %s", path, err.msg);
    return c;
}

static ag_status read_status(const char *path, ag_error *err)
{
    ag_corpus *c = ag_corpus_new();
    cr_assert_not_null(c);
    ag_status st = ag_elf_read(path, c, err);
    ag_corpus_free(c); /* a partly filled corpus must free cleanly too */
    return st;
}

static const ag_symbol *find_symbol(const ag_symbol *syms, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(syms[i].name, name) == 0)
            return &syms[i];
    return NULL;
}

static bool has_string(char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

/* The build-id as readelf prints it ("Build ID: <hex>"). */
static void readelf_build_id(const char *path, char *out, size_t outlen)
{
    char cmd[512], line[512];
    snprintf(cmd, sizeof cmd, "readelf -n '%s'", path);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    out[0] = '\0';
    while (fgets(line, sizeof line, p)) {
        const char *at = strstr(line, "Build ID: ");
        if (at && sscanf(at + 10, "%127s", out) == 1)
            break;
    }
    pclose(p);
    cr_assert(out[0] != '\0' && strlen(out) < outlen, "readelf printed no build-id for %s", path);
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)size + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return buf;
}

static void spit(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void make_temp_dir(char *dir, size_t len)
{
    snprintf(dir, len, "/tmp/ag-elf-test-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_tree(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    cr_assert_eq(system(cmd), 0, "command failed: %s", cmd);
}

/* ------------------------------------------------------------------ */
/* Real libraries                                                      */

Test(elf_reader, libc_identity)
{
    ag_corpus *c = read_ok(LIBC);
    char expected_id[128];
    readelf_build_id(LIBC, expected_id, sizeof expected_id);
    cr_expect_str_eq(c->elf.file_name, "libc.so.6");
    cr_expect_str_eq(c->elf.soname, "libc.so.6");
    cr_expect_str_eq(c->elf.elf_type, "dyn", "libc has PT_INTERP but is a library");
    cr_expect_str_eq(c->elf.machine, "x86_64");
    cr_expect_eq(c->elf.elf_class, 64);
    cr_expect_str_eq(c->elf.byte_order, "little");
    cr_expect_str_eq(c->elf.build_id, expected_id);
    cr_expect_eq(strlen(c->elf.sha256), 64);
    cr_expect(has_string(c->elf.needed, c->elf.n_needed, "ld-linux-x86-64.so.2"));
    cr_expect(has_string(c->elf.version_defs, c->elf.n_version_defs, "GLIBC_2.34"));
    cr_expect(has_string(c->elf.version_defs, c->elf.n_version_defs, "GLIBC_2.2.5"));
    cr_expect(!has_string(c->elf.version_defs, c->elf.n_version_defs, "libc.so.6"),
              "the base (file) entry is not a version");
    cr_expect(c->elf.relro);
    cr_expect(!c->elf.exec_stack);
    ag_corpus_free(c);
}

Test(elf_reader, libc_sha256_matches_sha256sum)
{
    ag_corpus *c = read_ok(LIBC);
    char line[256] = "";
    FILE *p = popen("sha256sum " LIBC, "r");
    cr_assert_not_null(p);
    cr_assert_not_null(fgets(line, sizeof line, p));
    pclose(p);
    line[64] = '\0';
    cr_expect_str_eq(c->elf.sha256, line);
    ag_corpus_free(c);
}

Test(elf_reader, libc_exports)
{
    ag_corpus *c = read_ok(LIBC);
    const ag_symbol *m = find_symbol(c->exports, c->n_exports, "malloc");
    cr_assert_not_null(m);
    cr_expect_str_eq(m->version, "GLIBC_2.2.5");
    cr_expect(m->is_default);
    cr_expect_eq(m->type, AG_SYM_FUNC);
    cr_expect_eq(m->binding, AG_BIND_GLOBAL);
    cr_expect_null(m->version_file);
    cr_expect_null(find_symbol(c->exports, c->n_exports, "GLIBC_2.2.5"), "version nodes are not symbols");
    cr_expect_null(find_symbol(c->exports, c->n_exports, "GLIBC_2.34"));
    cr_expect(c->n_exports > 1000);

    /* memcpy is exported twice: the old hidden memcpy@GLIBC_2.2.5 (a FUNC)
       and the default memcpy@@GLIBC_2.14 (an IFUNC). */
    const ag_symbol *old_memcpy = NULL, *new_memcpy = NULL;
    for (size_t i = 0; i < c->n_exports; i++)
        if (strcmp(c->exports[i].name, "memcpy") == 0)
            *(c->exports[i].is_default ? &new_memcpy : &old_memcpy) = &c->exports[i];
    cr_assert_not_null(old_memcpy);
    cr_assert_not_null(new_memcpy);
    cr_expect_str_eq(old_memcpy->version, "GLIBC_2.2.5");
    cr_expect_eq(old_memcpy->type, AG_SYM_FUNC);
    cr_expect_str_eq(new_memcpy->version, "GLIBC_2.14");
    cr_expect_eq(new_memcpy->type, AG_SYM_IFUNC);
    const ag_symbol *out = find_symbol(c->exports, c->n_exports, "stdout");
    cr_assert_not_null(out);
    cr_expect_eq(out->type, AG_SYM_OBJECT);
    cr_expect_eq(out->size, 8);

    /* Old versions of a symbol stay exported as hidden "name@V". */
    bool saw_hidden = false;
    for (size_t i = 0; i < c->n_exports; i++)
        if (!c->exports[i].is_default) {
            cr_expect_not_null(c->exports[i].version);
            saw_hidden = true;
        }
    cr_expect(saw_hidden);
    ag_corpus_free(c);
}

Test(elf_reader, liblua_needed_and_imports)
{
    ag_corpus *c = read_ok(LIBLUA);
    cr_expect_str_eq(c->elf.file_name, "liblua5.3.so.0");
    cr_expect_str_eq(c->elf.soname, "liblua5.3.so.0");
    cr_expect(has_string(c->elf.needed, c->elf.n_needed, "libc.so.6"));
    /* Lua allocates through realloc only: it never imports malloc. */
    const ag_symbol *m = find_symbol(c->imports, c->n_imports, "realloc");
    cr_assert_not_null(m);
    cr_expect_str_eq(m->version_file, "libc.so.6");
    cr_expect_str_eq(m->version, "GLIBC_2.2.5");
    cr_expect_eq(m->type, AG_SYM_FUNC);
    cr_expect_null(find_symbol(c->exports, c->n_exports, "realloc"));
    const ag_symbol *weak = find_symbol(c->imports, c->n_imports, "_ITM_deregisterTMCloneTable");
    cr_assert_not_null(weak);
    cr_expect_eq(weak->binding, AG_BIND_WEAK);
    cr_expect_null(weak->version);
    cr_expect_not_null(find_symbol(c->exports, c->n_exports, "lua_newstate"));
    cr_expect(c->elf.stack_protector, "liblua imports __stack_chk_fail");
    for (size_t i = 0; i < c->n_imports; i++)
        cr_expect(c->imports[i].name[0] != '\0');
    ag_corpus_free(c);
}

Test(elf_reader, pie_executable_is_exec)
{
    ag_corpus *c = read_ok("/bin/ls");
    cr_expect_str_eq(c->elf.elf_type, "exec");
    cr_expect_null(c->elf.soname);
    cr_expect(c->n_imports > 0);
    ag_corpus_free(c);
}

/* ------------------------------------------------------------------ */
/* Bad input                                                           */

Test(elf_reader, missing_file_is_io_error)
{
    ag_error err = {{0}};
    cr_expect_eq(read_status("/nonexistent/libnothing.so", &err), AG_ERR_IO);
    cr_expect_str_eq(err.msg, "cannot open: No such file or directory");
}

Test(elf_reader, directory_is_io_error)
{
    ag_error err = {{0}};
    cr_expect_eq(read_status("/tmp", &err), AG_ERR_IO);
}

Test(elf_reader, not_elf_is_format_error)
{
    char dir[64], path[128];
    make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    spit(path, "hello, this is not an ELF file\n", 31);
    ag_error err = {{0}};
    cr_expect_eq(read_status(path, &err), AG_ERR_FORMAT);
    cr_expect_str_eq(err.msg, "not an ELF file");
    remove_tree(dir);
}

Test(elf_reader, truncated_copies_are_format_errors)
{
    size_t len;
    unsigned char *image = slurp(LIBC, &len);
    size_t lengths[] = {0, 16, 64, 1000, 100000, len / 2, len - 1};
    char dir[64], path[128];
    make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/libc-cut.so", dir);
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        spit(path, image, lengths[i]);
        ag_error err = {{0}};
        cr_expect_eq(read_status(path, &err), AG_ERR_FORMAT, "%zu bytes: %s", lengths[i], err.msg);
        if (lengths[i] >= 16)
            cr_expect_not_null(strstr(err.msg, "truncated ELF file"), "%zu bytes: %s", lengths[i], err.msg);
        cr_expect_null(strstr(err.msg, path), "the message must not name the file");
    }
    free(image);
    remove_tree(dir);
}

/* Offset in the file of field `field_offset` of section header `index`. */
static size_t section_header_field(const unsigned char *image, size_t len, const char *type_name,
                                   size_t field_offset)
{
    elf_version(EV_CURRENT);
    Elf *elf = elf_memory((char *)image, len);
    cr_assert_not_null(elf);
    GElf_Ehdr ehdr;
    cr_assert_not_null(gelf_getehdr(elf, &ehdr));
    size_t where = 0;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn))) {
        GElf_Shdr shdr;
        cr_assert_not_null(gelf_getshdr(scn, &shdr));
        if ((strcmp(type_name, "dynsym") == 0 && shdr.sh_type == SHT_DYNSYM)
            || (strcmp(type_name, "dynamic") == 0 && shdr.sh_type == SHT_DYNAMIC)) {
            where = ehdr.e_shoff + elf_ndxscn(scn) * ehdr.e_shentsize + field_offset;
            break;
        }
    }
    elf_end(elf);
    cr_assert_neq(where, 0, "no %s section", type_name);
    return where;
}

static void expect_corruption_reported(const char *name, unsigned char *image, size_t len, const char *what)
{
    char dir[64], path[128];
    make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    spit(path, image, len);
    ag_error err = {{0}};
    cr_expect_eq(read_status(path, &err), AG_ERR_FORMAT, "%s", err.msg);
    cr_expect_not_null(strstr(err.msg, what), "message: %s", err.msg);
    remove_tree(dir);
}

Test(elf_reader, dynsym_string_table_index_out_of_range)
{
    size_t len;
    unsigned char *image = slurp(LIBLUA, &len);
    size_t link = section_header_field(image, len, "dynsym", offsetof(Elf64_Shdr, sh_link));
    image[link] = 0xff;
    image[link + 1] = 0x7f;
    expect_corruption_reported("bad-link.so", image, len, "corrupt symbol table");
    free(image);
}

Test(elf_reader, dynamic_section_beyond_end_of_file)
{
    size_t len;
    unsigned char *image = slurp(LIBLUA, &len);
    size_t off = section_header_field(image, len, "dynamic", offsetof(Elf64_Shdr, sh_offset));
    uint64_t far = (uint64_t)len * 4;
    memcpy(image + off, &far, sizeof far); /* the test host is little-endian x86_64 */
    expect_corruption_reported("bad-dynamic.so", image, len, "truncated ELF file");
    free(image);
}

Test(elf_reader, section_name_table_index_out_of_range)
{
    size_t len;
    unsigned char *image = slurp(LIBLUA, &len);
    uint16_t bad = 0x7fff;
    memcpy(image + offsetof(Elf64_Ehdr, e_shstrndx), &bad, sizeof bad);
    expect_corruption_reported("bad-shstrndx.so", image, len, "section name table index");
    free(image);
}

Test(elf_reader, core_file_is_unsupported)
{
    size_t len;
    unsigned char *image = slurp(LIBLUA, &len);
    uint16_t core = ET_CORE;
    memcpy(image + offsetof(Elf64_Ehdr, e_type), &core, sizeof core);
    char dir[64], path[128];
    make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/core", dir);
    spit(path, image, len);
    ag_error err = {{0}};
    cr_expect_eq(read_status(path, &err), AG_ERR_UNSUPPORTED, "%s", err.msg);
    free(image);
    remove_tree(dir);
}

/* Flipped bytes anywhere must give a status, never a crash or a hang.
   Deterministic (fixed seed) so a failure reproduces. */
Test(elf_reader, random_corruption_never_crashes, .timeout = 120)
{
    size_t len;
    unsigned char *pristine = slurp(LIBLUA, &len);
    unsigned char *image = malloc(len);
    cr_assert_not_null(image);
    char dir[64], path[128];
    make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/fuzzed.so", dir);
    srand(12345);
    for (int round = 0; round < 300; round++) {
        memcpy(image, pristine, len);
        int flips = 1 + rand() % 16;
        /* Half the rounds aim at the headers, where damage matters most. */
        size_t span = round % 2 ? len : 4096;
        for (int i = 0; i < flips; i++)
            image[(size_t)rand() % span] = (unsigned char)rand();
        spit(path, image, len);
        ag_error err = {{0}};
        ag_status st = read_status(path, &err);
        cr_expect(st == AG_OK || st == AG_ERR_FORMAT || st == AG_ERR_UNSUPPORTED,
                  "round %d: status %d: %s", round, (int)st, err.msg);
    }
    free(image);
    free(pristine);
    remove_tree(dir);
}

/* ------------------------------------------------------------------ */
/* A library built here                                                */

static void write_library_source(const char *dir, const char *extra)
{
    char path[256];
    snprintf(path, sizeof path, "%s/t.c", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "struct point { int x, y; };\n"
               "int tiny_version = 1;\n"
               "int tiny_add(struct point *p) { return p->x + p->y; }\n"
               "%s\n", extra);
    fclose(f);
}

/* Builds <dir>/<name> from t.c; split = keep debug in <name>.debug with a
   debuglink to it. */
static void build_library(const char *dir, const char *name, const char *ldflags, bool split)
{
    run("cd '%s' && gcc -g -O0 -shared -fPIC %s -o %s t.c", dir, ldflags, name);
    if (split)
        run("cd '%s' && objcopy --only-keep-debug %s %s.debug && strip --strip-debug %s"
            " && objcopy --add-gnu-debuglink=%s.debug %s", dir, name, name, name, name, name);
}

Test(elf_reader, built_library_and_object)
{
    char dir[64], path[128];
    make_temp_dir(dir, sizeof dir);
    write_library_source(dir, "__attribute__((visibility(\"hidden\"))) int tiny_hidden(void) { return 2; }\n"
                              "__attribute__((weak)) extern int tiny_optional(void);\n"
                              "int tiny_call(void) { return tiny_optional ? tiny_optional() : 0; }");
    build_library(dir, "libt.so", "-Wl,-soname,libt.so.1 -Wl,-z,now -Wl,-rpath,/opt/t -Wl,--enable-new-dtags", false);
    snprintf(path, sizeof path, "%s/libt.so", dir);
    ag_corpus *c = read_ok(path);
    cr_expect_str_eq(c->elf.soname, "libt.so.1");
    cr_expect_str_eq(c->elf.runpath, "/opt/t");
    cr_expect_null(c->elf.rpath);
    cr_expect(c->elf.bind_now);
    const ag_symbol *add = find_symbol(c->exports, c->n_exports, "tiny_add");
    cr_assert_not_null(add);
    cr_expect_null(add->version);
    cr_expect(add->is_default);
    const ag_symbol *var = find_symbol(c->exports, c->n_exports, "tiny_version");
    cr_assert_not_null(var);
    cr_expect_eq(var->type, AG_SYM_OBJECT);
    cr_expect_eq(var->size, 4);
    cr_expect_null(find_symbol(c->exports, c->n_exports, "tiny_hidden"));
    const ag_symbol *opt = find_symbol(c->imports, c->n_imports, "tiny_optional");
    cr_assert_not_null(opt);
    cr_expect_eq(opt->binding, AG_BIND_WEAK);
    ag_corpus_free(c);

    run("cd '%s' && gcc -c -fPIC -o t.o t.c", dir);
    snprintf(path, sizeof path, "%s/t.o", dir);
    c = read_ok(path);
    cr_expect_str_eq(c->elf.elf_type, "rel");
    cr_expect_not_null(find_symbol(c->exports, c->n_exports, "tiny_add"));
    ag_corpus_free(c);
    remove_tree(dir);
}

static ag_corpus *build_and_read(const char *dir, const char *ldflags)
{
    char path[128];
    build_library(dir, "libh.so", ldflags, false);
    snprintf(path, sizeof path, "%s/libh.so", dir);
    return read_ok(path);
}

Test(elf_reader, hardening_properties)
{
    char dir[64];
    make_temp_dir(dir, sizeof dir);
    write_library_source(dir, "__thread int tiny_tls __attribute__((tls_model(\"initial-exec\")));\n"
                              "int tiny_get_tls(void) { return tiny_tls; }");

    ag_corpus *c = build_and_read(dir, "-fcf-protection=full -Wl,-z,ibt -Wl,-z,shstk -Wl,-z,noexecstack");
    cr_expect(c->elf.cet_ibt);
    cr_expect(c->elf.cet_shstk);
    cr_expect(!c->elf.exec_stack);
    cr_expect(c->elf.static_tls, "initial-exec TLS in a library sets DF_STATIC_TLS");
    const ag_symbol *tls = find_symbol(c->exports, c->n_exports, "tiny_tls");
    cr_assert_not_null(tls);
    cr_expect_eq(tls->type, AG_SYM_TLS);
    ag_corpus_free(c);

    c = build_and_read(dir, "-Wl,-z,shstk -Wl,-z,execstack -Wl,-z,norelro -Wl,-z,lazy "
                            "-Wl,-rpath,/opt/old -Wl,--disable-new-dtags");
    cr_expect(!c->elf.cet_ibt);
    cr_expect(c->elf.cet_shstk);
    cr_expect(c->elf.exec_stack);
    cr_expect(!c->elf.relro);
    cr_expect(!c->elf.bind_now);
    cr_expect_str_eq(c->elf.rpath, "/opt/old");
    cr_expect_null(c->elf.runpath);
    ag_corpus_free(c);
    remove_tree(dir);
}

Test(elf_reader, own_symbol_versions)
{
    char dir[64], script[128];
    make_temp_dir(dir, sizeof dir);
    /* tiny_mul exists in two versions, the old one hidden (glibc style:
       the name is listed under both nodes). */
    write_library_source(dir, "__attribute__((symver(\"tiny_mul@LIBT_1.0\"))) int tiny_mul_v1(int a) { return a; }\n"
                              "__attribute__((symver(\"tiny_mul@@LIBT_2.0\"))) int tiny_mul_v2(int a, int b)"
                              " { return a * b; }\n"
                              "int tiny_new(void) { return 0; }");
    snprintf(script, sizeof script, "%s/t.map", dir);
    FILE *f = fopen(script, "w");
    cr_assert_not_null(f);
    fputs("LIBT_1.0 { global: tiny_version; tiny_add; tiny_mul; local: *; };\n"
          "LIBT_2.0 { global: tiny_new; tiny_mul; } LIBT_1.0;\n", f);
    fclose(f);
    ag_corpus *c = build_and_read(dir, "-Wl,--version-script=t.map -Wl,-soname,libh.so.1");

    cr_assert_eq(c->elf.n_version_defs, 2);
    cr_expect_str_eq(c->elf.version_defs[0], "LIBT_1.0");
    cr_expect_str_eq(c->elf.version_defs[1], "LIBT_2.0");
    cr_expect_null(find_symbol(c->exports, c->n_exports, "LIBT_1.0"));
    cr_expect_null(find_symbol(c->exports, c->n_exports, "LIBT_2.0"));
    cr_expect_null(find_symbol(c->exports, c->n_exports, "libh.so.1"));
    cr_expect_null(find_symbol(c->exports, c->n_exports, "tiny_mul_v1"));
    size_t n_mul = 0;
    for (size_t i = 0; i < c->n_exports; i++) {
        const ag_symbol *s = &c->exports[i];
        if (strcmp(s->name, "tiny_mul") != 0)
            continue;
        n_mul++;
        cr_expect_str_eq(s->version, s->is_default ? "LIBT_2.0" : "LIBT_1.0");
    }
    cr_expect_eq(n_mul, 2, "tiny_mul@LIBT_1.0 and tiny_mul@@LIBT_2.0");
    const ag_symbol *v = find_symbol(c->exports, c->n_exports, "tiny_version");
    cr_assert_not_null(v);
    cr_expect_str_eq(v->version, "LIBT_1.0");
    cr_expect(v->is_default);
    ag_corpus_free(c);
    remove_tree(dir);
}

/* ------------------------------------------------------------------ */
/* Finding debug info                                                  */

static ag_status locate(const char *path, const ag_debug_search *search, char **out, const char **source,
                        ag_error *err)
{
    ag_corpus *c = read_ok(path);
    ag_status st = ag_debug_locate(path, &c->elf, search, out, source, err);
    ag_corpus_free(c);
    return st;
}

Test(debug_locate, libc_by_build_id_under_system_dir)
{
    char id[128], expected[256];
    readelf_build_id(LIBC, id, sizeof id);
    snprintf(expected, sizeof expected, "/usr/lib/debug/.build-id/%.2s/%s.debug", id, id + 2);
    cr_assert_eq(access(expected, R_OK), 0, "libc6-dbg is not installed (%s)", expected);
    ag_debug_search search = { .dirs = NULL, .n_dirs = 0, .no_system_dirs = false };
    char *out = NULL;
    const char *source = NULL;
    ag_error err = {{0}};
    cr_assert_eq(locate(LIBC, &search, &out, &source, &err), AG_OK, "%s", err.msg);
    cr_expect_str_eq(out, expected);
    cr_expect_str_eq(source, "build-id");
    free(out);
}

Test(debug_locate, libc_without_system_dirs_is_not_found)
{
    ag_debug_search search = { .dirs = NULL, .n_dirs = 0, .no_system_dirs = true };
    char *out = NULL;
    const char *source = NULL;
    ag_error err = {{0}};
    cr_expect_eq(locate(LIBC, &search, &out, &source, &err), AG_ERR_NOTFOUND);
    cr_expect_null(out);
}

Test(debug_locate, libc_without_info_or_search_options)
{
    /* NULL info and NULL search: the build-id is read from the file and the
       system directory is searched. */
    char *out = NULL;
    const char *source = NULL;
    ag_error err = {{0}};
    cr_expect_eq(ag_debug_locate(LIBC, NULL, NULL, &out, &source, &err), AG_OK, "%s", err.msg);
    cr_expect_str_eq(source, "build-id");
    free(out);
}

Test(debug_locate, missing_binary_is_io_error)
{
    char *out = NULL;
    const char *source = NULL;
    ag_error err = {{0}};
    cr_expect_eq(ag_debug_locate("/nonexistent/lib.so", NULL, NULL, &out, &source, &err), AG_ERR_IO);
}

Test(debug_locate, embedded_debug_info)
{
    char dir[64], path[128];
    make_temp_dir(dir, sizeof dir);
    write_library_source(dir, "");
    build_library(dir, "libfull.so", "", false);
    snprintf(path, sizeof path, "%s/libfull.so", dir);
    ag_debug_search search = { .dirs = NULL, .n_dirs = 0, .no_system_dirs = true };
    char *out = NULL;
    const char *source = NULL;
    ag_error err = {{0}};
    cr_assert_eq(locate(path, &search, &out, &source, &err), AG_OK, "%s", err.msg);
    cr_expect_str_eq(out, path);
    cr_expect_str_eq(source, "embedded");
    free(out);
    remove_tree(dir);
}

Test(debug_locate, split_library_via_debuglink_and_debug_dir)
{
    char dir[64], path[128], debug_dir[160], expected[512];
    make_temp_dir(dir, sizeof dir);
    write_library_source(dir, "");
    build_library(dir, "libt.so", "-Wl,--build-id", true);
    snprintf(path, sizeof path, "%s/libt.so", dir);

    ag_debug_search search = { .dirs = NULL, .n_dirs = 0, .no_system_dirs = true };
    char *out = NULL;
    const char *source = NULL;
    ag_error err = {{0}};
    cr_assert_eq(locate(path, &search, &out, &source, &err), AG_OK, "%s", err.msg);
    cr_expect_str_eq(source, "debuglink");
    snprintf(expected, sizeof expected, "%s/libt.so.debug", dir);
    cr_expect_str_eq(out, expected);
    free(out);

    /* Move the debug file into a separate directory in .build-id layout. */
    char id[128];
    readelf_build_id(path, id, sizeof id);
    snprintf(debug_dir, sizeof debug_dir, "%s/dbg", dir);
    run("mkdir -p '%s/.build-id/%.2s' && mv '%s/libt.so.debug' '%s/.build-id/%.2s/%s.debug'",
        debug_dir, id, dir, debug_dir, id, id + 2);
    cr_expect_eq(locate(path, &search, &out, &source, &err), AG_ERR_NOTFOUND, "found %s", out);

    const char *dirs[] = {debug_dir};
    ag_debug_search with_dir = { .dirs = dirs, .n_dirs = 1, .no_system_dirs = true };
    cr_assert_eq(locate(path, &with_dir, &out, &source, &err), AG_OK, "%s", err.msg);
    cr_expect_str_eq(source, "debug-dir");
    snprintf(expected, sizeof expected, "%s/.build-id/%.2s/%s.debug", debug_dir, id, id + 2);
    cr_expect_str_eq(out, expected);
    free(out);
    remove_tree(dir);
}

Test(debug_locate, debuglink_in_dot_debug_and_mirrored_debug_dir)
{
    char dir[64], path[128], real_dir[PATH_MAX], expected[PATH_MAX + 256];
    make_temp_dir(dir, sizeof dir);
    write_library_source(dir, "");
    build_library(dir, "libt.so", "-Wl,--build-id", true);
    snprintf(path, sizeof path, "%s/libt.so", dir);
    cr_assert_not_null(realpath(dir, real_dir));

    run("mkdir '%s/.debug' && mv '%s/libt.so.debug' '%s/.debug/'", dir, dir, dir);
    ag_debug_search search = { .dirs = NULL, .n_dirs = 0, .no_system_dirs = true };
    char *out = NULL;
    const char *source = NULL;
    ag_error err = {{0}};
    cr_assert_eq(locate(path, &search, &out, &source, &err), AG_OK, "%s", err.msg);
    cr_expect_str_eq(source, "debuglink");
    snprintf(expected, sizeof expected, "%s/.debug/libt.so.debug", real_dir);
    cr_expect_str_eq(out, expected);
    free(out);

    /* <debug-dir>/<absolute dir of the binary>/<name>, like /usr/lib/debug. */
    char mirror[128];
    snprintf(mirror, sizeof mirror, "%s/dbg", dir);
    run("mkdir -p '%s%s' && mv '%s/.debug/libt.so.debug' '%s%s/'", mirror, real_dir, dir, mirror, real_dir);
    const char *dirs[] = {mirror};
    ag_debug_search with_dir = { .dirs = dirs, .n_dirs = 1, .no_system_dirs = true };
    cr_assert_eq(locate(path, &with_dir, &out, &source, &err), AG_OK, "%s", err.msg);
    cr_expect_str_eq(source, "debug-dir");
    snprintf(expected, sizeof expected, "%s%s/libt.so.debug", mirror, real_dir);
    cr_expect_str_eq(out, expected);
    free(out);
    remove_tree(dir);
}

Test(debug_locate, debug_file_of_another_build_is_rejected)
{
    char dir[64], other[128], path[128];
    make_temp_dir(dir, sizeof dir);
    write_library_source(dir, "");
    build_library(dir, "libt.so", "-Wl,--build-id", true);
    /* Same file name, different code: a different build-id. */
    snprintf(other, sizeof other, "%s/other", dir);
    run("mkdir '%s'", other);
    write_library_source(other, "int tiny_extra(void) { return 3; }");
    build_library(other, "libt.so", "-Wl,--build-id", true);
    run("cp '%s/libt.so.debug' '%s/libt.so.debug'", other, dir);

    snprintf(path, sizeof path, "%s/libt.so", dir);
    ag_debug_search search = { .dirs = NULL, .n_dirs = 0, .no_system_dirs = true };
    char *out = NULL;
    const char *source = NULL;
    ag_error err = {{0}};
    cr_expect_eq(locate(path, &search, &out, &source, &err), AG_ERR_NOTFOUND, "accepted %s", out);
    remove_tree(dir);
}

Test(debug_locate, without_build_id_the_crc_decides)
{
    char dir[64], path[128], debug_path[160];
    make_temp_dir(dir, sizeof dir);
    write_library_source(dir, "");
    build_library(dir, "libt.so", "-Wl,--build-id=none", true);
    snprintf(path, sizeof path, "%s/libt.so", dir);
    snprintf(debug_path, sizeof debug_path, "%s/libt.so.debug", dir);

    ag_debug_search search = { .dirs = NULL, .n_dirs = 0, .no_system_dirs = true };
    char *out = NULL;
    const char *source = NULL;
    ag_error err = {{0}};
    ag_corpus *c = read_ok(path);
    cr_expect_null(c->elf.build_id);
    ag_corpus_free(c);
    cr_assert_eq(locate(path, &search, &out, &source, &err), AG_OK, "%s", err.msg);
    cr_expect_str_eq(source, "debuglink");
    cr_expect_str_eq(out, debug_path);
    free(out);

    /* One byte appended: still ELF with .debug_info, wrong CRC. */
    size_t len;
    unsigned char *image = slurp(debug_path, &len);
    image[len] = 0;
    spit(debug_path, image, len + 1);
    free(image);
    cr_expect_eq(locate(path, &search, &out, &source, &err), AG_ERR_NOTFOUND, "accepted %s", out);
    remove_tree(dir);
}
