/*
 * extract.c — from a file on disk to a finished corpus: the ELF part, then
 * the debug info wherever it lives, then the DWARF part, then finalize.
 * A binary without debug info still yields its ELF part; the corpus then
 * says its types are unknown rather than pretending they are empty.
 * Debug info found nowhere locally is asked of debuginfod servers when the
 * search names some (debuginfod.h).
 */
#include "extract.h"

#include <stdlib.h>
#include <string.h>

#include "debuginfod.h"
#include "dwarf_reader.h"
#include "elf_reader.h"

/* Not found locally: ask the debuginfod servers, if any. Anything short of
   running out of memory leaves the debug info not found (the servers'
   failures went to the warning callback): types are then unknown. */
static ag_status fetch_from_debuginfod(const ag_corpus *c, const ag_debug_search *search,
                                       char **debug_path, const char **source, ag_error *err)
{
    if (search->n_debuginfod_urls == 0 || !c->elf.build_id)
        return AG_ERR_NOTFOUND;
    ag_debuginfod_options o = {
        .urls = search->debuginfod_urls,
        .n_urls = search->n_debuginfod_urls,
        .cache_dir = search->cache_dir,
        .progress = search->progress,
        .progress_ctx = search->progress_ctx,
        .warning = search->warning,
        .warning_ctx = search->warning_ctx,
    };
    ag_error fetch_err = { .msg = "" };
    ag_status st = ag_debuginfod_fetch(c->elf.build_id, &o, debug_path, &fetch_err);
    if (st == AG_OK) {
        *source = "debuginfod";
        return AG_OK;
    }
    if (st == AG_ERR_NOMEM)
        return ag_fail(err, st, "%s", fetch_err.msg);
    if (st != AG_ERR_NOTFOUND && search->warning)
        search->warning(search->warning_ctx, fetch_err.msg);
    return AG_ERR_NOTFOUND;
}

ag_status ag_extract(const char *path, const ag_debug_search *search,
                     ag_corpus **out, ag_error *err)
{
    return ag_extract_with_headers(path, search, NULL, out, err);
}

ag_status ag_extract_with_headers(const char *path, const ag_debug_search *search,
                                  const ag_header_set *headers, ag_corpus **out, ag_error *err)
{
    *out = NULL;
    ag_corpus *c = ag_corpus_new();
    if (!c)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    ag_status st = ag_elf_read(path, c, err);
    if (st == AG_OK && headers)
        st = ag_surface_set(c, headers, err);
    if (st != AG_OK) {
        ag_corpus_free(c);
        return st;
    }
    ag_debug_search none = { 0 };
    char *debug_path = NULL;
    const char *source = NULL;
    st = ag_debug_locate(path, &c->elf, search ? search : &none, &debug_path, &source, err);
    if (st == AG_ERR_NOTFOUND)
        st = fetch_from_debuginfod(c, search ? search : &none, &debug_path, &source, err);
    if (st == AG_OK) {
        c->debug_source = strdup(source);
        st = c->debug_source ? ag_dwarf_read(c, debug_path, search ? search->source_root : NULL, err)
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
    if (st == AG_OK && headers)
        st = ag_surface_mark(c, headers, err);
    if (st == AG_OK)
        st = ag_corpus_finalize(c, err);
    if (st != AG_OK) {
        ag_corpus_free(c);
        return st;
    }
    *out = c;
    return AG_OK;
}
