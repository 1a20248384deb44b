/*
 * synth_corpus.c — see synth_corpus.h.
 */
#include "synth_corpus.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "corpus_json.h"
#include "tool_run.h"

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    cr_assert(d);
    return d;
}

static char *fmt(const char *f, size_t i)
{
    char buf[64];
    snprintf(buf, sizeof buf, f, i);
    return xstrdup(buf);
}

static ag_type_ref base(ag_corpus *c, const char *name, unsigned size)
{
    ag_type_ref r = ag_corpus_add_type(c, AG_T_BASE);
    cr_assert(r != AG_NO_TYPE);
    c->types[r].name = xstrdup(name);
    c->types[r].byte_size = size;
    c->types[r].encoding = AG_ENC_SIGNED;
    return r;
}

static ag_type_ref pointer_to(ag_corpus *c, ag_type_ref t)
{
    ag_type_ref r = ag_corpus_add_type(c, AG_T_POINTER);
    cr_assert(r != AG_NO_TYPE);
    c->types[r].target = t;
    c->types[r].byte_size = 8;
    return r;
}

char *synth_corpus_json(const synth_spec *spec, size_t *len)
{
    size_t n = spec->n_structs ? spec->n_structs : 1, m = spec->n_members ? spec->n_members : 1;
    ag_corpus *c = ag_corpus_new();
    cr_assert(c);
    c->elf.file_name = xstrdup("libsynth.so.1");
    c->elf.soname = xstrdup("libsynth.so.1");
    c->elf.elf_type = xstrdup("dyn");
    c->elf.machine = xstrdup("x86_64");
    c->elf.elf_class = 64;
    c->elf.byte_order = xstrdup("little");
    memset(c->elf.sha256, '0', 64);
    c->has_debug_info = true;
    c->debug_source = xstrdup("embedded");
    c->dwarf_version = 5;
    ag_type_ref t_int = base(c, "int", 4), t_long = base(c, "long int", 8), t_void = ag_corpus_void_type(c);
    cr_assert(t_void != AG_NO_TYPE);
    ag_type_ref *ptr = calloc(n, sizeof *ptr);
    cr_assert(ptr);
    for (size_t i = 0; i < n; i++) {
        ag_type_ref s = ag_corpus_add_type(c, AG_T_STRUCT);
        cr_assert(s != AG_NO_TYPE);
        bool wide = (i + spec->variant) % 2 == 1;
        ag_member *mem = calloc(m, sizeof *mem);
        cr_assert(mem);
        uint64_t off = 0;
        for (size_t k = 0; k < m; k++) {
            bool l = wide && k == 0;
            mem[k] = (ag_member){ .name = fmt("m%zu", k), .type = l ? t_long : t_int, .bit_offset = off * 8 };
            off += l ? 8 : 4;
        }
        ag_type *t = &c->types[s];
        t->name = fmt("s%zu", i);
        t->byte_size = (off + 7) / 8 * 8;
        t->members = mem;
        t->n_members = m;
        t->decl_file = xstrdup("/usr/include/synth.h");
        t->decl_line = (uint32_t)(i + 1);
        ptr[i] = pointer_to(c, s);
    }
    ag_type_ref hub_ptr = AG_NO_TYPE;
    if (spec->hub) {
        ag_type_ref h = ag_corpus_add_type(c, AG_T_STRUCT);
        cr_assert(h != AG_NO_TYPE);
        ag_member *mem = calloc(n, sizeof *mem);
        cr_assert(mem);
        for (size_t k = 0; k < n; k++)
            mem[k] = (ag_member){ .name = fmt("p%zu", k), .type = ptr[k], .bit_offset = (uint64_t)k * 64 };
        c->types[h].name = xstrdup("hub");
        c->types[h].byte_size = n * 8;
        c->types[h].members = mem;
        c->types[h].n_members = n;
        c->types[h].decl_file = xstrdup("/usr/include/synth.h");
        hub_ptr = pointer_to(c, h);
    }
    c->functions = calloc(n, sizeof *c->functions);
    c->exports = calloc(n, sizeof *c->exports);
    cr_assert(c->functions && c->exports);
    for (size_t i = 0; i < n; i++) {
        ag_param *p = calloc(1, sizeof *p);
        cr_assert(p);
        p->name = xstrdup("x");
        p->type = spec->hub ? hub_ptr : ptr[i];
        c->functions[i] = (ag_function){ .name = fmt("f%zu", i), .return_type = t_void, .params = p,
                                         .n_params = 1, .prototyped = true,
                                         .decl_file = xstrdup("/usr/include/synth.h"),
                                         .decl_line = (uint32_t)(i + 1) };
        c->exports[i] = (ag_symbol){ .name = fmt("f%zu", i), .type = AG_SYM_FUNC, .size = 16 };
    }
    c->n_functions = c->n_exports = n;
    if (spec->n_imports) {
        c->imports = calloc(spec->n_imports, sizeof *c->imports);
        cr_assert(c->imports);
        for (size_t i = 0; i < spec->n_imports; i++)
            c->imports[i] = (ag_symbol){ .name = fmt("imp%zu", i), .type = AG_SYM_FUNC };
        c->n_imports = spec->n_imports;
    }
    free(ptr);
    ag_error err = { .msg = "" };
    cr_assert(ag_corpus_finalize(c, &err) == AG_OK, "synthetic corpus: %s", err.msg);
    char *json = ag_corpus_to_json(c, &err);
    cr_assert(json, "synthetic corpus: %s", err.msg);
    ag_corpus_free(c);
    *len = strlen(json);
    return json;
}

char *synth_corpus_file(const char *dir, const char *name, const synth_spec *spec)
{
    size_t len;
    char *json = synth_corpus_json(spec, &len);
    char *path = path_join2(dir, name);
    cr_assert(write_whole_file(path, json, len));
    free(json);
    return path;
}
