/*
 * fuzz_extract.c — `abiguard extract` on arbitrary bytes: the ELF reader,
 * the debug-info search, the DWARF checks and libdwarf, then the corpus's
 * JSON round trip. Seeds: small libraries in tests/fuzz/extract/ (the
 * hand-written DWARF of tests/fixtures/dwarf and reproducers of fixed bugs).
 * Extraction may fail, with a one-line message; it must not crash, hang,
 * leak or exhaust memory, and what it accepts must survive write -> read ->
 * write byte for byte.
 */
#include "fuzz_common.h"

#include "extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_file("lib.so", data, size);
    /* Only the file itself and places next to it: no system debug
       directories, no debuginfod. */
    ag_debug_search search = { .no_system_dirs = true };
    ag_corpus *c = NULL;
    ag_error err = { "" };
    if (ag_extract(path, &search, &c, &err) != AG_OK) {
        fuzz_check_message("extract", err.msg);
        return 0;
    }
    fuzz_check_roundtrip(c, "extract");
    ag_corpus_free(c);
    return 0;
}
