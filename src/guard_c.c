/*
 * guard_c.c — the C stub `abiguard stub --lang c` writes: FILE.h declares
 * abiguard_verify_<ident>() and its return codes; FILE.c holds the tables
 * (known build-ids, required symbols, fingerprints), the compile-time
 * layout assertions and the load-time check. The generated code is C99
 * (and C11), uses only libc and libdl, never allocates, never exits, keeps
 * no mutable static state (so any number of threads may call it at once)
 * and compiles cleanly with -Wall -Wextra -Werror.
 */
#include "guard.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"

/* Writes tmpl with "@i@" replaced by the identifier and "@I@" by its upper
   case form. */
static void emit(FILE *f, const char *tmpl, const char *lower, const char *upper)
{
    for (const char *p = tmpl; *p;) {
        if (p[0] == '@' && (p[1] == 'i' || p[1] == 'I') && p[2] == '@') {
            fputs(p[1] == 'i' ? lower : upper, f);
            p += 3;
        } else {
            fputc(*p++, f);
        }
    }
}

/* A C string literal (quotes included). */
static void c_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p < 0x20 || *p >= 0x7f)
            fprintf(f, "\\%03o", *p);
        else if (*p == '?' && p[1] == '?')
            fputs("?\"\"", f); /* no trigraphs */
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static char *upper_of(const char *s)
{
    char *u = strdup(s);
    for (char *p = u; p && *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return u;
}

/* ------------------------------------------------------------------ */
/* Layout assertions                                                   */

static bool is_public_header(const char *file)
{
    if (!file)
        return false;
    size_t n = strlen(file);
    if (n < 3 || strcmp(file + n - 2, ".h") != 0)
        return false;
    return strncmp(file, "/usr/include/", 13) != 0 && strstr(file, "/gcc/") == NULL &&
           strncmp(file, "/usr/lib/", 9) != 0;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static ag_type_ref strip(const ag_corpus *c, ag_type_ref t)
{
    for (int guard = 0; t < c->n_types && guard < 64; guard++) {
        ag_type_kind k = c->types[t].kind;
        if (k != AG_T_TYPEDEF && k != AG_T_CONST && k != AG_T_VOLATILE && k != AG_T_RESTRICT &&
            k != AG_T_ATOMIC)
            break;
        t = c->types[t].target;
    }
    return t;
}

/* Natural alignment as the compiler computes it, 0 when unknown (packed
   or otherwise not derivable). */
static uint64_t natural_align(const ag_corpus *c, ag_type_ref t, int depth)
{
    if (t >= c->n_types || depth > 64)
        return 0;
    const ag_type *ty = &c->types[t];
    uint64_t a = 0;
    switch (ty->kind) {
    case AG_T_BASE:
        a = ty->encoding == AG_ENC_COMPLEX_FLOAT ? ty->byte_size / 2 : ty->byte_size;
        break;
    case AG_T_POINTER:
        a = ty->byte_size ? ty->byte_size : sizeof(void *);
        break;
    case AG_T_ENUM:
        a = ty->byte_size;
        break;
    case AG_T_TYPEDEF: case AG_T_CONST: case AG_T_VOLATILE: case AG_T_RESTRICT: case AG_T_ATOMIC:
    case AG_T_ARRAY:
        a = natural_align(c, ty->target, depth + 1);
        break;
    case AG_T_STRUCT: case AG_T_UNION:
        if (ty->declaration_only)
            return 0;
        a = 1;
        for (size_t i = 0; i < ty->n_members; i++) {
            const ag_member *m = &ty->members[i];
            uint64_t ma = natural_align(c, m->type, depth + 1);
            if (m->alignment > ma)
                ma = m->alignment;
            if (ma == 0)
                return 0;
            if (m->bit_size == 0 && (m->bit_offset % 8 != 0 || (m->bit_offset / 8) % ma != 0))
                return 0; /* packed */
            if (m->bit_size == 0 && ma > a)
                a = ma;
        }
        break;
    default:
        return 0;
    }
    if (ty->alignment > a)
        a = ty->alignment;
    if (ty->kind == AG_T_STRUCT || ty->kind == AG_T_UNION) {
        if (a == 0 || ty->byte_size % a != 0)
            return 0;
    }
    return a;
}

/* How C code names type t ("struct shape_rect", "shape_point"), or NULL. */
static const char *spelling(const ag_corpus *c, ag_type_ref t, char *buf, size_t len)
{
    const ag_type *ty = &c->types[t];
    if (ty->name && (ty->kind == AG_T_STRUCT || ty->kind == AG_T_UNION || ty->kind == AG_T_ENUM)) {
        snprintf(buf, len, "%s %s", ag_type_kind_name(ty->kind), ty->name);
        return buf;
    }
    if (ty->name && ty->kind == AG_T_TYPEDEF) {
        snprintf(buf, len, "%s", ty->name);
        return buf;
    }
    /* An anonymous struct named through a typedef. */
    for (size_t i = 0; i < c->n_types; i++)
        if (c->types[i].kind == AG_T_TYPEDEF && c->types[i].name && c->types[i].target == t &&
            is_public_header(c->types[i].decl_file)) {
            snprintf(buf, len, "%s", c->types[i].name);
            return buf;
        }
    return NULL;
}

static void mark_types(const ag_corpus *c, ag_type_ref t, unsigned char *seen)
{
    if (t >= c->n_types || seen[t])
        return;
    seen[t] = 1;
    const ag_type *ty = &c->types[t];
    mark_types(c, ty->target, seen);
    for (size_t i = 0; i < ty->n_members; i++)
        mark_types(c, ty->members[i].type, seen);
    for (size_t i = 0; i < ty->n_params; i++)
        mark_types(c, ty->params[i].type, seen);
}

typedef struct header_set {
    const char *names[64];
    size_t n;
} header_set;

static void note_header(header_set *h, const char *file)
{
    if (!is_public_header(file))
        return;
    const char *b = base_name(file);
    for (size_t i = 0; i < h->n; i++)
        if (strcmp(h->names[i], b) == 0)
            return;
    if (h->n < sizeof h->names / sizeof h->names[0])
        h->names[h->n++] = b;
}

/* AG_<U>_ASSERT(expr == value, "release: human is value ..."); */
static void assert_line(FILE *f, const char *upper, const char *expr, const char *human,
                        const char *release, long long value, bool is_unsigned)
{
    char m[600];
    if (is_unsigned)
        snprintf(m, sizeof m, "%s: %s is %llu in the release this binding was built against", release,
                 human, (unsigned long long)value);
    else
        snprintf(m, sizeof m, "%s: %s is %lld in the release this binding was built against", release,
                 human, value);
    if (is_unsigned)
        fprintf(f, "AG_%s_ASSERT((unsigned long long)(%s) == %lluULL, ", upper, expr,
                (unsigned long long)value);
    else if (value == INT64_MIN)
        fprintf(f, "AG_%s_ASSERT((long long)(%s) == (-%lldLL - 1), ", upper, expr, -(value + 1));
    else
        fprintf(f, "AG_%s_ASSERT((long long)(%s) == %lldLL, ", upper, expr, value);
    c_string(f, m);
    fputs(");\n", f);
}

/* The declaring header of t, for a typedef-named anonymous type the
   typedef's. */
static const char *decl_of(const ag_corpus *c, ag_type_ref t)
{
    const ag_type *ty = &c->types[t];
    if (ty->name)
        return ty->decl_file;
    for (size_t i = 0; i < c->n_types; i++)
        if (c->types[i].kind == AG_T_TYPEDEF && c->types[i].target == t && c->types[i].name)
            return c->types[i].decl_file;
    return NULL;
}

static size_t emit_type_asserts(FILE *f, const ag_corpus *c, ag_type_ref t, const char *upper,
                                const char *release, header_set *hs)
{
    const ag_type *ty = &c->types[t];
    char sp[300], expr[700], human[700];
    const char *decl = decl_of(c, t);
    if (!is_public_header(decl) || !spelling(c, t, sp, sizeof sp))
        return 0;
    size_t n = 0;
    if (ty->kind == AG_T_STRUCT || ty->kind == AG_T_UNION) {
        if (ty->declaration_only || ty->byte_size == 0)
            return 0;
        note_header(hs, decl);
        fprintf(f, "/* %s (%s:%u) */\n", sp, base_name(decl), ty->decl_line);
        snprintf(expr, sizeof expr, "sizeof(%s)", sp);
        assert_line(f, upper, expr, expr, release, (long long)ty->byte_size, true), n++;
        uint64_t a = natural_align(c, t, 0);
        if (a) {
            snprintf(expr, sizeof expr, "AG_%s_ALIGNOF(%s)", upper, sp);
            snprintf(human, sizeof human, "_Alignof(%s)", sp);
            assert_line(f, upper, expr, human, release, (long long)a, true), n++;
        }
        for (size_t i = 0; i < ty->n_members; i++) {
            const ag_member *m = &ty->members[i];
            if (!m->name || m->bit_size != 0 || m->bit_offset % 8 != 0)
                continue;
            snprintf(expr, sizeof expr, "offsetof(%s, %s)", sp, m->name);
            assert_line(f, upper, expr, expr, release, (long long)(m->bit_offset / 8), true), n++;
        }
    } else if (ty->kind == AG_T_ENUM && ty->name && !ty->declaration_only) {
        note_header(hs, decl);
        fprintf(f, "/* %s (%s:%u) */\n", sp, base_name(decl), ty->decl_line);
        if (ty->byte_size) {
            snprintf(expr, sizeof expr, "sizeof(%s)", sp);
            assert_line(f, upper, expr, expr, release, (long long)ty->byte_size, true), n++;
        }
        for (size_t i = 0; i < ty->n_enumerators; i++) {
            const ag_enumerator *e = &ty->enumerators[i];
            assert_line(f, upper, e->name, e->name, release, e->value, e->value_unsigned), n++;
        }
    } else if (ty->kind == AG_T_TYPEDEF && ty->name) {
        ag_type_ref r = strip(c, t);
        if (r >= c->n_types || c->types[r].byte_size == 0 || c->types[r].kind == AG_T_FUNC ||
            c->types[r].kind == AG_T_VOID || c->types[r].declaration_only)
            return 0;
        note_header(hs, decl);
        fprintf(f, "/* typedef %s (%s:%u) */\n", sp, base_name(decl), ty->decl_line);
        snprintf(expr, sizeof expr, "sizeof(%s)", sp);
        assert_line(f, upper, expr, expr, release, (long long)c->types[r].byte_size, true), n++;
    }
    return n;
}

/* The layout assertions of every type the plan's symbols reach, inside
   #ifdef ABIGUARD_<U>_WITH_HEADERS. */
static ag_status emit_layout_asserts(FILE *f, const ag_guard_plan *p, const char *upper, ag_error *err)
{
    const ag_corpus *c = p->corpus;
    unsigned char *seen = calloc(c->n_types ? c->n_types : 1, 1);
    if (!seen)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    header_set hs = { .n = 0 };
    for (size_t i = 0; i < p->n_symbols; i++) {
        const ag_function *fn = ag_corpus_find_function(c, p->symbols[i].name);
        const ag_variable *v = fn ? NULL : ag_corpus_find_variable(c, p->symbols[i].name);
        if (fn) {
            note_header(&hs, fn->decl_file);
            mark_types(c, fn->return_type, seen);
            for (size_t k = 0; k < fn->n_params; k++)
                mark_types(c, fn->params[k].type, seen);
        } else if (v) {
            note_header(&hs, v->decl_file);
            mark_types(c, v->type, seen);
        }
    }
    char release[300];
    snprintf(release, sizeof release, "%s@%s", p->library, p->baseline);
    /* The assertions go to a buffer first: the includes come before them. */
    char *body = NULL;
    size_t body_len = 0, n = 0;
    FILE *b = open_memstream(&body, &body_len);
    if (!b) {
        free(seen);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    for (size_t t = 0; t < c->n_types; t++)
        if (seen[t])
            n += emit_type_asserts(b, c, (ag_type_ref)t, upper, release, &hs);
    fclose(b);
    free(seen);
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
            n, upper, release, upper, upper, upper, upper);
    for (size_t i = 0; i < hs.n; i++)
        fprintf(f, "#include \"%s\"\n", hs.names[i]);
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

static const char H_TEMPLATE[] =
    "#ifndef ABIGUARD_@I@_GUARD_H\n"
    "#define ABIGUARD_@I@_GUARD_H\n"
    "\n"
    "#include <stddef.h>\n"
    "\n"
    "#ifdef __cplusplus\n"
    "extern \"C\" {\n"
    "#endif\n"
    "\n"
    "/* Return codes of abiguard_verify_@i@(). */\n"
    "#define ABIGUARD_@I@_OK 0             /* a build known compatible (or ABIGUARD_POLICY=off) */\n"
    "#define ABIGUARD_@I@_WARNED 1         /* not verified or incompatible, and the policy is warn:\n"
    "                                         go on, after showing msg to the user */\n"
    "#define ABIGUARD_@I@_INCOMPATIBLE 2   /* refused: a release known incompatible */\n"
    "#define ABIGUARD_@I@_UNVERIFIED 3     /* refused: an unknown build (its symbols all resolve) */\n"
    "#define ABIGUARD_@I@_MISSING_SYMBOL 4 /* refused: an unknown build lacking a required symbol */\n"
    "#define ABIGUARD_@I@_NOT_LOADED 5     /* refused: the library is not loaded in this process */\n"
    "/* Whether the binding must refuse to load (rc >= 2). */\n"
    "#define ABIGUARD_@I@_REFUSED(rc) ((rc) >= ABIGUARD_@I@_INCOMPATIBLE)\n"
    "\n"
    "/* Checks the loaded library against the release this binding was built\n"
    "   for. Writes one line (no newline) to msg when msglen > 0: why it was\n"
    "   accepted, refused, or what to warn about. Call it once from the\n"
    "   binding's init (PyInit_*, JNI_OnLoad, napi module init); it never\n"
    "   exits or aborts, never allocates, and is safe from any thread.\n"
    "   The policy is compiled in and overridden at run time by the\n"
    "   environment: ABIGUARD_POLICY=fail|warn|off. */\n"
    "int abiguard_verify_@i@(char *msg, size_t msglen);\n"
    "\n"
    "/* The fingerprints of the required symbols, one \"HEX16 NAME[@VERSION]\"\n"
    "   a line, for `abiguard fingerprint match LIBRARY --fingerprints FILE`. */\n"
    "const char *abiguard_fingerprints_@i@(void);\n"
    "\n"
    "#ifdef __cplusplus\n"
    "}\n"
    "#endif\n"
    "\n"
    "#endif\n";

ag_status ag_guard_write_h(const ag_guard_plan *p, const ag_guard_stub_options *o, FILE *f, ag_error *err)
{
    char *upper = upper_of(o->ident);
    if (!upper)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    fprintf(f, "/* Generated by abiguard %s (abiguard stub %s@%s): the load-time ABI check of\n"
               "   %s for a binding built against %s@%s. Do not edit; regenerate it. */\n",
            ABIGUARD_VERSION, p->library, p->baseline, p->soname ? p->soname : p->file_name, p->library,
            p->baseline);
    emit(f, H_TEMPLATE, o->ident, upper);
    free(upper);
    return ferror(f) ? ag_fail(err, AG_ERR_IO, "write error") : AG_OK;
}

/* ------------------------------------------------------------------ */
/* The source                                                          */

static const char C_RUNTIME[] =
    "/* ---- load time ---- */\n"
    "\n"
    "/* What dl_iterate_phdr found: the first object whose DT_SONAME (read from\n"
    "   its dynamic segment in memory), else whose file name, is the library's. */\n"
    "struct ag_@i@_found {\n"
    "    int found;\n"
    "    int by_soname;\n"
    "    char path[4096];\n"
    "    unsigned char id[64];\n"
    "    size_t id_len;\n"
    "};\n"
    "\n"
    "static const char *ag_@i@_base(const char *path)\n"
    "{\n"
    "    const char *s = strrchr(path, '/');\n"
    "    return s ? s + 1 : path;\n"
    "}\n"
    "\n"
    "static int ag_@i@_soname_is(const struct dl_phdr_info *info, const ElfW(Phdr) *ph)\n"
    "{\n"
    "    const ElfW(Dyn) *d = (const ElfW(Dyn) *)(info->dlpi_addr + ph->p_vaddr);\n"
    "    ElfW(Addr) strtab = 0;\n"
    "    ElfW(Xword) soname = 0;\n"
    "    int has_soname = 0;\n"
    "    for (; d->d_tag != DT_NULL; d++) {\n"
    "        if (d->d_tag == DT_STRTAB)\n"
    "            strtab = d->d_un.d_ptr;\n"
    "        else if (d->d_tag == DT_SONAME) {\n"
    "            soname = d->d_un.d_val;\n"
    "            has_soname = 1;\n"
    "        }\n"
    "    }\n"
    "    if (!strtab || !has_soname)\n"
    "        return 0;\n"
    "    /* The dynamic linker relocates DT_STRTAB in place where the segment is\n"
    "       writable; where it is not (the vDSO) it still holds the link-time\n"
    "       address. */\n"
    "    if (strtab < info->dlpi_addr)\n"
    "        strtab += info->dlpi_addr;\n"
    "    return strcmp((const char *)strtab + soname, AG_@I@_SONAME) == 0;\n"
    "}\n"
    "\n"
    "static void ag_@i@_build_id(const struct dl_phdr_info *info, struct ag_@i@_found *f)\n"
    "{\n"
    "    for (int i = 0; i < (int)info->dlpi_phnum && f->id_len == 0; i++) {\n"
    "        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];\n"
    "        if (ph->p_type != PT_NOTE)\n"
    "            continue;\n"
    "        size_t align = ph->p_align == 8 ? 8 : 4;\n"
    "        const unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);\n"
    "        size_t left = ph->p_memsz;\n"
    "        while (left >= sizeof(ElfW(Nhdr))) {\n"
    "            const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)(const void *)p;\n"
    "            size_t name_sz = ((size_t)n->n_namesz + align - 1) & ~(align - 1);\n"
    "            size_t desc_sz = ((size_t)n->n_descsz + align - 1) & ~(align - 1);\n"
    "            size_t total = sizeof(ElfW(Nhdr)) + name_sz + desc_sz;\n"
    "            if (total > left)\n"
    "                break;\n"
    "            if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 &&\n"
    "                memcmp(p + sizeof(ElfW(Nhdr)), \"GNU\", 4) == 0 && n->n_descsz > 0 &&\n"
    "                n->n_descsz <= sizeof f->id) {\n"
    "                memcpy(f->id, p + sizeof(ElfW(Nhdr)) + name_sz, n->n_descsz);\n"
    "                f->id_len = n->n_descsz;\n"
    "                break;\n"
    "            }\n"
    "            p += total;\n"
    "            left -= total;\n"
    "        }\n"
    "    }\n"
    "}\n"
    "\n"
    "static int ag_@i@_visit(struct dl_phdr_info *info, size_t size, void *data)\n"
    "{\n"
    "    struct ag_@i@_found *f = (struct ag_@i@_found *)data;\n"
    "    int by_soname = 0, by_name = 0;\n"
    "    (void)size;\n"
    "    for (int i = 0; i < (int)info->dlpi_phnum; i++)\n"
    "        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)\n"
    "            by_soname = ag_@i@_soname_is(info, &info->dlpi_phdr[i]);\n"
    "    if (!by_soname && info->dlpi_name && info->dlpi_name[0]) {\n"
    "        const char *b = ag_@i@_base(info->dlpi_name);\n"
    "        by_name = strcmp(b, AG_@I@_SONAME) == 0 || strcmp(b, AG_@I@_FILE_NAME) == 0;\n"
    "    }\n"
    "    if (!by_soname && !by_name)\n"
    "        return 0;\n"
    "    if (f->found && (f->by_soname || !by_soname))\n"
    "        return 0; /* keep the first match, preferring one by SONAME */\n"
    "    memset(f, 0, sizeof *f);\n"
    "    f->found = 1;\n"
    "    f->by_soname = by_soname;\n"
    "    if (info->dlpi_name && strlen(info->dlpi_name) < sizeof f->path)\n"
    "        strcpy(f->path, info->dlpi_name);\n"
    "    ag_@i@_build_id(info, f);\n"
    "    return by_soname; /* a SONAME match ends the walk */\n"
    "}\n"
    "\n"
    "/* 2 fail, 1 warn, 0 off: ABIGUARD_POLICY when set to one of those, else\n"
    "   the compiled default. */\n"
    "static int ag_@i@_policy(void)\n"
    "{\n"
    "    const char *e = getenv(\"ABIGUARD_POLICY\");\n"
    "    if (e && strcmp(e, \"fail\") == 0)\n"
    "        return 2;\n"
    "    if (e && strcmp(e, \"warn\") == 0)\n"
    "        return 1;\n"
    "    if (e && strcmp(e, \"off\") == 0)\n"
    "        return 0;\n"
    "    return AG_@I@_DEFAULT_POLICY;\n"
    "}\n"
    "\n"
    "/* The first required symbol that does not resolve in the loaded library\n"
    "   (NULL when all do); *not_opened when dlopen(RTLD_NOLOAD) failed. */\n"
    "static const struct ag_@i@_symbol *ag_@i@_missing(const char *path, int *not_opened)\n"
    "{\n"
    "    const struct ag_@i@_symbol *missing = NULL;\n"
    "    void *h = dlopen(path[0] ? path : AG_@I@_SONAME, RTLD_LAZY | RTLD_NOLOAD);\n"
    "    *not_opened = h == NULL;\n"
    "    if (!h)\n"
    "        return NULL;\n"
    "    for (const struct ag_@i@_symbol *s = ag_@i@_symbols; s->name && !missing; s++) {\n"
    "        void *addr = s->version ? dlvsym(h, s->name, s->version) : dlsym(h, s->name);\n"
    "        if (!addr)\n"
    "            missing = s;\n"
    "    }\n"
    "    dlclose(h);\n"
    "    return missing;\n"
    "}\n"
    "\n"
    "static int ag_@i@_verdict(int policy, int refused_rc, char *msg, size_t msglen, const char *what)\n"
    "{\n"
    "    if (msg && msglen)\n"
    "        snprintf(msg, msglen, \"%s; %s\", what,\n"
    "                 policy == 1 ? \"running anyway (ABIGUARD_POLICY=warn)\"\n"
    "                             : \"refusing to load (ABIGUARD_POLICY=warn would run anyway)\");\n"
    "    return policy == 1 ? ABIGUARD_@I@_WARNED : refused_rc;\n"
    "}\n"
    "\n"
    "int abiguard_verify_@i@(char *msg, size_t msglen)\n"
    "{\n"
    "    static const char hexdigits[] = \"0123456789abcdef\";\n"
    "    struct ag_@i@_found f;\n"
    "    char hex[2 * sizeof f.id + 1], what[1024];\n"
    "    int policy = ag_@i@_policy();\n"
    "    if (msg && msglen)\n"
    "        msg[0] = '\\0';\n"
    "    if (policy == 0) {\n"
    "        if (msg && msglen)\n"
    "            snprintf(msg, msglen, \"%s: ABI check disabled (ABIGUARD_POLICY=off)\", AG_@I@_SONAME);\n"
    "        return ABIGUARD_@I@_OK;\n"
    "    }\n"
    "    memset(&f, 0, sizeof f);\n"
    "    dl_iterate_phdr(ag_@i@_visit, &f);\n"
    "    if (!f.found) {\n"
    "        if (snprintf(what, sizeof what, \"%s is not loaded in this process: cannot check it against %s\",\n"
    "                 AG_@I@_SONAME, AG_@I@_BASELINE) < 0)\n"
    "            what[0] = '\\0';\n"
    "        return ag_@i@_verdict(policy, ABIGUARD_@I@_NOT_LOADED, msg, msglen, what);\n"
    "    }\n"
    "    for (size_t i = 0; i < f.id_len; i++) {\n"
    "        hex[2 * i] = hexdigits[f.id[i] >> 4];\n"
    "        hex[2 * i + 1] = hexdigits[f.id[i] & 15];\n"
    "    }\n"
    "    hex[2 * f.id_len] = '\\0';\n"
    "    if (f.id_len) {\n"
    "        for (const struct ag_@i@_release *r = ag_@i@_compatible; r->build_id; r++)\n"
    "            if (strcmp(r->build_id, hex) == 0) {\n"
    "                if (msg && msglen)\n"
    "                    snprintf(msg, msglen, \"%s (build-id %s) is %s, compatible with %s this binding was built against\",\n"
    "                             AG_@I@_SONAME, hex, r->release, AG_@I@_BASELINE);\n"
    "                return ABIGUARD_@I@_OK;\n"
    "            }\n"
    "        for (const struct ag_@i@_release *r = ag_@i@_incompatible; r->build_id; r++)\n"
    "            if (strcmp(r->build_id, hex) == 0) {\n"
    "                if (snprintf(what, sizeof what, \"%s (build-id %s) is %s, incompatible with %s this binding was built against: %s\",\n"
    "                         AG_@I@_SONAME, hex, r->release, AG_@I@_BASELINE, r->why) < 0)\n"
    "                    what[0] = '\\0';\n"
    "                return ag_@i@_verdict(policy, ABIGUARD_@I@_INCOMPATIBLE, msg, msglen, what);\n"
    "            }\n"
    "    }\n"
    "    {\n"
    "        int not_opened = 0;\n"
    "        const struct ag_@i@_symbol *m = ag_@i@_missing(f.path, &not_opened);\n"
    "        const char *id = f.id_len ? hex : \"none\";\n"
    "        if (not_opened) {\n"
    "            if (snprintf(what, sizeof what, \"%s (%s, build-id %s) is an unverified build and cannot be opened to check its symbols\",\n"
    "                     AG_@I@_SONAME, f.path, id) < 0)\n"
    "                what[0] = '\\0';\n"
    "            return ag_@i@_verdict(policy, ABIGUARD_@I@_MISSING_SYMBOL, msg, msglen, what);\n"
    "        }\n"
    "        if (m) {\n"
    "            if (snprintf(what, sizeof what, \"%s (%s, build-id %s) is an unverified build and lacks %s%s%s, which this binding (built against %s) requires\",\n"
    "                     AG_@I@_SONAME, f.path, id, m->name, m->version ? \"@\" : \"\",\n"
    "                     m->version ? m->version : \"\", AG_@I@_BASELINE) < 0)\n"
    "                what[0] = '\\0';\n"
    "            return ag_@i@_verdict(policy, ABIGUARD_@I@_MISSING_SYMBOL, msg, msglen, what);\n"
    "        }\n"
    "        if (snprintf(what, sizeof what, \"%s (%s, build-id %s) is an unverified build: not a release of %s known compatible with %s this binding was built against, though all %d required symbols resolve\",\n"
    "                 AG_@I@_SONAME, f.path, id, AG_@I@_LIBRARY, AG_@I@_BASELINE, AG_@I@_N_SYMBOLS) < 0)\n"
    "            what[0] = '\\0';\n"
    "        return ag_@i@_verdict(policy, ABIGUARD_@I@_UNVERIFIED, msg, msglen, what);\n"
    "    }\n"
    "}\n"
    "\n"
    "const char *abiguard_fingerprints_@i@(void)\n"
    "{\n"
    "    return ag_@i@_fingerprints;\n"
    "}\n";

static void emit_release_table(FILE *f, const ag_guard_plan *p, const char *ident, bool compatible)
{
    fprintf(f, "static const struct ag_%s_release ag_%s_%s[] = {\n", ident, ident,
            compatible ? "compatible" : "incompatible");
    for (size_t i = 0; i < p->n_releases; i++) {
        const ag_guard_release *r = &p->releases[i];
        if (r->compatible != compatible)
            continue;
        char rel[300];
        snprintf(rel, sizeof rel, "%s@%s", p->library, r->version);
        fputs("    { ", f);
        c_string(f, r->build_id);
        fputs(", ", f);
        c_string(f, rel);
        fputs(", ", f);
        c_string(f, r->first_break ? r->first_break : "");
        fputs(" },\n", f);
    }
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
    char *upper = upper_of(o->ident);
    char *fps = ag_guard_fingerprint_text(p);
    if (!upper || !fps) {
        free(upper);
        free(fps);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    const char *so = p->soname ? p->soname : p->file_name;
    char baseline[300];
    snprintf(baseline, sizeof baseline, "%s@%s", p->library, p->baseline);
    fprintf(f,
            "/* Generated by abiguard %s (abiguard stub %s): the load-time ABI check of\n"
            "   %s for a binding built against %s. Do not edit; regenerate it\n"
            "   when the binding or the store changes.\n"
            "\n"
            "   Compile it into the binding's native part (C99 or later; link with -ldl\n"
            "   on glibc < 2.34) and call abiguard_verify_%s() once from its init.\n"
            "   It uses libc and libdl only, never allocates, never exits, and keeps no\n"
            "   mutable state: safe to call from any number of threads at once.\n"
            "\n"
            "   Known compatible releases: %zu; known incompatible: %zu; required\n"
            "   symbols: %zu. */\n"
            "#ifndef _GNU_SOURCE\n"
            "#define _GNU_SOURCE 1 /* dlvsym, dl_iterate_phdr */\n"
            "#endif\n"
            "#include \"%s\"\n"
            "\n"
            "#include <dlfcn.h>\n"
            "#include <elf.h>\n"
            "#include <link.h>\n"
            "#include <stddef.h>\n"
            "#include <stdio.h>\n"
            "#include <stdlib.h>\n"
            "#include <string.h>\n"
            "\n",
            ABIGUARD_VERSION, baseline, so, baseline, o->ident, count_releases(p, true),
            count_releases(p, false), p->n_symbols,
            o->header_base);
    ag_status st = emit_layout_asserts(f, p, upper, err);
    if (st != AG_OK) {
        free(upper);
        free(fps);
        return st;
    }
    fprintf(f, "/* ---- what the store knew when this was generated ---- */\n\n");
    fprintf(f, "#ifndef AG_%s_DEFAULT_POLICY\n#define AG_%s_DEFAULT_POLICY %d /* 2 fail, 1 warn */\n#endif\n",
            upper, upper, o->policy == AG_POLICY_WARN ? 1 : 2);
    fprintf(f, "#define AG_%s_LIBRARY ", upper);
    c_string(f, p->library);
    fprintf(f, "\n#define AG_%s_BASELINE ", upper);
    c_string(f, baseline);
    fprintf(f, "\n#define AG_%s_SONAME ", upper);
    c_string(f, so);
    fprintf(f, "\n#define AG_%s_FILE_NAME ", upper);
    c_string(f, p->file_name);
    fprintf(f, "\n#define AG_%s_N_SYMBOLS %zu\n\n", upper, p->n_symbols);
    fprintf(f, "struct ag_%s_release {\n    const char *build_id; /* NT_GNU_BUILD_ID, lowercase hex */\n"
               "    const char *release;\n    const char *why;      /* the first breaking change, if incompatible */\n};\n\n",
            o->ident);
    emit_release_table(f, p, o->ident, true);
    emit_release_table(f, p, o->ident, false);
    fprintf(f, "/* The symbols the binding uses, with the version node it requires and its\n"
               "   fingerprint (abiguard-fingerprint/1) in %s. */\n"
               "struct ag_%s_symbol {\n    const char *name;\n    const char *version;\n    const char *fingerprint;\n};\n\n"
               "static const struct ag_%s_symbol ag_%s_symbols[] = {\n",
            baseline, o->ident, o->ident, o->ident);
    for (size_t i = 0; i < p->n_symbols; i++) {
        char fp[17];
        snprintf(fp, sizeof fp, "%016llx", (unsigned long long)p->symbols[i].fingerprint);
        fputs("    { ", f);
        c_string(f, p->symbols[i].name);
        fputs(", ", f);
        if (p->symbols[i].version)
            c_string(f, p->symbols[i].version);
        else
            fputs("NULL", f);
        fputs(", ", f);
        c_string(f, fp);
        fputs(" },\n", f);
    }
    fputs("    { NULL, NULL, NULL },\n};\n\n", f);
    fprintf(f, "static const char ag_%s_fingerprints[] =\n", o->ident);
    for (char *line = fps; *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line + 1) : strlen(line);
        char *one = strndup(line, len);
        fputs("    ", f);
        c_string(f, one ? one : "");
        fputs("\n", f);
        free(one);
        line += len;
    }
    fputs("    ;\n\n", f);
    emit(f, C_RUNTIME, o->ident, upper);
    free(upper);
    free(fps);
    return ferror(f) ? ag_fail(err, AG_ERR_IO, "write error") : AG_OK;
}
