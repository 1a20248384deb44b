/*
 * fingerprint.h — per-symbol ABI fingerprints, as Linux modversions has for
 * kernel modules: one 64-bit number per exported function or variable that
 * changes whenever its signature, or the layout of any type it reaches,
 * changes, and does not change when the library is merely rebuilt.
 *
 * Algorithm (abiguard-fingerprint/1), over a finalized corpus:
 *   1. Start ag_hasher (hash.h: FNV-1a over a length-prefixed field stream,
 *      splitmix64 finish; unseeded, so identical on every machine) with the
 *      string "abiguard-fingerprint/1" and the symbol's name.
 *   2. The interface: for a function, "fn", the return type's id, the
 *      number of parameters and each parameter's type id (names are not
 *      ABI), variadic, prototyped and the calling convention; for a
 *      variable, "var" and its type id. Without debug info for the symbol,
 *      "sym", the ELF symbol type and (objects) its size: a weaker, symbol-
 *      only fingerprint.
 *   3. The closure: every type reachable from the interface's types through
 *      any reference (pointer and typedef targets, members, parameters,
 *      array elements, enum underlying types, callbacks), visited once, in
 *      corpus order (finalized corpora sort types by id, so the order is
 *      canonical); for each, its id and its content hash (corpus.h). The
 *      content hash covers the type's own layout (sizes, offsets, member
 *      names and types by id, enumerators, dimensions...) but never
 *      declaration files or lines, so a rebuild from the same sources, or a
 *      header that only moved declarations around, keeps every fingerprint.
 * The fingerprint is the hasher's final value, printed as 16 hex digits.
 */
#ifndef ABIGUARD_FINGERPRINT_H
#define ABIGUARD_FINGERPRINT_H

#include <stdbool.h>
#include <stdint.h>

#include "corpus.h"
#include "error.h"

#define AG_FINGERPRINT_FORMAT "abiguard-fingerprint/1"

/* Fingerprint of exported symbol `name` of c. *found is false (and *out 0)
   when c neither exports nor describes it. AG_ERR_NOMEM only. */
ag_status ag_fingerprint_symbol(const ag_corpus *c, const char *name, uint64_t *out, bool *found,
                                ag_error *err);

/* One line of a fingerprint list: "HEX16 NAME[@VERSION]". */
typedef struct ag_fingerprint_entry {
    char *name;
    char *version;   /* or NULL */
    uint64_t value;
} ag_fingerprint_entry;

/* Parses a fingerprint list (what `abiguard fingerprint show` prints and
   the stubs embed): one "HEX16 NAME[@VERSION]" per line; blank lines and
   lines starting with '#' are ignored. AG_ERR_FORMAT names the bad line. */
ag_status ag_fingerprint_parse(const char *text, ag_fingerprint_entry **out, size_t *n,
                               ag_error *err);
void ag_fingerprint_entries_free(ag_fingerprint_entry *v, size_t n);

#endif
