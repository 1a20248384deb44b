/*
 * store_diff.h — the full JSON report (abiguard-diff/1) of a diff between
 * two stored releases, answered from the store's diff cache when it holds
 * one and otherwise computed with default options and then cached: what
 * `abiguard diff NAME@A NAME@B --format json` prints, as a string (the
 * service's /api/v1/diff). Nothing here prints.
 */
#ifndef ABIGUARD_STORE_DIFF_H
#define ABIGUARD_STORE_DIFF_H

#include <stdbool.h>

#include "store.h"

/* How many binaries ref names: its release's, or 1 for NAME@V:BINARY
   (*named true). */
ag_status ag_store_ref_binaries(ag_store *s, const char *ref, size_t *n, bool *named, ag_error *err);

/* *json gets a malloc'd report (abiguard-diff/1; abiguard-release-diff/1
   when either release has several binaries) labelled old_ref / new_ref ("NAME@V").
   AG_ERR_USAGE for a malformed ref, AG_ERR_NOTFOUND for an unknown library
   or release. A cache that cannot be written is not an error. */
ag_status ag_store_diff_json(ag_store *s, const char *old_ref, const char *new_ref, char **json,
                             ag_error *err);

/* The same report with what the public surface left out (`--show-private`:
   surface.left_out, surface.private_type_list); never cached in the store. */
ag_status ag_store_diff_json_with_private(ag_store *s, const char *old_ref, const char *new_ref, char **json,
                                          ag_error *err);

#endif
