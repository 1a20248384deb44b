/*
 * suppress.h — suppression rules: known, accepted ABI changes that a diff
 * should count but not fail on (`abiguard diff --suppressions FILE`).
 *
 * File format (plain text, UTF-8):
 *
 *     # comments start with '#' (at the start of a line or of a field)
 *     symbol=ctx_*                      # glob on impacted interface names
 *     type="struct ctx"                 # exact type spelling, quoted if it has spaces
 *     kind=enum-value-added-at-end      # a change kind id (`abiguard change-kinds`)
 *     source=*_private.h                # glob on the change's declaration file
 *     symbol=lua_* kind=fn-removed      # several fields: all must match
 *
 * - One rule per line; blank lines and comment lines are ignored.
 * - A rule is one or more `key=value` fields separated by spaces or tabs.
 *   Keys: symbol, type, kind, source; each at most once per rule.
 * - A value is either a run of non-blank characters, or a double-quoted
 *   string in which \" and \\ stand for " and \.
 * - Globs are fnmatch(3) patterns without FNM_PATHNAME: '*' also matches '/'.
 *
 * Matching (all given fields must match):
 * - symbol: any impacted interface name matches the glob; a change with no
 *   impacted interfaces that is about one symbol (fn-removed, var-size-changed,
 *   fn-param-added, ...) is matched by its subject, with a trailing "()" and
 *   any "@VERSION" stripped. SONAME, version-node and ELF-property changes
 *   have no symbol and never match a symbol field.
 * - type: the change's subject is NAME, or starts with NAME followed by "::"
 *   (so type="struct ctx" also covers "struct ctx::p").
 * - kind: the change's kind id equals ID.
 * - source: the change has a declaration file and it matches the glob.
 */
#ifndef ABIGUARD_SUPPRESS_H
#define ABIGUARD_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "diff.h"

/* Reads a suppressions file. On success *out holds *n rules (NULL and 0 for
   a file with no rules). Errors: AG_ERR_IO (cannot open/read), AG_ERR_FORMAT
   with a message naming the line ("line 3: unknown key 'sybmol'"),
   AG_ERR_NOMEM. */
ag_status ag_suppressions_read(const char *path, ag_suppression **out, size_t *n,
                               ag_error *err);

/* Same, from text in memory (the file reader's core; handy for tests). */
ag_status ag_suppressions_parse(const char *text, ag_suppression **out, size_t *n,
                                ag_error *err);

void ag_suppressions_free(ag_suppression *rules, size_t n);

/* True when every field the rule sets matches the change. */
bool ag_suppression_matches(const ag_suppression *rule, const ag_change *c);

/* The symbol a change is about when it has no impacted interfaces and its
   subject names one symbol (see "Matching" above): the subject without "()"
   or "@VERSION", copied into buf. False for types, SONAME, version nodes
   and ELF properties, or when it does not fit. */
bool ag_change_subject_symbol(const ag_change *c, char *buf, size_t len);

/* Marks each change matched by any rule as suppressed (marks already set are
   kept), then recomputes d->counts (unsuppressed changes per verdict) and
   d->n_suppressed. Interface counts are left as they are. */
void ag_diff_apply_suppressions(ag_diff *d, const ag_suppression *rules, size_t n);

#endif
