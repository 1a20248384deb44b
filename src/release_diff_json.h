/*
 * release_diff_json.h — reading a release diff back from its JSON report
 * ("abiguard-release-diff/1", the one release_diff.c writes), as the store
 * caches it: `abiguard diff NAME@A NAME@B` of two stored releases of
 * several binaries is then answered from the cache, as a single binary's
 * diff is (diff_json.h), instead of loading and comparing every pair.
 */
#ifndef ABIGUARD_RELEASE_DIFF_JSON_H
#define ABIGUARD_RELEASE_DIFF_JSON_H

#include <stddef.h>

#include "release_diff.h"

/* The pairs come back with their names, paths, pairing, verdicts and each
   diffed pair's changes (through ag_diff_from_json); their binaries have
   no corpus, so it can be reported in any format but JUnit. A binary's
   label is what its diff's own label has after "OLD:" (or "NEW:"), OLD
   and NEW being the report's. */
ag_status ag_release_diff_from_json(const char *text, size_t len, ag_release_diff **out, ag_error *err);

#endif
