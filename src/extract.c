/*
 * extract.c — from a file on disk to a finished corpus: the ELF part, then
 * the debug info wherever it lives, then the DWARF part, then finalize.
 * A binary without debug info still yields its ELF part; the corpus then
 * says its types are unknown rather than pretending they are empty.
 */
#include "extract.h"

#include <stdlib.h>
#include <string.h>

#include "dwarf_reader.h"
#include "elf_reader.h"

ag_status ag_extract(const char *path, const ag_debug_search *search,
                     ag_corpus **out, ag_error *err)
{
    *out = NULL;
    ag_corpus *c = ag_corpus_new();
    if (!c)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    ag_status st = ag_elf_read(path, c, err);
    if (st != AG_OK) {
        ag_corpus_free(c);
        return st;
    }
    ag_debug_search none = { 0 };
    char *debug_path = NULL;
    const char *source = NULL;
    st = ag_debug_locate(path, &c->elf, search ? search : &none, &debug_path, &source, err);
    if (st == AG_OK) {
        c->debug_source = strdup(source);
        st = c->debug_source ? ag_dwarf_read(c, debug_path, err)
                             : ag_fail(err, AG_ERR_NOMEM, "out of memory");
        if (st == AG_OK)
            c->has_debug_info = true;
        else if (st == AG_ERR_NOTFOUND)
            st = AG_OK; /* a debug file without DWARF sections: types unknown */
        free(debug_path);
    } else if (st == AG_ERR_NOTFOUND) {
        st = AG_OK;
    }
    if (st == AG_OK && !c->has_debug_info) {
        free(c->debug_source);
        c->debug_source = NULL;
    }
    if (st == AG_OK)
        st = ag_corpus_finalize(c, err);
    if (st != AG_OK) {
        ag_corpus_free(c);
        return st;
    }
    *out = c;
    return AG_OK;
}
