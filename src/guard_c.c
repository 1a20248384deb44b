/*
 * guard_c.c — the C stub `abiguard stub --lang c` writes: FILE.h declares
 * abiguard_verify_<ident>() and its return codes; FILE.c holds the tables
 * (known build-ids, required symbols with their versions, data-object sizes
 * and fingerprints), the compile-time layout assertions and the load-time
 * check (src/guard_rt/c_runtime.c). The generated code is C99 (and C11),
 * uses only libc, never allocates, never exits, keeps no mutable static
 * state (so any number of threads may call it at once) and compiles cleanly
 * with -Wall -Wextra -Werror. The Go stub embeds the same code in its cgo
 * preamble (header_base NULL: the header's declarations inline).
 */
#include "guard_internal.h"

#include <stdlib.h>
#include <string.h>

#include "version.h"

static const char H_TEMPLATE[] =
#include "guard_rt/c_header.h.inc"
    ;

static const char C_RUNTIME[] =
#include "guard_rt/c_runtime.c.inc"
    ;

/* ------------------------------------------------------------------ */
/* Layout assertions                                                   */

/* AG_<U>_ASSERT(expr == value, "release: human is value ..."); */
static void assert_line(FILE *f, const char *upper, const char *expr, const char *human,
                        const char *release, long long value, bool is_unsigned)
{
    char number[24];
    if (is_unsigned)
        snprintf(number, sizeof number, "%llu", (unsigned long long)value);
    else
        snprintf(number, sizeof number, "%lld", value);
    const char *const m[] = { release, ": ", human, " is ", number, " in the release this binding was built against",
                              NULL };
    if (is_unsigned)
        fprintf(f, "AG_%s_ASSERT((unsigned long long)(%s) == %lluULL, ", upper, expr,
                (unsigned long long)value);
    else if (value == INT64_MIN)
        fprintf(f, "AG_%s_ASSERT((long long)(%s) == (-%lldLL - 1), ", upper, expr, -(value + 1));
    else
        fprintf(f, "AG_%s_ASSERT((long long)(%s) == %lldLL, ", upper, expr, value);
    ag_guard_quote_parts(f, AG_LANG_C, m);
    fputs(");\n", f);
}

static size_t emit_layout(FILE *f, const ag_guard_layout *l, const char *upper, const char *release)
{
    char expr[700], human[700];
    size_t n = 0;
    const char *sp = l->name;
    fprintf(f, "/* %s%s (%s:%u) */\n", l->kind == AG_T_TYPEDEF ? "typedef " : "", sp,
            ag_guard_base_name(l->decl_file), l->decl_line);
    snprintf(expr, sizeof expr, "sizeof(%s)", sp);
    assert_line(f, upper, expr, expr, release, (long long)l->size, true), n++;
    if (l->kind == AG_T_STRUCT || l->kind == AG_T_UNION) {
        if (l->align) {
            snprintf(expr, sizeof expr, "AG_%s_ALIGNOF(%s)", upper, sp);
            snprintf(human, sizeof human, "_Alignof(%s)", sp);
            assert_line(f, upper, expr, human, release, (long long)l->align, true), n++;
        }
        for (size_t i = 0; i < l->n_fields; i++) {
            const ag_guard_field *m = &l->fields[i];
            if (m->bit_size != 0 || m->bit_offset % 8 != 0)
                continue; /* offsetof cannot name a bit-field */
            snprintf(expr, sizeof expr, "offsetof(%s, %s)", sp, m->name);
            assert_line(f, upper, expr, expr, release, (long long)m->offset, true), n++;
        }
    } else if (l->kind == AG_T_ENUM) {
        for (size_t i = 0; i < l->n_enumerators; i++) {
            const ag_enumerator *e = &l->enumerators[i];
            assert_line(f, upper, e->name, e->name, release, e->value, e->value_unsigned), n++;
        }
    }
    return n;
}

/* The layout assertions of every type the plan's symbols reach, inside
   #ifdef ABIGUARD_<U>_WITH_HEADERS. */
static ag_status emit_layout_asserts(FILE *f, const ag_guard_plan *p, const char *upper, const char *release,
                                     const char *release_text, ag_error *err)
{
    /* The assertions go to a buffer first: their count comes before them. */
    char *body = NULL;
    size_t body_len = 0, n = 0;
    FILE *b = open_memstream(&body, &body_len);
    if (!b)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < p->n_layouts; i++)
        n += emit_layout(b, &p->layouts[i], upper, release);
    if (fclose(b) != 0) {
        free(body);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    fprintf(f,
            "/* ---- compile time: the layouts the used functions reach (%zu assertions) ----\n"
            "   Build with -DABIGUARD_%s_WITH_HEADERS and the library's include directory\n"
            "   to check, as bindgen's layout tests do, that the headers compiled against\n"
            "   describe %s. ABIGUARD_%s_HEADER names the header to include\n"
            "   when it is not found under the names below. */\n"
            "#ifdef ABIGUARD_%s_WITH_HEADERS\n"
            "#ifdef ABIGUARD_%s_HEADER\n"
            "#include ABIGUARD_%s_HEADER\n"
            "#else\n",
            n, upper, release_text, upper, upper, upper, upper);
    for (size_t i = 0; i < p->n_headers; i++)
        fprintf(f, "#include \"%s\"\n", p->headers[i]);
    fprintf(f, "#endif\n"
               "#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L\n"
               "#define AG_%s_ASSERT(c, m) _Static_assert(c, m)\n"
               "#define AG_%s_ALIGNOF(t) _Alignof(t)\n"
               "#else\n"
               "#define AG_%s_CAT2(a, b) a##b\n"
               "#define AG_%s_CAT(a, b) AG_%s_CAT2(a, b)\n"
               "#define AG_%s_ASSERT(c, m) typedef char AG_%s_CAT(ag_%s_layout_, __LINE__)[(c) ? 1 : -1]\n"
               "#define AG_%s_ALIGNOF(t) __alignof__(t)\n"
               "#endif\n",
            upper, upper, upper, upper, upper, upper, upper, upper, upper);
    if (body)
        fwrite(body, 1, body_len, f);
    free(body);
    fprintf(f, "#endif /* ABIGUARD_%s_WITH_HEADERS */\n\n", upper);
    return AG_OK;
}

/* ------------------------------------------------------------------ */
/* The header                                                          */

ag_status ag_guard_write_h(const ag_guard_plan *p, const ag_guard_stub_options *o, FILE *f, ag_error *err)
{
    ag_guard_head h;
    ag_status st = ag_guard_head_init(&h, p, o, false, err);
    if (st != AG_OK)
        return st;
    fprintf(f, "/* Generated by abiguard %s (abiguard stub %s): the load-time ABI check of\n"
               "   %s for a binding built against %s. Do not edit; regenerate it. */\n",
            ABIGUARD_VERSION, h.baseline_text, h.so_text, h.baseline_text);
    ag_guard_emit(f, H_TEMPLATE, &h.names);
    ag_guard_head_free(&h);
    return ferror(f) ? ag_fail(err, AG_ERR_IO, "write error") : AG_OK;
}

/* ------------------------------------------------------------------ */
/* The source                                                          */

static const ag_guard_syntax C_SYNTAX = { AG_LANG_C, "    ", "NULL", "1", "0", "ULL" };

static void emit_release_table(FILE *f, const ag_guard_plan *p, const char *ident, bool compatible)
{
    fprintf(f, "static const struct ag_%s_release ag_%s_%s[] = {\n", ident, ident,
            compatible ? "compatible" : "incompatible");
    ag_guard_write_release_rows(f, p, compatible, true, &C_SYNTAX, "{ ", ", ", " },");
    fputs("    { NULL, NULL, NULL },\n};\n\n", f);
}

static size_t count_releases(const ag_guard_plan *p, bool compatible)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n_releases; i++)
        n += p->releases[i].compatible == compatible;
    return n;
}

ag_status ag_guard_write_c(const ag_guard_plan *p, const ag_guard_stub_options *o, FILE *f, ag_error *err)
{
    ag_guard_head h;
    ag_status st = ag_guard_head_init(&h, p, o, true, err);
    if (st != AG_OK)
        return st;
    const char *upper = h.names.upper, *ident = o->ident, *so = h.so, *baseline = h.baseline;
    char *fps = h.fingerprints;
    fprintf(f,
            "/* Generated by abiguard %s (abiguard stub %s): the load-time ABI check of\n"
            "   %s for a binding built against %s. Do not edit; regenerate it\n"
            "   when the binding or the store changes.\n"
            "\n"
            "   Compile it into the binding's native part (C99 or later) and call\n"
            "   abiguard_verify_%s() once from its init. It uses libc only, never\n"
            "   allocates, never exits, and keeps no mutable state: safe to call from\n"
            "   any number of threads at once.\n"
            "\n"
            "   Known compatible releases: %zu; known incompatible: %zu; required\n"
            "   symbols: %zu. */\n"
            "#ifndef _GNU_SOURCE\n"
            "#define _GNU_SOURCE 1 /* dl_iterate_phdr */\n"
            "#endif\n",
            ABIGUARD_VERSION, h.baseline_text, h.so_text, h.baseline_text, ident, count_releases(p, true),
            count_releases(p, false), p->n_symbols);
    if (o->header_base)
        fprintf(f, "#include \"%s\"\n", o->header_base);
    fputs("\n#include <elf.h>\n#include <link.h>\n#include <stdarg.h>\n#include <stddef.h>\n"
          "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\n", f);
    if (!o->header_base)
        ag_guard_emit(f, H_TEMPLATE, &h.names);
    st = o->header_base ? emit_layout_asserts(f, p, upper, baseline, h.baseline_text, err) : AG_OK;
    if (st != AG_OK) {
        ag_guard_head_free(&h);
        return st;
    }
    fprintf(f, "/* ---- what the store knew when this was generated ---- */\n\n");
    fprintf(f, "#ifndef AG_%s_DEFAULT_POLICY\n"
               "#define AG_%s_DEFAULT_POLICY %d /* 3 strict, 2 default, 1 warn */\n#endif\n",
            upper, upper, o->policy == AG_POLICY_STRICT ? 3 : o->policy == AG_POLICY_WARN ? 1 : 2);
    fprintf(f, "#define AG_%s_LIBRARY ", upper);
    ag_guard_quote(f, AG_LANG_C, p->library);
    fprintf(f, "\n#define AG_%s_BASELINE ", upper);
    ag_guard_quote(f, AG_LANG_C, baseline);
    fprintf(f, "\n#define AG_%s_SONAME ", upper);
    ag_guard_quote(f, AG_LANG_C, so);
    fprintf(f, "\n#define AG_%s_SONAME_REQUIRED %d /* the baseline has a DT_SONAME */", upper, p->soname ? 1 : 0);
    fprintf(f, "\n#define AG_%s_FILE_NAME ", upper);
    ag_guard_quote(f, AG_LANG_C, p->file_name);
    fprintf(f, "\n#define AG_%s_N_SYMBOLS %zu\n\n", upper, p->n_symbols);
    fprintf(f, "struct ag_%s_release {\n    const char *build_id; /* NT_GNU_BUILD_ID, lowercase hex */\n"
               "    const char *release;\n    const char *why;      /* the breaking changes, if incompatible */\n};\n\n",
            ident);
    emit_release_table(f, p, ident, true);
    emit_release_table(f, p, ident, false);
    fprintf(f, "/* The symbols the binding uses: the version node it requires (NULL: the\n"
               "   default definition), whether it is a data object and its size, and its\n"
               "   fingerprint (abiguard-fingerprint/1) in %s. */\n"
               "struct ag_%s_symbol {\n    const char *name;\n    const char *version;\n"
               "    int is_object;\n    unsigned long long size;\n    const char *fingerprint;\n};\n\n"
               "static const struct ag_%s_symbol ag_%s_symbols[] = {\n",
            h.baseline_text, ident, ident, ident);
    ag_guard_write_symbol_rows(f, p, &C_SYNTAX, "{ ", " },");
    fputs("    { NULL, NULL, 0, 0ULL, NULL },\n};\n\n", f);
    fprintf(f, "static const char ag_%s_fingerprints[] =\n", ident);
    for (char *line = fps; *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line + 1) : strlen(line);
        char *one = strndup(line, len);
        fputs("    ", f);
        ag_guard_quote(f, AG_LANG_C, one ? one : "");
        fputs("\n", f);
        free(one);
        line += len;
    }
    fputs("    ;\n\n", f);
    ag_guard_emit(f, C_RUNTIME, &h.names);
    ag_guard_head_free(&h);
    return ferror(f) ? ag_fail(err, AG_ERR_IO, "write error") : AG_OK;
}
