/*
 * guard_go.c — the Go stub `abiguard stub --lang go` writes: one file for a
 * cgo binding's package. Its cgo preamble holds the C stub itself (the
 * identity check of the loaded library, guard_c.c) and includes the
 * library's headers, so AbiguardVerify() can also compare
 * unsafe.Sizeof/Alignof/Offsetof of the C.struct_* types the package is
 * compiled with against the baseline's layouts: a binding built with a
 * header that is not the baseline's is refused even with the right
 * library. The runtime is src/guard_rt/go_runtime.go.
 */
#include "guard_internal.h"

#include <stdlib.h>
#include <string.h>

#include "version.h"

static const char GO_RUNTIME[] =
#include "guard_rt/go_runtime.go.inc"
    ;

static bool go_keyword(const char *s)
{
    static const char *const kw[] = { "break", "case", "chan", "const", "continue", "default", "defer",
                                      "else", "fallthrough", "for", "func", "go", "goto", "if", "import",
                                      "interface", "map", "package", "range", "return", "select", "struct",
                                      "switch", "type", "var" };
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (strcmp(s, kw[i]) == 0)
            return true;
    return false;
}

/* How cgo names the C type: C.struct_x, C.union_x, C.enum_x, C.typedef. */
static void go_type(FILE *f, const ag_guard_layout *l)
{
    if (l->kind == AG_T_TYPEDEF || strchr(l->name, ' ') == NULL)
        fprintf(f, "C.%s", l->name);
    else
        fprintf(f, "C.%s_%s", ag_type_kind_name(l->kind), l->tag);
}

static void write_layouts(FILE *f, const ag_guard_plan *p)
{
    fputs("// abiguardLayouts compares the C types this package is compiled with\n"
          "// against the baseline's layouts.\n"
          "func abiguardLayouts() []string {\n\tvar p abiguardProblems\n", f);
    for (size_t i = 0; i < p->n_layouts; i++) {
        const ag_guard_layout *l = &p->layouts[i];
        fprintf(f, "\t{ // %s (%s:%u)\n", l->name, ag_guard_base_name(l->decl_file), l->decl_line);
        if (l->kind == AG_T_ENUM) {
            for (size_t k = 0; k < l->n_enumerators; k++) {
                const ag_enumerator *e = &l->enumerators[k];
                fputs("\t\tp.enumerator", f);
                if (e->value_unsigned)
                    fputs("Unsigned", f);
                fputs("(", f);
                ag_guard_quote(f, AG_LANG_GO, l->name);
                fputs(", ", f);
                ag_guard_quote(f, AG_LANG_GO, e->name);
                if (e->value_unsigned)
                    fprintf(f, ", uint64(C.%s), %llu)\n", e->name, (unsigned long long)e->value);
                else
                    fprintf(f, ", int64(C.%s), %lld)\n", e->name, (long long)e->value);
            }
            fputs("\t}\n", f);
            continue;
        }
        fputs("\t\tvar v ", f);
        go_type(f, l);
        fputs("\n\t\tp.size(", f);
        ag_guard_quote(f, AG_LANG_GO, l->name);
        fprintf(f, ", uint64(unsafe.Sizeof(v)), %llu)\n", (unsigned long long)l->size);
        if (l->kind == AG_T_STRUCT || l->kind == AG_T_UNION || l->align) {
            fputs("\t\tp.align(", f);
            ag_guard_quote(f, AG_LANG_GO, l->name);
            fprintf(f, ", uint64(unsafe.Alignof(v)), %llu)\n", (unsigned long long)l->align);
        }
        /* cgo turns a union into bytes and leaves out bit-fields and the
           members of packed structs it cannot place. */
        if (l->kind == AG_T_STRUCT && l->align) {
            for (size_t k = 0; k < l->n_fields; k++) {
                const ag_guard_field *m = &l->fields[k];
                if (m->bit_size || m->bit_offset % 8)
                    continue;
                const char *us = go_keyword(m->name) ? "_" : "";
                fputs("\t\tp.field(", f);
                ag_guard_quote(f, AG_LANG_GO, l->name);
                fputs(", ", f);
                ag_guard_quote(f, AG_LANG_GO, m->name);
                fprintf(f, ", uint64(unsafe.Offsetof(v.%s%s)), uint64(unsafe.Sizeof(v.%s%s)), %llu, %llu)\n", us,
                        m->name, us, m->name, (unsigned long long)m->offset, (unsigned long long)m->size);
            }
        }
        fputs("\t}\n", f);
    }
    fputs("\treturn p\n}\n", f);
}

/* The C stub, each line as a Go line comment of the cgo preamble. */
static ag_status write_preamble(FILE *f, const ag_guard_plan *p, const ag_guard_stub_options *o, ag_error *err)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    ag_guard_stub_options inline_opts = *o;
    inline_opts.header_base = NULL;
    ag_status st = ag_guard_write_c(p, &inline_opts, m, err);
    if (fclose(m) != 0 && st == AG_OK)
        st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    if (st != AG_OK) {
        free(text);
        return st;
    }
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        fputs(n ? "// " : "//", f);
        fwrite(line, 1, n, f);
        fputc('\n', f);
        line = nl ? nl + 1 : NULL;
    }
    free(text);
    fputs("//\n// /* The library's own declarations, as the binding compiles them. */\n", f);
    for (size_t i = 0; i < p->n_headers; i++)
        fprintf(f, "// #include \"%s\"\n", p->headers[i]);
    return AG_OK;
}

ag_status ag_guard_write_go(const ag_guard_plan *p, const ag_guard_stub_options *o, FILE *f, ag_error *err)
{
    ag_guard_head h;
    ag_status st = ag_guard_head_init(&h, p, o, false, err);
    if (st != AG_OK)
        return st;
    const char *baseline = h.baseline;
    fprintf(f,
            "// Code generated by abiguard %s (abiguard stub %s --lang go). DO NOT EDIT.\n"
            "\n"
            "// The load-time ABI check of %s for this cgo binding, built against\n"
            "// %s. Call AbiguardVerify() (or AbiguardCheck(), which also tells\n"
            "// verified from accepted-unverified) before the first call into the\n"
            "// library, and refuse to run when it returns an error:\n"
            "//\n"
            "//\tif err := %s.AbiguardVerify(); err != nil {\n"
            "//\t\treturn err // the loaded library, or this package's C types, are not %s\n"
            "//\t}\n"
            "//\n"
            "// The package links the library itself (#cgo LDFLAGS) and finds its\n"
            "// headers (#cgo CFLAGS or CGO_CFLAGS). The policy (%s) is\n"
            "// overridden by ABIGUARD_POLICY=default|strict|warn|off.\n"
            "\n"
            "package %s\n"
            "\n",
            ABIGUARD_VERSION, h.baseline_text, h.so_text, h.baseline_text, o->package ? o->package : o->ident,
            h.baseline_text, ag_guard_default_policy(o), o->package ? o->package : o->ident);
    st = write_preamble(f, p, o, err);
    if (st != AG_OK) {
        ag_guard_head_free(&h);
        return st;
    }
    fputs("import \"C\"\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"strings\"\n\t\"unsafe\"\n)\n\n", f);
    fputs("const abiguardBaseline = ", f);
    ag_guard_quote(f, AG_LANG_GO, baseline);
    fputs("\n\n", f);
    write_layouts(f, p);
    ag_guard_emit(f, GO_RUNTIME, &h.names);
    ag_guard_head_free(&h);
    return ferror(f) ? ag_fail(err, AG_ERR_IO, "write error") : AG_OK;
}
