/*
 * diff_json.h — reading a diff back from its JSON report ("abiguard-diff/1",
 * docs/diff-json.md). The store keeps the report of each computed diff, so
 * `abiguard diff NAME@A NAME@B` asked again is answered from it instead of
 * loading and comparing two corpora.
 */
#ifndef ABIGUARD_DIFF_JSON_H
#define ABIGUARD_DIFF_JSON_H

#include <stddef.h>

#include "diff.h"

ag_status ag_diff_from_json(const char *text, size_t len, ag_diff **out, ag_error *err);

#endif
